"""Intake writes: patients, prescribers, coverage, orders, eligibility (manual, 270/271), prior auths,
order moves through the intake queue, auth draw-down (for coding) and the daily auth alerts.

Every function validates the whole input before writing anything and raises a DomainError whose
message tells a biller what to fix. Logs carry ids only, never patient data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from infusion_rcm.audit.context import Actor, current_actor, reset_actor, set_actor
from infusion_rcm.common.errors import DomainError, InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.common.transitions import TransitionTable
from infusion_rcm.common.x12 import Envelope
from intake import mappers, selectors
from intake.domain.authorization import (
    AuthStatus,
    AuthUnitsError,
    auth_alerts,
    draw_down,
    find_auth_for,
    normalize_code,
)
from intake.domain.coverage import CoverageRank, find_overlap
from intake.domain.diagnosis import validate_icd10cm
from intake.domain.eligibility import IMPLEMENTATION_GUIDE, build_270, parse_271
from intake.domain.identifiers import validate_mbi, validate_npi
from intake.domain.types import OrderStatus, PayerKind, Relationship
from intake.models import (
    AuthorizedService,
    AuthUsage,
    BillingProvider,
    Coverage,
    EligibilityCheck,
    IntakeAlert,
    Order,
    OrderDrug,
    Patient,
    Payer,
    Prescriber,
    PriorAuthorization,
    ServiceLocation,
)

logger = logging.getLogger(__name__)

_CODE = re.compile(r"[A-Z0-9]{5}")
MAX_UNITS = Decimal("9999999.999")  # units_field: 10 digits, 3 places
# The dose units the coding engine converts to HCPCS billing units (coding.domain.types.DoseUnit).
DOSE_UNITS = {"mg": "mg", "g": "g", "mcg": "mcg", "ml": "mL", "units": "units", "unit": "units"}


class DuplicateError(DomainError):
    code = "intake.duplicate"


class CoverageOverlapError(DomainError):
    code = "coverage.overlap"


class OrderPreconditionError(DomainError):
    code = "order.precondition"


# --- small validators ------------------------------------------------------------------------------


def _dates(start: date, end: date | None, what: str) -> None:
    if end is not None and end < start:
        raise InvalidInputError(
            f"The {what} end date {end.isoformat()} is before its start date {start.isoformat()}.",
            code="dates.end_before_start",
        )


def _units(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(f"{what} {value!r} is not a number.", code="units.invalid") from exc
    if not number.is_finite():
        raise InvalidInputError(f"{what} {value!r} is not a number.", code="units.invalid")
    if number <= 0:
        raise InvalidInputError(f"{what} must be more than zero (got {number}).", code="units.not_positive")
    if number > MAX_UNITS or number != number.quantize(Decimal("0.001")):
        raise InvalidInputError(f"{what} {number} is out of range (up to 3 decimals).", code="units.invalid")
    return number


def _code(value: str, what: str) -> str:
    code = normalize_code(value or "")
    if not _CODE.fullmatch(code):
        raise InvalidInputError(
            f"{what} {value!r} must be a 5-character HCPCS/CPT code such as J1745 or 96365.",
            code="code.invalid",
        )
    return code


def _money_or_none(value: Any, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = to_money(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"The {what} {value!r} is not an amount.", code="money.invalid") from exc
    if amount < 0:
        raise InvalidInputError(f"The {what} cannot be negative.", code="money.negative")
    if amount >= Decimal("1e10"):
        raise InvalidInputError(f"The {what} is too large.", code="money.invalid")
    return amount


# --- reference data --------------------------------------------------------------------------------


def prescriber_create(*, npi: str, first_name: str, last_name: str, specialty: str = "") -> Prescriber:
    """A prescriber with a check-digit-valid NPI (refused when the NPI is already on file)."""
    npi = validate_npi(npi)
    if Prescriber.objects.filter(npi=npi).exists():
        raise DuplicateError(f"A prescriber with NPI {npi} is already on file.")
    return Prescriber.objects.create(npi=npi, first_name=first_name, last_name=last_name, specialty=specialty)


# --- patients --------------------------------------------------------------------------------------

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


# --- coverage --------------------------------------------------------------------------------------


def coverage_create(
    *,
    patient: Patient,
    payer: Payer,
    rank: str,
    member_id: str,
    effective_date: date,
    end_date: date | None = None,
    group_number: str = "",
    relationship: str = Relationship.SELF,
    subscriber_first_name: str = "",
    subscriber_last_name: str = "",
    subscriber_date_of_birth: date | None = None,
) -> Coverage:
    """A policy for a patient. Refuses an end before the effective date, a malformed MBI on a Medicare
    payer, and a policy overlapping another of the same rank. Locks the patient row so two clerks adding
    coverage at once cannot both pass the overlap check."""
    try:
        rank = CoverageRank(rank)
    except ValueError as exc:
        raise InvalidInputError("The rank must be primary, secondary or tertiary.") from exc
    _dates(effective_date, end_date, "coverage")
    member_id = (member_id or "").strip().upper()
    if not member_id:
        raise InvalidInputError("The member ID is missing.", code="coverage.member_id_missing")
    if payer.kind == PayerKind.MEDICARE:
        member_id = validate_mbi(member_id)
    if relationship != Relationship.SELF and not subscriber_last_name.strip():
        raise InvalidInputError(
            "The subscriber's last name is needed when the patient is not the subscriber.",
            code="coverage.subscriber_missing",
        )
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        existing = [mappers.coverage_period(c) for c in Coverage.objects.filter(patient=patient)]
        candidate = Coverage(
            patient=patient,
            payer=payer,
            rank=rank,
            member_id=member_id,
            group_number=group_number.strip(),
            relationship=relationship,
            subscriber_first_name=subscriber_first_name.strip(),
            subscriber_last_name=subscriber_last_name.strip(),
            subscriber_date_of_birth=subscriber_date_of_birth,
            effective_date=effective_date,
            end_date=end_date,
        )
        clash = find_overlap(existing, mappers.coverage_period(candidate))
        if clash is not None:
            other = Coverage.objects.select_related("payer").get(pk=clash.id)
            raise CoverageOverlapError(
                f"The patient already has a {rank.value} policy ({other.payer.name}, from "
                f"{other.effective_date.isoformat()}{' to ' + other.end_date.isoformat() if other.end_date else ''}) "
                "in force on these dates: end that policy first or pick another rank.",
                extra={"coverage": str(other.public_id)},
            )
        candidate.save()
    return candidate


def coverage_end(*, coverage: Coverage, end_date: date) -> Coverage:
    """Terminate a policy (the payer's term date), e.g. when the patient changes plans."""
    with transaction.atomic():
        locked = Coverage.objects.select_for_update().get(pk=coverage.pk)
        _dates(locked.effective_date, end_date, "coverage")
        if locked.end_date is not None and end_date > locked.end_date:
            raise InvalidInputError(
                f"The policy already ends on {locked.end_date.isoformat()}; a later end would re-open it. "
                "Add a new coverage instead.",
                code="coverage.end_later",
            )
        locked.end_date = end_date
        locked.save(update_fields=["end_date", "updated_at"])
    return locked


# --- orders ----------------------------------------------------------------------------------------


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
    _dates(start_date, end_date, "order")
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
        hcpcs = _code(d.hcpcs, f"Drug {i}: HCPCS code")
        dose = _units(d.dose, f"Drug {i} ({hcpcs}): the dose")
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


# --- eligibility -----------------------------------------------------------------------------------


def eligibility_check_record(
    *,
    coverage: Coverage,
    checked_on: date,
    service_date: date,
    active: bool,
    plan_name: str = "",
    copay: Any = None,
    coinsurance_percent: Any = None,
    deductible: Any = None,
    deductible_remaining: Any = None,
    out_of_pocket_remaining: Any = None,
    message: str = "",
) -> EligibilityCheck:
    """A check entered by hand from a payer portal or phone call."""
    if checked_on > selectors.today():
        raise InvalidInputError("The check date is in the future.", code="eligibility.future")
    percent = None
    if coinsurance_percent not in (None, ""):
        try:
            percent = Decimal(str(coinsurance_percent)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as exc:
            raise InvalidInputError("The coinsurance must be a percentage such as 20.") from exc
        if not Decimal(0) <= percent <= Decimal(100):
            raise InvalidInputError("The coinsurance must be a percentage between 0 and 100.")
    amounts = {
        "copay": _money_or_none(copay, "copay"),
        "deductible": _money_or_none(deductible, "deductible"),
        "deductible_remaining": _money_or_none(deductible_remaining, "deductible remaining"),
        "out_of_pocket_remaining": _money_or_none(out_of_pocket_remaining, "out-of-pocket remaining"),
    }
    if (
        amounts["deductible"] is not None
        and amounts["deductible_remaining"] is not None
        and amounts["deductible_remaining"] > amounts["deductible"]
    ):
        raise InvalidInputError("The deductible remaining cannot be more than the deductible.")
    return EligibilityCheck.objects.create(
        coverage=coverage,
        checked_on=checked_on,
        service_date=service_date,
        source=EligibilityCheck.Source.MANUAL,
        status=EligibilityCheck.Status.COMPLETE,
        active=active,
        plan_name=plan_name.strip()[:80],
        coinsurance_percent=percent,
        message=message,
        **amounts,
    )


def eligibility_request(*, coverage: Coverage, service_date: date) -> EligibilityCheck:
    """A pending check with its own trace number; the 270 is written on the eligibility queue after commit."""
    from intake.tasks import eligibility_request_task

    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            coverage=coverage,
            checked_on=selectors.today(),
            service_date=service_date,
            source=EligibilityCheck.Source.X12_271,
            status=EligibilityCheck.Status.PENDING,
        )
        check.trace_number = f"IRCM{check.pk:09d}"
        check.save(update_fields=["trace_number", "updated_at"])
        transaction.on_commit(lambda: eligibility_request_task.delay(check.pk))
    return check


def _envelope(control: int) -> Envelope:
    return Envelope(
        sender_id=settings.X12_SENDER_ID,
        receiver_id=settings.X12_RECEIVER_ID,
        interchange_control=control % 999_999_999 or 1,
        group_control=control % 999_999_999 or 1,
        functional_id="HS",
        version=IMPLEMENTATION_GUIDE,
        created=timezone.localtime().replace(tzinfo=None),
        usage=settings.X12_USAGE,
    )


def eligibility_build_270(*, check_id: int) -> EligibilityCheck:
    """Write and store the 270 of a pending check (idempotent: a check that has its 270 is left alone).
    A check whose data cannot make a valid 270 is marked failed with the reason."""
    with transaction.atomic():
        check = (
            EligibilityCheck.objects.select_for_update(of=("self",))
            .select_related("coverage__patient__billing_provider", "coverage__payer")
            .get(pk=check_id)
        )
        if check.status != EligibilityCheck.Status.PENDING or check.request_270:
            return check
        try:
            request = mappers.eligibility_request(check, created=timezone.localtime().replace(tzinfo=None))
            check.request_270 = build_270(request, _envelope(check.pk))
        except (InvalidInputError, PydanticValidationError) as exc:
            check.status = EligibilityCheck.Status.FAILED
            detail = (
                exc.message
                if isinstance(exc, InvalidInputError)
                else "; ".join(e["msg"] for e in exc.errors())
            )
            check.message = f"The 270 could not be written: {detail}"[:1000]
        check.save(update_fields=["request_270", "status", "message", "updated_at"])
    logger.info("270 built for eligibility check %s", check.pk)
    return check


def eligibility_import_271(*, text: str, actor=None) -> list[EligibilityCheck]:
    """Read a 271 and fill the pending checks it answers (matched by the TRN trace number, or BHT03 for a
    rejection at payer/provider level). All or nothing: a 271 that does not parse, names a trace we never
    sent, or carries impossible amounts changes no row. Re-importing the same file changes nothing."""
    try:
        response = parse_271(text)
    except InvalidInputError as exc:
        if exc.message.startswith("271 refused"):
            raise
        raise InvalidInputError(f"271 refused: {exc.message}", code="x12.271.invalid") from exc
    received_on = selectors.today()
    token = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        # Audit rows written by this import name the user who imported it (CLI, task or page).
        previous = current_actor()
        token = set_actor(
            Actor(user_id=actor.pk, username=actor.get_username(), ip=previous.ip if previous else None)
        )
    try:
        return _import_271(response, text, received_on)
    finally:
        if token is not None:
            reset_actor(token)


def _import_271(response, text: str, received_on: date) -> list[EligibilityCheck]:
    planned: list[tuple[str, dict]] = []
    for tx in response.transactions:
        traced = [s for s in tx.subjects if s.traces]
        if tx.rejections and not traced:
            planned.append(
                (
                    tx.reference_id,
                    mappers.eligibility_fields_from_rejection(tx.rejections, received_on=received_on),
                )
            )
            continue
        for subject in traced:
            planned.append(
                (subject.trace_number, mappers.eligibility_fields_from_271(subject, received_on=received_on))
            )
    if not planned:
        raise InvalidInputError(
            "271 refused: it carries no trace number (TRN) to match it to an inquiry.",
            code="x12.271.unmatched",
        )
    traces = [t for t, _ in planned]
    with transaction.atomic():
        checks = {
            c.trace_number: c
            for c in EligibilityCheck.objects.select_for_update()
            .filter(trace_number__in=traces)
            .order_by("pk")
        }
        unknown = [t for t in traces if t not in checks]
        if unknown:
            raise InvalidInputError(
                f"271 refused: no eligibility inquiry was sent with trace number {', '.join(unknown)}; "
                "nothing was imported.",
                code="x12.271.unmatched",
                extra={"traces": unknown},
            )
        done: list[EligibilityCheck] = []
        for trace, fields in planned:
            check = checks[trace]
            if check.status != EligibilityCheck.Status.PENDING:
                if check.response_271 == text:
                    done.append(check)  # the same file again: nothing to do
                    continue
                raise DomainError(
                    f"271 refused: the inquiry with trace number {trace} was already answered on "
                    f"{check.checked_on.isoformat()}; nothing was imported.",
                    code="x12.271.already_answered",
                )
            for name, value in fields.items():
                setattr(check, name, value)
            check.response_271 = text
            check.source = EligibilityCheck.Source.X12_271
            check.save()
            done.append(check)
    logger.info("271 imported into eligibility checks %s", [c.pk for c in done])
    return done


# --- prior authorizations --------------------------------------------------------------------------


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
    _dates(start_date, end_date, "authorization")
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
        code = _code(s.code, f"Service {i}: code")
        if any(c["code"] == code for c in cleaned):
            raise InvalidInputError(f"{code} is listed twice on the authorization.")
        if s.unit_kind not in ("units", "visits"):
            raise InvalidInputError(f"{code}: count units or visits.")
        cleaned.append(
            {"code": code, "authorized_units": _units(s.authorized_units, f"{code}: authorized {s.unit_kind}"),
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
        AuthorizedService.objects.bulk_create([AuthorizedService(authorization=auth, **c) for c in cleaned])
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
        service = by_auth[chosen.id]
        draw_down(chosen, wanted, amount, on=service_date)  # raises AuthUnitsError on over-draw
        service.used_units = service.used_units + amount
        service.save(update_fields=["used_units", "updated_at"])
        AuthUsage.objects.create(service=service, units=amount, service_date=service_date, source=source)
    logger.info("auth service %s drawn by %s units", service.pk, amount)
    return service


# --- alerts ----------------------------------------------------------------------------------------


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
    by_id = {a.pk: a for a in auths}
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
