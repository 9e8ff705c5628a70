"""Claims: claims and their lines, the state events, scrubber edits, payer rules (versioned),
submission batches (837 files), X12 control numbers, and acknowledgments (999 / 277CA)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims.domain.types import ClaimForm, ClaimStatus, Severity
from infusion_rcm.audit.tracking import PatientDataModel
from infusion_rcm.common.models import (
    TimeStampedModel,
    choice_constraint,
    enum_choices,
    money_field,
    public_id_field,
    units_field,
)


class Claim(PatientDataModel, TimeStampedModel):
    """One claim: a patient's charges for one visit, to one payer, from one billing provider.

    `status` is moved only by claims.services.claim_transition (which writes a ClaimEvent).
    """

    public_id = public_id_field()
    claim_number = models.CharField("patient control number (CLM01)", max_length=20, unique=True)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey("intake.Coverage", on_delete=models.PROTECT, related_name="claims")
    payer = models.ForeignKey("intake.Payer", on_delete=models.PROTECT, related_name="claims")
    billing_provider = models.ForeignKey(
        "intake.BillingProvider", on_delete=models.PROTECT, related_name="claims"
    )
    location = models.ForeignKey("intake.ServiceLocation", on_delete=models.PROTECT, related_name="claims")
    visit = models.ForeignKey(
        "coding.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    referring_provider = models.ForeignKey(
        "intake.Prescriber", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    # 837P 2310B (837I 2310D) and 837P 2310D: the practitioners from the visit, as the payer wants
    # them (claims.services.build); editable on a claim that is being corrected.
    rendering_provider = models.ForeignKey(
        "intake.Prescriber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rendered_claims",
        help_text="Rendering provider (NM1*82); blank: the billing provider rendered the services",
    )
    supervising_provider = models.ForeignKey(
        "intake.Prescriber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_claims",
        help_text="Supervising provider (837P NM1*DQ), sent when not the rendering provider",
    )
    form = models.CharField(max_length=4, choices=enum_choices(ClaimForm))
    status = models.CharField(max_length=16, choices=enum_choices(ClaimStatus), default=ClaimStatus.DRAFT)
    frequency_code = models.CharField(
        max_length=1, default="1", help_text="1 original, 7 replacement, 8 void"
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacements"
    )
    payer_claim_number = models.CharField(max_length=50, blank=True, help_text="Payer's claim control number")
    place_of_service = models.CharField(max_length=2, blank=True)
    diagnosis_codes = models.JSONField(default=list)
    prior_auth_number = models.CharField(max_length=50, blank=True)
    service_date_from = models.DateField()
    service_date_to = models.DateField()
    total_charge = money_field()
    batch = models.ForeignKey(
        "claims.SubmissionBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    status_reason = models.TextField(blank=True, help_text="Latest rejection or denial reason")
    # Coordination of benefits (docs/billing-rules/secondary-claims.md). A secondary or tertiary
    # claim is built by claims.services.secondary from the earlier payer's posted adjudication:
    # its place in SBR01, the claim it follows, and a snapshot of every earlier payer's
    # adjudication (claims.domain.other_payer.PriorPayerAdjudication as JSON) for 2320/2330/2430.
    payer_sequence = models.CharField(
        "payer responsibility (SBR01)",
        max_length=1,
        choices=[("P", "Primary"), ("S", "Secondary"), ("T", "Tertiary")],
        default="P",
    )
    prior_claim = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_payer_claims",
        help_text="The claim whose adjudication this next-payer claim was built from",
    )
    prior_adjudications = models.JSONField(
        default=list, blank=True, help_text="Earlier payers' adjudications (2320/2330/2430), as posted"
    )
    prior_adjudication_key = models.CharField(
        max_length=64, blank=True, help_text="The posted remittance claim payment it was built from"
    )
    # Crossover: the payer forwarded the claim to the next payer itself (835 CLP02 19/20/21,
    # NM1*TT, MOA MA18/N89); no next-payer claim is sent and we wait for that payer's own ERA.
    forwarded_to = models.CharField(max_length=60, blank=True, help_text="Crossover carrier (NM1*TT)")
    forwarded_coverage = models.ForeignKey(
        "intake.Coverage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The coverage of the payer the claim was forwarded to",
    )
    forwarded_on = models.DateField(null=True, blank=True)
    forwarded_era_on = models.DateField(
        null=True, blank=True, help_text="When the crossover payer's own remittance posted"
    )

    class Meta:
        ordering = ["-service_date_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payer_sequence__in=["P", "S", "T"]), name="claim_payer_sequence_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(payer_sequence="P") | models.Q(prior_claim__isnull=False),
                name="claim_next_payer_has_prior_claim",
            ),
            models.UniqueConstraint(
                fields=["prior_claim", "prior_adjudication_key"],
                condition=~models.Q(prior_adjudication_key=""),
                name="claim_next_payer_once_per_adjudication",
            ),
            choice_constraint("status", ClaimStatus, "claim_status_valid"),
            choice_constraint("form", ClaimForm, "claim_form_valid"),
            models.CheckConstraint(condition=models.Q(total_charge__gte=0), name="claim_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(service_date_to__gte=models.F("service_date_from")),
                name="claim_dates_ordered",
            ),
        ]
        indexes = [
            # work queues: claims by status, newest service first (needs-fix queue, ready for batch)
            models.Index(fields=["status", "payer"], name="claim_status_payer"),
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_number}"


class ClaimLine(PatientDataModel, TimeStampedModel):
    """A service line (loop 2400). `line_control_number` goes out as REF*6R and comes back in
    the 835 SVC loop's REF*6R, so remittances match line by line."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    charge_line = models.ForeignKey(
        "coding.ChargeLine", on_delete=models.PROTECT, null=True, blank=True, related_name="claim_lines"
    )
    line_number = models.PositiveSmallIntegerField()
    line_control_number = models.CharField(max_length=30, unique=True)
    service_date_from = models.DateField()
    service_date_to = models.DateField()
    code = models.CharField(max_length=5)
    modifiers = models.JSONField(default=list)
    units = units_field()
    charge = money_field()
    diagnosis_pointers = models.JSONField(default=list)
    ndc = models.CharField(max_length=11, blank=True)
    ndc_quantity = units_field(null=True, blank=True)
    ndc_unit = models.CharField(max_length=2, blank=True)
    revenue_code = models.CharField(max_length=4, blank=True)
    # 2420A: only for a line rendered by someone else than the claim's rendering provider (a span
    # claim over visits of different practitioners); blank: the claim's.
    rendering_provider = models.ForeignKey(
        "intake.Prescriber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Line rendering provider (2420A NM1*82) when it is not the claim's",
    )

    class Meta:
        ordering = ["claim", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line_number"], name="claim_line_number_unique"),
            models.CheckConstraint(condition=models.Q(units__gt=0), name="claim_line_units_positive"),
            models.CheckConstraint(condition=models.Q(charge__gte=0), name="claim_line_charge_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} x{self.units}"


class ClaimEvent(models.Model):
    """Append-only: one move of a claim's status, with who, when and why."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class ClaimEdit(TimeStampedModel):
    """A scrubber finding on a claim (from the latest scrub); errors block submission."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="edits")
    code = models.CharField(max_length=64)
    severity = models.CharField(max_length=8, choices=enum_choices(Severity))
    message = models.TextField()
    fix_hint = models.TextField(blank=True)
    line_number = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["claim", "-severity", "line_number", "id"]
        constraints = [choice_constraint("severity", Severity, "claim_edit_severity_valid")]

    def __str__(self) -> str:
        return f"{self.severity}: {self.code}"


class PayerRule(TimeStampedModel):
    """An admin-maintained payer rule (data, not code): `config` is validated by the pydantic
    PayerRule union on save. `payer` empty = applies to every payer. Each change makes a version."""

    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="rules"
    )
    rule_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)
    config = models.JSONField()
    enabled = models.BooleanField(default=False, help_text="Try it against a claim before switching it on")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["payer__name", "rule_id"]

    def __str__(self) -> str:
        return self.rule_id


