"""Eligibility: checks entered by hand, 270 inquiries written on the queue, 271 answers read in."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from infusion_rcm.audit.context import Actor, current_actor, reset_actor, set_actor
from infusion_rcm.common.errors import DomainError, InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.x12.control_numbers import interchange_open, interchange_written
from infusion_rcm.x12.errors import X12Error
from intake import mappers, selectors
from intake.domain.eligibility_270 import build_270
from intake.domain.eligibility_271 import parse_271
from intake.domain.eligibility_codes import IMPLEMENTATION_GUIDE
from intake.models import Coverage, EligibilityCheck

logger = logging.getLogger(__name__)


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


def eligibility_request(
    *, coverage: Coverage, service_date: date, write_now: bool = False
) -> EligibilityCheck:
    """A pending check with its own trace number; the 270 is written on the eligibility queue after commit.

    `write_now` writes the 270 in this transaction instead (a caller that already runs on a worker,
    such as the eligibility-ahead job, has no reason to queue another task per inquiry).
    """
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
        if write_now:
            check = eligibility_build_270(check_id=check.pk)
        else:
            transaction.on_commit(lambda: eligibility_request_task.delay(check.pk))
    return check


def eligibility_build_270(*, check_id: int) -> EligibilityCheck:
    """Write and store the 270 of a pending check (idempotent: a check that has its 270 is left alone).

    ISA13 and GS06 come from the shared x12 series and the interchange is registered (and linked to
    the check), so a 999 for it is matched like any other interchange we send. A check whose data
    cannot make a valid 270 is marked failed with the reason, and no interchange is registered.
    """
    with transaction.atomic():
        check = (
            EligibilityCheck.objects.select_for_update(of=("self",))
            .select_related("coverage__patient__billing_provider", "coverage__payer")
            .get(pk=check_id)
        )
        if check.status != EligibilityCheck.Status.PENDING or check.request_270:
            return check
        created = timezone.localtime().replace(tzinfo=None)
        try:
            request = mappers.eligibility_request(check, created=created)
            with transaction.atomic():  # a 270 that does not render leaves no register row behind
                opened = interchange_open(
                    functional_id="HS", transaction_set="270", version=IMPLEMENTATION_GUIDE, created=created
                )
                check.request_270 = build_270(request, opened.envelope)
                interchange_written(opened.record, transaction_count=1)
            check.interchange = opened.record
        except (InvalidInputError, PydanticValidationError) as exc:
            check.status = EligibilityCheck.Status.FAILED
            detail = (
                exc.message
                if isinstance(exc, InvalidInputError)
                else "; ".join(e["msg"] for e in exc.errors())
            )
            check.message = f"The 270 could not be written: {detail}"[:1000]
        check.save(update_fields=["request_270", "status", "message", "interchange", "updated_at"])
    logger.info("270 built for eligibility check %s", check.pk)
    return check


def eligibility_import_271(*, text: str, actor=None) -> list[EligibilityCheck]:
    """Read a 271 and fill the pending checks it answers (matched by the TRN trace number, or BHT03 for a
    rejection at payer/provider level). All or nothing: a 271 that does not parse, names a trace we never
    sent, or carries impossible amounts changes no row. Re-importing the same file changes nothing."""
    try:
        response = parse_271(text)
    except X12Error as exc:
        # One stable code for every refused 271; the reader's own code and the position stay in extra.
        raise InvalidInputError(
            f"271 refused: {exc.message}", code="x12.271.invalid", extra={**exc.extra, "reason": exc.code}
        ) from exc
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


def _same_member(answered: tuple[str, str, date | None], check: EligibilityCheck) -> bool:
    member_id, last_name, birth_date = answered
    coverage = check.coverage
    if not member_id or member_id == (coverage.member_id or "").strip().upper():
        return True
    patient = coverage.patient
    return (
        bool(last_name)
        and last_name == (patient.last_name or "").strip().upper()
        and (birth_date is None or birth_date == patient.date_of_birth)
    )


def _import_271(response, text: str, received_on: date) -> list[EligibilityCheck]:
    planned: list[tuple[str, dict]] = []
    # The member each trace was answered for: a trace number is ours, but a 271 is matched to an
    # inquiry only when the payer answered about the member that inquiry asked about (by member id,
    # or, when the payer corrected the id, by the patient's last name and birth date).
    members: dict[str, tuple[str, str, date | None]] = {}
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
            members[subject.trace_number] = (
                (subject.member_id or "").strip().upper(),
                (subject.member.name or "").strip().upper(),
                subject.birth_date,
            )
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
            for c in EligibilityCheck.objects.select_for_update(of=("self",))
            .select_related("coverage__patient")
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
        wrong_member = [t for t in traces if t in members and not _same_member(members[t], checks[t])]
        if wrong_member:
            raise InvalidInputError(
                f"271 refused: the answer for trace number {', '.join(wrong_member)} is about another "
                "member than the inquiry we sent; nothing was imported. Ask the clearinghouse to check the file.",
                code="x12.271.member_mismatch",
                extra={"traces": wrong_member},
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
