"""Patients: one row per person per billing provider, MRN unique within the provider."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction

from infusion_rcm.common.errors import InvalidInputError
from intake import selectors
from intake.models import BillingProvider, Patient
from intake.services.common import EARLIEST_DATE, DuplicateError

logger = logging.getLogger(__name__)

PATIENT_FIELDS = (
    "first_name", "last_name", "date_of_birth", "sex", "address_line1", "address_line2", "city", "state",
    "zip_code", "phone", "guarantor_name", "guarantor_relationship",
)  # fmt: skip


def patient_create(*, billing_provider: BillingProvider, mrn: str, **fields: Any) -> Patient:
    """A patient; MRN unique per billing provider. The likely-duplicate warning is the caller's
    (selectors.patient_likely_duplicates), since a same-name-same-birthday patient may be a real twin."""
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise InvalidInputError(f"Unknown patient fields: {', '.join(sorted(unknown))}.")
    mrn = (mrn or "").strip()
    if not mrn:
        raise InvalidInputError("The MRN is missing.", code="patient.mrn_missing")
    born = fields.get("date_of_birth")
    if born is None:
        raise InvalidInputError("The date of birth is missing.", code="patient.dob_missing")
    if born > selectors.today():
        raise InvalidInputError("The date of birth is in the future.", code="patient.dob_future")
    if born < EARLIEST_DATE:
        raise InvalidInputError(
            f"The date of birth {born.isoformat()} is before 1900; check the year.",
            code="patient.dob_implausible",
        )
    if fields.get("state"):
        fields["state"] = fields["state"].upper()
    with transaction.atomic():
        if Patient.objects.filter(billing_provider=billing_provider, mrn__iexact=mrn).exists():
            raise DuplicateError(f"MRN {mrn} is already used by another patient of {billing_provider.name}.")
        try:
            with transaction.atomic():
                patient = Patient.objects.create(billing_provider=billing_provider, mrn=mrn, **fields)
        except IntegrityError as exc:
            raise DuplicateError(
                f"MRN {mrn} is already used by another patient of {billing_provider.name}."
            ) from exc
    logger.info("patient created id=%s", patient.pk)
    return patient
