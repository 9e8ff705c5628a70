"""What posting an 835 claim payment means, decided without a database.

Pure (standard library + the 835 models + the claim status enum). The posting service loads the
rows, asks these functions, and writes what they return:

- `claim_decision(claim)`: the claim status the adjudication puts the claim in, and why
  (CLP02 and the adjustments, docs/billing-rules/remittance-835.md "Posting");
- `match_lines(paid, ours)`: which of our claim lines each 835 service line pays, first by
  REF*6R (our line item control number, echoed), then by procedure code, modifiers, units and
  date when the payer dropped the reference, including when it also dropped a modifier;
- `ledger_entries(claim)`: the postings (paid, patient responsibility, adjustment), each with
  its group, reason and amount, line by line.

They take `PaidClaim` / `PaidLine`, the few figures posting needs, so the same rules run on a
claim payment just read (`paid_claim_of` an 835 `ClaimPayment`) and on one stored earlier and
posted later (an unmatched claim payment a biller matched, a held reversal approved).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from claims.domain.types import ClaimStatus as S
from payments.domain.codes import AdjustmentGroup, ClaimStatus
from payments.domain.remittance import Adjustment, ClaimPayment, ServiceLinePayment

ZERO = Decimal("0.00")


class FileStatus(StrEnum):
    """Where a received remittance (an 835 file or a paper EOB) is."""

    RECEIVED = "received"  # stored as sent; not read yet
    PARSED = "parsed"  # read, balanced, matched: its effect can be previewed; nothing posted
    FAILED = "failed"  # refused whole (unreadable or unbalanced): `error` says why; nothing posted
    POSTED = "posted"  # every claim payment that could post has posted (see each one's status)


class FileSource(StrEnum):
    EDI = "835"  # an 835 file (upload, import_835, clearinghouse)
    PAPER = "paper"  # a paper EOB entered by hand (manual entry)


class PaymentStatus(StrEnum):
    """Where one claim payment (one CLP) is in posting."""

    PENDING = "pending"  # matched to our claim; posts when its file posts
    UNMATCHED = "unmatched"  # no claim of ours found: waits in the unmatched queue for a biller
    HELD = "held"  # a reversal above the approval amount (or behind one) waits for a biller
    POSTED = "posted"  # its postings are written
    DUPLICATE = "duplicate"  # the same claim payment (payer, TRN02, CLP01, CLP07) came before: not posted


class ClaimMatch(StrEnum):
    """How a claim payment found its claim."""

    CLAIM_NUMBER = "claim_number"  # CLP01 = our patient control number (CLM01)
    PAYER_CLAIM_NUMBER = "payer_claim_number"  # CLP07 = the payer claim number we hold
    MANUAL = "manual"  # a biller matched it from the unmatched queue
    NONE = "none"


class LineMatch(StrEnum):
    """How a service line payment found our claim line."""

    CONTROL_NUMBER = "control_number"  # REF*6R = ClaimLine.line_control_number
    PROCEDURE = "procedure"  # code, modifiers, units and date (the payer dropped REF*6R)
    NONE = "none"  # paid at claim level only


class PostingCategory(StrEnum):
    """What a ledger row counts toward on the claim (the claim API sums them by category)."""

    PAID = "paid"  # money the payer paid on the claim or line (SVC03 / CLP04)
    PATIENT = "patient_responsibility"  # a PR adjustment: owed by the patient (or a next payer)
    ADJUSTMENT = "adjustment"  # a CO / OA / PI / CR adjustment: written off or to work
    PROVIDER = "provider"  # a PLB amount: provider level, not part of any claim's balance


# Reductions a payment "in full" still carries: the contract (CARC 45 charge exceeds the fee
# schedule), sequestration (253) and, on a secondary, the prior payer's adjudication (OA 23).
# Any other non-PR adjustment means the payer paid less than the claim asked: partially paid.
EXPECTED_REDUCTIONS = frozenset({("CO", "45"), ("CO", "253"), ("OA", "23")})


@dataclass(frozen=True, slots=True)
class Adj:
    """One adjustment: CAS01 group, CARC, amount (positive reduces the payment)."""

    group: str
    reason: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaidLine:
    """One service line payment as posting sees it: codes and units as we submitted them (SVC06 /
    SVC07 when the payer changed them), the dates, the money."""

    control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    date_from: date | None
    date_to: date | None
    paid: Decimal
    adjustments: tuple[Adj, ...] = ()


@dataclass(frozen=True, slots=True)
class PaidClaim:
    """One claim payment as posting sees it (CLP02, CLP03, CLP04, claim CAS, lines)."""

    status: str
    charge: Decimal
    paid: Decimal
    crossover_carrier: str = ""
    adjustments: tuple[Adj, ...] = ()
    lines: tuple[PaidLine, ...] = ()

    @property
    def all_adjustments(self) -> list[Adj]:
        return [*self.adjustments, *(a for line in self.lines for a in line.adjustments)]


def _adjs(rows: Sequence[Adjustment]) -> tuple[Adj, ...]:
    return tuple(Adj(a.group.value, a.reason, a.amount) for a in rows)


def paid_line_of(line: ServiceLinePayment) -> PaidLine:
    procedure = line.original_procedure or line.procedure
    units = line.original_units if line.original_units is not None else line.units_paid
    start = line.service_date or line.service_from
    return PaidLine(
        control_number=line.line_control_number or "",
        code=procedure.code,
        modifiers=procedure.modifiers,
        units=units,
        date_from=start,
        date_to=line.service_to or start,
        paid=line.paid,
        adjustments=_adjs(line.adjustments),
    )


def paid_claim_of(payment: ClaimPayment) -> PaidClaim:
    carrier = payment.crossover_carrier
    return PaidClaim(
        status=payment.status.value,
        charge=payment.charge,
        paid=payment.paid,
        crossover_carrier=(carrier.last_name or "") if carrier else "",
        adjustments=_adjs(payment.adjustments),
        lines=tuple(paid_line_of(line) for line in payment.lines),
    )


@dataclass(frozen=True, slots=True)
class ClaimDecision:
    """The claim status an adjudication leads to (None: leave it), and a line a biller reads."""

    to: S | None
    reason: str


def _reasons(adjustments: Sequence[Adj]) -> str:
    seen: dict[str, None] = {}
    for a in adjustments:
        seen.setdefault(f"{a.group}-{a.reason}", None)
    return ", ".join(seen)


PR = AdjustmentGroup.PATIENT_RESPONSIBILITY.value


def claim_decision(claim: PaidClaim) -> ClaimDecision:
    """The claim status CLP02 and the adjustments put the claim in.

    - 22 reversal: back to accepted, until the corrected claim payment (usually next) posts;
    - 25 predetermination: pricing only, the claim's status is left alone;
    - 4 denied, or 23 (not this payer's claim, forwarded): denied;
    - 1, 2, 3 and the forwarded 19, 20, 21: denied when nothing is paid and nothing is the
      patient's; paid when every reduction is the patient's or an expected one (the contract,
      sequestration, a prior payer); partially paid otherwise (a line denied or cut).
    A forwarded claim names its crossover carrier (NM1*TT) in the reason.
    """
    status = ClaimStatus(claim.status)
    adjustments = claim.all_adjustments
    if status is ClaimStatus.REVERSAL:
        return ClaimDecision(S.ACCEPTED, "835 reversal (CLP02 22): the payer took its adjudication back")
    if status is ClaimStatus.PREDETERMINATION:
        return ClaimDecision(None, "835 predetermination (CLP02 25): pricing only, no payment")
    if status in (ClaimStatus.DENIED, ClaimStatus.NOT_OUR_CLAIM_FORWARDED):
        return ClaimDecision(
            S.DENIED, f"835 denied ({status.meaning}): {_reasons(adjustments) or 'no reason'}"
        )
    carrier = ""
    if status.forwarded:
        carrier = f"; crossed over to {claim.crossover_carrier or 'another payer'}"
    patient = sum((a.amount for a in adjustments if a.group == PR), ZERO)
    cut = [
        a
        for a in adjustments
        if a.group != PR and (a.group, a.reason) not in EXPECTED_REDUCTIONS and a.amount != ZERO
    ]
    if claim.paid == ZERO and patient == ZERO:
        return ClaimDecision(S.DENIED, f"835 paid nothing: {_reasons(adjustments) or 'no reason'}{carrier}")
    if cut:
        return ClaimDecision(
            S.PARTIALLY_PAID, f"835 paid {claim.paid} of {claim.charge}: {_reasons(cut)}{carrier}"
        )
    return ClaimDecision(S.PAID, f"835 paid {claim.paid} of {claim.charge}{carrier}")


# ---------------------------------------------------------------------------
# Line matching
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OurLine:
    """A claim line as matching needs it (ClaimLine, loop 2400 of the 837 we sent)."""

    id: int
    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    date_from: date
    date_to: date


def _score(line: PaidLine, ours: OurLine) -> tuple[int, int, int] | None:
    """None when `ours` cannot be the line paid; else a rank (higher is better)."""
    if line.code != ours.code:
        return None
    # the payer may drop a modifier (JZ, JW, 59 ...) but not invent one we did not send
    if not set(line.modifiers) <= set(ours.modifiers):
        return None
    start, end = line.date_from, line.date_to
    if start is not None and end is not None and (start > ours.date_to or end < ours.date_from):
        return None
    return (
        int(line.modifiers == ours.modifiers),
        int(line.units == ours.units),
        int(start == ours.date_from),
    )


def match_lines(paid: Sequence[PaidLine], ours: Sequence[OurLine]) -> list[tuple[int | None, LineMatch]]:
    """For each paid line in order: our claim line's id and how it matched (None, NONE: no line).

    Each of our lines is paid by at most one 835 line. REF*6R matches first, for every line, so
    a reference-less line never takes a line another 835 line names. Then each remaining line
    takes the best-ranked free line of the same submitted code: exact modifiers before a dropped
    modifier, exact units, the same first date, then claim line order.
    """
    by_control = {o.line_control_number: o for o in ours if o.line_control_number}
    taken: set[int] = set()
    result: list[tuple[int | None, LineMatch]] = [(None, LineMatch.NONE)] * len(paid)
    for index, line in enumerate(paid):
        hit = by_control.get(line.control_number)
        if hit is not None and hit.id not in taken:
            taken.add(hit.id)
            result[index] = (hit.id, LineMatch.CONTROL_NUMBER)
    for index, line in enumerate(paid):
        if result[index][0] is not None:
            continue
        best: tuple[tuple[int, int, int], OurLine] | None = None
        for candidate in ours:
            if candidate.id in taken:
                continue
            score = _score(line, candidate)
            # strictly better only: among equals the first line of the claim wins
            if score is not None and (best is None or score > best[0]):
                best = (score, candidate)
        if best is not None:
            taken.add(best[1].id)
            result[index] = (best[1].id, LineMatch.PROCEDURE)
    return result


# ---------------------------------------------------------------------------
# Ledger entries
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger amount of a claim payment. `line` is the index into `claim.lines`, or None for
    a claim-level amount."""

    category: PostingCategory
    amount: Decimal
    line: int | None = None
    group: str = ""
    reason: str = ""


def _category(adjustment: Adj) -> PostingCategory:
    return PostingCategory.PATIENT if adjustment.group == PR else PostingCategory.ADJUSTMENT


def ledger_entries(claim: PaidClaim) -> list[Entry]:
    """The postings of one claim payment, signs as sent (a reversal's are negative).

    The payment is posted line by line when the payer sent lines (SVC03 each). A claim-level
    adjustment (sequestration, CARC 253) comes off what the lines paid: it posts at claim level,
    with a claim-level paid amount that brings the paid total to CLP04. A claim without lines
    posts CLP04 at claim level. Zero amounts are skipped.
    """
    entries: list[Entry] = []
    lines_paid = ZERO
    for index, line in enumerate(claim.lines):
        lines_paid += line.paid
        if line.paid != ZERO:
            entries.append(Entry(PostingCategory.PAID, line.paid, index))
        entries.extend(
            Entry(_category(a), a.amount, index, a.group, a.reason)
            for a in line.adjustments
            if a.amount != ZERO
        )
    if claim.paid != lines_paid:
        entries.append(Entry(PostingCategory.PAID, claim.paid - lines_paid))
    entries.extend(
        Entry(_category(a), a.amount, None, a.group, a.reason) for a in claim.adjustments if a.amount != ZERO
    )
    return entries
