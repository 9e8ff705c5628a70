"""Payments: remittances as received (835 files and paper EOBs), what they say claim by claim and
line by line, and the posting ledger the claim balances are computed from.

How the rows hang together (each level PROTECTs the one above; nothing financial is deleted):

    RemittanceFile            one upload / import / paper EOB: status, error, totals
      Remittance              one payment (835 ST..SE): payer, TRN02 trace, BPR02, payment date
        ClaimPayment          one CLP: matched Claim (or unmatched), amounts, posting status
          LinePayment         one SVC: matched ClaimLine, amounts
          Adjustment          one CAS triplet (claim level, or line level with `line_payment`)
          RemarkCode          one LQ / MOA / MIA remark code
        ProviderAdjustment    one PLB amount (interest, recoupment, forwarding balance ...)
      Posting                 the ledger: immutable amounts per claim / line / PLB; a reversal is
                              a new row with the amount negated (`reverses`), never an edit

The claims app reads money through the reverse relations `Claim.postings` and
`ClaimLine.postings` (summed by `category`), so claims never imports this module. Pages built
later on these rows: the ERA inbox (RemittanceFile by status), the remittance page (a file's
Remittances, ClaimPayments, LinePayments, Adjustments, PLB), the unmatched queue
(ClaimPayment status unmatched), the approval queue (status held), an underpayment queue
(LinePayment.allowed / paid against a contract's expected amount on the ClaimLine).
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
    units_field,
)
from payments.domain.codes import AdjustmentGroup
from payments.domain.contracts import PricingMethod, ScheduleKind
from payments.domain.posting import (
    ClaimMatch,
    FileSource,
    FileStatus,
    LineMatch,
    PaymentStatus,
    PostingCategory,
)


def _quantity_field(**kwargs):
    """CAS quantities (units, days) as sent: any sign, up to four places."""
    return models.DecimalField(max_digits=15, decimal_places=4, **kwargs)


class RemittanceFile(PatientDataModel, TimeStampedModel):
    """One remittance as it reached us: an 835 file (upload, `import_835`) or a paper EOB a biller
    entered by hand (`source` paper, `received_by` who typed it, `content` the entry as JSON).

    Idempotent by `checksum` (sha256 of the content): the same file again is this row, not a new
    one. Status: received -> parsed (read, balanced, matched; previewable) | failed (refused whole:
    `error` has the message and the segment position; nothing posted) -> posted. The move to
    posted is one conditional UPDATE inside the posting transaction, so two workers on one file
    post it once. Totals are the file's own figures, for the ERA inbox.
    """

    public_id = public_id_field()
    source = models.CharField(max_length=8, choices=enum_choices(FileSource), default=FileSource.EDI)
    file_name = models.CharField(max_length=200, blank=True)
    checksum = models.CharField(max_length=64, unique=True)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=enum_choices(FileStatus), default=FileStatus.RECEIVED)
    interchange_control = models.CharField("ISA13", max_length=9, blank=True)
    sender_id = models.CharField("ISA06 sender", max_length=15, blank=True)
    receiver_id = models.CharField("ISA08 receiver", max_length=15, blank=True)
    usage = models.CharField("ISA15 usage", max_length=1, blank=True, help_text="P production, T test")
    error = models.JSONField(
        default=dict, blank=True, help_text="why the file was refused: message, code, position, segment"
    )
    warnings = models.JSONField(default=list, blank=True)
    remittance_count = models.PositiveIntegerField(default=0)
    claim_count = models.PositiveIntegerField(default=0)
    total_paid = money_field(default=Decimal("0.00"), help_text="sum of BPR02 (money received)")
    total_claims_paid = money_field(default=Decimal("0.00"), help_text="sum of CLP04")
    provider_adjustment_total = money_field(default=Decimal("0.00"), help_text="sum of PLB amounts")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choice_constraint("status", FileStatus, "remittance_file_status_valid"),
            choice_constraint("source", FileSource, "remittance_file_source_valid"),
        ]
        indexes = [
            # ERA inbox: files by status, newest first
            models.Index(fields=["status", "-created_at"], name="remittance_file_inbox"),
        ]

    def __str__(self) -> str:
        return self.file_name or f"remittance {self.public_id}"


class Remittance(TimeStampedModel):
    """One payment from one payer (an 835 transaction set, or the check of a paper EOB).

    `trace_number` (TRN02) is the check or EFT number that ties it to the deposit; `payer` is our
    Payer when the payer's id (REF*2U, N104, GS02) is one we know.
    """

    file = models.ForeignKey(RemittanceFile, on_delete=models.PROTECT, related_name="remittances")
    sequence = models.PositiveIntegerField(help_text="order in the file")
    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="remittances"
    )
    payer_identifier = models.CharField(max_length=80)
    payer_name = models.CharField(max_length=60)
    payee_name = models.CharField(max_length=60, blank=True)
    payee_npi = models.CharField(max_length=10, blank=True)
    payee_tin = models.CharField(max_length=20, blank=True)
    transaction_control = models.CharField("ST02", max_length=9, blank=True)
    trace_number = models.CharField("TRN02", max_length=50)
    trace_originator = models.CharField("TRN03", max_length=10, blank=True)
    handling_code = models.CharField("BPR01", max_length=2)
    credit_debit = models.CharField("BPR03", max_length=1)
    payment_method = models.CharField("BPR04", max_length=3)
    payment_amount = money_field(help_text="BPR02")
    payment_date = models.DateField(help_text="BPR16: check issue or EFT effective date")
    production_date = models.DateField(null=True, blank=True, help_text="DTM*405")
    claim_count = models.PositiveIntegerField(default=0)
    provider_adjustment_total = money_field(default=Decimal("0.00"))

    class Meta:
        ordering = ["file", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["file", "sequence"], name="remittance_sequence_unique"),
        ]
        indexes = [models.Index(fields=["payer_identifier", "trace_number"], name="remittance_trace")]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.trace_number}"


class ClaimPayment(PatientDataModel, TimeStampedModel):
    """One claim as the payer adjudicated it (an 835 CLP loop, or a claim of a paper EOB).

    `claim` is our claim (matched by CLP01, then by the payer claim number, or by a biller), null
    while unmatched. `status`: pending -> posted; unmatched -> (matched by hand) -> posted; held
    (a reversal above the approval amount, or a claim payment behind it) -> (approved) -> posted;
    duplicate (never posted). The same claim payment (payer, TRN02, CLP01, CLP07, reversal or
    not) exists once outside `duplicate`: the partial unique constraint is what makes "the same
    claim payment in another file posts once" hold under concurrency.
    """

    public_id = public_id_field()
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="claim_payments")
    sequence = models.PositiveIntegerField(help_text="order in the file")
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    match_method = models.CharField(max_length=20, choices=enum_choices(ClaimMatch), default=ClaimMatch.NONE)
    status = models.CharField(max_length=10, choices=enum_choices(PaymentStatus))
    payer_identifier = models.CharField(max_length=80)  # repeats Remittance's: part of the unique key
    trace_number = models.CharField(max_length=50)  # repeats Remittance's: part of the unique key
    patient_control_number = models.CharField("CLP01", max_length=38)
    claim_status_code = models.CharField("CLP02", max_length=2)
    is_reversal = models.BooleanField(default=False, help_text="CLP02 22")
    payer_claim_number = models.CharField("CLP07", max_length=50, blank=True)
    charge = money_field(help_text="CLP03")
    paid = money_field(help_text="CLP04")
    patient_responsibility = money_field(null=True, blank=True, help_text="CLP05 (informational)")
    filing_indicator = models.CharField("CLP06", max_length=2, blank=True)
    facility_code = models.CharField("CLP08", max_length=2, blank=True)
    frequency_code = models.CharField("CLP09", max_length=1, blank=True)
    patient_last_name = models.CharField(max_length=60, blank=True)
    patient_first_name = models.CharField(max_length=35, blank=True)
    member_id = models.CharField(max_length=80, blank=True)
    crossover_carrier = models.CharField(max_length=60, blank=True, help_text="NM1*TT: forwarded to")
    corrected_payer = models.CharField(
        max_length=60, blank=True, help_text="NM1*PR: corrected priority payer"
    )
    original_reference = models.CharField(max_length=50, blank=True, help_text="REF*F8")
    service_date_from = models.DateField(null=True, blank=True)
    service_date_to = models.DateField(null=True, blank=True)
    reversal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    claim_status_result = models.CharField(
        max_length=200, blank=True, help_text="what posting did to the claim's status"
    )
    note = models.TextField(blank=True, help_text="why it is unmatched, held or a duplicate")
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["remittance", "sequence"]
        constraints = [
            choice_constraint("status", PaymentStatus, "claim_payment_status_valid"),
            choice_constraint("match_method", ClaimMatch, "claim_payment_match_valid"),
            models.UniqueConstraint(
                fields=[
                    "payer_identifier",
                    "trace_number",
                    "patient_control_number",
                    "payer_claim_number",
                    "is_reversal",
                ],
                condition=~models.Q(status=PaymentStatus.DUPLICATE),
                name="claim_payment_once",
            ),
        ]
        indexes = [
            # the unmatched and approval queues: few rows among millions
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(status__in=[PaymentStatus.UNMATCHED, PaymentStatus.HELD]),
                name="claim_payment_work_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"CLP {self.patient_control_number} ({self.claim_status_code})"


class LinePayment(TimeStampedModel):
    """One adjudicated service line (835 SVC loop): the ClaimLine it pays, and how it was matched.

    `procedure_code` / `modifiers` are as paid; `original_*` as we submitted them when the payer
    changed the code (SVC06), e.g. a bundled or recoded line.
    """

    claim_payment = models.ForeignKey(ClaimPayment, on_delete=models.PROTECT, related_name="lines")
    sequence = models.PositiveIntegerField()
    claim_line = models.ForeignKey(
        "claims.ClaimLine", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    match_method = models.CharField(max_length=20, choices=enum_choices(LineMatch), default=LineMatch.NONE)
    line_control_number = models.CharField("REF*6R", max_length=50, blank=True)
    procedure_qualifier = models.CharField(max_length=2)
    procedure_code = models.CharField(max_length=48)
    modifiers = models.JSONField(default=list, blank=True)
    original_procedure_code = models.CharField(max_length=48, blank=True)
    original_modifiers = models.JSONField(default=list, blank=True)
    revenue_code = models.CharField(max_length=4, blank=True)
    units_paid = units_field()
    original_units = units_field(null=True, blank=True)
    service_date_from = models.DateField(null=True, blank=True)
    service_date_to = models.DateField(null=True, blank=True)
    charge = money_field(help_text="SVC02")
    paid = money_field(help_text="SVC03")
    allowed = money_field(null=True, blank=True, help_text="AMT*B6")
    # Set when the line posts (payments.services.contracts), from the contract in force on the
    # date of service; null when no contract covers it. db_default: rows go in by COPY.
    expected = money_field(null=True, blank=True, help_text="what the payer's contract pays for the line")
    expected_basis = models.CharField(max_length=200, blank=True, default="", db_default="")
    fee_schedule = models.ForeignKey(
        "FeeSchedule", on_delete=models.PROTECT, null=True, blank=True, related_name="priced_lines"
    )

    class Meta:
        ordering = ["claim_payment", "sequence"]
        constraints = [choice_constraint("match_method", LineMatch, "line_payment_match_valid")]

    def __str__(self) -> str:
        return f"SVC {self.procedure_code} {self.paid}"


class Adjustment(TimeStampedModel):
    """One CAS reason/amount/quantity: claim level (`line_payment` null) or line level.

    Positive reduces the payment; group CO/PR/OA/PI/CR says who bears it (PR: the patient).
    """

    claim_payment = models.ForeignKey(ClaimPayment, on_delete=models.PROTECT, related_name="adjustments")
    line_payment = models.ForeignKey(
        LinePayment, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments"
    )
    group = models.CharField(max_length=2, choices=enum_choices(AdjustmentGroup))
    reason = models.CharField("CARC", max_length=5)
    amount = money_field()
    quantity = _quantity_field(null=True, blank=True)

    class Meta:
        ordering = ["claim_payment", "line_payment", "id"]
        constraints = [choice_constraint("group", AdjustmentGroup, "adjustment_group_valid")]

    def __str__(self) -> str:
        return f"{self.group}-{self.reason} {self.amount}"


class RemarkCode(TimeStampedModel):
    """A remark code of a claim (MOA / MIA) or a line (LQ*HE; LQ*RX for NCPDP reject codes)."""

    claim_payment = models.ForeignKey(ClaimPayment, on_delete=models.PROTECT, related_name="remarks")
    line_payment = models.ForeignKey(
        LinePayment, on_delete=models.PROTECT, null=True, blank=True, related_name="remarks"
    )
    qualifier = models.CharField(max_length=3, help_text="HE, RX, MOA or MIA")
    code = models.CharField("RARC", max_length=30)

    class Meta:
        ordering = ["claim_payment", "line_payment", "id"]

    def __str__(self) -> str:
        return self.code


class ProviderAdjustment(TimeStampedModel):
    """One PLB amount: not tied to a claim line. Positive takes money back (WO recoupment, FB
    balance applied), negative adds (L6 interest). `claim` is set when the reference names a claim
    of ours (its payer claim number or claim number); it does not change that claim's balance."""

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="provider_adjustments")
    sequence = models.PositiveIntegerField()
    provider_identifier = models.CharField("PLB01", max_length=50)
    fiscal_period_date = models.DateField("PLB02")
    reason = models.CharField(max_length=2, help_text="PLB03-1 (WO, FB, L6, 72 ...)")
    reference = models.CharField(max_length=50, blank=True, help_text="PLB03-2")
    amount = money_field()
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="provider_adjustments"
    )

    class Meta:
        ordering = ["remittance", "sequence"]

    def __str__(self) -> str:
        return f"PLB {self.reason} {self.amount}"


