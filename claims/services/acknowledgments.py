"""999 and 277CA acknowledgments: accepted / rejected claims, idempotent by checksum."""

from __future__ import annotations

import hashlib

from django.db import transaction

from claims.domain.acknowledgments import ClaimAckStatus, parse_277ca, parse_999
from claims.models import (
    Acknowledgment,
    Claim,
    SubmissionBatch,
)
from claims.services.common import S
from claims.services.transitions import _lock_statuses, _transition_many, _user, claim_transition
from infusion_rcm.common.errors import InvalidInputError

# ---------------------------------------------------------------------------
# Acknowledgments (999, 277CA)
# ---------------------------------------------------------------------------


def _kind_of(text: str) -> str:
    head = text.lstrip()[:400].upper()
    if "ST*999" in head or "*005010X231" in head:
        return Acknowledgment.Kind.X999
    if "ST*277" in head or "*005010X214" in head:
        return Acknowledgment.Kind.X277CA
    raise InvalidInputError("Not a 999 or 277CA file (no ST*999 or ST*277 near the start).", code="ack.kind")


def acknowledgment_import(*, text: str, file_name: str, actor) -> Acknowledgment:
    """Import a 999 or 277CA and apply it to our submitted claims.

    Idempotent by the sha256 of the text: the same file again returns the first import. A file
    that cannot be read is kept with status failed and the reason. A 999 rejecting a transaction
    set rejects every claim of the batch with that GS06; a 277CA accepts (storing the payer claim
    number, REF*1K) or rejects claim by claim (CLM01 = TRN02). A rejection is its own state, not a
    denial. Claims not in 'submitted' are reported in `results` and left alone.
    """
    checksum = hashlib.sha256(text.encode()).hexdigest()
    existing = Acknowledgment.objects.filter(checksum=checksum).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        ack = Acknowledgment(
            checksum=checksum, file_name=file_name[:120], content=text, imported_by=_user(actor)
        )
        try:
            ack.kind = _kind_of(text)
            if ack.kind == Acknowledgment.Kind.X999:
                ack.results = _apply_999(text, actor)
            else:
                ack.results = _apply_277ca(text, actor)
            ack.status = Acknowledgment.Status.APPLIED
        except InvalidInputError as exc:
            ack.kind = ack.kind or Acknowledgment.Kind.X999
            ack.status = Acknowledgment.Status.FAILED
            ack.error = exc.message
            ack.results = []
        ack.save()
    return ack


def _apply_999(text: str, actor) -> list[dict]:
    parsed = parse_999(text)
    results: list[dict] = []
    for tx in parsed.transactions:
        try:
            gs = int(tx.group_control_number)
        except ValueError:
            gs = -1
        batch = SubmissionBatch.objects.filter(group_control_number=gs).first()
        if batch is None:
            results.append(
                {"group": tx.group_control_number, "set": tx.control_number, "outcome": "unknown batch"}
            )
            continue
        if tx.accepted:
            results.append({"batch": batch.file_name, "set": tx.control_number, "outcome": "accepted"})
            continue
        reason = (
            "999 rejected the file: "
            + "; ".join(f"{e.segment_id} at {e.segment_position} (error {e.error_code})" for e in tx.errors)
            if tx.errors
            else f"999 rejected the file (IK5 {tx.status})"
        )
        statuses = _lock_statuses(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
        moves = [(cid, st, S.REJECTED.value) for cid, st in statuses.items() if st == S.SUBMITTED.value]
        _transition_many(
            moves, actor=actor, reason=reason[:1000], extra_update={"status_reason": reason[:1000]}
        )
        results.append(
            {"batch": batch.file_name, "set": tx.control_number, "outcome": "rejected", "claims": len(moves)}
        )
    return results


def _apply_277ca(text: str, actor) -> list[dict]:
    parsed = parse_277ca(text)
    results: list[dict] = []
    numbers = [c.patient_control_number for c in parsed.claims]
    by_number = {c.claim_number: c for c in Claim.objects.filter(claim_number__in=numbers)}
    for item in parsed.claims:
        claim = by_number.get(item.patient_control_number)
        if claim is None:
            results.append({"claim": item.patient_control_number, "outcome": "unknown claim"})
            continue
        if item.status is ClaimAckStatus.PENDING:
            results.append({"claim": claim.claim_number, "outcome": "pending"})
            continue
        if claim.status != S.SUBMITTED.value:
            results.append({"claim": claim.claim_number, "outcome": f"skipped: claim is {claim.status}"})
            continue
        codes = ", ".join(
            f"{s.category}:{s.status}" + (f":{s.entity}" if s.entity else "") for s in item.statuses
        )
        if item.status is ClaimAckStatus.ACCEPTED:
            claim_transition(
                claim=claim,
                to=S.ACCEPTED,
                actor=actor,
                reason=f"277CA accepted ({codes})",
                payload={"statuses": codes},
                payer_claim_number=item.payer_claim_control_number or claim.payer_claim_number,
            )
            results.append({"claim": claim.claim_number, "outcome": "accepted"})
        else:
            reason = f"277CA rejected ({codes})" + (f": {item.free_text}" if item.free_text else "")
            claim_transition(
                claim=claim,
                to=S.REJECTED,
                actor=actor,
                reason=reason,
                payload={"statuses": codes},
                status_reason=reason,
            )
            results.append({"claim": claim.claim_number, "outcome": "rejected"})
    return results


def claim_resubmit_after_rejection(*, claim: Claim, actor, reason: str = "") -> Claim:
    """A rejected claim was never filed: reopen it as a draft to correct and scrub again."""
    return claim_transition(
        claim=claim,
        to=S.DRAFT,
        actor=actor,
        reason=reason or "Reopened after rejection",
        batch=None,
        status_reason="",
    )
