"""Payments, the patient's side: patient payments and what they were applied to, refunds of
credit balances (a manager approves), payment plans with their instalments, statement
suppressions, statement runs and the statements sent (kept with their PDF, reprintable), and the
statement settings of each billing provider. Imported by payments.models.

The patient ledger is not a table: it is computed (payments.services.patient_ledger) from rows
that are never edited: the claims' charges, the remittance postings (`Posting`), the patient
payments and their applications, and the approved refunds.

    PatientPayment           money a patient paid (front desk or mail; cash, check, card)
      PaymentApplication     part of it applied to one service (the claim to the first payer)
    PatientRefund            credit paid back: requested (biller) -> approved | rejected (manager)
    PaymentPlan              an agreed schedule for the patient's balance
      PaymentPlanInstalment  one instalment (due date, amount)
    StatementSuppression     no statements for a patient (hardship, collections ...) with reason
    StatementRun             one run: its rules (minimum, days) and what it selected
      Statement              one statement sent: its figures as printed and the PDF bytes
    StatementSettings        per billing provider: phone, how to pay, run defaults
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from infusion_rcm.audit.tracking import PatientDataModel
from infusion_rcm.common.models import (
    TimeStampedModel,
    choice_constraint,
    enum_choices,
    money_field,
    public_id_field,
)
from payments.domain.patient import PaymentChannel, PaymentMethod, PlanStatus, RefundStatus
from payments.domain.statement import SuppressionReason


class _Immutable:
    """Rows of money received or sent: corrected by a new row, never edited."""

    def save(self, *args, **kwargs):
        if self.pk is not None:  # type: ignore[attr-defined]  # mixed into models.Model
            raise ValueError(f"{type(self).__name__} rows are immutable.")
        super().save(*args, **kwargs)  # type: ignore[misc]  # mixed into models.Model


class PatientPayment(_Immutable, PatientDataModel, TimeStampedModel):
    """Money a patient (or guarantor) paid: at the front desk or by mail, in cash, by check (its
    number) or card (the terminal's reference, never the card number). `balance_after` and
    `patient_due_after` are the account as it stood once this payment was applied (printed on
    the receipt). Parts applied to services are PaymentApplication rows; the rest is on account."""

    public_id = public_id_field()
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="patient_payments")
    received_on = models.DateField()
    channel = models.CharField(max_length=10, choices=enum_choices(PaymentChannel))
    method = models.CharField(max_length=6, choices=enum_choices(PaymentMethod))
    reference = models.CharField(
        max_length=40, blank=True, help_text="check number, or the card terminal's approval reference"
    )
    amount = money_field()
    payer_name = models.CharField(max_length=95, blank=True, help_text="who paid, when not the patient")
    note = models.CharField(max_length=300, blank=True)
    plan = models.ForeignKey(
        "PaymentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    balance_after = money_field()
    patient_due_after = money_field()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            choice_constraint("channel", PaymentChannel, "patient_payment_channel_valid"),
            choice_constraint("method", PaymentMethod, "patient_payment_method_valid"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="patient_payment_positive"),
        ]
        indexes = [models.Index(fields=["patient", "received_on"], name="patient_payment_patient")]

    @property
    def receipt_number(self) -> str:
        return f"R{self.pk:08d}"

    def __str__(self) -> str:
        return f"Patient payment {self.receipt_number} {self.amount}"


class PaymentApplication(_Immutable, models.Model):
    """Part of a patient payment applied to one service. `claim` is the service's key: the
    first claim of the visit to the first payer (a replacement or the next payer's claim belong
    to the same service)."""

    payment = models.ForeignKey(PatientPayment, on_delete=models.PROTECT, related_name="applications")
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="patient_applications")
    amount = money_field()
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["payment", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_application_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to claim {self.claim_id}"


class PatientRefund(PatientDataModel, TimeStampedModel):
    """A credit balance paid back to the patient. A biller requests it (never more than the
    refundable credit); a manager approves or rejects it (status, `decided_by`); only an
    approved refund counts on the ledger. `reference`: the refund check number."""

    public_id = public_id_field()
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="patient_refunds")
    amount = money_field()
    reason = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=enum_choices(RefundStatus), default=RefundStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=40, blank=True, help_text="refund check number")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choice_constraint("status", RefundStatus, "patient_refund_status_valid"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="patient_refund_positive"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} ({self.status})"


class PaymentPlan(PatientDataModel, TimeStampedModel):
    """A schedule the patient agreed to for `total` of the balance, in equal instalments."""

    public_id = public_id_field()
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="payment_plans")
    total = money_field()
    instalment_count = models.PositiveSmallIntegerField()
    first_due = models.DateField()
    every_days = models.PositiveSmallIntegerField(default=30)
    status = models.CharField(max_length=10, choices=enum_choices(PlanStatus), default=PlanStatus.ACTIVE)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choice_constraint("status", PlanStatus, "payment_plan_status_valid"),
            models.CheckConstraint(condition=models.Q(total__gt=0), name="payment_plan_total_positive"),
            models.CheckConstraint(condition=models.Q(instalment_count__gte=1), name="payment_plan_count"),
        ]

    def __str__(self) -> str:
        return f"Plan {self.total} in {self.instalment_count}"


class PaymentPlanInstalment(models.Model):
    """One instalment of a plan; whether it is paid follows from the plan's payments."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.PROTECT, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = money_field()

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="plan_instalment_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="plan_instalment_positive"),
        ]

    def __str__(self) -> str:
        return f"Instalment {self.sequence}: {self.amount} due {self.due_on}"


