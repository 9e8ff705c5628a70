"""Coding: the drug catalog and code sets, the nurse's visit documentation, charge lines and
the charge master."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from coding.domain.catalog import PER_DIEM_BY_THERAPY
from coding.domain.vascular_access import ACCESS_DEVICES, ACCESS_SIDES, ACCESS_SITES, access_label
from infusion_rcm.audit.tracking import PatientDataModel
from infusion_rcm.common.models import TimeStampedModel, money_field, public_id_field, units_field

hcpcs_format = RegexValidator(
    r"^[A-Z0-9]\d{3}[A-Z0-9]$", "A HCPCS/CPT code has 5 characters, e.g. J1745 or 96365."
)
ndc11_format = RegexValidator(r"^\d{11}$", "Give the NDC in 11-digit 5-4-2 form without dashes.")


class Drug(TimeStampedModel):
    """A drug as billed: HCPCS code and its billing unit (e.g. J1745 = 10 mg)."""

    class DrugClass(models.TextChoices):
        # the classes of coding.domain.catalog.DRUG_CLASSES (drugs.csv)
        CHEMOTHERAPY = "chemotherapy"  # incl. complex biologics coded as chemo administration
        HORMONAL_CHEMOTHERAPY = "hormonal_chemotherapy"
        THERAPEUTIC = "therapeutic"
        ANTI_INFECTIVE = "anti_infective"
        HYDRATION_FLUID = "hydration_fluid"
        TPN = "tpn"

    class MedicareHomeBenefit(models.TextChoices):
        # coding.domain.catalog.MEDICARE_HOME_BENEFITS (drugs.csv); HIT-M1..M3
        NONE = "", "none: Part D at home"
        DME_PUMP = "dme_pump", "Part B DME: external infusion pump LCD (L33794)"
        IVIG_PIDD = "ivig_pidd", "Part B home IVIG (primary immune deficiency)"
        PARENTERAL_NUTRITION = "parenteral_nutrition", "Part B parenteral nutrition"

    hcpcs = models.CharField("HCPCS", max_length=5, unique=True, validators=[hcpcs_format])
    description = models.CharField(max_length=120)
    billing_unit_amount = models.DecimalField(max_digits=10, decimal_places=3)
    billing_unit = models.CharField(
        max_length=8,
        choices=[(u, u) for u in ("mg", "mcg", "g", "mL", "units")],
        help_text="Measure of one unit",
    )
    drug_class = models.CharField(max_length=24, choices=DrugClass.choices)
    single_dose = models.BooleanField(default=True, help_text="Single-dose container: JW/JZ apply (Medicare)")
    verify_current = models.BooleanField(
        default=False, help_text="Check against the current quarterly HCPCS file"
    )
    medicare_home_benefit = models.CharField(
        max_length=24,
        choices=MedicareHomeBenefit.choices,
        default="",
        blank=True,
        help_text="Medicare FFS at home: the Part B benefit that pays this drug; none = Part D (HIT-M1..M3)",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["hcpcs"]
        constraints = [
            models.CheckConstraint(condition=models.Q(billing_unit_amount__gt=0), name="drug_unit_positive"),
            models.CheckConstraint(
                condition=models.Q(
                    drug_class__in=[
                        "chemotherapy",
                        "hormonal_chemotherapy",
                        "therapeutic",
                        "anti_infective",
                        "hydration_fluid",
                        "tpn",
                    ]
                ),
                name="drug_class_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    medicare_home_benefit__in=["", "dme_pump", "ivig_pidd", "parenteral_nutrition"]
                ),
                name="drug_medicare_home_benefit_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} {self.description}"


class DrugNdc(TimeStampedModel):
    """A package of a drug: NDC (11-digit), package size and unit of measure."""

    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="ndcs")
    ndc = models.CharField("NDC", max_length=11, unique=True, validators=[ndc11_format])
    package_size = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        help_text="Drug in one package, in the billing unit's measure (100 for 100 mg)",
    )
    unit_of_measure = models.CharField(
        max_length=2,
        choices=[(u, u) for u in ("UN", "ML", "GR", "F2", "ME")],
        help_text="NDC unit reported on claims (2410 CTP05): UN = whole packages (vials)",
    )

    def __str__(self) -> str:
        return self.ndc


class CodeSetEntry(TimeStampedModel):
    """A code the engine may emit (administration, per diem, nursing, E/M), dated reference data."""

    code = models.CharField(max_length=5)
    family = models.CharField(max_length=40)
    description = models.CharField(max_length=200)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="code_set_entry_unique")
        ]

    def __str__(self) -> str:
        return self.code


class ChargeMasterEntry(TimeStampedModel):
    """Gross charge per unit of a code, effective-dated (the practice's price list)."""

    code = models.CharField(max_length=5)
    modifier = models.CharField(max_length=2, blank=True)
    unit_price = money_field()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "modifier", "effective_from"], name="charge_master_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="charge_master_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.unit_price}"


