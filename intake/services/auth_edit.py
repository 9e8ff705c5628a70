"""Authorization edits: a biller records what the payer changed (dates, status, codes, units).

Units drawn down by signed visits (AuthUsage rows) are facts the edit cannot undo: the used units
of a code never go below what was drawn, a code something drew from cannot be removed, and the
span must still hold every draw-down's date.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, Sum

from infusion_rcm.common.errors import InvalidInputError
from intake.domain.authorization import AuthStatus, AuthUnitsError
from intake.models import AuthorizedService, AuthUsage, IntakeEvent, PriorAuthorization
from intake.services.common import MAX_UNITS, DuplicateError, code_check, dates_check, units_check
from intake.services.events import intake_event_record
from intake.services.order_edit import KEEP

logger = logging.getLogger(__name__)
ZERO = Decimal(0)


@dataclass(frozen=True)
class AuthServiceEdit:
    """A code of the edited authorization; used_units None keeps the units used so far."""

    code: str
    authorized_units: Decimal | str | int
    used_units: Decimal | str | int | None = None
    unit_kind: str = "units"


def _used_check(value: Any, code: str, drawn: Decimal) -> Decimal:
    """Units used so far: zero or more (up to 3 decimals), and never below what visits drew."""
    if value is None or str(value).strip() == "":
        raise InvalidInputError(f"{code}: give the units used so far (0 when none).")
    try:
        used = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(
            f"{code}: used units {value!r} is not a number.", code="units.invalid"
        ) from exc
    if not used.is_finite() or used < 0 or used > MAX_UNITS or used != used.quantize(Decimal("0.001")):
        raise InvalidInputError(
            f"{code}: used units {value} must be zero or more, up to 3 decimals.", code="units.invalid"
        )
    if used < drawn:
        raise AuthUnitsError(
            f"{code}: signed visits drew {drawn.normalize():f} units from this authorization; the used units "
            f"cannot be set below that (got {used.normalize():f}).",
            extra={"code": code, "drawn": str(drawn)},
        )
    return used


def _clean_services(rows: Sequence[AuthServiceEdit | dict]) -> list[AuthServiceEdit]:
    cleaned: list[AuthServiceEdit] = []
    for i, raw in enumerate(rows, start=1):
        s = raw if isinstance(raw, AuthServiceEdit) else AuthServiceEdit(**raw)
        code = code_check(s.code, f"Service {i}: code")
        if any(c.code == code for c in cleaned):
            raise InvalidInputError(f"{code} is listed twice on the authorization.")
        if s.unit_kind not in ("units", "visits"):
            raise InvalidInputError(f"{code}: count units or visits.")
        authorized = units_check(s.authorized_units, f"{code}: authorized {s.unit_kind}")
        cleaned.append(AuthServiceEdit(code, authorized, s.used_units, s.unit_kind))
    if not cleaned:
        raise InvalidInputError(
            "An authorization needs at least one authorized code.", code="auth.no_services"
        )
    return cleaned


def auth_update(
    *,
    auth: PriorAuthorization,
    actor=None,
    reason: str = "",
    auth_number: Any = KEEP,
    start_date: Any = KEEP,
    end_date: Any = KEEP,
    status: Any = KEEP,
    order: Any = KEEP,
    services: Any = KEEP,
) -> tuple[PriorAuthorization, list[str]]:
    """Edit an authorization; returns it and the changed field names (empty: nothing changed).

    `services` is the whole new list of codes: a code left out is removed. The coverage and the
    patient stay. Locks the authorization and its service rows (pk order, as auth_draw_down does), so
    a visit signing meanwhile draws from the edited numbers or waits.
    """
    with transaction.atomic():
        locked = PriorAuthorization.objects.select_for_update().get(pk=auth.pk)
        current = {
            s.code: s
            for s in AuthorizedService.objects.select_for_update().filter(authorization=locked).order_by("pk")
        }
        drawn = {
            row["service__code"]: row["units"]
            for row in AuthUsage.objects.filter(service__authorization=locked)
            .values("service__code")
            .annotate(units=Sum("units"))
        }
        changed: list[str] = []
        if auth_number is not KEEP:
            number = (auth_number or "").strip()
            if not number:
                raise InvalidInputError("The authorization number is missing.", code="auth.number_missing")
            if number != locked.auth_number:
                if (
                    PriorAuthorization.objects.filter(
                        coverage_id=locked.coverage_id, auth_number__iexact=number
                    )
                    .exclude(pk=locked.pk)
                    .exists()
                ):
                    raise DuplicateError(f"Authorization {number} is already on file for this coverage.")
                locked.auth_number = number
                changed.append("auth_number")
        for name, value in (("start_date", start_date), ("end_date", end_date)):
            if value is KEEP:
                continue
            if value is None:
                raise InvalidInputError("An authorization needs its start and end dates.")
            if value != getattr(locked, name):
                setattr(locked, name, value)
                changed.append(name)
        dates_check(locked.start_date, locked.end_date, "authorization")
        _span_holds_draw_downs(locked)
        if status is not KEEP:
            try:
                new_status = AuthStatus(status)
            except ValueError as exc:
                raise InvalidInputError("The status must be approved, modified, pended or denied.") from exc
            if new_status != locked.status:
                locked.status = new_status
                changed.append("status")
        if order is not KEEP:
            if order is not None and order.patient_id != locked.patient_id:
                raise InvalidInputError("That order belongs to another patient.")
            if (order.pk if order else None) != locked.order_id:
                locked.order = order
                changed.append("order")
        plan: list[tuple[str, AuthServiceEdit | None]] = []
        if services is not KEEP:
            wanted = {s.code: s for s in _clean_services(services)}
            for code in current:
                if code not in wanted:
                    if drawn.get(code, ZERO) > 0:
                        raise AuthUnitsError(
                            f"{code} cannot be removed: signed visits drew {drawn[code].normalize():f} units "
                            "from it. Set its authorized units instead.",
                            extra={"code": code},
                        )
                    plan.append((code, None))
                    changed.append(f"services.{code}")
            for code, edit in wanted.items():
                row = current.get(code)
                used = (
                    _used_check(edit.used_units, code, drawn.get(code, ZERO))
                    if edit.used_units is not None or row is None
                    else row.used_units
                )
                edit = AuthServiceEdit(code, edit.authorized_units, used, edit.unit_kind)
                if row is None:
                    plan.append((code, edit))
                    changed.append(f"services.{code}")
                    continue
                fields = [
                    f"services.{code}.{name}"
                    for name, old, new in (
                        ("authorized_units", row.authorized_units, edit.authorized_units),
                        ("used_units", row.used_units, used),
                        ("unit_kind", row.unit_kind, edit.unit_kind),
                    )
                    if old != new
                ]
                if fields:
                    plan.append((code, edit))
                    changed.extend(fields)
        if not changed:
            return locked, []
        locked.save()
        for code, change in plan:
            row = current.get(code)
            if change is None and row is not None:
                row.delete()
            elif change is not None and row is None:
                AuthorizedService.objects.create(
                    authorization=locked,
                    code=code,
                    authorized_units=change.authorized_units,
                    used_units=change.used_units or ZERO,
                    unit_kind=change.unit_kind,
                )
            elif change is not None and row is not None:
                row.authorized_units = change.authorized_units
                row.used_units = change.used_units
                row.unit_kind = change.unit_kind
                row.save(update_fields=["authorized_units", "used_units", "unit_kind", "updated_at"])
        intake_event_record(
            kind=IntakeEvent.Kind.AUTH_EDITED,
            authorization=locked,
            actor=actor,
            changed_fields=changed,
            reason=reason,
        )
    logger.info("authorization %s edited: %s", locked.pk, ",".join(changed))
    return locked, changed


def _span_holds_draw_downs(auth: PriorAuthorization) -> None:
    span = AuthUsage.objects.filter(service__authorization=auth).aggregate(
        first=Min("service_date"), last=Max("service_date")
    )
    first: date | None = span["first"]
    last: date | None = span["last"]
    if first is not None and first < auth.start_date:
        raise InvalidInputError(
            f"A visit on {first.isoformat()} drew from this authorization: it cannot start after that date.",
            code="auth.span_draw_downs",
        )
    if last is not None and last > auth.end_date:
        raise InvalidInputError(
            f"A visit on {last.isoformat()} drew from this authorization: it cannot end before that date.",
            code="auth.span_draw_downs",
        )
