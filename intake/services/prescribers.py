"""Prescribers on file (the ordering physicians of infusion orders)."""

from __future__ import annotations

from infusion_rcm.common.identifiers import validate_npi
from intake.models import Prescriber
from intake.services.common import DuplicateError


def prescriber_create(*, npi: str, first_name: str, last_name: str, specialty: str = "") -> Prescriber:
    """A prescriber with a check-digit-valid NPI (refused when the NPI is already on file)."""
    npi = validate_npi(npi)
    if Prescriber.objects.filter(npi=npi).exists():
        raise DuplicateError(f"A prescriber with NPI {npi} is already on file.")
    return Prescriber.objects.create(npi=npi, first_name=first_name, last_name=last_name, specialty=specialty)
