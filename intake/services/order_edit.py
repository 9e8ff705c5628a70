"""Order edits: a biller corrects an order; the order's state rules still hold afterwards."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction

from infusion_rcm.common.errors import InvalidInputError
from intake import selectors
from intake.domain.types import OrderStatus
from intake.models import IntakeEvent, Order, OrderDrug
from intake.services.common import OrderPreconditionError, dates_check
from intake.services.events import intake_event_record
from intake.services.orders import (
    AUTHORIZED_STATUSES,
    CLOSED_STATUSES,
    clean_diagnoses,
    clean_drugs,
    clean_therapy,
    location_check,
)

logger = logging.getLogger(__name__)


class _Keep:
    """Marks an order field the edit leaves unchanged (None is a value: no end date)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
ORDER_EDIT_FIELDS = (
    "prescriber",
    "location",
    "therapy",
    "diagnosis_codes",
    "start_date",
    "end_date",
    "notes",
)


def _drug_rows(order: Order) -> list[tuple]:
    return [(d.hcpcs, d.dose, d.dose_unit, d.frequency, d.duration) for d in order.drugs.all().order_by("id")]


def order_update(
    *,
    order: Order,
    actor=None,
    reason: str = "",
    prescriber: Any = KEEP,
    location: Any = KEEP,
    therapy: Any = KEEP,
    diagnosis_codes: Any = KEEP,
    start_date: Any = KEEP,
    end_date: Any = KEEP,
    notes: Any = KEEP,
    drugs: Any = KEEP,
    as_of: date | None = None,
) -> tuple[Order, list[str]]:
    """Edit an order (a biller's correction): the fields given are checked as on creation, the rest
    stay. Returns the order and the names of the fields that changed (empty: nothing to save).

    The state rules hold: the status never changes here (it moves through order_advance and the
    visits); a completed or cancelled order is closed; an order past auth obtained keeps an
    authorization for every drug code (unless none is required) and a primary coverage in force on
    the date it is judged on. One IntakeEvent names the changed fields; the patient-data audit
    records the writes.
    """
    as_of = as_of or selectors.today()
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("patient", "location")
            .get(pk=order.pk)
        )
        if locked.status in CLOSED_STATUSES:
            raise OrderPreconditionError(
                f"A {OrderStatus(locked.status).label.lower()} order cannot be edited.", code="order.closed"
            )
        proposed: dict[str, Any] = {}
        if prescriber is not KEEP:
            proposed["prescriber"] = prescriber
        if location is not KEEP:
            location_check(location, locked.patient)
            proposed["location"] = location
        if therapy is not KEEP:
            proposed["therapy"] = clean_therapy(therapy)
        if diagnosis_codes is not KEEP:
            proposed["diagnosis_codes"] = clean_diagnoses(diagnosis_codes)
        if start_date is not KEEP:
            if start_date is None:
                raise InvalidInputError("An order needs its start date.")
            proposed["start_date"] = start_date
        if end_date is not KEEP:
            proposed["end_date"] = end_date
        if notes is not KEEP:
            proposed["notes"] = (notes or "").strip()
        dates_check(
            proposed.get("start_date", locked.start_date), proposed.get("end_date", locked.end_date), "order"
        )
        changed = [
            name
            for name in ORDER_EDIT_FIELDS
            if name in proposed and _differs(getattr(locked, name), proposed[name])
        ]
        new_drugs = None
        if drugs is not KEEP:
            new_drugs = clean_drugs(drugs)
            rows = [(d["hcpcs"], d["dose"], d["dose_unit"], d["frequency"], d["duration"]) for d in new_drugs]
            if rows != _drug_rows(locked):
                changed.append("drugs")
            else:
                new_drugs = None
        if not changed:
            return locked, []
        for name in changed:
            if name != "drugs":
                setattr(locked, name, proposed[name])
        _check_state_kept(locked, new_drugs, as_of)
        locked.save(update_fields=[*[n for n in changed if n != "drugs"], "updated_at"])
        if new_drugs is not None:
            for old in list(locked.drugs.all()):
                old.delete()
            for row in new_drugs:
                OrderDrug.objects.create(order=locked, **row)
        intake_event_record(
            kind=IntakeEvent.Kind.ORDER_EDITED,
            order=locked,
            actor=actor,
            changed_fields=changed,
            reason=reason,
        )
    logger.info("order %s edited: %s", locked.pk, ",".join(changed))
    return locked, changed


def _differs(current: Any, new: Any) -> bool:
    if hasattr(current, "pk") and hasattr(new, "pk"):
        return bool(current.pk != new.pk)
    return bool(current != new)


def _check_state_kept(order: Order, new_drugs: list[dict] | None, as_of: date) -> None:
    """Refuse an edit after which the order would no longer meet the state it is in."""
    status = OrderStatus(order.status)
    if status == OrderStatus.NEW:
        return
    on = selectors.order_check_date(order, as_of)
    if selectors.primary_coverage_for(patient=order.patient, on=on) is None:
        raise OrderPreconditionError(
            f"The order is {status.label.lower()}, but the patient has no primary coverage in force on "
            f"{on.isoformat()}: keep the dates, or add the coverage first.",
            code="order.state_rules",
        )
    if status not in AUTHORIZED_STATUSES or order.auth_not_required_reason:
        return
    codes = (
        list(dict.fromkeys(d["hcpcs"] for d in new_drugs))
        if new_drugs is not None
        else selectors.order_codes(order)
    )
    missing = selectors.auth_required_missing(patient=order.patient, codes=codes, on=on)
    if missing:
        raise OrderPreconditionError(
            f"The order is {status.label.lower()}, but no prior authorization in force on {on.isoformat()} "
            f"covers {', '.join(missing)}: add the authorization first, or keep the drugs and dates.",
            code="order.state_rules",
            extra={"missing_auth": missing},
        )
