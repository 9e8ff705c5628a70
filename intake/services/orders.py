"""Orders: created with their drugs, edited by billers, moved along the intake queue under their
preconditions and by the schedule (a visit booked, a visit started)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.transitions import TransitionTable
from intake import selectors
from intake.domain.diagnosis import validate_icd10cm
from intake.domain.types import OrderStatus
from intake.models import IntakeEvent, Order, OrderDrug, Patient, Prescriber, ServiceLocation
from intake.services.common import OrderPreconditionError, code_check, dates_check, units_check
from intake.services.events import intake_event_record

logger = logging.getLogger(__name__)

# The dose units the coding engine converts to HCPCS billing units (coding.domain.types.DoseUnit).
DOSE_UNITS = {"mg": "mg", "g": "g", "mcg": "mcg", "ml": "mL", "units": "units", "unit": "units"}
# The largest single dose an order may carry per unit: far above any infusion dose (IVIG 2 g/kg for
# a 150 kg patient is 300 g; a litre bag is 1000 mL), so only a slipped digit or unit is refused.
MAX_DOSE = {
    "mg": Decimal("500000"),
    "g": Decimal("500"),
    "mcg": Decimal("500000000"),
    "mL": Decimal("10000"),
    "units": Decimal("5000000"),
}


@dataclass(frozen=True)
class DrugInput:
    hcpcs: str
    dose: Decimal | str | int
    dose_unit: str
    frequency: str
    duration: str = ""


def clean_diagnoses(diagnosis_codes: Sequence[str]) -> list[str]:
    codes: list[str] = []
    for raw in diagnosis_codes:
        if raw and raw.strip():
            code = validate_icd10cm(raw)
            if code not in codes:
                codes.append(code)
    if not codes:
        raise InvalidInputError("An order needs at least one ICD-10-CM diagnosis code.", code="icd10.missing")
    return codes


def clean_therapy(therapy: str) -> str:
    if not (therapy or "").strip():
        raise InvalidInputError("Describe the therapy (e.g. infliximab for Crohn's disease).")
    return therapy.strip()


def location_check(location: ServiceLocation, patient: Patient) -> None:
    if location.billing_provider_id != patient.billing_provider_id:
        raise InvalidInputError("The site of care belongs to another billing provider than the patient.")


def clean_drugs(drugs: Sequence[DrugInput | dict]) -> list[dict]:
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
        if dose > MAX_DOSE[unit]:
            raise InvalidInputError(
                f"Drug {i} ({hcpcs}): {dose} {unit} is not a plausible single dose (at most "
                f"{MAX_DOSE[unit]} {unit}); check the amount and the unit.",
                code="order.dose_implausible",
            )
        if not (d.frequency or "").strip():
            raise InvalidInputError(f"Drug {i} ({hcpcs}): give the frequency (e.g. every 8 weeks).")
        cleaned.append(
            {"hcpcs": hcpcs, "dose": dose, "dose_unit": unit, "frequency": d.frequency.strip(),
             "duration": (d.duration or "").strip()}
        )  # fmt: skip
    if not cleaned:
        raise InvalidInputError("An order needs at least one drug.", code="order.no_drugs")
    return cleaned


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
    therapy = clean_therapy(therapy)
    codes = clean_diagnoses(diagnosis_codes)
    location_check(location, patient)
    cleaned = clean_drugs(drugs)
    with transaction.atomic():
        order = Order.objects.create(
            patient=patient,
            prescriber=prescriber,
            location=location,
            therapy=therapy,
            diagnosis_codes=codes,
            start_date=start_date,
            end_date=end_date,
            notes=notes,
        )
        created = OrderDrug.objects.bulk_create([OrderDrug(order=order, **c) for c in cleaned])
        # bulk_create skips the per-row audit signal: one row for the drugs, with their field names.
        audit_events_bulk(
            action="create",
            model=OrderDrug,
            ids=[d.pk for d in created],
            changed_fields=cleaned[0] if cleaned else (),
        )
    logger.info("order created id=%s", order.pk)
    return order


ORDER_TRANSITIONS = TransitionTable.of(
    "order",
    {
        OrderStatus.NEW: [OrderStatus.ELIGIBILITY_VERIFIED, OrderStatus.CANCELLED],
        OrderStatus.ELIGIBILITY_VERIFIED: [OrderStatus.AUTH_OBTAINED, OrderStatus.CANCELLED],
        OrderStatus.AUTH_OBTAINED: [OrderStatus.READY_TO_SCHEDULE, OrderStatus.CANCELLED],
        # Scheduling a visit moves a ready order to scheduled, starting its first visit moves it into
        # treatment (order_scheduled, order_visit_started); a biller may still move it by hand.
        OrderStatus.READY_TO_SCHEDULE: [OrderStatus.SCHEDULED, OrderStatus.ACTIVE, OrderStatus.CANCELLED],
        # Back to ready when its last upcoming visit is cancelled (order_unscheduled).
        OrderStatus.SCHEDULED: [OrderStatus.ACTIVE, OrderStatus.READY_TO_SCHEDULE, OrderStatus.CANCELLED],
        OrderStatus.ACTIVE: [OrderStatus.COMPLETED, OrderStatus.CANCELLED],
    },
)
# The biller's "Move forward" on the intake queue. Ready to schedule and scheduled are left to the
# schedule: the order moves when a visit is booked and when its first visit starts.
NEXT_STATUS = {
    OrderStatus.NEW: OrderStatus.ELIGIBILITY_VERIFIED,
    OrderStatus.ELIGIBILITY_VERIFIED: OrderStatus.AUTH_OBTAINED,
    OrderStatus.AUTH_OBTAINED: OrderStatus.READY_TO_SCHEDULE,
    OrderStatus.ACTIVE: OrderStatus.COMPLETED,
}
CLOSED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
# States an order reaches only once its drug codes are authorized (or need no authorization).
AUTHORIZED_STATUSES = (
    OrderStatus.AUTH_OBTAINED,
    OrderStatus.READY_TO_SCHEDULE,
    OrderStatus.SCHEDULED,
    OrderStatus.ACTIVE,
)


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
    *, order: Order, to_status: str, no_auth_reason: str = "", as_of: date | None = None, actor=None
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
        from_status = locked.status
        locked.status = to_status
        reason = ""
        if to_status == OrderStatus.AUTH_OBTAINED and no_auth_reason.strip():
            locked.auth_not_required_reason = no_auth_reason.strip()[:200]
            reason = f"No authorization required: {locked.auth_not_required_reason}"
        locked.save(update_fields=["status", "auth_not_required_reason", "updated_at"])
        intake_event_record(
            kind=IntakeEvent.Kind.ORDER_STATUS,
            order=locked,
            actor=actor,
            changed_fields=["status"],
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
    logger.info("order %s moved to %s", locked.pk, to_status)
    return locked


def _order_move(*, order: Order, moves: dict[str, str], actor, reason: str) -> Order:
    """Move the order when its status is a key of `moves`; any other status is left as it is.

    Locks the order row, so a visit starting while a biller edits the order waits for the edit.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        to_status = moves.get(locked.status)
        if to_status is None:
            return locked
        ORDER_TRANSITIONS.check(locked.status, to_status)
        from_status = locked.status
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        intake_event_record(
            kind=IntakeEvent.Kind.ORDER_STATUS,
            order=locked,
            actor=actor,
            changed_fields=["status"],
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
    logger.info("order %s moved from %s to %s", locked.pk, from_status, to_status)
    return locked


def order_scheduled(*, order: Order, actor=None) -> Order:
    """A visit was booked: a ready order becomes scheduled (any other status stays)."""
    return _order_move(
        order=order,
        moves={OrderStatus.READY_TO_SCHEDULE: OrderStatus.SCHEDULED},
        actor=actor,
        reason="A visit was scheduled",
    )


def order_unscheduled(*, order: Order, actor=None) -> Order:
    """The order's last upcoming visit was cancelled before it started: back to ready to schedule."""
    return _order_move(
        order=order,
        moves={OrderStatus.SCHEDULED: OrderStatus.READY_TO_SCHEDULE},
        actor=actor,
        reason="Its scheduled visits were cancelled",
    )


def order_visit_started(*, order: Order, actor=None) -> Order:
    """A visit under the order started: a ready or scheduled order is in treatment from now on.

    Idempotent: an order already in treatment (or completed, or cancelled) is left alone, and so is
    an order still being verified: the visit carries the intake warning and the biller finishes
    the verification; moving it past steps nobody did would hide them.
    """
    return _order_move(
        order=order,
        moves={OrderStatus.READY_TO_SCHEDULE: OrderStatus.ACTIVE, OrderStatus.SCHEDULED: OrderStatus.ACTIVE},
        actor=actor,
        reason="Its first visit started",
    )
