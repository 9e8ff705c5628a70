"""The claim state machine: the only code that changes `Claim.status` (row lock, table check, ClaimEvent)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from claims.domain.transitions import CLAIM_TRANSITIONS
from claims.domain.types import ClaimStatus
from claims.models import (
    Claim,
    ClaimEvent,
)
from claims.services.common import _user_id
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk

# ---------------------------------------------------------------------------
# State machine
# ---------------------------------------------------------------------------


def claim_transition(
    *, claim: Claim, to: ClaimStatus | str, actor, reason: str, payload: dict | None = None, **fields: Any
) -> Claim:
    """Move one claim to `to`, recording a ClaimEvent; `fields` are saved with the move.

    Takes a row lock (SELECT ... FOR NO KEY UPDATE) and re-reads the status under it, so two
    concurrent moves serialize and the second sees the first's result. An illegal move raises
    IllegalTransitionError and changes nothing.
    """
    target = ClaimStatus(to)
    with transaction.atomic():
        locked = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
        current = locked.status
        CLAIM_TRANSITIONS.check(current, target)
        locked.status = target.value
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "updated_at", *fields])
        ClaimEvent.objects.create(
            claim=locked,
            from_status=current,
            to_status=target.value,
            actor=_user(actor),
            reason=reason,
            payload=payload or {},
        )
    claim.status = locked.status
    for name in fields:
        setattr(claim, name, getattr(locked, name))
    return locked


def _user(actor):
    return actor if _user_id(actor) is not None else None


def _transition_many(
    moves: Sequence[tuple[int, str, str]],
    *,
    actor,
    reason: str,
    payloads: dict[int, dict] | None = None,
    extra_update: dict[str, Any] | None = None,
) -> None:
    """Apply already-checked moves (claim id, from, to) for claims locked by the caller."""
    if not moves:
        return
    now = timezone.now()
    by_target: dict[str, list[int]] = defaultdict(list)
    for claim_id, current, target in moves:
        CLAIM_TRANSITIONS.check(current, target)
        by_target[target].append(claim_id)
    for target, ids in by_target.items():
        Claim.objects.filter(pk__in=ids).update(status=target, updated_at=now, **(extra_update or {}))
    user = _user(actor)
    payloads = payloads or {}
    ClaimEvent.objects.bulk_create(
        [
            ClaimEvent(
                claim_id=cid,
                from_status=cur,
                to_status=tgt,
                actor=user,
                reason=reason,
                payload=payloads.get(cid, {}),
            )
            for cid, cur, tgt in moves
        ],
        batch_size=5000,
    )
    audit_events_bulk(
        action=AuditEntry.Action.UPDATE,
        model=Claim,
        ids=[m[0] for m in moves],
        changed_fields=["status", *(extra_update or {})],
        user=actor,
    )


def _lock_statuses(ids: Iterable[int]) -> dict[int, str]:
    """Lock claims in id order and return their current statuses (re-read under the lock)."""
    rows = Claim.objects.select_for_update(no_key=True).filter(pk__in=list(ids)).order_by("pk")
    return dict(rows.values_list("pk", "status"))
