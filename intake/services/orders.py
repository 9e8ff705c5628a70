"""Orders: created with their drugs, then moved along the intake queue under their preconditions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.transitions import TransitionTable
from intake import selectors
from intake.domain.diagnosis import validate_icd10cm
from intake.domain.types import OrderStatus
from intake.models import Order, OrderDrug, Patient, Prescriber, ServiceLocation
from intake.services.common import OrderPreconditionError, code_check, dates_check, units_check

logger = logging.getLogger(__name__)

# The dose units the coding engine converts to HCPCS billing units (coding.domain.types.DoseUnit).
DOSE_UNITS = {"mg": "mg", "g": "g", "mcg": "mcg", "ml": "mL", "units": "units", "unit": "units"}


@dataclass(frozen=True)
class DrugInput:
    hcpcs: str
    dose: Decimal | str | int
    dose_unit: str
    frequency: str
    duration: str = ""


def order_create(
    *,
    patient: Patient,
    prescriber: Prescriber,
    location: ServiceLocation,
    therapy: str,
    diagnosis_codes: Sequence[str],
    start_date: date,
    drugs: Sequence[DrugInput | dict],
    end_date: date | None = None,
    notes: str = "",
) -> Order:
    """An order with its drugs. Diagnosis codes must be billable ICD-10-CM codes; doses positive."""
    dates_check(start_date, end_date, "order")
    if not therapy.strip():
        raise InvalidInputError("Describe the therapy (e.g. infliximab for Crohn's disease).")
    codes: list[str] = []
    for raw in diagnosis_codes:
        if raw and raw.strip():
            code = validate_icd10cm(raw)
            if code not in codes:
                codes.append(code)
    if not codes:
        raise InvalidInputError("An order needs at least one ICD-10-CM diagnosis code.", code="icd10.missing")
    if location.billing_provider_id != patient.billing_provider_id:
        raise InvalidInputError("The site of care belongs to another billing provider than the patient.")
    cleaned: list[dict] = []
    for i, drug in enumerate(drugs, start=1):
        d = drug if isinstance(drug, DrugInput) else DrugInput(**drug)
        hcpcs = code_check(d.hcpcs, f"Drug {i}: HCPCS code")
        dose = units_check(d.dose, f"Drug {i} ({hcpcs}): the dose")
        unit = DOSE_UNITS.get((d.dose_unit or "").strip().lower())
        if unit is None:
            raise InvalidInputError(
                f"Drug {i} ({hcpcs}): give the dose in mg, g, mcg, mL or units, not {d.dose_unit!r} "
                "(convert a weight-based dose: 5 mg/kg for 80 kg is 400 mg).",
                code="order.dose_unit",
            )
        if not (d.frequency or "").strip():
            raise InvalidInputError(f"Drug {i} ({hcpcs}): give the frequency (e.g. every 8 weeks).")
        cleaned.append(
            {"hcpcs": hcpcs, "dose": dose, "dose_unit": unit, "frequency": d.frequency.strip(),
             "duration": (d.duration or "").strip()}
        )  # fmt: skip
    if not cleaned:
        raise InvalidInputError("An order needs at least one drug.", code="order.no_drugs")
    with transaction.atomic():
        order = Order.objects.create(
            patient=patient,
            prescriber=prescriber,
            location=location,
            therapy=therapy.strip(),
            diagnosis_codes=codes,
            start_date=start_date,
            end_date=end_date,
            notes=notes,
        )
        OrderDrug.objects.bulk_create([OrderDrug(order=order, **c) for c in cleaned])
    logger.info("order created id=%s", order.pk)
    return order


ORDER_TRANSITIONS = TransitionTable.of(
    "order",
    {
        OrderStatus.NEW: [OrderStatus.ELIGIBILITY_VERIFIED, OrderStatus.CANCELLED],
        OrderStatus.ELIGIBILITY_VERIFIED: [OrderStatus.AUTH_OBTAINED, OrderStatus.CANCELLED],
        OrderStatus.AUTH_OBTAINED: [OrderStatus.READY_TO_SCHEDULE, OrderStatus.CANCELLED],
        OrderStatus.READY_TO_SCHEDULE: [OrderStatus.ACTIVE, OrderStatus.CANCELLED],
        OrderStatus.ACTIVE: [OrderStatus.COMPLETED, OrderStatus.CANCELLED],
    },
)
NEXT_STATUS = {
    OrderStatus.NEW: OrderStatus.ELIGIBILITY_VERIFIED,
    OrderStatus.ELIGIBILITY_VERIFIED: OrderStatus.AUTH_OBTAINED,
    OrderStatus.AUTH_OBTAINED: OrderStatus.READY_TO_SCHEDULE,
    OrderStatus.READY_TO_SCHEDULE: OrderStatus.ACTIVE,
    OrderStatus.ACTIVE: OrderStatus.COMPLETED,
}


def order_blockers(
    *, order: Order, to_status: str, no_auth_reason: str = "", as_of: date | None = None
) -> list[str]:
    """What stops `order` moving to `to_status` (empty when it may move). Read-only."""
    as_of = as_of or selectors.today()
    if not ORDER_TRANSITIONS.allowed(order.status, to_status):
        return [
            f"An order that is {order.status.replace('_', ' ')} cannot move to {to_status.replace('_', ' ')}."
        ]
    on = selectors.order_check_date(order, as_of)
    if to_status == OrderStatus.ELIGIBILITY_VERIFIED:
        primary = selectors.primary_coverage_for(patient=order.patient, on=on)
        if primary is None:
            return [f"The patient has no primary coverage in force on {on.isoformat()}: add one first."]
        last = selectors.latest_complete_check(primary)
        if last is None:
            return [f"{primary.payer.name}: no eligibility check on file. Check eligibility first."]
        if selectors.eligibility_stale(primary, last, as_of):
            return [
                f"{primary.payer.name}: the last eligibility check ({last.checked_on.isoformat()}) is older than "
                f"the payer's {primary.payer.eligibility_freshness_days}-day window. Check eligibility again."
            ]
        if not last.active:
            return [f"{primary.payer.name}: the last eligibility check says the coverage is not active."]
    if to_status == OrderStatus.AUTH_OBTAINED:
        missing = selectors.auth_required_missing(
            patient=order.patient, codes=selectors.order_codes(order), on=on
        )
        if missing and not no_auth_reason.strip():
            return [
                f"No prior authorization in force on {on.isoformat()} covers {', '.join(missing)}: add the auth, "
                "or give the reason no authorization is required."
            ]
    return []


def order_advance(
    *, order: Order, to_status: str, no_auth_reason: str = "", as_of: date | None = None
) -> Order:
    """Move an order along the intake queue after checking its precondition (locks the order row):
    eligibility verified needs a fresh active check on the primary coverage; auth obtained needs an
    in-force auth for each drug code, or a reason none is required."""
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("patient")
            .prefetch_related("drugs")
            .get(pk=order.pk)
        )
        ORDER_TRANSITIONS.check(locked.status, to_status)
        blockers = order_blockers(
            order=locked, to_status=to_status, no_auth_reason=no_auth_reason, as_of=as_of
        )
        if blockers:
            raise OrderPreconditionError(" ".join(blockers), extra={"blockers": blockers})
        locked.status = to_status
        if to_status == OrderStatus.AUTH_OBTAINED and no_auth_reason.strip():
            locked.auth_not_required_reason = no_auth_reason.strip()[:200]
        locked.save(update_fields=["status", "auth_not_required_reason", "updated_at"])
    logger.info("order %s moved to %s", locked.pk, to_status)
    return locked
