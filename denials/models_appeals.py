"""Appeals of denials, and timely-filing alerts (issue 13, sections 5 and 6).

    Appeal               one level of appeal of one denial: deadline, letter (attachments), sent
                         and decided dates, outcome, money recovered (from the later remittance)
    TimelyFilingAlert    one alert per claim per threshold (30/14/7 days before its filing limit)

Imported at the end of denials/models.py, so Django sees them as the denials app's models.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from denials.domain.appeals import AppealLevel, Outcome
from infusion_rcm.audit.tracking import PatientDataModel
from infusion_rcm.common.models import (
    TimeStampedModel,
    choice_constraint,
    enum_choices,
    money_field,
    public_id_field,
)


class AppealStatus(models.TextChoices):
    DRAFT = "draft", "Letter drafted"
    SENT = "sent", "Sent, waiting on the payer"
    DECIDED = "decided", "Decided"


class Appeal(PatientDataModel, TimeStampedModel):
    """One level of appeal of a denial (DEN-AP1..AP5). Drafted with its letter, sent (the denial
    waits on the payer), decided (outcome). Money arrives by remittance: the recovery that
    resolves the denial (DEN-R1) is written here as `recovered_amount`."""

    Status = AppealStatus

    public_id = public_id_field()
    denial = models.ForeignKey("denials.Denial", on_delete=models.PROTECT, related_name="appeals")
    level = models.CharField(max_length=24, choices=enum_choices(AppealLevel))
    deadline = models.DateField()
    deadline_basis = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.DRAFT)
    attachments = models.JSONField(default=list, blank=True)
    letter_note = models.TextField(blank=True, help_text="the biller's own paragraph for the letter")
    sent_on = models.DateField(null=True, blank=True)
    decision_date = models.DateField(null=True, blank=True, help_text="the date on the payer's decision")
    received_on = models.DateField(null=True, blank=True, help_text="when we received the decision")
    outcome = models.CharField(max_length=12, choices=enum_choices(Outcome), blank=True)
    decision_note = models.TextField(blank=True)
    recovered_amount = money_field(default=Decimal("0.00"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["denial_id", "created_at", "id"]
        constraints = [
            choice_constraint("level", AppealLevel, "appeal_level_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=AppealStatus.values), name="appeal_status_valid"
            ),
            models.UniqueConstraint(fields=["denial", "level"], name="appeal_level_once"),
            models.CheckConstraint(
                condition=(models.Q(status=AppealStatus.DECIDED) & ~models.Q(outcome=""))
                | (~models.Q(status=AppealStatus.DECIDED) & models.Q(outcome="")),
                name="appeal_outcome_iff_decided",
            ),
            models.CheckConstraint(
                condition=models.Q(status=AppealStatus.DRAFT) | models.Q(sent_on__isnull=False),
                name="appeal_sent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.get_status_display()})"


class TimelyFilingAlert(PatientDataModel, TimeStampedModel):
    """The beat job's alert that a claim's filing deadline is `threshold` days away or less:
    one per claim per threshold (the unique constraint makes the job idempotent)."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="timely_filing_alerts")
    threshold = models.PositiveSmallIntegerField()
    deadline = models.DateField()
    basis = models.CharField(max_length=200, blank=True)
    days_left = models.SmallIntegerField()

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "threshold"], name="timely_filing_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.threshold}-day filing alert, deadline {self.deadline}"


class DenialRiskScore(PatientDataModel, TimeStampedModel):
    """A scrubbed claim's probability of denial from the office's history, with the reasons in
    words (DEN-RS1). `held`: it was above the threshold and moved back to needs fix for a
    biller's review; `reviewed_by`: a biller released it (not held again for this score)."""

    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="denial_risk")
    probability = models.DecimalField(max_digits=5, decimal_places=4)
    reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()
    held = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=1),
                name="risk_probability_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"risk {self.probability}"

    @property
    def percent(self) -> int:
        return int((self.probability * 100).to_integral_value())


class RiskPolicy(TimeStampedModel):
    """The admins' denial-risk setting (one row, pk 1): claims above it are held."""

    hold_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        help_text="A ready claim whose denial risk is above this (0 to 1) is held for review",
    )

    class Meta:
        verbose_name_plural = "risk policy"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hold_threshold__gt=0) & models.Q(hold_threshold__lte=1),
                name="risk_threshold_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"hold at {self.hold_threshold}"
