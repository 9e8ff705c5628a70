"""Working a denial: assign, move its status, add a note, resolve by hand; saved views and
assignment rules. Every change locks the denial and writes a DenialEvent in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from denials.domain.types import DENIAL_TRANSITIONS, DenialStatus, Resolution
from denials.models import Denial, DenialEvent, SavedView
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.common.errors import DomainError, InvalidInputError

MAX_NOTE = 5000


class DenialStateError(DomainError):
    code = "denials.state"


def user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def lock(denial: Denial) -> Denial:
    """The denial under a row lock, re-read (with its claim)."""
    return (
        Denial.objects.select_for_update(no_key=True, of=("self",))
        .select_related("claim__payer", "claim_line")
        .get(pk=denial.pk)
    )


def require_open(denial: Denial) -> None:
    if denial.status == DenialStatus.RESOLVED:
        raise DenialStateError(
            f"This denial is resolved ({Resolution(denial.resolution).label.lower()}): nothing more to do."
        )


def event(denial: Denial, kind: str, *, actor, message: str, before: str = "", payload=None) -> DenialEvent:
    return DenialEvent.objects.create(
        denial=denial,
        kind=kind,
        from_status=before,
        to_status=denial.status if before else "",
        message=message[:2000],
        payload=payload or {},
        actor=user_or_none(actor),
    )


def required_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInputError(f"Write {what}.", code="denials.text_required")
    if len(text) > MAX_NOTE:
        raise InvalidInputError(f"Keep {what} under {MAX_NOTE} characters.", code="denials.text_too_long")
    return text


def move(denial: Denial, to: DenialStatus, *, actor, message: str, payload=None, **fields) -> Denial:
    """Move a locked denial (checked against DENIAL_TRANSITIONS) and record it."""
    DENIAL_TRANSITIONS.check(denial.status, to)
    before = denial.status
    denial.status = to.value
    for name, value in fields.items():
        setattr(denial, name, value)
    if to == DenialStatus.RESOLVED:
        denial.resolved_at = timezone.now()
    denial.save()
    kind = DenialEvent.Kind.RESOLVED if to == DenialStatus.RESOLVED else DenialEvent.Kind.STATUS
    event(denial, kind, actor=actor, message=message, before=before, payload=payload)
    return denial


def denial_move(*, denial: Denial, to: str, actor, note: str = "") -> Denial:
    """A biller moves an open denial between new, in progress and waiting on payer."""
    try:
        target = DenialStatus(to)
    except ValueError:
        raise InvalidInputError(
            "Choose new, in progress or waiting on payer.", code="denials.bad_status"
        ) from None
    if target == DenialStatus.RESOLVED:
        raise InvalidInputError(
            "Resolve a denial with one of its actions (write off, bill the patient ...) or mark it recovered.",
            code="denials.resolve_by_action",
        )
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        if locked.status == target:
            return locked
        note = (note or "").strip()[:MAX_NOTE]
        return move(locked, target, actor=actor, message=note or f"Moved to {target.label.lower()}")


def denial_mark_recovered(*, denial: Denial, actor, amount: Decimal, note: str) -> Denial:
    """The money came outside a remittance (a check with a letter, a portal adjustment)."""
    note = required_text(note, "how the money was recovered")
    if not isinstance(amount, Decimal) or amount <= 0:
        raise InvalidInputError("Give the amount recovered (more than 0.00).", code="denials.bad_amount")
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        if amount > locked.amount:
            raise InvalidInputError(
                f"The amount recovered cannot exceed the {locked.amount} at stake.", code="denials.bad_amount"
            )
        moved = move(
            locked,
            DenialStatus.RESOLVED,
            actor=actor,
            message=f"Recovered {amount}: {note}",
            resolution=Resolution.RECOVERED.value,
            recovered_amount=amount,
        )
        from denials.services.appeals import appeals_record_recovery  # appeals imports this module

        appeals_record_recovery(denial=moved, recovered=amount)
        return moved


def denial_assign(*, denial: Denial, user, actor) -> Denial:
    """Give the denial to `user` (a biller), or take it back to nobody (None)."""
    if user is not None and not user_has(user, Capability.BILLING_WORK):
        raise InvalidInputError(
            f"{user.get_full_name() or user.get_username()} does not work denials: choose a biller.",
            code="denials.bad_owner",
        )
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        if locked.owner_id == (user.pk if user else None):
            return locked
        locked.owner = user
        locked.save(update_fields=["owner", "updated_at"])
        name = (user.get_full_name() or user.get_username()) if user else "nobody"
        event(
            locked,
            DenialEvent.Kind.ASSIGNED,
            actor=actor,
            message=f"Assigned to {name}",
            payload={"owner": user.pk if user else None},
        )
    return locked


def denials_assign_many(*, denials: list[Denial], user, actor) -> int:
    """Reassign several denials (the queue's bulk reassignment); resolved ones are skipped."""
    count = 0
    for denial in sorted(denials, key=lambda d: d.pk):  # id order: no deadlock with another bulk move
        if denial.status == DenialStatus.RESOLVED:
            continue
        denial_assign(denial=denial, user=user, actor=actor)
        count += 1
    return count


def denial_note(*, denial: Denial, text: str, actor) -> DenialEvent:
    text = required_text(text, "the note")
    with transaction.atomic():
        locked = lock(denial)
        return event(locked, DenialEvent.Kind.NOTE, actor=actor, message=text)


def saved_view_save(*, name: str, query: str, owner, shared: bool = True) -> SavedView:
    """Save the queue's current filter under a name (the same name of the same owner is updated)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInputError("Give the view a name.", code="denials.view_name")
    if len(name) > 80 or len(query or "") > 1000:
        raise InvalidInputError("The name or the filter is too long.", code="denials.view_too_long")
    query = (query or "").lstrip("?")
    view, _ = SavedView.objects.update_or_create(
        owner=owner, name=name, defaults={"query": query, "shared": shared}
    )
    return view


def saved_view_delete(*, view: SavedView, actor) -> None:
    if view.owner_id != getattr(actor, "pk", None):
        raise DomainError("Only the biller who saved a view can delete it.", code="denials.view_owner")
    view.delete()
