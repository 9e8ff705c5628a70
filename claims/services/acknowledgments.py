"""999 and 277CA acknowledgments: matched on the register of interchanges we sent, applied to
submitted claims, idempotent by checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import transaction

from claims.domain.ack_277ca import ClaimAckStatus, LevelAck277, parse_277ca, status_codes, status_words
from claims.domain.ack_999 import GroupAck, describe, parse_999
from claims.domain.x12_837 import IMPLEMENTATION_GUIDE
from claims.models import Acknowledgment, Claim, SubmissionBatch
from claims.services.common import S
from claims.services.transitions import _lock_statuses, _transition_many, _user, claim_transition
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.x12.control_numbers import outbound_by_interchange, outbound_for_acknowledgment
from infusion_rcm.x12.models import OutboundInterchange
from infusion_rcm.x12.reader import Expect, element, read_interchange

NO_MATCH = "matches no interchange we sent"
LEVEL_NAMES = {"21": "information receiver", "19": "billing provider"}
EXPECT_837 = Expect(
    what="837 claim file",
    set_id="837",
    functional_ids=frozenset({"HC"}),
    versions=frozenset(IMPLEMENTATION_GUIDE.values()),
)


def _kind_of(text: str) -> str:
    head = text.lstrip()[:400].upper()
    if "ST*999" in head or "*005010X231" in head:
        return Acknowledgment.Kind.X999
    if "ST*277" in head or "*005010X214" in head:
        return Acknowledgment.Kind.X277CA
    raise InvalidInputError("Not a 999 or 277CA file (no ST*999 or ST*277 near the start).", code="ack.kind")


REFUSED_CONTENT_KEPT = 64 * 1024


def acknowledgment_import(*, text: str, file_name: str, actor) -> Acknowledgment:
    """Import a 999 or 277CA and apply it to our submitted claims.

    Idempotent by the sha256 of the text: the same file again returns the first import. A file
    that cannot be read is kept with status failed and the reason. A 999 is matched on the
    register by its addressee (ISA08), AK101 and AK102, then each set by AK201 / AK202: a rejected
    set, or a whole group rejected with no AK2, rejects the submitted claims it carried; a 999 for
    a 270 changes no claim. A 277CA accepts (storing the payer claim number, REF*1K) or rejects
    claim by claim (CLM01 = TRN02); a rejection at billing-provider or information-receiver level
    rejects the batch's other submitted claims (the batch found by the receiver level's TRN02 =
    our ISA13). A rejection is its own state, not a denial. Claims not in 'submitted' are
    reported in `results` and left alone.
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
            # A refused file is not kept whole (it may be anything, of any size): the start of it
            # is enough to show the clearinghouse where it went wrong; the checksum still makes a
            # second upload of the same file return this row.
            if len(text) > REFUSED_CONTENT_KEPT:
                ack.content = text[:REFUSED_CONTENT_KEPT]
                ack.error = (
                    f"{exc.message} (only the first {REFUSED_CONTENT_KEPT // 1024} KB of the file is kept)"
                )
        ack.save()
    return ack


def _reject_submitted(claim_ids: Iterable[int], *, reason: str, actor) -> int:
    """Reject those of the claims that are submitted (locked in id order); how many moved."""
    statuses = _lock_statuses(claim_ids)
    moves = [(cid, st, S.REJECTED.value) for cid, st in statuses.items() if st == S.SUBMITTED.value]
    _transition_many(moves, actor=actor, reason=reason[:1000], extra_update={"status_reason": reason[:1000]})
    return len(moves)


def _interchange_label(record: OutboundInterchange) -> str:
    return f"ISA13 {record.interchange_control:09d}, GS06 {record.group_control}"


# -- 999 ------------------------------------------------------------------------------------------


def _apply_999(text: str, actor) -> list[dict]:
    parsed = parse_999(text)
    results: list[dict] = []
    for group in parsed.groups:
        record = outbound_for_acknowledgment(
            our_id=parsed.receiver_id,
            functional_id=group.functional_id,
            group_control=group.group_control_number,
        )
        if record is None:
            results.append(
                {"group": f"{group.functional_id} {group.group_control_number}", "outcome": NO_MATCH}
            )
        elif record.transaction_set == "837":
            results += _apply_999_to_batch(record, group, actor)
        else:
            results.append(_999_for_other(record, group))
    return results


