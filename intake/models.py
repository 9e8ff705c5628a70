"""Intake reference data and patients. (Coverage, orders, eligibility, auths: see below.)"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from infusion_rcm.audit.tracking import PatientDataModel
from infusion_rcm.common.models import TimeStampedModel, choice_constraint, enum_choices, public_id_field
from intake.domain.types import ClaimForm, PayerKind, SiteOfCare

npi_format = RegexValidator(r"^\d{10}$", "An NPI has exactly 10 digits.")
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
    claim_form = models.CharField(max_length=4, choices=enum_choices(ClaimForm), default=ClaimForm.PROFESSIONAL)
    timely_filing_days = models.PositiveIntegerField(default=365)
    eligibility_freshness_days = models.PositiveIntegerField(default=30)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            choice_constraint("kind", PayerKind, "payer_kind_valid"),
            choice_constraint("claim_form", ClaimForm, "payer_claim_form_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class BillingProvider(TimeStampedModel, Address):
    """The organisation that bills (loop 2010AA): NPI, tax ID, taxonomy."""

    name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[npi_format])
    tax_id = models.CharField("tax ID (EIN)", max_length=9, validators=[RegexValidator(r"^\d{9}$", "9 digits")])
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
    guarantor_name = models.CharField(max_length=95, blank=True, help_text="Blank when the patient is responsible")
    guarantor_relationship = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["billing_provider", "mrn"], name="patient_mrn_unique")]
        indexes = [models.Index(fields=["last_name", "first_name", "date_of_birth"])]

    def __str__(self) -> str:
        # The string form is used in pages only; logs and audit rows use ids.
        return f"{self.last_name}, {self.first_name}"
