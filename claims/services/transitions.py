"""The claim state machine: the only code that changes `Claim.status` (row lock, table check, ClaimEvent)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
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


@dataclass(frozen=True)
class Adjudication:
    """One payer decision about one claim, in file order (payments posting builds these)."""

    claim_id: int
    to: str  # a ClaimStatus value
    reason: str
    payer_claim_number: str = ""  # CLP07; kept on the claim when given
    status_reason: str = ""  # shown on the claim (e.g. the denial reasons); kept when given
    payload: dict = field(default_factory=dict)


def claims_adjudicate(*, decisions: Sequence[Adjudication], actor) -> dict[int, str]:
    """Apply remittance decisions to many claims at once, set-based (one 835 holds thousands).

    Locks the claims in id order (SELECT ... FOR NO KEY UPDATE), re-reads their statuses, then
    walks each claim's decisions in the order given (a reversal, then the corrected claim): a
    decision to the status the claim is already in moves nothing; a move the table refuses is
    skipped and reported, the claim staying where it was (the money is posted regardless: the
    payer's decision stands; the biller sees why the status did not follow). Every move writes a
    ClaimEvent; the payer claim number and status reason are saved with the final status.
    Returns per claim id what happened: "moved", "unchanged" or "refused: <why>".
    """
    if not decisions:
        return {}
    statuses = _lock_statuses({d.claim_id for d in decisions})
    current = dict(statuses)
    moves: list[tuple[int, str, str, Adjudication]] = []
    outcome: dict[int, str] = {}
    extra: dict[int, dict[str, str]] = defaultdict(dict)
    for decision in decisions:
        if decision.claim_id not in current:
            continue
        before = current[decision.claim_id]
        if decision.payer_claim_number:
            extra[decision.claim_id]["payer_claim_number"] = decision.payer_claim_number[:50]
        if decision.status_reason:
            extra[decision.claim_id]["status_reason"] = decision.status_reason[:1000]
        if before == decision.to:
            outcome.setdefault(decision.claim_id, "unchanged")
            continue
        if not CLAIM_TRANSITIONS.allowed(before, decision.to):
            outcome[decision.claim_id] = f"refused: a {before} claim cannot move to {decision.to}"
            continue
        moves.append((decision.claim_id, before, decision.to, decision))
        current[decision.claim_id] = decision.to
        outcome[decision.claim_id] = "moved"
    now = timezone.now()
    changed = [cid for cid in current if current[cid] != statuses[cid] or extra.get(cid)]
    _save_adjudicated(
        [
            (
                cid,
                current[cid],
                extra.get(cid, {}).get("payer_claim_number"),
                extra.get(cid, {}).get("status_reason"),
            )
            for cid in changed
        ],
        now=now,
    )
    _insert_events(
        [(cid, before, to, decision.reason[:1000], decision.payload) for cid, before, to, decision in moves],
        user=_user(actor),
        now=now,
    )
    audit_events_bulk(
        action=AuditEntry.Action.UPDATE,
        model=Claim,
        ids=changed,
        changed_fields=["status", "payer_claim_number", "status_reason"],
        user=actor,
    )
    return outcome


def _insert_events(events: list[tuple[int, str, str, str, dict]], *, user, now) -> None:
    """(claim id, from, to, reason, payload): one ClaimEvent each. On PostgreSQL one
    INSERT ... SELECT FROM unnest(arrays) per few thousand, without a model instance per event
    (a remittance moves thousands of claims); elsewhere bulk_create."""
    if not events:
        return
    if connection.vendor != "postgresql":
        ClaimEvent.objects.bulk_create(
            [
                ClaimEvent(
                    claim_id=cid, from_status=before, to_status=to, actor=user, reason=reason, payload=payload
                )
                for cid, before, to, reason, payload in events
            ],
            batch_size=5000,
        )
        return
    sql = (
        f"INSERT INTO {ClaimEvent._meta.db_table} "  # noqa: S608 - our table name
        "(claim_id, from_status, to_status, reason, payload, actor_id, created_at) "
        "SELECT v.claim_id, v.from_status, v.to_status, v.reason, v.payload::jsonb, %s, %s "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) WITH ORDINALITY "
        "AS v(claim_id, from_status, to_status, reason, payload, n) ORDER BY v.n"  # ids in move order
    )
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        for start in range(0, len(events), 5000):
            part = events[start : start + 5000]
            cursor.execute(
                sql,
                [
                    user_id,
                    now,
                    [e[0] for e in part],
                    [e[1] for e in part],
                    [e[2] for e in part],
                    [e[3] for e in part],
                    [json.dumps(e[4]) for e in part],
                ],
            )


def _save_adjudicated(rows: list[tuple[int, str, str | None, str | None]], *, now) -> None:
    """(claim id, status, payer claim number or None, status reason or None): each claim is
    rewritten once, status and numbers together (status is indexed, so every UPDATE of a claim
    writes a new version of the row and of its many indexes). On PostgreSQL one
    UPDATE ... FROM unnest(arrays) per few thousand claims; elsewhere per status, then bulk_update."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        by_status: dict[str, list[int]] = defaultdict(list)
        for cid, status, _, _ in rows:
            by_status[status].append(cid)
        for status, ids in by_status.items():
            Claim.objects.filter(pk__in=ids).update(status=status, updated_at=now)
        wanted = {cid: (pcn, reason) for cid, _, pcn, reason in rows if pcn is not None or reason is not None}
        claims = list(Claim.objects.filter(pk__in=list(wanted)))
        for claim in claims:
            pcn, reason = wanted[claim.pk]
            claim.payer_claim_number = claim.payer_claim_number if pcn is None else pcn
            claim.status_reason = claim.status_reason if reason is None else reason
        Claim.objects.bulk_update(claims, ["payer_claim_number", "status_reason"])
        return
    table = Claim._meta.db_table
    sql = (
        f"UPDATE {table} AS c SET status = v.status, updated_at = %s, "  # noqa: S608 - our table name
        "payer_claim_number = COALESCE(v.pcn, c.payer_claim_number), "
        "status_reason = COALESCE(v.reason, c.status_reason) "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, status, pcn, reason) "
        "WHERE c.id = v.id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            part = rows[start : start + 5000]
            cursor.execute(sql, [now, *([row[i] for row in part] for i in range(4))])


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
    ids = sorted(set(ids))
    if connection.vendor != "postgresql":
        rows = Claim.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        return dict(rows.values_list("pk", "status"))
    # One array parameter, not one placeholder per id: a remittance locks thousands of claims.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, status FROM {Claim._meta.db_table} WHERE id = ANY(%s::bigint[]) "  # noqa: S608 - our table name
            "ORDER BY id FOR NO KEY UPDATE",
            [ids],
        )
        return dict(cursor.fetchall())
