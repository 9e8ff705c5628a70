"""Intake: reference data (payers, providers, locations, prescribers), patients, coverage,
orders, eligibility checks and prior authorizations."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
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
from intake.domain.authorization import AuthStatus
from intake.domain.coverage import CoverageRank
from intake.domain.types import (
    FILING_INDICATOR_LABELS,
    ClaimFilingIndicator,
    ClaimForm,
    OrderStatus,
    PayerKind,
    Relationship,
    RenderingProviderSource,
    SiteOfCare,
)

# Days before a scheduled visit the eligibility job checks its coverage: a week gives the 271
# time to come back and a biller time to act on an inactive answer before the patient arrives.
DEFAULT_ELIGIBILITY_LOOKAHEAD_DAYS = 7
MAX_ELIGIBILITY_LOOKAHEAD_DAYS = 60

npi_format = RegexValidator(r"^\d{10}$", "An NPI has exactly 10 digits.")
taxonomy_format = RegexValidator(
    r"^[0-9]{3}[0-9A-Z]{6}X$", "A provider taxonomy code has 10 characters, e.g. 207RH0003X."
)
zip_format = RegexValidator(r"^\d{5}(\d{4})?$", "Use a 5 or 9 digit ZIP code without a dash.")
state_format = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter state code.")


class Address(models.Model):
    address_line1 = models.CharField(max_length=55)
    address_line2 = models.CharField(max_length=55, blank=True)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2, validators=[state_format])
    zip_code = models.CharField(max_length=9, validators=[zip_format])

    class Meta:
        abstract = True


class Payer(TimeStampedModel, Address):
    """An insurer we bill: its electronic identity and the rules of engagement."""

    public_id = public_id_field()
    name = models.CharField(max_length=60)
    payer_id = models.CharField("electronic payer ID", max_length=80, unique=True)
    kind = models.CharField(max_length=24, choices=enum_choices(PayerKind))
    claim_form = models.CharField(
        max_length=4, choices=enum_choices(ClaimForm), default=ClaimForm.PROFESSIONAL
    )
    timely_filing_days = models.PositiveIntegerField(default=365)
    eligibility_freshness_days = models.PositiveIntegerField(default=30)
    eligibility_lookahead_days = models.PositiveSmallIntegerField(
        "check eligibility ahead (days)",
        default=DEFAULT_ELIGIBILITY_LOOKAHEAD_DAYS,
        validators=[MaxValueValidator(MAX_ELIGIBILITY_LOOKAHEAD_DAYS)],
        help_text="How many days before a scheduled visit its coverage is checked (a 270 written) when "
        "the last check is missing or stale; 0: on the day of the visit only",
    )
    per_diem_lines = models.CharField(
        max_length=5,
        choices=[("span", "One line for the span of days"), ("daily", "One line per day")],
        default="span",
        help_text="How this payer wants home-infusion per diems on a claim",
    )
    claim_span = models.CharField(
        max_length=5,
        choices=[("visit", "One claim per visit"), ("month", "One claim per calendar month")],
        default="visit",
        help_text=(
            "How this payer wants home-infusion claims: one per visit, or one per patient and "
            "calendar month (built once the month is over)"
        ),
    )
    claim_filing_indicator = models.CharField(
        "claim filing indicator (SBR09)",
        max_length=2,
        blank=True,
        choices=[(code.value, FILING_INDICATOR_LABELS[code]) for code in ClaimFilingIndicator],
        help_text="Blank: from the payer kind (Medicare MB/MA, Medicare Advantage 16, Medicaid MC, "
        "commercial CI). Set it for TRICARE (CH), Blue plans (BL), VA, workers' compensation (WC) ...",
    )
    home_infusion_rendering_provider = models.CharField(
        max_length=10,
        choices=[
            (
                RenderingProviderSource.DOCUMENTED.value,
                "The visit's rendering practitioner (e.g. the pharmacist)",
            ),
            (RenderingProviderSource.ORDERING.value, "The ordering physician"),
            (RenderingProviderSource.NONE.value, "None: the pharmacy as billing provider"),
        ],
        default=RenderingProviderSource.DOCUMENTED.value,
        help_text="Who goes out as rendering provider (837P 2310B) on this payer's home infusion claims",
    )
    max_claim_lines = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text="Service lines this payer takes on one claim; blank: the guide's limit (50 on an 837P). "
        "Longer claims are split by date of service when they are built.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            choice_constraint("kind", PayerKind, "payer_kind_valid"),
            choice_constraint("claim_form", ClaimForm, "payer_claim_form_valid"),
            models.CheckConstraint(
                condition=models.Q(claim_filing_indicator="")
                | models.Q(claim_filing_indicator__in=[c.value for c in ClaimFilingIndicator]),
                name="payer_filing_indicator_valid",
            ),
            choice_constraint(
                "home_infusion_rendering_provider",
                RenderingProviderSource,
                "payer_home_rendering_provider_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BillingProvider(TimeStampedModel, Address):
    """The organisation that bills (loop 2010AA): NPI, tax ID, taxonomy."""

    name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[npi_format])
    tax_id = models.CharField(
        "tax ID (EIN)", max_length=9, validators=[RegexValidator(r"^\d{9}$", "9 digits")]
    )
    taxonomy = models.CharField(max_length=10)

    def __str__(self) -> str:
        return self.name


class ServiceLocation(TimeStampedModel, Address):
    """Where care is given; the site of care drives coding and the place-of-service code."""

    billing_provider = models.ForeignKey(BillingProvider, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=60)
    site_of_care = models.CharField(max_length=8, choices=enum_choices(SiteOfCare))
    place_of_service = models.CharField(max_length=2, validators=[RegexValidator(r"^\d{2}$", "2 digits")])
    npi = models.CharField("NPI", max_length=10, blank=True, validators=[npi_format])

    class Meta:
        constraints = [choice_constraint("site_of_care", SiteOfCare, "location_site_valid")]

    def __str__(self) -> str:
        return self.name


class Patient(PatientDataModel, TimeStampedModel, Address):
    """A person we bill for. No SSN is stored, by design."""

    class Sex(models.TextChoices):
        FEMALE = "F"
        MALE = "M"
        UNKNOWN = "U"

    public_id = public_id_field()
    billing_provider = models.ForeignKey(BillingProvider, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=30)
    first_name = models.CharField(max_length=35)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=20, blank=True)
    guarantor_name = models.CharField(
        max_length=95, blank=True, help_text="Blank when the patient is responsible"
    )
    guarantor_relationship = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["billing_provider", "mrn"], name="patient_mrn_unique")]
        indexes = [models.Index(fields=["last_name", "first_name", "date_of_birth"])]

    def __str__(self) -> str:
        # The string form is used in pages only; logs and audit rows use ids.
        return f"{self.last_name}, {self.first_name}"


class Prescriber(TimeStampedModel):
    """A physician, pharmacist or other practitioner with an NPI: who orders an infusion (the
    referring provider, 837P loop 2310A) and who renders or supervises a visit (2310B / 2310D)."""

    first_name = models.CharField(max_length=35)
    last_name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[npi_format])
    specialty = models.CharField(max_length=60, blank=True)
    taxonomy = models.CharField(
        max_length=10,
        blank=True,
        validators=[taxonomy_format],
        help_text="NUCC provider taxonomy code sent with the NPI (PRV*PE), e.g. 207RH0003X",
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Coverage(PatientDataModel, TimeStampedModel):
    """One insurance policy of a patient, ranked primary / secondary / tertiary for a date span."""

    public_id = public_id_field()
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    rank = models.CharField(max_length=10, choices=enum_choices(CoverageRank))
    member_id = models.CharField(max_length=80)
    group_number = models.CharField(max_length=50, blank=True)
    relationship = models.CharField(
        "patient's relationship to subscriber",
        max_length=8,
        choices=enum_choices(Relationship),
        default="self",
    )
    subscriber_first_name = models.CharField(max_length=35, blank=True)
    subscriber_last_name = models.CharField(max_length=60, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "effective_date"]
        constraints = [
            choice_constraint("rank", CoverageRank, "coverage_rank_valid"),
            choice_constraint("relationship", Relationship, "coverage_relationship_valid"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("effective_date")),
                name="coverage_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} ({self.rank})"


class Order(PatientDataModel, TimeStampedModel):
    """A referral: what the prescriber ordered, for which diagnoses, where, and for how long."""

    public_id = public_id_field()
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="orders")
    prescriber = models.ForeignKey(Prescriber, on_delete=models.PROTECT, related_name="orders")
    location = models.ForeignKey(ServiceLocation, on_delete=models.PROTECT, related_name="orders")
    therapy = models.CharField(max_length=80, help_text="e.g. infliximab for Crohn's disease")
    diagnosis_codes = models.JSONField(default=list, help_text="ICD-10-CM, billable codes, first is primary")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=24, choices=enum_choices(OrderStatus), default=OrderStatus.NEW)
    notes = models.TextField(blank=True)
    auth_not_required_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why the order's codes need no prior authorization (set when moving it to auth obtained)",
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            choice_constraint("status", OrderStatus, "order_status_valid"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="order_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk}: {self.therapy}"


class OrderDrug(PatientDataModel, TimeStampedModel):
    """One drug of an order with dose, frequency and duration; HCPCS code of the drug catalog."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="drugs")
    hcpcs = models.CharField("HCPCS", max_length=5)
    dose = units_field()
    dose_unit = models.CharField(max_length=8)
    frequency = models.CharField(max_length=40, help_text="e.g. every 8 weeks, q8h")
    duration = models.CharField(max_length=40, blank=True, help_text="e.g. 12 months, 14 days")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(dose__gt=0), name="order_drug_dose_positive")
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} {self.dose} {self.dose_unit}"


