"""The other payers' loops of an 837P / 837I: what earlier payers did, for the next payer's claim.

Pure; called by `claims.domain.x12_837` for a claim with `other_payers` (a secondary or tertiary
claim, claims.domain.other_payer). Loop map (005010X222A1 / 005010X223A2):

    2320   SBR (SBR01 the other payer's sequence, SBR02 the patient's relationship to its insured,
           SBR03 group, SBR09 its claim filing indicator), CAS claim-level adjustments (one CAS
           per group, at most six reason/amount/quantity triplets each), AMT*D payer paid amount,
           AMT*EAF remaining patient liability, OI (benefits assigned, release of information),
           MOA outpatient remark codes when the payer sent any
    2330A  NM1*IL other subscriber (MI member id)
    2330B  NM1*PR other payer (PI payer id; SVD01 repeats it), DTP*573 adjudication date when no
           line was adjudicated, REF*F8 the other payer's claim control number (CLP07)
    2430   per service line, for each payer that adjudicated it: SVD (payer id, paid, procedure as
           adjudicated, [837I revenue code], paid units), CAS line adjustments, DTP*573

AMT*EAF: X222A1 requires it when the other payer adjudicated at claim level only and leaves it to
the sender otherwise (a receiver may not require it); we always send it, because Medigap and
Medicaid secondaries read the patient's share there. Rules COB-2 (the loops) and COB-3 (balancing,
`cob_balance_problems`) in docs/billing-rules/secondary-claims.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from claims.domain.charset import fit
from claims.domain.other_payer import SEQUENCES, OtherPayerAdjustment, OtherPayerLine, PriorPayerAdjudication
from claims.domain.types import ClaimDraft, ClaimForm, ServiceLine
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.x12.writer import Composite, segment

CAS_TRIPLETS = 6  # CAS02..CAS19: six reason / amount / quantity triplets per segment
MAX_OTHER_PAYERS = 10  # 2320 repeats at most 10 times


def _decimal(value: object) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _money(value: object) -> str:
    return _decimal(to_money(value))  # type: ignore[arg-type]  # Decimal in, checked by to_money


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _fail(claim: ClaimDraft, message: str) -> InvalidInputError:
    return InvalidInputError(f"claim {claim.claim_id}: {message}", extra={"claim_id": claim.claim_id})


def check_other_payers(claim: ClaimDraft) -> None:
    """A secondary needs its primary's adjudication, a tertiary both; each earlier payer once,
    in payer order, every one before this claim's own place. Raises InvalidInputError."""
    own = SEQUENCES.index(claim.payer_sequence)
    sequences = [p.sequence for p in claim.other_payers]
    if len(claim.other_payers) > MAX_OTHER_PAYERS:
        raise _fail(claim, "an 837 carries at most 10 other payers (2320)")
    if sorted(sequences, key=SEQUENCES.index) != list(SEQUENCES[:own]):
        raise _fail(
            claim,
            f"a claim to the {['primary', 'secondary', 'tertiary'][own]} payer needs the adjudication of "
            f"every payer before it (2320 SBR01 {', '.join(SEQUENCES[:own]) or 'none'}), "
            f"not {', '.join(sequences) or 'none'}",
        )


def cob_balance_problems(claim: ClaimDraft) -> list[str]:
    """What would break the 837's COB balancing, per earlier payer, in words (empty: balanced).

    X222A1 2320/2430: the claim charge (CLM02) = AMT*D + claim CAS + every 2430 CAS of that payer,
    and for each adjudicated line its charge (SV102 / SV203) = SVD02 + its line CAS.
    """
    problems: list[str] = []
    charges = {ln.line_control_number: ln.charge for ln in claim.lines}
    for payer in claim.other_payers:
        adjusted = sum((a.amount for a in payer.all_adjustments), to_money(0))
        gap = to_money(claim.total_charge - payer.paid - adjusted)
        if gap:
            problems.append(
                f"{payer.payer_name}: paid {payer.paid} and adjusted {adjusted} of {claim.total_charge}; "
                f"{gap} is not accounted for"
            )
        for line in payer.lines:
            charge = charges.get(line.line_control_number)
            if charge is None:
                problems.append(f"{payer.payer_name}: line {line.line_control_number} is not on the claim")
                continue
            line_gap = to_money(charge - line.paid - sum((a.amount for a in line.adjustments), to_money(0)))
            if line_gap:
                problems.append(
                    f"{payer.payer_name}: line {line.line_control_number} charge {charge} is not paid "
                    f"{line.paid} plus its adjustments ({line_gap} off)"
                )
    return problems


