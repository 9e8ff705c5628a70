"""Appeals: draft a level with its letter, send it, record the payer's decision, link the money.

Every write locks the denial (then the appeal) and writes a DenialEvent in the same transaction.
Levels and deadlines are the pure rules of denials.domain.appeals (DEN-AP1..AP5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from denials.catalog import reason_in_words
from denials.domain.appeals import (
    ATTACHMENT_CHOICES,
    AppealLevel,
    NextLevel,
    NoFurtherLevel,
    Outcome,
    argument,
    first_level,
    next_level,
)
from denials.domain.types import Category, DenialStatus
from denials.models import Denial, DenialEvent
from denials.models_appeals import Appeal, AppealStatus
from denials.services.work import DenialStateError, event, lock, move, require_open
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.pdf import render_html, render_pdf

MAX_TEXT = 5000


def _level_after(denial: Denial, appeals: list[Appeal]) -> NextLevel:
    """The level the next appeal of this denial is at, or DenialStateError why there is none."""
    kind = denial.payer.kind
    if not appeals:
        return first_level(kind, denial_appeal_deadline=denial.appeal_deadline or denial.due_date)
    last = appeals[-1]
    if last.status != AppealStatus.DECIDED:
        raise DenialStateError(
            f"The {AppealLevel(last.level).label.lower()} is not decided yet: record the payer's decision first."
        )
    if last.outcome != Outcome.UPHELD:
        raise DenialStateError(
            f"The {AppealLevel(last.level).label.lower()} was {Outcome(last.outcome).label.lower()}: "
            "the payment resolves this denial when it is posted."
        )
    assert last.decision_date is not None
    try:
        return next_level(kind, AppealLevel(last.level), decision_date=last.decision_date)
    except NoFurtherLevel:
        raise DenialStateError(
            f"The {AppealLevel(last.level).label.lower()} was the last level of appeal for "
            f"{denial.payer.name}: write off or bill the patient if the contract allows."
        ) from None


def appeal_next_level(denial: Denial) -> NextLevel | None:
    """For pages: the level a new appeal would be at, or None if none can be started now."""
    try:
        return _level_after(denial, list(denial.appeals.order_by("created_at", "pk")))
    except DenialStateError:
        return None


def _attachments(values: list[str]) -> list[str]:
    out = []
    for value in values:
        value = (value or "").strip()
        if not value:
            continue
        if len(value) > 120:
            raise InvalidInputError(
                "Name each attachment in under 120 characters.", code="appeals.attachment"
            )
        if value not in out:
            out.append(value)
    if not out:
        raise InvalidInputError(
            "List at least one attachment (the letter says what is enclosed).", code="appeals.no_attachments"
        )
    return out


def appeal_start(
    *, denial: Denial, actor, attachments: list[str], letter_note: str = "", today: dt.date | None = None
) -> Appeal:
    """Draft the next level of appeal of an open denial, with the letter's attachments. Refused
    after the level's deadline, while the last level is undecided or was won, after the last."""
    today = today or timezone.localdate()
    listed = _attachments(attachments)
    letter_note = (letter_note or "").strip()
    if len(letter_note) > MAX_TEXT:
        raise InvalidInputError(
            f"Keep the letter's paragraph under {MAX_TEXT} characters.", code="appeals.note"
        )
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        appeals = list(Appeal.objects.select_for_update().filter(denial=locked).order_by("created_at", "pk"))
        level = _level_after(locked, appeals)
        if today > level.deadline:
            raise DenialStateError(
                f"The deadline for the {level.level.label.lower()} passed on {level.deadline:%Y-%m-%d} "
                f"({level.basis}). Write off the denial, or document a good-cause exception in a note."
            )
        appeal = Appeal.objects.create(
            denial=locked,
            level=level.level.value,
            deadline=level.deadline,
            deadline_basis=level.basis[:200],
            attachments=listed,
            letter_note=letter_note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        message = f"{level.level.label} drafted, due {level.deadline:%Y-%m-%d}"
        if locked.status in (DenialStatus.NEW, DenialStatus.WAITING_ON_PAYER):
            move(
                locked,
                DenialStatus.IN_PROGRESS,
                actor=actor,
                message=message,
                payload={"appeal": str(appeal.public_id)},
            )
        else:
            event(
                locked,
                DenialEvent.Kind.ACTION,
                actor=actor,
                message=message,
                payload={"appeal": str(appeal.public_id)},
            )
    return appeal


def _locked(appeal: Appeal) -> tuple[Denial, Appeal]:
    denial = lock(appeal.denial)
    return denial, Appeal.objects.select_for_update().get(pk=appeal.pk)


def appeal_send(*, appeal: Appeal, sent_on: dt.date, actor, today: dt.date | None = None) -> Appeal:
    """The letter went to the payer on `sent_on`: the denial waits on the payer."""
    today = today or timezone.localdate()
    if sent_on > today:
        raise InvalidInputError("The date sent cannot be in the future.", code="appeals.future")
    with transaction.atomic():
        denial, locked = _locked(appeal)
        require_open(denial)
        if locked.status != AppealStatus.DRAFT:
            raise DenialStateError(f"This appeal was already sent on {locked.sent_on:%Y-%m-%d}.")
        locked.status, locked.sent_on = AppealStatus.SENT, sent_on
        locked.save(update_fields=["status", "sent_on", "updated_at"])
        label = AppealLevel(locked.level).label
        late = f" (after its deadline of {locked.deadline:%Y-%m-%d})" if sent_on > locked.deadline else ""
        message = f"{label} sent on {sent_on:%Y-%m-%d}{late}"
        payload = {"appeal": str(locked.public_id)}
        if denial.status != DenialStatus.WAITING_ON_PAYER:
            move(denial, DenialStatus.WAITING_ON_PAYER, actor=actor, message=message, payload=payload)
        else:
            event(denial, DenialEvent.Kind.ACTION, actor=actor, message=message, payload=payload)
    return locked


def appeal_decide(
    *,
    appeal: Appeal,
    outcome: str,
    decision_date: dt.date,
    received_on: dt.date | None,
    note: str,
    actor,
    today: dt.date | None = None,
) -> Appeal:
    """The payer decided (DEN-AP4). Overturned or partly: the denial keeps waiting for the money
    (the remittance resolves it, DEN-R1). Upheld: back in progress, with the next level's
    deadline in the history (or the last level reached)."""
    today = today or timezone.localdate()
    try:
        result = Outcome(outcome)
    except ValueError:
        raise InvalidInputError(
            "Choose overturned, partly overturned or upheld.", code="appeals.outcome"
        ) from None
    received_on = received_on or decision_date
    if decision_date > today or received_on > today:
        raise InvalidInputError("The decision's dates cannot be in the future.", code="appeals.future")
    if received_on < decision_date:
        raise InvalidInputError("The decision cannot be received before its date.", code="appeals.dates")
    note = (note or "").strip()[:MAX_TEXT]
    with transaction.atomic():
        denial, locked = _locked(appeal)
        if locked.status != AppealStatus.SENT:
            raise DenialStateError("Record a decision on an appeal that was sent and is not decided yet.")
        assert locked.sent_on is not None
        if decision_date < locked.sent_on:
            raise InvalidInputError(
                f"The decision cannot be dated before the appeal was sent ({locked.sent_on:%Y-%m-%d}).",
                code="appeals.dates",
            )
        locked.status, locked.outcome = AppealStatus.DECIDED, result.value
        locked.decision_date, locked.received_on, locked.decision_note = decision_date, received_on, note
        locked.save(
            update_fields=["status", "outcome", "decision_date", "received_on", "decision_note", "updated_at"]
        )
        label = AppealLevel(locked.level).label
        message = f"{label}: {result.label.lower()} on {decision_date:%Y-%m-%d}"
        if note:
            message += f". {note}"
        payload = {"appeal": str(locked.public_id), "outcome": result.value}
        if denial.status == DenialStatus.RESOLVED:
            event(denial, DenialEvent.Kind.ACTION, actor=actor, message=message, payload=payload)
            return locked
        if result == Outcome.UPHELD:
            try:
                after = next_level(denial.payer.kind, AppealLevel(locked.level), decision_date=decision_date)
                message += f". Next: {after.level.label.lower()} by {after.deadline:%Y-%m-%d}"
            except NoFurtherLevel:
                message += ". That was the last level of appeal"
            move(denial, DenialStatus.IN_PROGRESS, actor=actor, message=message, payload=payload)
        else:
            message += ". The payment resolves the denial when it is posted"
            event(denial, DenialEvent.Kind.ACTION, actor=actor, message=message, payload=payload)
    return locked


def appeals_record_recovery(*, denial: Denial, recovered: Decimal) -> None:
    """A later payment recovered `recovered` on this denial: credit it to the appeal that won it
    (the latest one decided for us, else the latest sent). Called under the denial's lock."""
    appeal = (
        Appeal.objects.select_for_update()
        .filter(denial=denial, status__in=[AppealStatus.SENT, AppealStatus.DECIDED])
        .exclude(outcome=Outcome.UPHELD)
        .order_by("-created_at", "-pk")
        .first()
    )
    if appeal is not None:
        appeal.recovered_amount = recovered
        appeal.save(update_fields=["recovered_amount", "updated_at"])


def appeal_letter_context(appeal: Appeal, *, today: dt.date | None = None) -> dict[str, Any]:
    """The facts the letter shows (DEN-AP5): claim, patient, payer, lines, reason, argument."""
    denial = appeal.denial
    claim = denial.claim
    lines = list(claim.lines.order_by("line_number"))
    if denial.claim_line_id:
        lines = [ln for ln in lines if ln.pk == denial.claim_line_id]
    return {
        "appeal": appeal,
        "level": AppealLevel(appeal.level).label,
        "denial": denial,
        "claim": claim,
        "patient": claim.patient,
        "payer": claim.payer,
        "provider": claim.billing_provider,
        "lines": lines,
        "reason": reason_in_words(denial.group, denial.carc),
        "argument": argument(Category(denial.category), auth=claim.prior_auth_number),
        "attachments": appeal.attachments,
        "today": today or timezone.localdate(),
    }


LETTER_TEMPLATE = "pdf/appeal_letter.html"


def appeal_letter_html(appeal: Appeal) -> str:
    return render_html(LETTER_TEMPLATE, appeal_letter_context(appeal))


def appeal_letter_pdf(appeal: Appeal) -> bytes:
    return render_pdf(LETTER_TEMPLATE, appeal_letter_context(appeal))


__all__ = [
    "ATTACHMENT_CHOICES",
    "appeal_decide",
    "appeal_letter_context",
    "appeal_letter_html",
    "appeal_letter_pdf",
    "appeal_next_level",
    "appeal_send",
    "appeal_start",
    "appeals_record_recovery",
]
