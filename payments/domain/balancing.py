"""The three balancing rules of an 835, exact to the cent (005010X221A1 section 1.10.2.1).

Pure. Each check returns None when the figures balance, or a message naming the claim (CLP01),
the line and every figure, so a biller can compare it with the paper remittance:

- service line:  SVC02 charge - SVC03 paid = sum of the line's CAS amounts;
- claim:         CLP03 charge - CLP04 paid = sum of the claim's CAS + sum of its lines' CAS
                 (a claim without lines carries all its adjustments at claim level);
- transaction:   BPR02 payment = sum of CLP04 - sum of PLB amounts (a positive PLB amount, such as
                 a recoupment WO, reduces the payment; a negative one, such as interest L6, adds).

Signs are as sent: a reversal (CLP02 = 22) has negative charge, payment and adjustments, and
balances by the same rules. All arithmetic is Decimal; nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from payments.domain.remittance import Adjustment, ClaimPayment, ServiceLinePayment

ZERO = Decimal("0.00")


def _sum(adjustments: Iterable[Adjustment]) -> Decimal:
    total = ZERO
    for adjustment in adjustments:
        total += adjustment.amount
    return total


def line_imbalance(line: ServiceLinePayment, *, claim_id: str) -> str | None:
    """SVC02 - SVC03 must equal the line's CAS total."""
    expected = line.charge - line.paid
    adjusted = _sum(line.adjustments)
    if expected == adjusted:
        return None
    label = line.line_control_number or line.procedure.code
    return (
        f"claim {claim_id}, service line {label}, does not balance: charge {line.charge} - paid "
        f"{line.paid} = {expected}, but its adjustments (CAS) total {adjusted}; "
        f"{expected - adjusted} is unaccounted for."
    )


def claim_imbalance(claim: ClaimPayment) -> str | None:
    """CLP03 - CLP04 must equal the claim-level CAS plus every line's CAS."""
    expected = claim.charge - claim.paid
    at_claim = _sum(claim.adjustments)
    at_lines = ZERO
    for line in claim.lines:
        at_lines += _sum(line.adjustments)
    if expected == at_claim + at_lines:
        return None
    return (
        f"claim {claim.patient_control_number} does not balance: charge {claim.charge} - paid "
        f"{claim.paid} = {expected}, but its adjustments total {at_claim + at_lines} (claim CAS "
        f"{at_claim} + line CAS {at_lines}); {expected - at_claim - at_lines} is unaccounted for."
    )


def payment_imbalance(
    *, transaction: str, payment: Decimal, claims_paid: Decimal, provider_adjustments: Decimal
) -> str | None:
    """BPR02 must equal the claims' payments less the provider-level adjustments."""
    expected = claims_paid - provider_adjustments
    if payment == expected:
        return None
    return (
        f"transaction set {transaction} does not balance: BPR02 pays {payment}, but the claims pay "
        f"{claims_paid} and the provider adjustments (PLB) total {provider_adjustments}, so "
        f"{claims_paid} - {provider_adjustments} = {expected}; off by {payment - expected}."
    )
