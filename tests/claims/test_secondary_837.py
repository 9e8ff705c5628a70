"""Secondary and tertiary 837s from the earlier payers' adjudications (pure: no database).

Each file is validated with pyx12 (imitating tests/claims/domain/test_x12_837.py); the loops are
checked segment by segment against 005010X222A1 / X223A2 2320, 2330A, 2330B and 2430.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from claims.domain.other_payer import (
    OtherPayerAdjustment,
    OtherPayerLine,
    OtherSubscriber,
    PriorPayerAdjudication,
    next_sequence,
    was_forwarded,
)
from claims.domain.types import ClaimDraft
from claims.domain.x12_837 import build_837
from claims.domain.x12_837_cob import cas_segments, cob_balance_problems
from infusion_rcm.common.errors import InvalidInputError
from tests.claims.domain import factories as f

D = Decimal
ADJUDICATED = date(2024, 3, 20)


def adj(group: str, reason: str, amount: str) -> OtherPayerAdjustment:
    return OtherPayerAdjustment(group=group, reason=reason, amount=D(amount))


def medicare_adjudication(claim: ClaimDraft, *, deductible: str = "240.00") -> PriorPayerAdjudication:
    """Medicare Part B: allowed 62 % of charge, the Part B deductible on the first line, 20 %
    coinsurance on the rest, and 2 % sequestration (CO-253) off the payment."""
    lines = []
    for index, line in enumerate(claim.sorted_lines):
        allowed = (line.charge * D("0.62")).quantize(D("0.01"))
        owed_deductible = min(allowed, D(deductible)) if index == 0 else D("0.00")
        coinsurance = ((allowed - owed_deductible) * D("0.20")).quantize(D("0.01"))
        paid = allowed - owed_deductible - coinsurance
        sequestration = (paid * D("0.02")).quantize(D("0.01"))
        adjustments = [adj("CO", "45", str(line.charge - allowed))]
        if sequestration:
            adjustments.append(adj("CO", "253", str(sequestration)))
        if owed_deductible:
            adjustments.append(adj("PR", "1", str(owed_deductible)))
        adjustments.append(adj("PR", "2", str(coinsurance)))
        lines.append(
            OtherPayerLine(
                line_control_number=line.line_control_number,
                code=line.code,
                modifiers=line.modifiers,
                revenue_code=line.revenue_code,
                units=line.units,
                paid=paid - sequestration,
                adjustments=tuple(adjustments),
            )
        )
    return PriorPayerAdjudication(
        sequence="P",
        payer_name="Medicare Part B IL",
        payer_id="00952",
        filing_indicator="MA" if claim.form.value == "837I" else "MB",
        subscriber=OtherSubscriber(last_name="Vaughn", first_name="Steve", member_id="1EG4TE5MK72"),
        payer_claim_number="22024080123450",
        adjudication_date=ADJUDICATED,
        charge=claim.total_charge,
        paid=sum((ln.paid for ln in lines), D("0.00")),
        lines=tuple(lines),
    )


def secondary(base: ClaimDraft, *prior: PriorPayerAdjudication, sequence: str = "S") -> ClaimDraft:
    return base.model_copy(
        update={
            "payer": f.COMMERCIAL,
            "payer_sequence": sequence,
            "other_payers": prior,
            "subscriber": f.subscriber(member_id="MG778812", group_number="MEDIGAP-F"),
        }
    )


def build(*claims: ClaimDraft) -> str:
    return build_837(list(claims), submitter=f.SUBMITTER, receiver=f.RECEIVER, envelope=f.envelope(311))


def segments(text: str) -> list[str]:
    return [s for s in text.split("~") if s]


def test_secondary_after_medicare_with_deductible_and_coinsurance_837p() -> None:
    base = f.chemo_with_hydration()
    medicare = medicare_adjudication(base)
    assert medicare.balance_gap() == 0
    draft = secondary(base, medicare)
    assert cob_balance_problems(draft) == []
    text = build(draft)
    f.assert_pyx12_clean(text)
    segs = segments(text)
    # 2000B names this payer's place; 2320 the primary's
    assert any(s.startswith("SBR*S*18*MEDIGAP-F") for s in segs)
    assert "SBR*P*18*******MB" in segs
    assert f"AMT*D*{medicare.paid}".rstrip("0").rstrip(".") in [s.rstrip("0").rstrip(".") for s in segs]
    # the patient's share: deductible 240.00 on line 1 plus 20 % coinsurance on every line
    assert medicare.patient_responsibility == D("240.00") + sum(
        (a.amount for ln in medicare.lines for a in ln.adjustments if (a.group, a.reason) == ("PR", "2")),
        D("0"),
    )
    amt_eaf = next(s for s in segs if s.startswith("AMT*EAF*"))
    assert D(amt_eaf.split("*")[2]) == medicare.patient_responsibility
    assert "OI***Y*P**Y" in segs
    assert "NM1*IL*1*VAUGHN*STEVE****MI*1EG4TE5MK72" in segs
    assert "NM1*PR*2*MEDICARE PART B IL*****PI*00952" in segs
    assert "REF*F8*22024080123450" in segs
    # 2430 per line: SVD with the payer id, line CAS by group, DTP*573
    svds = [s for s in segs if s.startswith("SVD*")]
    assert len(svds) == len(base.lines)
    assert svds[0].startswith("SVD*00952*") and ":".join(["HC", "96413"]) in svds[0]
    assert segs.count("DTP*573*D8*20240320") == len(base.lines)
    first_line_cas = segs[segs.index(svds[0]) + 1 : segs.index(svds[0]) + 3]
    assert first_line_cas[0].startswith("CAS*CO*45*") and "*253*" in first_line_cas[0]
    assert first_line_cas[1].startswith("CAS*PR*1*240**2*")
    # 2320 comes after the 2310 providers and before the first LX
    assert segs.index("SBR*P*18*******MB") < segs.index("LX*1")


def test_secondary_837i_validates_and_carries_revenue_code_in_svd() -> None:
    base = f.hospital_outpatient_837i()
    medicare = medicare_adjudication(base)
    draft = secondary(base, medicare)
    text = build(draft)
    f.assert_pyx12_clean(text)
    segs = segments(text)
    assert "SBR*P*18*******MA" in segs
    assert "OI***Y***Y" in segs
    svd = next(s for s in segs if s.startswith("SVD*"))
    assert svd.split("*")[4] == base.sorted_lines[0].revenue_code


def test_tertiary_carries_both_earlier_payers_in_order() -> None:
    base = f.chemo_with_hydration()
    medicare = medicare_adjudication(base)
    # the secondary paid the coinsurance, the deductible stays the patient's
    lines = []
    for prior in medicare.lines:
        charge = next(ln.charge for ln in base.lines if ln.line_control_number == prior.line_control_number)
        coinsurance = sum((a.amount for a in prior.adjustments if a.reason == "2"), D("0.00"))
        deductible = sum((a.amount for a in prior.adjustments if a.reason == "1"), D("0.00"))
        adjustments = [adj("OA", "23", str(charge - coinsurance - deductible))]
        if deductible:
            adjustments.append(adj("PR", "1", str(deductible)))
        lines.append(prior.model_copy(update={"paid": coinsurance, "adjustments": tuple(adjustments)}))
    second = PriorPayerAdjudication(
        sequence="S",
        payer_name="Blue Plan of Illinois",
        payer_id="BCBSIL01",
        filing_indicator="CI",
        subscriber=OtherSubscriber(last_name="Vaughn", first_name="Steve", member_id="MG778812"),
        payer_claim_number="BC-99812",
        adjudication_date=date(2024, 4, 2),
        charge=base.total_charge,
        paid=sum((ln.paid for ln in lines), D("0.00")),
        lines=tuple(lines),
    )
    assert second.balance_gap() == 0
    draft = base.model_copy(
        update={
            "payer": f.MEDICAID,
            "payer_sequence": "T",
            "other_payers": (second, medicare),  # any order in: written in payer order
            "subscriber": f.subscriber(member_id="ILMCD5551"),
        }
    )
    text = build(draft)
    f.assert_pyx12_clean(text)
    segs = segments(text)
    assert any(s.startswith("SBR*T*18") for s in segs)
    assert segs.index("SBR*P*18*******MB") < segs.index("SBR*S*18*******CI")
    first_line = segs.index("LX*1")
    svds = [s for s in segs[first_line:] if s.startswith("SVD*")]
    assert [s.split("*")[1] for s in svds[:2]] == ["00952", "BCBSIL01"]


def test_secondary_when_primary_denied_carries_the_denial() -> None:
    base = f.chemo_with_hydration()
    denied = PriorPayerAdjudication(
        sequence="P",
        payer_name="Medicare Part B IL",
        payer_id="00952",
        filing_indicator="MB",
        subscriber=OtherSubscriber(last_name="Vaughn", first_name="Steve", member_id="1EG4TE5MK72"),
        payer_claim_number="22024080999",
        adjudication_date=ADJUDICATED,
        claim_status_code="4",
        charge=base.total_charge,
        paid=D("0.00"),
        claim_adjustments=(adj("CO", "96", str(base.total_charge)),),
        remark_codes=("N130",),
    )
    assert denied.denied
    text = build(secondary(base, denied))
    f.assert_pyx12_clean(text)
    segs = segments(text)
    assert f"CAS*CO*96*{base.total_charge}".replace(".00", "") in segs
    assert "AMT*D*0" in segs and "AMT*EAF*0" in segs
    assert "MOA***N130" in segs
    assert "DTP*573*D8*20240320" in segs  # claim level only: the date is in 2330B
    assert not [s for s in segs if s.startswith("SVD*")]


def test_secondary_without_the_primary_adjudication_is_refused() -> None:
    base = f.chemo_with_hydration()
    with pytest.raises(InvalidInputError, match="adjudication of every payer before it"):
        build(base.model_copy(update={"payer_sequence": "S"}))
    medicare = medicare_adjudication(base)
    with pytest.raises(InvalidInputError, match="adjudication of every payer before it"):
        build(base.model_copy(update={"payer_sequence": "T", "other_payers": (medicare,)}))


def test_unbalanced_adjudication_is_named() -> None:
    base = f.chemo_with_hydration()
    medicare = medicare_adjudication(base)
    short = medicare.model_copy(update={"paid": medicare.paid - D("1.00")})
    problems = cob_balance_problems(secondary(base, short))
    assert problems and "1.00 is not accounted for" in problems[0]


def test_cas_groups_six_triplets_per_segment() -> None:
    many = [adj("CO", str(100 + i), "1.00") for i in range(7)] + [adj("PR", "2", "3.50")]
    out = cas_segments(many)
    assert out[0].count("*") == 1 + 6 * 3 - 1  # six triplets, the last quantity trimmed
    assert out[1] == "CAS*CO*106*1" and out[2] == "CAS*PR*2*3.5"


def test_forwarded_and_sequence_rules() -> None:
    assert was_forwarded(claim_status_code="19", crossover_carrier="", remark_codes=())
    assert was_forwarded(claim_status_code="1", crossover_carrier="AARP MEDIGAP", remark_codes=())
    assert was_forwarded(claim_status_code="1", crossover_carrier="", remark_codes=("ma18",))
    assert not was_forwarded(claim_status_code="1", crossover_carrier="", remark_codes=("N130",))
    assert next_sequence("P") == "S" and next_sequence("S") == "T" and next_sequence("T") is None
