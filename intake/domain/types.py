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


# CMS place-of-service code set: default POS for each site of care.
DEFAULT_PLACE_OF_SERVICE = {
    SiteOfCare.AIC: "49",  # independent clinic
    SiteOfCare.AIS: "49",
    SiteOfCare.HOME: "12",
    SiteOfCare.OFFICE: "11",
    SiteOfCare.HOPD: "22",
}
