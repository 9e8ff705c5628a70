"""Intake enums shared by models, forms and the pure rules."""

from __future__ import annotations

from enum import StrEnum

from infusion_rcm.common.place_of_service import place_of_service_for


class PayerKind(StrEnum):
    MEDICARE = "medicare"  # fee-for-service Part B / DME MAC
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _PAYER_KIND_LABELS[self]


_PAYER_KIND_LABELS = {
    PayerKind.MEDICARE: "Medicare (fee-for-service)",
    PayerKind.MEDICARE_ADVANTAGE: "Medicare Advantage",
    PayerKind.MEDICAID: "Medicaid",
    PayerKind.COMMERCIAL: "Commercial",
    PayerKind.OTHER: "Other",
}


class ClaimForm(StrEnum):
    PROFESSIONAL = "837P"
    INSTITUTIONAL = "837I"

    @property
    def label(self) -> str:
        return "837P (professional)" if self is ClaimForm.PROFESSIONAL else "837I (institutional)"


class ClaimFilingIndicator(StrEnum):
    """837 SBR09 claim filing indicator (X12 element 1032), set on the payer.

    Medicare fee-for-service files MB on an 837P and MA on an 837I whichever of the two the payer
    names: the claim form decides (005010X222A1 / X223A2 2000B SBR09).
    """

    OTHER_NON_FEDERAL = "11"
    PPO = "12"
    POINT_OF_SERVICE = "13"
    EPO = "14"
    INDEMNITY = "15"
    MEDICARE_ADVANTAGE_HMO = "16"
    AUTOMOBILE_MEDICAL = "AM"
    BLUE_CROSS_BLUE_SHIELD = "BL"
    TRICARE = "CH"  # CHAMPUS
    COMMERCIAL = "CI"
    DISABILITY = "DS"
    FEDERAL_EMPLOYEES = "FI"
    HMO = "HM"
    LIABILITY_MEDICAL = "LM"
    MEDICARE_PART_A = "MA"
    MEDICARE_PART_B = "MB"
    MEDICAID = "MC"
    OTHER_FEDERAL = "OF"
    TITLE_V = "TV"
    VETERANS_AFFAIRS = "VA"
    WORKERS_COMPENSATION = "WC"
    MUTUALLY_DEFINED = "ZZ"


FILING_INDICATOR_LABELS = {
    ClaimFilingIndicator.OTHER_NON_FEDERAL: "11 Other non-federal program",
    ClaimFilingIndicator.PPO: "12 Preferred provider organization (PPO)",
    ClaimFilingIndicator.POINT_OF_SERVICE: "13 Point of service (POS)",
    ClaimFilingIndicator.EPO: "14 Exclusive provider organization (EPO)",
    ClaimFilingIndicator.INDEMNITY: "15 Indemnity insurance",
    ClaimFilingIndicator.MEDICARE_ADVANTAGE_HMO: "16 Medicare Advantage (HMO Medicare risk)",
    ClaimFilingIndicator.AUTOMOBILE_MEDICAL: "AM Automobile medical",
    ClaimFilingIndicator.BLUE_CROSS_BLUE_SHIELD: "BL Blue Cross / Blue Shield",
    ClaimFilingIndicator.TRICARE: "CH TRICARE (CHAMPUS)",
    ClaimFilingIndicator.COMMERCIAL: "CI Commercial insurance",
    ClaimFilingIndicator.DISABILITY: "DS Disability",
    ClaimFilingIndicator.FEDERAL_EMPLOYEES: "FI Federal Employees Program",
    ClaimFilingIndicator.HMO: "HM Health maintenance organization",
    ClaimFilingIndicator.LIABILITY_MEDICAL: "LM Liability medical",
    ClaimFilingIndicator.MEDICARE_PART_A: "MA Medicare Part A",
    ClaimFilingIndicator.MEDICARE_PART_B: "MB Medicare Part B",
    ClaimFilingIndicator.MEDICAID: "MC Medicaid",
    ClaimFilingIndicator.OTHER_FEDERAL: "OF Other federal program",
    ClaimFilingIndicator.TITLE_V: "TV Title V",
    ClaimFilingIndicator.VETERANS_AFFAIRS: "VA Veterans Affairs plan",
    ClaimFilingIndicator.WORKERS_COMPENSATION: "WC Workers' compensation",
    ClaimFilingIndicator.MUTUALLY_DEFINED: "ZZ Mutually defined",
}


class RenderingProviderSource(StrEnum):
    """Whom a payer wants as the rendering provider (837P 2310B) on a home infusion claim."""

    DOCUMENTED = "documented"  # the visit's rendering practitioner (e.g. the pharmacist), else its supervisor
    ORDERING = "ordering"  # the ordering physician (the order's prescriber)
    NONE = "none"  # no individual: the billing provider (the pharmacy) rendered the service


class SiteOfCare(StrEnum):
    AIC = "aic"  # freestanding ambulatory infusion center
    AIS = "ais"  # a pharmacy's ambulatory infusion suite
    HOME = "home"
    OFFICE = "office"
    HOPD = "hopd"  # hospital outpatient department

    @property
    def label(self) -> str:
        return _SITE_LABELS[self]


_SITE_LABELS = {
    SiteOfCare.AIC: "Ambulatory infusion center",
    SiteOfCare.AIS: "Pharmacy infusion suite",
    SiteOfCare.HOME: "Home",
    SiteOfCare.OFFICE: "Physician office",
    SiteOfCare.HOPD: "Hospital outpatient department",
}


class Relationship(StrEnum):
    """Patient's relationship to the subscriber (837 SBR02 / PAT01: 18 self, 01 spouse, 19 child, G8 other)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


class OrderStatus(StrEnum):
    """Where an order stands on its way to the chair (the intake queue's columns)."""

    NEW = "new"  # received, nothing verified yet
    ELIGIBILITY_VERIFIED = "eligibility_verified"  # coverage active on a fresh check
    AUTH_OBTAINED = "auth_obtained"  # a prior auth covers its codes (or none is needed)
    READY_TO_SCHEDULE = "ready_to_schedule"
    SCHEDULED = "scheduled"  # a visit is on the schedule, none started yet
    ACTIVE = "active"  # in treatment: its first visit has started
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _ORDER_STATUS_LABELS[self]


_ORDER_STATUS_LABELS = {
    OrderStatus.NEW: "New order",
    OrderStatus.ELIGIBILITY_VERIFIED: "Eligibility verified",
    OrderStatus.AUTH_OBTAINED: "Auth obtained",
    OrderStatus.READY_TO_SCHEDULE: "Ready to schedule",
    OrderStatus.SCHEDULED: "Scheduled",
    OrderStatus.ACTIVE: "In treatment",
    OrderStatus.COMPLETED: "Completed",
    OrderStatus.CANCELLED: "Cancelled",
}


# CMS place-of-service code set: default POS for each site of care. The one rule the coding
# engine and the claim share (infusion_rcm.common.place_of_service); a location's own POS starts
# from it.
DEFAULT_PLACE_OF_SERVICE = {site: place_of_service_for(site) for site in SiteOfCare}