class EligibilityCheck(PatientDataModel, TimeStampedModel):
    """What the payer said about a coverage on a date: entered by hand or read from a 271."""

    class Source(models.TextChoices):
        MANUAL = "manual"
        X12_271 = "271"

    class Status(models.TextChoices):
        PENDING = "pending"  # 270 written, waiting for the 271
        COMPLETE = "complete"
        FAILED = "failed"  # the 271 was refused or the payer rejected the inquiry (AAA)

    public_id = public_id_field()
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="eligibility_checks")
    checked_on = models.DateField()
    service_date = models.DateField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE)
    active = models.BooleanField(null=True)
    plan_name = models.CharField(max_length=80, blank=True)
    copay = money_field(null=True, blank=True)
    coinsurance_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    deductible = money_field(null=True, blank=True)
    deductible_remaining = money_field(null=True, blank=True)
    out_of_pocket_remaining = money_field(null=True, blank=True)
    message = models.TextField(blank=True, help_text="Payer rejection reason or notes")
    request_270 = models.TextField(blank=True)
    response_271 = models.TextField(blank=True)
    # TRN02 of the 270 (also its BHT03); the payer echoes it in the 271, which is how the answer
    # finds its check. Blank for manual checks.
    trace_number = models.CharField(max_length=50, blank=True)
    # The register row of the 270's interchange (its ISA13/GS06): what a 999 for it is matched to.
    # Null for manual checks and for checks written before the shared control-number series.
    interchange = models.OneToOneField(
        "x12.OutboundInterchange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="eligibility_check",
    )

    class Meta:
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trace_number"], condition=~models.Q(trace_number=""), name="eligibility_trace_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(coinsurance_percent__isnull=True)
                | models.Q(coinsurance_percent__gte=0, coinsurance_percent__lte=100),
                name="eligibility_coinsurance_percent",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{f}__isnull": True}) | models.Q(**{f"{f}__gte": 0}),
                    name=f"eligibility_{f}_not_negative",
                )
                for f in ("copay", "deductible", "deductible_remaining", "out_of_pocket_remaining")
            ],
        ]

    def __str__(self) -> str:
        return f"Eligibility {self.pk} on {self.checked_on}"


