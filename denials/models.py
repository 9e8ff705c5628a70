"""Denials: each denied claim or line of a posted remittance, who works it, what was done.

    Denial               one denied line (or claim level) of one posted ClaimPayment: reason,
                         category, next action, amount at stake, deadlines, priority, owner, status
      DenialEvent        its history, append-only: created, assigned, status, note, action, resolved
      WriteOffRequest    a write-off above the admins' amount, waiting for a manager
    AssignmentRule       payer and/or category -> the biller who gets new denials
    SavedView            a named filter of the work queue, with a URL (shared or private)
    ReasonRule           an admin's refinement of the reason catalog (for every payer or one)
    PayerDenialTerms     a payer's own appeal and corrected-claim windows
    DenialPolicy         one row: the write-off amount above which a manager approves

The appeals work hangs on `Denial`: an Appeal row points at its denial (ForeignKey, PROTECT,
related_name "appeals"), moves it to waiting on payer when sent, and the recovery on a later
payment resolves it (denials.services.creation.denials_resolve_recovered).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from denials.domain.types import Category, DenialStatus, NextAction, Resolution, WriteOffStatus
from infusion_rcm.audit.tracking import PatientDataModel
from infusion_rcm.common.models import (
    TimeStampedModel,
    choice_constraint,
    enum_choices,
    money_field,
    public_id_field,
)


class Denial(PatientDataModel, TimeStampedModel):
    """One denied service line (or the claim level, `line_payment` null) of one posted claim
    payment. Exactly one per (claim payment, line): the unique constraint makes creation from
    the posting event idempotent. `reasons` keeps every adjustment that made it a denial (group,
    CARC, amount, category); `group`/`carc`/`rarcs` are the one that decides the category and next
    action (the largest, DEN-D2). Status: new -> in progress -> waiting on payer -> resolved
    (`resolution` says how: recovered, written off, patient billed, voided, reversed)."""

    public_id = public_id_field()
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="denials")
    claim_line = models.ForeignKey(
        "claims.ClaimLine", on_delete=models.PROTECT, null=True, blank=True, related_name="denials"
    )
    claim_payment = models.ForeignKey(
        "payments.ClaimPayment", on_delete=models.PROTECT, related_name="denials"
    )
    line_payment = models.ForeignKey(
        "payments.LinePayment", on_delete=models.PROTECT, null=True, blank=True, related_name="denials"
    )
    payer = models.ForeignKey("intake.Payer", on_delete=models.PROTECT, related_name="denials")
    group = models.CharField(max_length=2)
    carc = models.CharField("CARC", max_length=5)
    rarcs = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=30, choices=enum_choices(Category))
    next_action = models.CharField(max_length=30, choices=enum_choices(NextAction))
    sentence = models.TextField(blank=True)
    rule = models.CharField(max_length=200, blank=True, help_text="the catalog rule that decided")
    charge = money_field(default=Decimal("0.00"))
    paid = money_field(default=Decimal("0.00"))
    amount = money_field(help_text="amount at stake")
    service_date = models.DateField()
    notice_date = models.DateField(help_text="the remittance's date (BPR16)")
    appeal_deadline = models.DateField(null=True, blank=True)
    corrected_claim_deadline = models.DateField(null=True, blank=True)
    deadline_basis = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(help_text="the deadline of the next action")
    priority = money_field(default=Decimal("0.00"), help_text="amount x closeness x chance (DEN-P1)")
    status = models.CharField(max_length=20, choices=enum_choices(DenialStatus), default=DenialStatus.NEW)
    resolution = models.CharField(max_length=20, choices=enum_choices(Resolution), blank=True)
    recovered_amount = money_field(default=Decimal("0.00"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="denials"
    )
    result_claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="denials_resulting",
        help_text="the corrected, void or new claim an action sent",
    )

    class Meta:
        ordering = ["-priority", "due_date", "id"]
        constraints = [
            choice_constraint("status", DenialStatus, "denial_status_valid"),
            choice_constraint("category", Category, "denial_category_valid"),
            choice_constraint("next_action", NextAction, "denial_next_action_valid"),
            models.CheckConstraint(
                condition=(models.Q(status=DenialStatus.RESOLVED) & ~models.Q(resolution=""))
                | (~models.Q(status=DenialStatus.RESOLVED) & models.Q(resolution="")),
                name="denial_resolution_iff_resolved",
            ),
            models.UniqueConstraint(
                fields=["claim_payment", "line_payment"], nulls_distinct=False, name="denial_once"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="denial_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "-priority"], name="denial_queue"),
            models.Index(fields=["owner", "status"], name="denial_owner"),
            models.Index(fields=["due_date"], name="denial_due"),
        ]

    def __str__(self) -> str:
        return f"{self.group}-{self.carc} {self.amount}"

    @property
    def is_open(self) -> bool:
        return self.status != DenialStatus.RESOLVED


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    ASSIGNED = "assigned", "Assigned"
    STATUS = "status", "Status"
    NOTE = "note", "Note"
    ACTION = "action", "Action"
    WRITE_OFF = "write_off", "Write-off"
    RESOLVED = "resolved", "Resolved"


class DenialEvent(PatientDataModel, TimeStampedModel):
    """One thing that happened to a denial (append-only): created, assigned, a status move, a
    note, an action sent through another app, a write-off asked or decided, resolved."""

    Kind = EventKind

    denial = models.ForeignKey(Denial, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="denial_event_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message[:40]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Denial history is append-only.")
        super().save(*args, **kwargs)


class WriteOffRequest(PatientDataModel, TimeStampedModel):
    """A biller's write-off of a denial above `DenialPolicy.write_off_approval_amount`: it waits
    for a manager (approved: the denial is resolved as written off; refused: it stays open)."""

    denial = models.ForeignKey(Denial, on_delete=models.PROTECT, related_name="write_offs")
    amount = money_field()
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=enum_choices(WriteOffStatus), default=WriteOffStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            choice_constraint("status", WriteOffStatus, "write_off_status_valid"),
            models.UniqueConstraint(
                fields=["denial"], condition=models.Q(status="pending"), name="write_off_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"write-off {self.amount} ({self.status})"


class AssignmentRule(TimeStampedModel):
    """New denials of this payer and/or category go to `user`. The most specific active rule
    wins (payer and category, then payer, then category); `order` breaks ties (lower first)."""

    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=30, choices=enum_choices(Category), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payer__isnull=False) | ~models.Q(category=""),
                name="assignment_rule_names_something",
            )
        ]

    def __str__(self) -> str:
        what = " ".join(x for x in (str(self.payer or ""), self.category) if x)
        return f"{what} -> {self.user}"


class SavedView(TimeStampedModel):
    """A named work-queue filter (the query string of /denials/). Its URL opens the queue with
    the filter; a shared view is listed for every biller, a private one for its owner only."""

    public_id = public_id_field()
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReasonRule(TimeStampedModel):
    """An admin's refinement of the reason catalog (DEN-M1): tried before the shipped rules.
    Blank group, CARC or RARC match any; a payer (or a payer kind) narrows it. No category: the
    rule only changes the next action (DEN-M2)."""

    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payer_kind = models.CharField(max_length=24, blank=True)
    group = models.CharField(max_length=2, blank=True)
    carc = models.CharField("CARC", max_length=5, blank=True)
    rarc = models.CharField("RARC", max_length=8, blank=True)
    category = models.CharField(max_length=30, choices=enum_choices(Category), blank=True)
    next_action = models.CharField(max_length=30, choices=enum_choices(NextAction))
    sentence = models.TextField(help_text="what the biller reads: the reason in words and what to do")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["payer", "group", "carc", "rarc", "id"]
        constraints = [
            choice_constraint("next_action", NextAction, "reason_rule_action_valid"),
            models.CheckConstraint(
                condition=~models.Q(carc="") | ~models.Q(rarc="") | ~models.Q(group=""),
                name="reason_rule_names_a_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group or '*'}-{self.carc or '*'} {self.rarc} -> {self.category or '(action)'}/{self.next_action}"


class PayerDenialTerms(TimeStampedModel):
    """A payer's own windows (days after the remittance notice); blank: the payer kind's
    default (DEN-T1..DEN-T4)."""

    payer = models.OneToOneField("intake.Payer", on_delete=models.PROTECT, related_name="denial_terms")
    appeal_days = models.PositiveSmallIntegerField(null=True, blank=True)
    corrected_claim_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "payer denial terms"

    def __str__(self) -> str:
        return f"{self.payer}: appeal {self.appeal_days}, corrected {self.corrected_claim_days}"


class DenialPolicy(TimeStampedModel):
    """Denial settings admins keep (one row, pk 1)."""

    write_off_approval_amount = money_field(
        default=Decimal("500.00"),
        help_text="A denial write-off above this amount waits for a manager's approval",
    )

    class Meta:
        verbose_name_plural = "denial policy"

    def __str__(self) -> str:
        return f"write-offs above {self.write_off_approval_amount} need a manager"


from denials.models_appeals import Appeal, DenialRiskScore, RiskPolicy, TimelyFilingAlert  # noqa: E402, F401  (issue 13 sections 5-7)
