"""Intake alerts: the daily auth alerts, over-drawn auths flagged by visits, and resolving alerts."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from datetime import date
from decimal import Decimal

from intake import mappers, selectors
from intake.domain.authorization import AuthStatus, auth_alerts, normalize_code
from intake.models import IntakeAlert, Patient, PriorAuthorization

logger = logging.getLogger(__name__)


def auth_alerts_raise(*, as_of: date | None = None) -> list[IntakeAlert]:
    """Raise today's alerts (idempotent per day): auths ending within 14 days, codes with < 20 % units
    left, and open orders whose drug codes have no in-force auth (and no no-auth-required reason)."""
    as_of = as_of or selectors.today()
    created: list[IntakeAlert] = []
    auths = list(
        PriorAuthorization.objects.filter(
            end_date__gte=as_of, status__in=[AuthStatus.APPROVED, AuthStatus.MODIFIED]
        ).prefetch_related("services")
    )
    by_id: dict[Hashable, PriorAuthorization] = {a.pk: a for a in auths}
    for alert in auth_alerts([mappers.authorization(a) for a in auths], as_of):
        auth = by_id[alert.auth_id]
        kind = alert.kind.value if alert.code is None else f"{alert.kind.value}:{alert.code}"
        row, made = IntakeAlert.objects.get_or_create(
            kind=kind,
            authorization=auth,
            raised_on=as_of,
            defaults={"patient_id": auth.patient_id, "message": alert.message[:300]},
        )
        if made:
            created.append(row)
    orders = selectors.order_list().filter(
        status__in=selectors.OPEN_ORDER_STATUSES, auth_not_required_reason=""
    )
    orders = orders.exclude(end_date__lt=as_of)
    for row_info in selectors.order_rows(orders, as_of=as_of):
        order = row_info.order
        if not row_info.no_auth:
            continue
        row, made = IntakeAlert.objects.get_or_create(
            kind="order_no_auth",
            order=order,
            raised_on=as_of,
            defaults={
                "patient_id": order.patient_id,
                "message": (
                    f"Order {order.pk} ({order.therapy[:60]}): no prior authorization in force covers "
                    f"{', '.join(row_info.missing_auth)}."
                )[:300],
            },
        )
        if made:
            created.append(row)
    logger.info("intake alerts raised: %s new", len(created))
    return created


def auth_overdraw_flag(
    *, patient: Patient, code: str, units: Decimal, service_date: date, reason: str
) -> IntakeAlert:
    """A visit was given beyond what its authorization has left: the care happened, so the visit
    is signed anyway; the biller gets an alert (and the scrubber flags the claim) to extend the auth."""
    alert, _ = IntakeAlert.objects.get_or_create(
        kind=f"auth_exhausted:{normalize_code(code)}",
        patient=patient,
        raised_on=service_date,
        resolved=False,
        defaults={
            "message": f"{units} units of {normalize_code(code)} on {service_date.isoformat()} exceed the "
            f"authorization: {reason}"[:300]
        },
    )
    return alert


def alerts_resolve(*, alert_ids: Iterable[int]) -> int:
    return IntakeAlert.objects.filter(pk__in=list(alert_ids), resolved=False).update(resolved=True)


def alert_raise_once(
    *, kind: str, patient_id: int, message: str, raised_on: date
) -> tuple[IntakeAlert, bool]:
    """An alert an app on the right raises for the biller (e.g. payments' crossover follow-up):
    one open alert per kind and patient; (alert, created)."""
    open_alert = IntakeAlert.objects.filter(kind=kind[:40], patient_id=patient_id, resolved=False).first()
    if open_alert is not None:
        return open_alert, False
    alert = IntakeAlert.objects.create(
        kind=kind[:40], patient_id=patient_id, message=message[:300], raised_on=raised_on
    )
    return alert, True


def alerts_resolve_kind(*, kind: str) -> int:
    """Resolve the open alerts of `kind` (what they asked for happened)."""
    return IntakeAlert.objects.filter(kind=kind[:40], resolved=False).update(resolved=True)
