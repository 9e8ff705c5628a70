"""Which adjudicated claims and lines are denials, for how much, and why (DEN-D1, DEN-D2).

Pure. Input: one posted claim payment as `PaidClaimFacts` (CLP02, the claim-level adjustments and
remarks, and each service line's paid amount, adjustments and remarks). Output: one
`DenialFinding` per denied line, plus one for the claim when the claim-level adjustments deny
money (a claim paid without lines is read as one line).

DEN-D1: a line is a denial when
  (a) it carries an adjustment whose category is a denial category (every category except
      contractual, patient responsibility and informational), even if the rest was paid: a
      partial denial; or
  (b) it paid nothing and carries a positive adjustment whose next action is not "no action"
      (a line the payer turned into the patient's, or into a capitation write-off, is work too).
DEN-D2: the amount at stake is the sum of the adjustments that made it a denial; the reason that
decides the category and the next action is the largest of them (the first on a tie), read with
the line's remarks and the claim's (MOA). Reversals (CLP02 22) and predeterminations (25) deny
nothing: a reversal is handled by resolving the denials of the claim payment it reverses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from denials.domain.catalog import Catalog, Explanation, explain
from denials.domain.types import NOT_DENIAL_ON_PAID_LINE, NextAction

ZERO = Decimal("0.00")
NOT_ADJUDICATIONS = frozenset({"22", "25"})


@dataclass(frozen=True, slots=True)
class AdjFacts:
    group: str
    carc: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One service line payment: `key` is the caller's id for it (the LinePayment pk)."""

    key: int
    charge: Decimal
    paid: Decimal
    adjustments: tuple[AdjFacts, ...] = ()
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaidClaimFacts:
    status: str  # CLP02
    charge: Decimal
    paid: Decimal
    adjustments: tuple[AdjFacts, ...] = ()  # claim level
    remarks: tuple[str, ...] = ()  # claim level (MOA / MIA)
    lines: tuple[LineFacts, ...] = ()
    payer: str = ""
    payer_kind: str = ""


@dataclass(frozen=True, slots=True)
class DenialFinding:
    """One denial: `line_key` None for the claim level."""

    line_key: int | None
    amount: Decimal
    explanation: Explanation
    reasons: tuple[tuple[AdjFacts, Explanation], ...]  # every adjustment that made it a denial
    charge: Decimal
    paid: Decimal


def _finding(
    catalog: Catalog,
    *,
    key: int | None,
    charge: Decimal,
    paid: Decimal,
    adjustments: Sequence[AdjFacts],
    remarks: Sequence[str],
    payer: str,
    payer_kind: str,
    nothing_paid_counts: bool = True,
) -> DenialFinding | None:
    read = [
        (a, explain(catalog, group=a.group, carc=a.carc, rarcs=remarks, payer=payer, payer_kind=payer_kind))
        for a in adjustments
        if a.amount > ZERO
    ]
    denying = [(a, e) for a, e in read if e.category not in NOT_DENIAL_ON_PAID_LINE]
    if not denying and nothing_paid_counts and paid == ZERO:
        denying = [(a, e) for a, e in read if e.action is not NextAction.NO_ACTION]
    if not denying:
        return None
    top = denying[0]
    for pair in denying[1:]:
        if pair[0].amount > top[0].amount:
            top = pair
    return DenialFinding(
        line_key=key,
        amount=sum((a.amount for a, _ in denying), ZERO),
        explanation=top[1],
        reasons=tuple(denying),
        charge=charge,
        paid=paid,
    )


def find_denials(catalog: Catalog, claim: PaidClaimFacts) -> list[DenialFinding]:
    """The denials of one claim payment, lines in order, then the claim level (DEN-D1, DEN-D2)."""
    if claim.status in NOT_ADJUDICATIONS:
        return []
    found: list[DenialFinding] = []
    if not claim.lines:
        one = _finding(
            catalog,
            key=None,
            charge=claim.charge,
            paid=claim.paid,
            adjustments=claim.adjustments,
            remarks=claim.remarks,
            payer=claim.payer,
            payer_kind=claim.payer_kind,
        )
        return [one] if one else []
    for line in claim.lines:
        one = _finding(
            catalog,
            key=line.key,
            charge=line.charge,
            paid=line.paid,
            adjustments=line.adjustments,
            remarks=(*line.remarks, *claim.remarks),
            payer=claim.payer,
            payer_kind=claim.payer_kind,
        )
        if one:
            found.append(one)
    # Claim-level adjustments beside lines: only denial categories count (sequestration, a
    # prior payer's amount and the like are not work). The claim's paid is the lines' business.
    level = _finding(
        catalog,
        key=None,
        charge=ZERO,
        paid=ZERO,
        adjustments=claim.adjustments,
        remarks=claim.remarks,
        nothing_paid_counts=False,
        payer=claim.payer,
        payer_kind=claim.payer_kind,
    )
    if level:
        found.append(level)
    return found