class PriorAuthorization(PatientDataModel, TimeStampedModel):
    """A payer's approval of services for a date span; its services carry the units."""

    public_id = public_id_field()
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="authorizations")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="authorizations"
    )
    auth_number = models.CharField(max_length=50)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=enum_choices(AuthStatus), default=AuthStatus.APPROVED)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            choice_constraint("status", AuthStatus, "auth_status_valid"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="auth_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Auth {self.auth_number}"


class AuthorizedService(PatientDataModel, TimeStampedModel):
    """A code an authorization covers, with the units (or visits) approved and used."""

    authorization = models.ForeignKey(PriorAuthorization, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(max_length=5, help_text="HCPCS, CPT or S-code")
    authorized_units = units_field()
    used_units = units_field(default=0)
    unit_kind = models.CharField(
        max_length=6, choices=[("units", "Units"), ("visits", "Visits")], default="units"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authorization", "code"], name="auth_service_code_unique"),
            models.CheckConstraint(condition=models.Q(authorized_units__gt=0), name="auth_units_positive"),
            models.CheckConstraint(condition=models.Q(used_units__gte=0), name="auth_used_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.used_units}/{self.authorized_units}"


class AuthUsage(TimeStampedModel):
    """One draw-down of an authorized service (by a coded visit); `source` names what used it."""

    service = models.ForeignKey(AuthorizedService, on_delete=models.PROTECT, related_name="usages")
    units = units_field()
    service_date = models.DateField()
    source = models.CharField(max_length=80, help_text="e.g. visit:<public id>")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(units__gt=0), name="auth_usage_units_positive"),
            models.UniqueConstraint(fields=["service", "source"], name="auth_usage_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.units} of {self.service_id} by {self.source}"


class IntakeAlert(TimeStampedModel):
    """Something a biller must act on: an auth running out or ending, an order with no auth in force."""

    kind = models.CharField(max_length=40)
    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    message = models.CharField(max_length=300)
    raised_on = models.DateField()
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "authorization", "raised_on"], name="intake_alert_once_per_day"
            ),
            # NULL authorization ids are distinct in a unique index, so order alerts need their own.
            models.UniqueConstraint(
                fields=["kind", "order", "raised_on"],
                condition=models.Q(order__isnull=False),
                name="intake_order_alert_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return self.kind


class IntakeEvent(PatientDataModel, TimeStampedModel):
    """One change to an order or a prior authorization: who, when, which fields, why. Append-only.

    Names the changed fields, never their values (the audit log's rule: it must not become a second
    copy of the record); a status move keeps its from and to. A move made by a visit names no user
    when none acted (the actor is the nurse who started it otherwise).
    """

    class Kind(models.TextChoices):
        ORDER_EDITED = "order_edited", "Order edited"
        ORDER_STATUS = "order_status", "Order status moved"
        AUTH_EDITED = "auth_edited", "Authorization edited"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intake_events")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_fields = models.JSONField(default=list, blank=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["order_edited", "order_status", "auth_edited"]),
                name="intake_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(order__isnull=False) | models.Q(authorization__isnull=False),
                name="intake_event_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def changed_fields_label(self) -> str:
        """The field names as a biller reads them: "services.J1745.used_units" -> "J1745 used units"."""
        return ", ".join(_field_label(name) for name in self.changed_fields)

    @property
    def from_status_label(self) -> str:
        return _order_status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return _order_status_label(self.to_status)


def _field_label(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "services" and len(parts) == 2:
        return f"{parts[1]} added or removed"
    if parts[0] == "services" and len(parts) == 3:
        return f"{parts[1]} {parts[2].replace('_', ' ')}"
    return name.replace("_", " ")


def _order_status_label(value: str) -> str:
    try:
        return OrderStatus(value).label
    except ValueError:
        return value