def cas_segments(adjustments: Sequence[OtherPayerAdjustment]) -> list[str]:
    """CAS segments: one per group code in first-seen order, six triplets each (more: another
    CAS of the same group). Zero amounts are sent: a prior payer's CO-45 0.00 still explains."""
    groups: dict[str, list[OtherPayerAdjustment]] = {}
    for adjustment in adjustments:
        groups.setdefault(adjustment.group, []).append(adjustment)
    out: list[str] = []
    for group, items in groups.items():
        for start in range(0, len(items), CAS_TRIPLETS):
            elements: list[str] = [group]
            for item in items[start : start + CAS_TRIPLETS]:
                quantity = _decimal(item.quantity) if item.quantity is not None else ""
                elements += [item.reason, _money(item.amount), quantity]
            while elements and elements[-1] == "":
                elements.pop()
            out.append(segment("CAS", *elements))
    return out


def other_payer_loops(claim: ClaimDraft) -> list[str]:
    """2320 / 2330A / 2330B for each earlier payer, in payer order."""
    check_other_payers(claim)
    out: list[str] = []
    institutional = claim.form is ClaimForm.INSTITUTIONAL
    for payer in sorted(claim.other_payers, key=lambda p: SEQUENCES.index(p.sequence)):
        sub = payer.subscriber
        out.append(
            segment(
                "SBR",
                payer.sequence,
                sub.relationship,
                sub.group_number or "",
                "",
                "",
                "",
                "",
                "",
                payer.filing_indicator,
            )
        )
        out.extend(cas_segments(payer.claim_adjustments))
        out.append(segment("AMT", "D", _money(payer.paid)))
        out.append(segment("AMT", "EAF", _money(payer.patient_responsibility)))
        # OI03 Y benefits assigned to the provider; OI04 (837P only) P signature on file; OI06 Y
        # the provider may release information (the assignment and release the primary claim had).
        if institutional:
            out.append(segment("OI", "", "", "Y", "", "", "Y"))
        else:
            out.append(segment("OI", "", "", "Y", "P", "", "Y"))
        if payer.remark_codes:
            out.append(segment("MOA", "", "", *payer.remark_codes))
        out.append(  # 2330A
            segment(
                "NM1",
                "IL",
                "1",
                fit(sub.last_name, 60),
                fit(sub.first_name, 35),
                "",
                "",
                "",
                "MI",
                sub.member_id,
            )
        )
        out.append(segment("NM1", "PR", "2", fit(payer.payer_name, 60), "", "", "", "", "PI", payer.payer_id))
        if not payer.lines:  # 2330B DTP*573: when 2430 does not carry the date
            out.append(segment("DTP", "573", "D8", _d8(payer.adjudication_date)))
        if payer.payer_claim_number:
            out.append(segment("REF", "F8", payer.payer_claim_number))
    return out


def _svd(
    claim: ClaimDraft, payer: PriorPayerAdjudication, adjudicated: OtherPayerLine, line: ServiceLine
) -> str:
    procedure = Composite("HC", adjudicated.code, *adjudicated.modifiers)
    units = _decimal(adjudicated.units)
    if claim.form is ClaimForm.INSTITUTIONAL:
        revenue = adjudicated.revenue_code or line.revenue_code or ""
        return segment("SVD", payer.payer_id, _money(adjudicated.paid), procedure, revenue, units)
    return segment("SVD", payer.payer_id, _money(adjudicated.paid), procedure, "", units)


def line_adjudication_loops(claim: ClaimDraft, line: ServiceLine) -> list[str]:
    """2430 for `line`: one per earlier payer that adjudicated it, in payer order."""
    out: list[str] = []
    for payer in sorted(claim.other_payers, key=lambda p: SEQUENCES.index(p.sequence)):
        adjudicated = payer.line_for(line.line_control_number)
        if adjudicated is None:
            continue
        out.append(_svd(claim, payer, adjudicated, line))
        out.extend(cas_segments(adjudicated.adjustments))
        out.append(segment("DTP", "573", "D8", _d8(payer.adjudication_date)))
    return out
