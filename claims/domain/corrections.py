"""How a claim can be corrected now, as its payer takes corrections.

Pure. Before adjudication a claim is edited in place (draft, needs fix, ready, and a front-end
rejection, which was never filed) or voided here. After adjudication the payer must be told:
a replacement claim (frequency 7) or a void (frequency 8), each carrying the payer's claim
number in 2300 REF*F8 (REFERENCE 5.4, S59). Medicare Part B contractors (A/B MACs for 837P
claims and the DME MACs) do not take frequency 7 or 8 claims: an adjudicated Part B claim is
corrected by a reopening (42 CFR 405.980; clerical errors within one year of the initial
determination) or appealed by a redetermination (42 CFR 405.942, within 120 days of the notice)
(REFERENCE 5.4, S58, S60). Medicare institutional claims (837I, Part A) take bill type xx7/xx8.
"""

from __future__ import annotations

from dataclasses import dataclass

from claims.domain.transitions import CLAIM_TRANSITIONS, REPLACEABLE
from claims.domain.types import ClaimForm, ClaimStatus

EDITABLE: frozenset[ClaimStatus] = frozenset(
    {ClaimStatus.DRAFT, ClaimStatus.NEEDS_FIX, ClaimStatus.READY, ClaimStatus.REJECTED}
)
VOID_FREQUENCY = "8"
REPLACEMENT_FREQUENCY = "7"
MEDICARE = "medicare"


def takes_reopenings(payer_kind: str, form: ClaimForm | str) -> bool:
    """True for Medicare Part B: fee-for-service Medicare billed on an 837P."""
    return payer_kind == MEDICARE and ClaimForm(form) is ClaimForm.PROFESSIONAL


def reopening_guidance(payer_claim_number: str) -> list[str]:
    """What a biller does instead of a replacement or void for a Part B claim, step by step."""
    icn = f"ICN {payer_claim_number}" if payer_claim_number else "the ICN on the remittance"
    return [
        "Medicare Part B does not take replacement (frequency 7) or void (frequency 8) claims: "
        "the MAC corrects an adjudicated claim itself.",
        f"A clerical error (code, units, modifier, date of service, diagnosis): ask the MAC for a "
        f"reopening through its portal or telephone reopening line, or in writing, within one year "
        f"of the initial determination, quoting {icn} and the corrected values.",
        "A denial you disagree with on its merits: request a redetermination (form CMS-20027) within "
        "120 days of the remittance notice, with the records that support the service.",
        "Billed in error, or paid too much: ask the MAC for an adjustment through its overpayment "
        "refund process; do not send a new claim for the same service (it would deny as a duplicate).",
    ]


@dataclass(frozen=True, slots=True)
class CorrectionOptions:
    """What may be done with a claim now. `reopening` is the guidance when the payer takes
    reopenings instead of frequency 7/8 claims; `waiting` says why nothing may be sent yet."""

    edit: bool = False
    void: bool = False
    replace: bool = False
    void_at_payer: bool = False
    reopening: tuple[str, ...] = ()
    waiting: str = ""


def correction_options(
    *,
    status: ClaimStatus | str,
    frequency_code: str,
    payer_kind: str,
    form: ClaimForm | str,
    payer_claim_number: str,
) -> CorrectionOptions:
    """The corrections open to a claim in `status` for this payer."""
    status = ClaimStatus(status)
    # A void claim repeats the original exactly as the payer has it: it is never edited.
    edit = status in EDITABLE and frequency_code != VOID_FREQUENCY
    void = CLAIM_TRANSITIONS.allowed(status, ClaimStatus.VOID)
    if status not in REPLACEABLE:
        return CorrectionOptions(edit=edit, void=void)
    if takes_reopenings(payer_kind, form):
        return CorrectionOptions(reopening=tuple(reopening_guidance(payer_claim_number)))
    if not payer_claim_number:
        return CorrectionOptions(
            waiting="The payer's claim number is not known yet (it comes on the 277CA or the 835): "
            "a replacement or void must quote it in REF*F8."
        )
    return CorrectionOptions(replace=True, void_at_payer=True)