class Posting(TimeStampedModel):
    """The ledger: one amount posted, never changed or deleted.

    `category` (PostingCategory) is what the claim API sums: paid, patient_responsibility (PR),
    adjustment (CO/OA/PI/CR), provider (PLB; no claim balance). A reversal writes new rows with
    the amounts negated and `reverses` pointing at the rows it cancels. Claim and line balances
    are sums of these rows; `claim_line` null means claim level.
    """

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="postings")
    claim_payment = models.ForeignKey(
        ClaimPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    line_payment = models.ForeignKey(
        LinePayment, on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    # Indexes here are chosen for the insert path: a posted 835 writes tens of thousands of these
    # rows, and every index is maintained per row. Columns null on nearly every row get partial
    # indexes; `claim` is covered by (claim, category).
    provider_adjustment = models.ForeignKey(
        ProviderAdjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postings",
        db_index=False,
    )
    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postings",
        db_index=False,
    )
    claim_line = models.ForeignKey(
        "claims.ClaimLine", on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    category = models.CharField(max_length=24, choices=enum_choices(PostingCategory))
    group = models.CharField(max_length=2, blank=True)
    reason = models.CharField(max_length=5, blank=True)
    amount = money_field()
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["id"]
        constraints = [choice_constraint("category", PostingCategory, "posting_category_valid")]
        indexes = [
            # the claim API's money: sums per claim by category
            models.Index(fields=["claim", "category"], name="posting_claim_category"),
            models.Index(
                fields=["provider_adjustment"],
                name="posting_provider_adjustment",
                condition=models.Q(provider_adjustment__isnull=False),
            ),
            models.Index(
                fields=["reverses"], name="posting_reverses", condition=models.Q(reverses__isnull=False)
            ),
            models.Index(fields=["actor"], name="posting_actor", condition=models.Q(actor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"

    def save(self, *args, **kwargs):
        # The ledger is append-only: a correction is a new row, never an edit of history.
        if self.pk is not None:
            raise ValueError("Posting rows are immutable: post a reversal instead.")
        super().save(*args, **kwargs)


class PostingPolicy(TimeStampedModel):
    """Posting settings admins keep (one row, pk 1): a reversal that takes back more than
    `reversal_approval_amount` waits for a biller's approval before it posts."""

    reversal_approval_amount = money_field(
        default=Decimal("1000.00"),
        help_text="Reversals (CLP02 22) taking back more than this wait for a biller's approval",
    )
    underpayment_tolerance = money_field(
        default=Decimal("1.00"),
        help_text="A line is underpaid when paid + patient responsibility falls short of the "
        "contract by more than this amount (and by more than the percent below)",
    )
    underpayment_tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="... and by more than this percent of the expected amount",
    )

    class Meta:
        verbose_name_plural = "posting policy"

    def __str__(self) -> str:
        return f"reversals above {self.reversal_approval_amount} need approval"


class FeeSchedule(TimeStampedModel):
    """One version of a price list in force from `effective_from` to `effective_to` (inclusive;
    open-ended when blank): a payer's contract, or a reference list contracts point at (the
    Medicare fee per code, the ASP per drug unit). Admins import them from CSV
    (`import_fee_schedule`, or the upload in the admin); a new version for a payer ends the one
    before it. Versions are kept: a posted line points at the one that priced it."""

    public_id = public_id_field()
    kind = models.CharField(max_length=14, choices=enum_choices(ScheduleKind), default=ScheduleKind.CONTRACT)
    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="fee_schedules"
    )
    name = models.CharField(max_length=100)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="last day in force; blank: open-ended")
    file_name = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "payer", "-effective_from"]
        constraints = [
            choice_constraint("kind", ScheduleKind, "fee_schedule_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(kind=ScheduleKind.CONTRACT, payer__isnull=False)
                | (~models.Q(kind=ScheduleKind.CONTRACT) & models.Q(payer__isnull=True)),
                name="fee_schedule_payer_iff_contract",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="fee_schedule_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["kind", "payer", "effective_from"],
                nulls_distinct=False,
                name="fee_schedule_version_unique",
            ),
        ]

    def __str__(self) -> str:
        until = f" to {self.effective_to}" if self.effective_to else ""
        return f"{self.name} (from {self.effective_from}{until})"


class FeeScheduleRate(models.Model):
    """One row of a fee schedule: the codes it prices (exact, `J*` prefix, `*` default), the
    modifier (blank: any), the method and its figure (payments.domain.contracts)."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="rates")
    code = models.CharField(max_length=5)
    modifier = models.CharField(max_length=2, blank=True)
    method = models.CharField(max_length=20, choices=enum_choices(PricingMethod))
    rate = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, help_text="dollars per unit"
    )
    percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    description = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["schedule", "code", "modifier"]
        constraints = [
            choice_constraint("method", PricingMethod, "fee_schedule_rate_method_valid"),
            models.UniqueConstraint(fields=["schedule", "code", "modifier"], name="fee_schedule_rate_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(method=PricingMethod.RATE, rate__gte=0, percent__isnull=True)
                    | (~models.Q(method=PricingMethod.RATE) & models.Q(percent__gte=0, rate__isnull=True))
                ),
                name="fee_schedule_rate_figure",
            ),
        ]

    def __str__(self) -> str:
        figure = self.rate if self.method == PricingMethod.RATE else f"{self.percent}%"
        return f"{self.code}{'-' + self.modifier if self.modifier else ''} {self.method} {figure}"


# The patient's side (payments, refunds, plans, statements) lives in its own module; imported
# here so Django finds the models of the app.
from payments.models_patient import (  # noqa: E402
    PatientPayment,
    PatientRefund,
    PaymentApplication,
    PaymentPlan,
    PaymentPlanInstalment,
    Statement,
    StatementRun,
    StatementSettings,
    StatementSuppression,
)

__all__ = [
    "Adjustment",
    "ClaimPayment",
    "FeeSchedule",
    "FeeScheduleRate",
    "LinePayment",
    "PatientPayment",
    "PatientRefund",
    "PaymentApplication",
    "PaymentPlan",
    "PaymentPlanInstalment",
    "Posting",
    "PostingPolicy",
    "ProviderAdjustment",
    "RemarkCode",
    "Remittance",
    "RemittanceFile",
    "Statement",
    "StatementRun",
    "StatementSettings",
    "StatementSuppression",
]
