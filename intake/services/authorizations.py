"""Prior authorizations: recorded with their codes and units, drawn down by signed visits."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from django.db import transaction

from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.errors import InvalidInputError
from intake import mappers, selectors
from intake.domain.authorization import AuthStatus, AuthUnitsError, draw_down, find_auth_for, normalize_code
from intake.models import AuthorizedService, AuthUsage, Coverage, Order, Patient, PriorAuthorization
from intake.services.common import DuplicateError, code_check, dates_check, units_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthServiceInput:
    code: str
    authorized_units: Decimal | str | int
    unit_kind: str = "units"


def auth_create(
    *,
    patient: Patient,
    coverage: Coverage,
    auth_number: str,
    start_date: date,
    end_date: date,
    services: Sequence[AuthServiceInput | dict],
    status: str = AuthStatus.APPROVED,
    order: Order | None = None,
) -> PriorAuthorization:
    """A payer's authorization with the codes and units it approves."""
    number = (auth_number or "").strip()
    if not number:
        raise InvalidInputError("The authorization number is missing.", code="auth.number_missing")
    if end_date is None or start_date is None:
        raise InvalidInputError("An authorization needs its start and end dates.")
    dates_check(start_date, end_date, "authorization")
    try:
        status = AuthStatus(status)
    except ValueError as exc:
        raise InvalidInputError("The status must be approved, modified, pended or denied.") from exc
    if coverage.patient_id != patient.pk:
        raise InvalidInputError("That coverage belongs to another patient.")
    if order is not None and order.patient_id != patient.pk:
        raise InvalidInputError("That order belongs to another patient.")
    cleaned: list[dict] = []
    for i, raw in enumerate(services, start=1):
        s = raw if isinstance(raw, AuthServiceInput) else AuthServiceInput(**raw)
        code = code_check(s.code, f"Service {i}: code")
        if any(c["code"] == code for c in cleaned):
            raise InvalidInputError(f"{code} is listed twice on the authorization.")
        if s.unit_kind not in ("units", "visits"):
            raise InvalidInputError(f"{code}: count units or visits.")
        cleaned.append(
            {"code": code, "authorized_units": units_check(s.authorized_units, f"{code}: authorized {s.unit_kind}"),
             "unit_kind": s.unit_kind}
        )  # fmt: skip
    if not cleaned:
        raise InvalidInputError(
            "An authorization needs at least one authorized code.", code="auth.no_services"
        )
    if PriorAuthorization.objects.filter(coverage=coverage, auth_number__iexact=number).exists():
        raise DuplicateError(f"Authorization {number} is already on file for this coverage.")
    with transaction.atomic():
        auth = PriorAuthorization.objects.create(
            patient=patient,
            coverage=coverage,
            order=order,
            auth_number=number,
            start_date=start_date,
            end_date=end_date,
            status=status,
        )
        authorized = AuthorizedService.objects.bulk_create(
            [AuthorizedService(authorization=auth, **c) for c in cleaned]
        )
        # bulk_create skips the per-row audit signal: one row for the services, with their field names.
        audit_events_bulk(
            action="create",
            model=AuthorizedService,
            ids=[s.pk for s in authorized],
            changed_fields=cleaned[0] if cleaned else (),
        )
    return auth


def auth_draw_down(
    *, patient: Patient, code: str, units: Decimal, service_date: date, source: str
) -> AuthorizedService | None:
    """Use `units` of `code` on `service_date` from the in-force auth of the patient's coverage that covers it.

    Returns the AuthorizedService drawn from, or None when no in-force auth covers the code (the caller
    decides whether that code needs one). Idempotent per (service, source): calling again for the same
    source returns the service unchanged. Locks every candidate AuthorizedService row (select_for_update,
    in pk order) before choosing, so concurrent visits cannot over-draw; refuses zero, negative or
    beyond-remaining units with AuthUnitsError (code "auth.units").
    """
    wanted = normalize_code(code or "")
    source = (source or "").strip()
    if not source:
        raise InvalidInputError("auth_draw_down needs a source (e.g. visit:<public id>).")
    if isinstance(units, float):
        raise AuthUnitsError(f"Units of {wanted} must be a Decimal, not a float.")
    try:
        amount = Decimal(str(units))
    except (InvalidOperation, ValueError) as exc:
        raise AuthUnitsError(f"Units of {wanted} {units!r} are not a number.") from exc
    if not amount.is_finite() or amount <= 0:
        raise AuthUnitsError(f"Units of {wanted} to draw from an authorization must be more than zero.")
    coverage_ids = [c.pk for c in selectors.coverages_in_force_for(patient=patient, on=service_date)]
    with transaction.atomic():
        candidates = list(
            AuthorizedService.objects.select_for_update()
            .filter(authorization__patient=patient, authorization__coverage_id__in=coverage_ids, code=wanted)
            .order_by("pk")
        )
        if not candidates:
            return None
        already = (
            AuthUsage.objects.filter(service__in=candidates, source=source).select_related("service").first()
        )
        if already is not None:
            return already.service
        by_auth = {s.authorization_id: s for s in candidates}
        auths = list(PriorAuthorization.objects.filter(pk__in=by_auth).prefetch_related("services"))
        domain = {a.pk: mappers.authorization(a) for a in auths}
        chosen = find_auth_for(domain.values(), wanted, service_date)
        if chosen is None:
            return None
        service = by_auth[cast(int, chosen.id)]  # an authorization pk
        draw_down(chosen, wanted, amount, on=service_date)  # raises AuthUnitsError on over-draw
        service.used_units = service.used_units + amount
        service.save(update_fields=["used_units", "updated_at"])
        AuthUsage.objects.create(service=service, units=amount, service_date=service_date, source=source)
    logger.info("auth service %s drawn by %s units", service.pk, amount)
    return service