class StatementSuppression(PatientDataModel, TimeStampedModel):
    """No statements for the patient from `starts_on` (to `ends_on`, or until lifted), and why."""

    public_id = public_id_field()
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="statement_suppressions"
    )
    reason = models.CharField(max_length=12, choices=enum_choices(SuppressionReason))
    note = models.CharField(max_length=300, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            choice_constraint("reason", SuppressionReason, "statement_suppression_reason_valid"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="statement_suppression_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"Statements suppressed: {self.reason}"


class StatementRun(TimeStampedModel):
    """One statement run: its rules and what it did (`skipped`: counts by reason)."""

    public_id = public_id_field()
    run_on = models.DateField()
    minimum_balance = money_field()
    interval_days = models.PositiveSmallIntegerField()
    statement_count = models.PositiveIntegerField(default=0)
    total_due = money_field(default=Decimal("0.00"))
    skipped = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Statement run {self.run_on}"


class Statement(_Immutable, PatientDataModel, TimeStampedModel):
    """One statement as sent: the figures printed (`content`, the snapshot the PDF was made from)
    and the PDF itself, so a reprint is the same document."""

    public_id = public_id_field()
    run = models.ForeignKey(
        StatementRun, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="statements")
    statement_date = models.DateField()
    due_date = models.DateField()
    amount_due = money_field()
    patient_due = money_field()
    insurance_pending = money_field()
    credit = money_field()
    dunning_level = models.PositiveSmallIntegerField()
    content = models.JSONField()
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-statement_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dunning_level__gte=1, dunning_level__lte=4), name="statement_dunning_level"
            ),
        ]
        indexes = [models.Index(fields=["patient", "-statement_date"], name="statement_patient_date")]

    @property
    def number(self) -> str:
        return f"S{self.pk:08d}"

    def __str__(self) -> str:
        return f"Statement {self.number}"


class StatementSettings(TimeStampedModel):
    """What a billing provider's statements say and the defaults of its runs (admins keep it)."""

    billing_provider = models.OneToOneField(
        "intake.BillingProvider", on_delete=models.PROTECT, related_name="statement_settings"
    )
    billing_phone = models.CharField(max_length=20, help_text="printed as the number to call about a bill")
    payable_to = models.CharField(
        max_length=95, blank=True, help_text="checks payable to (default: the provider)"
    )
    how_to_pay = models.TextField(
        blank=True,
        help_text="extra payment instructions printed on every statement (office hours, card by phone)",
    )
    minimum_balance = money_field(default=Decimal("5.00"), help_text="no statement below this patient-due")
    interval_days = models.PositiveSmallIntegerField(default=28, help_text="days between two statements")
    due_in_days = models.PositiveSmallIntegerField(default=21, help_text="days from statement to due date")

    class Meta:
        verbose_name_plural = "statement settings"

    def __str__(self) -> str:
        return f"Statement settings of {self.billing_provider}"