def _999_for_other(record: OutboundInterchange, group: GroupAck) -> dict:
    """A 999 for a 270 (or another non-claim interchange): reported, no claim changed."""
    what = (
        "270 eligibility request" if record.transaction_set == "270" else f"{record.transaction_set} we sent"
    )
    check = getattr(record, "eligibility_check", None)  # intake links a 270 to its check
    of_check = f" of eligibility check {check.trace_number}" if check is not None else ""
    verdict = "rejected" if group.rejected or any(not t.accepted for t in group.transactions) else "accepted"
    return {
        "group": f"{group.functional_id} {group.group_control_number}",
        "outcome": f"acknowledges the {what} ({_interchange_label(record)}){of_check}: {verdict} "
        f"({describe(group)}); no claim changed",
    }


def _apply_999_to_batch(record: OutboundInterchange, group: GroupAck, actor) -> list[dict]:
    batch = SubmissionBatch.objects.filter(interchange=record).first()
    if batch is None:
        return [{"group": f"HC {group.group_control_number}", "outcome": f"{NO_MATCH} as a batch"}]
    if group.rejected_as_group:
        reason = f"999 rejected the whole file ({describe(group)})"
        moved = _reject_submitted(
            Claim.objects.filter(batch=batch).values_list("pk", flat=True), reason=reason, actor=actor
        )
        return [{"batch": batch.file_name, "set": "all", "outcome": "rejected", "claims": moved}]
    results: list[dict] = []
    for tx in group.transactions:
        row = {"batch": batch.file_name, "set": f"{tx.transaction_set_id} {tx.control_number}"}
        if not record.holds_set(tx.transaction_set_id, tx.control_number):
            results.append({**row, "outcome": "names a transaction set this batch does not hold"})
        elif tx.accepted:
            results.append({**row, "outcome": "accepted"})
        else:
            numbers = claim_numbers_in_set(batch.content, tx.control_number)
            ids = Claim.objects.filter(batch=batch, claim_number__in=numbers).values_list("pk", flat=True)
            moved = _reject_submitted(
                ids, reason=f"999 rejected the file: {describe(group, tx)}", actor=actor
            )
            results.append({**row, "outcome": "rejected", "claims": moved})
    return results


def claim_numbers_in_set(content: str, control: str) -> list[str]:
    """CLM01 of every claim in transaction set ST02 = `control` of a stored 837 we wrote."""
    ic = read_interchange(content, EXPECT_837)
    return [
        element(seg, 1)
        for tx in ic.transactions
        if tx.control == control
        for seg in tx.body
        if seg[0] == "CLM"
    ]


# -- 277CA ----------------------------------------------------------------------------------------


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
        codes = status_codes(item.statuses)
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
            # codes and words: the claim page explains each code with what to fix (claim_status_codes)
            reason = f"277CA rejected: {status_words(item.statuses)}" + (
                f". Payer's note: {item.free_text}" if item.free_text else ""
            )
            claim_transition(
                claim=claim,
                to=S.REJECTED,
                actor=actor,
                reason=reason,
                payload={"statuses": codes},
                status_reason=reason,
            )
            results.append(
                {"claim": claim.claim_number, "outcome": "rejected", "reason": status_words(item.statuses)}
            )
    for level in parsed.levels:
        if level.rejected:
            results.append(
                _apply_level_rejection(level, our_id=parsed.receiver_id, named=set(numbers), actor=actor)
            )
    return results


def _apply_level_rejection(level: LevelAck277, *, our_id: str, named: set[str], actor) -> dict:
    """A rejection above claim level: every submitted claim of the batch it is about, except the
    claims the file gives a status of their own; at billing-provider level, that provider's claims."""
    where = LEVEL_NAMES[level.level]
    row: dict = {"level": where, "reference": level.batch_reference or ""}
    record = outbound_by_interchange(our_id=our_id, interchange_control=level.batch_reference or "")
    batch = SubmissionBatch.objects.filter(interchange=record).first() if record is not None else None
    if batch is None:
        return {**row, "outcome": NO_MATCH}
    claims = Claim.objects.filter(batch=batch).exclude(claim_number__in=named)
    npi = level.provider_npi if level.level == "19" else None
    if npi:
        where = f"billing provider {npi}"
        claims = claims.filter(billing_provider__npi=npi)
    words = status_words(level.statuses)
    reason = f"277CA rejected at {where} level: {words}" + (
        f". Payer's note: {level.free_text}" if level.free_text else ""
    )
    moved = _reject_submitted(claims.values_list("pk", flat=True), reason=reason, actor=actor)
    return {**row, "batch": batch.file_name, "outcome": "rejected", "claims": moved, "reason": words}


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
