"""Intake enums shared by models, forms and the pure rules."""

from __future__ import annotations

from enum import StrEnum


class PayerKind(StrEnum):
    MEDICARE = "medicare"  # fee-for-service Part B / DME MAC
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    OTHER = "other"


class ClaimForm(StrEnum):
    PROFESSIONAL = "837P"
    INSTITUTIONAL = "837I"


class SiteOfCare(StrEnum):
    AIC = "aic"  # freestanding ambulatory infusion center
    AIS = "ais"  # a pharmacy's ambulatory infusion suite
    HOME = "home"
    OFFICE = "office"
    HOPD = "hopd"  # hospital outpatient department


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
    ACTIVE = "active"  # visits under way
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# CMS place-of-service code set: default POS for each site of care.
DEFAULT_PLACE_OF_SERVICE = {
    SiteOfCare.AIC: "49",  # independent clinic
    SiteOfCare.AIS: "49",
    SiteOfCare.HOME: "12",
    SiteOfCare.OFFICE: "11",
    SiteOfCare.HOPD: "22",
}