class Visit(PatientDataModel, TimeStampedModel):
    """One patient's documented services on one date at one location. Signing locks it."""

    class Status(models.TextChoices):
        DRAFT = "draft"  # the nurse is documenting
        SIGNED = "signed"  # locked; coded; later changes are addenda

    public_id = public_id_field()
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="visits")
    order = models.ForeignKey(
        "intake.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    location = models.ForeignKey("intake.ServiceLocation", on_delete=models.PROTECT, related_name="visits")
    date_of_service = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    documented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # Who billed the visit's services under their NPI (837P 2310B): a pharmacist for home infusion,
    # or the nurse's supervising physician in an office / AIC ("incident to"); blank: the
    # supervising practitioner renders. The supervisor goes out as 2310D when the two differ.
    rendering_provider = models.ForeignKey(
        "intake.Prescriber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Practitioner whose NPI the services are billed under (rendering provider)",
    )
    supervising_provider = models.ForeignKey(
        "intake.Prescriber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Physician supervising the nurse (direct supervision for incident-to services)",
    )
    evaluation_code = models.CharField(max_length=5, blank=True, help_text="Same-day E/M, e.g. 99213")
    evaluation_separately_identifiable = models.BooleanField(default=False)
    vitals_before = models.JSONField(default=dict, blank=True)
    vitals_after = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-date_of_service", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "signed"]), name="visit_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="visit_signed_has_signer",
            ),
            # One chart per patient and day while documenting: a second "Start visit" opens it
            # (a second encounter the same day is documented in it as encounter 2, ADM-I3).
            models.UniqueConstraint(
                fields=["patient", "date_of_service"],
                condition=models.Q(status="draft"),
                name="visit_one_draft_per_patient_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} on {self.date_of_service}"


class VisitFinding(PatientDataModel, TimeStampedModel):
    """Something about a visit the nurse and then the biller must see: a coding-engine warning or
    note, or a point-of-care intake gate (eligibility, authorization, order not through intake).

    Intake findings are written when the visit starts; at signing every finding is replaced by the
    coded result's, so a signed visit carries exactly what its charge lines were coded with. The
    scrubber turns the ones that change payment into claim edits (docs/billing-rules/scrubber-edits.md).
    """

    class Source(models.TextChoices):
        ENGINE = "engine", "Coding"
        INTAKE = "intake", "Intake"
        VISIT = "visit", "Visit"

    class Severity(models.TextChoices):
        WARNING = "warning"
        INFO = "info"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    source = models.CharField(max_length=8, choices=Source.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    rule_id = models.CharField(max_length=16, help_text="Billing rule id, e.g. DRG-W2, POC-ELIG")
    message = models.TextField()
    path = models.CharField(
        max_length=80, blank=True, help_text="Engine input field, e.g. administrations[0].wasted"
    )
    code = models.CharField(max_length=5, blank=True, help_text="HCPCS the finding concerns, when one")
    administration = models.ForeignKey(
        "Administration", on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )

    class Meta:
        ordering = ["visit", "-severity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=["engine", "intake", "visit"]),
                name="visit_finding_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["warning", "info"]), name="visit_finding_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message[:40]}"


class Administration(PatientDataModel, TimeStampedModel):
    """One drug or fluid given: route, access site, times, dose and waste (REFERENCE §1.10)."""

    class Route(models.TextChoices):
        IV_INFUSION = "iv_infusion", "IV infusion"
        IV_PUSH = "iv_push", "IV push"
        SUBCUTANEOUS_INFUSION = "subcutaneous_infusion", "Subcutaneous infusion"
        SUBCUTANEOUS = "subcutaneous", "Subcutaneous injection"
        INTRAMUSCULAR = "intramuscular", "Intramuscular injection"
        PUMP_START = "pump_start", "Portable pump start (>8 h)"

    class Purpose(models.TextChoices):
        DEFAULT = "", "As the drug's class"
        CHEMOTHERAPY = "chemotherapy"
        HORMONAL_CHEMOTHERAPY = "hormonal_chemotherapy"
        THERAPEUTIC = "therapeutic"
        HYDRATION = "hydration"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="administrations")
    drug = models.ForeignKey(
        Drug, on_delete=models.PROTECT, null=True, blank=True, help_text="Blank: plain hydration"
    )
    purpose = models.CharField(max_length=24, choices=Purpose.choices, blank=True)
    ndc = models.CharField("NDC", max_length=11, blank=True, validators=[ndc11_format])
    lot = models.CharField(max_length=30, blank=True)
    route = models.CharField(max_length=24, choices=Route.choices)
    # ADM-I3: the access is site + side + device from lists, compared as an identity by the engine.
    # iv_site is the bare label of records documented before (used only when no access is set).
    access_site = models.CharField(
        "Access site", max_length=20, blank=True, choices=list(ACCESS_SITES.items())
    )
    access_side = models.CharField("Side", max_length=8, blank=True, choices=list(ACCESS_SIDES.items()))
    access_device = models.CharField(
        "Device", max_length=20, blank=True, choices=list(ACCESS_DEVICES.items())
    )
    iv_site = models.CharField("IV access label (older records)", max_length=20, default="A")
    encounter = models.PositiveSmallIntegerField(default=1, help_text="2 when the patient left and came back")
    start = models.TimeField()
    stop = models.TimeField(null=True, blank=True)
    dose = units_field(null=True, blank=True)
    dose_unit = models.CharField(max_length=8, blank=True)
    wasted = units_field(
        null=True, blank=True, help_text="Discarded from a single-dose container; 0 when none"
    )
    reactions = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["visit", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dose__isnull=True) | models.Q(dose__gte=0), name="admin_dose_ok"
            ),
            models.CheckConstraint(
                condition=models.Q(wasted__isnull=True) | models.Q(wasted__gte=0), name="admin_waste_ok"
            ),
            models.CheckConstraint(
                condition=models.Q(access_site="", access_side="", access_device="")
                | (~models.Q(access_site="") & ~models.Q(access_side="") & ~models.Q(access_device="")),
                name="admin_access_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"Administration {self.pk}"

    @property
    def has_access(self) -> bool:
        return bool(self.access_site)

    @property
    def access_label(self) -> str:
        """The access as the nurse and biller read it ("right antecubital peripheral IV")."""
        if not self.has_access:
            return "" if self.iv_site == "A" else self.iv_site
        return access_label(self.access_site, self.access_side, self.access_device)


# The per-diem families the engine knows (coding.domain.catalog), as the nurse reads them.
_THERAPY_LABELS = {
    "anti_infective": "Anti-infective (antibiotic, antiviral, antifungal)",
    "hydration": "Hydration",
    "tpn": "Parenteral nutrition (TPN)",
    "alpha1_proteinase_inhibitor": "Alpha-1 proteinase inhibitor",
    "anti_hemophilic": "Anti-hemophilic factor",
    "anti_tnf": "Anti-TNF",
    "injectable_noc": "Injectable, not otherwise classified",
    "infusion_noc": "Infusion, not otherwise classified",
    "long_term_controlled_rate": "Long-term controlled-rate infusion",
}


def therapy_choices() -> list[tuple[str, str]]:
    families = ["anti_infective", "hydration", "tpn", *PER_DIEM_BY_THERAPY]
    return [(f, _THERAPY_LABELS.get(f) or f.replace("_", " ").capitalize()) for f in families]


class HomeTherapyDay(PatientDataModel, TimeStampedModel):
    """Home infusion: a therapy given on consecutive days (per-diem basis, REFERENCE §3)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="home_therapies")
    therapy = models.CharField(max_length=40, choices=therapy_choices(), help_text="Per-diem family")
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, null=True, blank=True)
    frequency_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    dose = units_field(null=True, blank=True)
    dose_unit = models.CharField(max_length=8, blank=True)
    volume_ml_per_day = units_field(null=True, blank=True)
    days = models.PositiveSmallIntegerField(default=1)
    # HIT-P3/P5: the day of the period the therapy starts on, so overlapping therapies rank per day.
    start_day = models.PositiveSmallIntegerField(
        default=1, help_text="Day of the period it starts on (1 = the visit's date)"
    )
    position = models.PositiveSmallIntegerField(default=1, help_text="Order of precedence; 1 is primary")

    class Meta:
        ordering = ["visit", "position", "id"]

    def __str__(self) -> str:
        return f"{self.therapy} x{self.days}"


class NursingVisitEntry(PatientDataModel, TimeStampedModel):
    """Home infusion: a nursing visit with start and stop (99601/99602)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="nursing_visits")
    start = models.TimeField()
    stop = models.TimeField()

    def __str__(self) -> str:
        return f"Nursing {self.start}-{self.stop}"