class PayerRuleVersion(models.Model):
    """Append-only history of a payer rule: who changed what, when."""

    rule = models.ForeignKey(PayerRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    config = models.JSONField()
    enabled = models.BooleanField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="payer_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class ControlNumber(models.Model):
    """Last claim number handed out, for the embedded SQLite (PostgreSQL uses a sequence; ISA13 and
    GS06 belong to the x12 service). Incremented with one UPDATE ... RETURNING."""

    name = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class SubmissionBatch(PatientDataModel, TimeStampedModel):  # holds claims of patients: writes audited
    """One 837 interchange for one payer: the stored file and its validation outcome.

    `interchange` is its row in the register of interchanges we sent, which 999s and 277CAs are
    matched against. The ISA13 / GS06 columns repeat the register's numbers: they are shown,
    exported by the API and stay unique across every batch ever built.
    """

    class Status(models.TextChoices):
        HELD = "held"  # pyx12 found errors: not released; errors shown
        READY = "ready"  # built and validated; waiting to be released
        RELEASED = "released"  # sent to the clearinghouse (claims -> submitted)
        WITHDRAWN = "withdrawn"  # never released: its claims were pulled back to ready

    public_id = public_id_field()
    payer = models.ForeignKey("intake.Payer", on_delete=models.PROTECT, related_name="batches")
    form = models.CharField(max_length=4, choices=enum_choices(ClaimForm))
    status = models.CharField(max_length=10, choices=Status.choices)
    interchange_control_number = models.PositiveBigIntegerField(unique=True)
    group_control_number = models.PositiveBigIntegerField(unique=True)
    interchange = models.OneToOneField(
        "x12.OutboundInterchange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submission_batch",
    )
    file_name = models.CharField(max_length=80)
    content = models.TextField()
    claim_count = models.PositiveIntegerField()
    total_charge = money_field()
    validated = models.BooleanField(default=False)
    validation_errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "submission batches"

    def __str__(self) -> str:
        return self.file_name


class Acknowledgment(PatientDataModel, TimeStampedModel):  # holds claims of patients: writes audited
    """An imported 999 or 277CA file: idempotent by checksum, with status and error."""

    class Kind(models.TextChoices):
        X999 = "999"
        X277CA = "277CA"

    class Status(models.TextChoices):
        APPLIED = "applied"
        FAILED = "failed"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    checksum = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=120, blank=True)
    content = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.TextField(blank=True)
    results = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.checksum[:8]}"


class ClaimBuildRun(TimeStampedModel):
    """A biller's "build claims" request (every ready visit, or chosen ones): the row the Ready to
    bill page and the API follow while the build runs on the default queue, and what it made."""

    class Status(models.TextChoices):
        QUEUED = "queued"  # waiting for a worker
        RUNNING = "running"  # a worker took it (conditional UPDATE from queued)
        DONE = "done"  # claims built and queued for scrubbing; `skipped` says what was left and why
        FAILED = "failed"  # stopped with `error`; the visits it did not bill stay ready to bill

    public_id = public_id_field()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    visit_ids = models.JSONField(
        null=True, blank=True, help_text="Visits asked for; empty: every ready visit"
    )
    claim_ids = models.JSONField(default=list, blank=True)
    skipped = models.JSONField(default=list, blank=True, help_text='[{"visit": public id, "reason": ...}]')
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="claim_build_run_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"claim build {self.public_id} ({self.status})"