class VisitAddendum(PatientDataModel, TimeStampedModel):
    """A change after signing: the signed record stays; the addendum says what and why."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    def __str__(self) -> str:
        return f"Addendum {self.pk}"


class ChargeLine(PatientDataModel, TimeStampedModel):
    """A billable line the engine derived from a signed visit, with its reason; a biller may
    override it (the engine's values stay beside the override)."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review"  # in the biller's review queue
        REVIEWED = "reviewed"  # accepted (as coded or overridden), ready for a claim
        ON_CLAIM = "on_claim"  # taken onto a claim
        VOIDED = "voided"  # superseded by re-coding

    public_id = public_id_field()
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="charge_lines")
    line_number = models.PositiveSmallIntegerField()
    service_date_from = models.DateField()
    service_date_to = models.DateField()
    code = models.CharField(max_length=5)
    modifiers = models.JSONField(default=list)
    units = models.PositiveIntegerField()
    reason = models.TextField()
    rule_ids = models.JSONField(default=list)
    ndc = models.CharField(max_length=11, blank=True)
    ndc_quantity = units_field(null=True, blank=True)
    ndc_unit = models.CharField(max_length=2, blank=True)
    unit_price = money_field()
    charge = money_field()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    override_code = models.CharField(max_length=5, blank=True)
    override_modifiers = models.JSONField(null=True, blank=True)
    override_units = models.PositiveIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "line_number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(units__gt=0), name="charge_units_positive"),
            models.CheckConstraint(condition=models.Q(charge__gte=0), name="charge_not_negative"),
            models.CheckConstraint(
                condition=models.Q(service_date_to__gte=models.F("service_date_from")),
                name="charge_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending_review", "reviewed", "on_claim", "voided"]),
                name="charge_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(overridden_at__isnull=True) | ~models.Q(override_reason=""),
                name="charge_override_needs_reason",
            ),
        ]
        indexes = [
            # charge review queue: lines pending review, oldest first
            models.Index(fields=["status", "service_date_from"], name="charge_review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.billed_code} x{self.billed_units}"

    @property
    def billed_code(self) -> str:
        return self.override_code or self.code

    @property
    def billed_modifiers(self) -> list[str]:
        return self.override_modifiers if self.override_modifiers is not None else self.modifiers

    @property
    def billed_units(self) -> int:
        return self.override_units if self.override_units is not None else self.units


class Appointment(PatientDataModel, TimeStampedModel):
    """A visit on the schedule: a patient under an order, on a date and time, in an infusion chair
    or at home, with the nurse who gives it. Starting it opens the day's visit (`visit`)."""

    class Setting(models.TextChoices):
        CHAIR = "chair", "Infusion chair"
        HOME = "home", "Home visit"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled"  # on the schedule; its visit may have started (see `visit`)
        CANCELLED = "cancelled"  # taken off the schedule before its visit started

    public_id = public_id_field()
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="appointments")
    order = models.ForeignKey("intake.Order", on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(
        "intake.ServiceLocation", on_delete=models.PROTECT, related_name="appointments"
    )
    date = models.DateField()
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    setting = models.CharField(max_length=8, choices=Setting.choices)
    chair = models.CharField(max_length=20, blank=True, help_text="e.g. Chair 3; blank for a home visit")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # Not one-to-one: with one chart per patient and day, two bookings of a day share its visit.
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    notes = models.CharField(max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["scheduled", "cancelled"]), name="appointment_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(setting="home", chair="")
                | (models.Q(setting="chair") & ~models.Q(chair="")),
                name="appointment_chair_or_home",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=24 * 60),
                name="appointment_duration_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="scheduled") | models.Q(visit__isnull=True),
                name="appointment_cancelled_not_started",
            ),
            models.UniqueConstraint(
                fields=["order", "date"],
                condition=models.Q(status="scheduled"),
                name="appointment_order_once_a_day",
            ),
        ]
        indexes = [
            # the day's schedule (coding.schedule.selectors.schedule_day) and the eligibility look-ahead
            models.Index(fields=["date", "start_time"], name="appointment_day"),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk} on {self.date} {self.start_time:%H:%M}"
