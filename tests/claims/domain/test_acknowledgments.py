"""999 and 277CA readers over every sample in tests/fixtures/x12; malformed input refused whole."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from claims.domain.acknowledgments import ClaimAckStatus, parse_277ca, parse_999
from infusion_rcm.common.errors import InvalidInputError
from tests.fixture_files import read_x12, x12_samples

VALID_999 = [p for p in x12_samples("999") if "invalid" not in p.name]


def read(path: Path) -> str:
    return path.read_text()


# -- 999 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID_999, ids=lambda p: p.name)
def test_every_valid_999_sample_parses(path: Path) -> None:
    ack = parse_999(read(path))
    assert ack.transactions
    for group in ack.groups:
        assert group.transaction_sets_accepted == sum(t.accepted for t in group.transactions)


def test_999_accepted() -> None:
    ack = parse_999(read_x12("999", "ims__x12_999_accepted.txt"))
    (tx,) = ack.transactions
    assert (tx.group_control_number, tx.transaction_set_id, tx.control_number, tx.status) == (
        "17456",
        "837",
        "0001",
        "A",
    )
    assert tx.accepted and not tx.errors
    assert ack.groups[0].version == "005010X223A2"
    # deliberate tolerance: this sample's IEA02 does not repeat ISA13
    assert ack.envelope_warnings == ("IEA02 '000000001' does not repeat ISA13 '000000286'.",)


def test_999_rejected_with_ik3() -> None:
    ack = parse_999(read_x12("999", "ims__x12_999_rejected.txt"))
    (tx,) = ack.transactions
    assert not tx.accepted and tx.status == "R" and tx.control_number == "0028"
    assert tx.syntax_error_codes == ("5",)
    (err,) = tx.errors
    assert (err.segment_id, err.segment_position, err.error_code) == ("NM", 17, "1")
    assert ack.groups[0].status == "R"


def test_999_mixed_outcomes_with_ik4_and_ctx() -> None:
    ack = parse_999(read_x12("999", "staedi__simple999.edi"))
    group = ack.groups[0]
    assert group.status == "P" and group.transaction_sets_accepted == 1
    assert [(t.control_number, t.accepted) for t in ack.transactions] == [
        ("0001", True),
        ("0002", False),
        ("0003", False),
    ]
    second = ack.transactions[1].errors[0]
    assert (second.segment_id, second.segment_position, second.error_code) == ("CLM", 22, "8")
    assert second.claim_ids == ("123456789",)
    (ik4,) = second.elements
    assert (ik4.position, ik4.element_reference, ik4.error_code) == ("2", "782", "1")
    third = ack.transactions[2].errors[0]
    assert third.segment_id == "REF" and third.claim_ids == ("987654321",)


def test_999_multiple_groups_and_sets() -> None:
    ack = parse_999(read_x12("999", "pyx12__834_lui_id_5010.999.txt"))
    assert len(ack.groups) == 4
    assert all(t.accepted for t in ack.transactions)


def test_invalid_999_sample_refused() -> None:
    with pytest.raises(InvalidInputError):
        parse_999(read_x12("999", "staedi__invalid999.edi"))


GOOD_999 = (
    "ISA*00*          *00*          *ZZ*CLEAR01        *ZZ*SUB12345       *240306*0900*^*00501*000000777*0*P*:~"
    "GS*FA*CLEAR01*SUB12345*20240306*0900*77*X*005010X231A1~"
    "ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6*0001~"
    "GE*1*77~IEA*1*000000777~"
)


def test_999_for_our_own_batch() -> None:
    (tx,) = parse_999(GOOD_999).transactions
    assert (tx.group_control_number, tx.control_number, tx.accepted) == ("1", "0001", True)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: "", "empty"),
        (lambda t: "AK1*HC*1~", "ISA"),
        (lambda t: t.replace("IEA*1*000000777~", ""), "IEA"),
        (lambda t: t.replace("SE*6*0001", "SE*7*0001"), "SE01"),
        (lambda t: t.replace("SE*6*0001", "SE*6*0002"), "SE02"),
        (lambda t: t.replace("GE*1*77", "GE*2*77"), "GE01"),
        (lambda t: t.replace("GE*1*77", "GE*1*78"), "GE02"),
        (lambda t: t.replace("IK5*A~", "IK5*Q~"), "IK501"),
        (
            lambda t: t.replace("AK2*837*0001*005010X222A1~IK5*A~", "IK5*A~AK2*837*0001*005010X222A1~"),
            "IK5 outside",
        ),
        (lambda t: t.replace("IK5*A~", "").replace("SE*6", "SE*5"), "AK9 before"),
        (lambda t: t.replace("AK9*A*1*1*1~", "").replace("SE*6", "SE*5"), "AK9 is missing"),
        (lambda t: t.replace("AK9*A*1*1*1", "AK9*A*1*1"), "counts"),
        (lambda t: t.replace("AK1*HC*1*005010X222A1~", "").replace("SE*6", "SE*5"), "AK1"),
        (lambda t: t.replace("GS*FA", "GS*HC"), "GS01"),
        (lambda t: t.replace("*005010X231A1~ST", "*005010X212~ST"), "GS08"),
        (lambda t: t.replace("IK5*A~", "IK5*A~NM1*41~").replace("SE*6", "SE*7"), "unexpected segment NM1"),
        (lambda t: t.replace("IK5*A~", "IK4*2*782*1~IK5*A~").replace("SE*6", "SE*7"), "IK4 outside"),
    ],
)
def test_malformed_999_refused(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=message):
        parse_999(mutate(GOOD_999))


# -- 277CA ------------------------------------------------------------------------------------


def test_277ca_accepted_sample() -> None:
    ack = parse_277ca(read_x12("277CA", "ims__x12_277CA_accepted.txt"))
    assert ack.payer_name == "NYSDOH" and ack.reference == "000000674"
    (claim,) = ack.claims
    assert claim.patient_control_number == "5781"
    assert claim.payer_claim_control_number == "1107000000014420"
    assert claim.status is ClaimAckStatus.ACCEPTED and claim.accepted
    assert [(s.category, s.status) for s in claim.statuses] == [("A2", "20")]
    assert claim.total_charge == Decimal("125.00")
    receiver = ack.levels[0]
    assert (
        receiver.level == "21"
        and receiver.statuses[0].category == "A1"
        and receiver.status is ClaimAckStatus.PENDING
    )


def test_277ca_rejected_sample() -> None:
    ack = parse_277ca(read_x12("277CA", "ims__x12_277CA_rejected.txt"))  # one line, '|' component separator
    (claim,) = ack.claims
    assert claim.patient_control_number == "3920394930203"
    assert claim.status is ClaimAckStatus.REJECTED and not claim.accepted
    assert [(s.category, s.status, s.entity) for s in claim.statuses] == [("A7", "562", "85")]
    assert str(claim.service_date_from) == "2009-03-11"


GOOD_277 = (
    "ISA*00*          *00*          *ZZ*CLEAR01        *ZZ*SUB12345       *240307*0900*^*00501*000000901*0*P*:~"
    "GS*HN*CLEAR01*SUB12345*20240307*0900*901*X*005010X214~"
    "ST*277*0001*005010X214~BHT*0085*08*BATCH1*20240307*0900*TH~"
    "HL*1**20*1~NM1*PR*2*BLUE PLAN*****PI*BCBSIL01~TRN*1*T1~DTP*050*D8*20240307~DTP*009*D8*20240307~"
    "HL*2*1*21*1~NM1*41*2*INFUSION RCM*****46*SUB12345~TRN*2*000000001~STC*A1:19:PR*20240307*WQ*7360~QTY*90*1~QTY*AA*1~AMT*YU*1550~AMT*YY*5810~"
    "HL*3*2*19*1~NM1*85*2*LAKESIDE*****XX*1234567893~TRN*1*P1~QTY*QA*1~QTY*QC*1~AMT*YU*1550~AMT*YY*5810~"
    "HL*4*3*PT~NM1*QC*1*VAUGHN*STEVE****MI*1EG4TE5MK72~TRN*2*OFFICE01~STC*A2:20:PR*20240307*WQ*1550~REF*1K*ICN0001~DTP*472*RD8*20240301-20240301~"
    "HL*5*3*PT~NM1*QC*1*SMITH*LEO****MI*XYZ987654~TRN*2*COMM01~STC*A7:21:82*20240307*U*5810****20240307**A6:128:85**Missing NPI~REF*D9*CH777~DTP*472*D8*20240301~"
    "SVC*HC:J3380*5460~STC*A7:453*20240307*U~REF*FJ*LC002~DTP*472*D8*20240301~"
    "SE*39*0001~GE*1*901~IEA*1*000000901~"
)


def test_277ca_claims_levels_and_lines() -> None:
    ack = parse_277ca(GOOD_277)
    accepted, rejected = ack.claims
    assert accepted.patient_control_number == "OFFICE01" and accepted.accepted
    assert accepted.payer_claim_control_number == "ICN0001"
    assert rejected.patient_control_number == "COMM01" and rejected.status is ClaimAckStatus.REJECTED
    assert [(s.category, s.status, s.entity) for s in rejected.statuses] == [
        ("A7", "21", "82"),
        ("A6", "128", "85"),
    ]
    assert rejected.free_text == "Missing NPI"
    assert rejected.clearinghouse_trace_number == "CH777"
    (line,) = rejected.lines
    assert (line.line_control_number, line.procedure, line.charge, line.status) == (
        "LC002",
        "J3380",
        Decimal("5460.00"),
        ClaimAckStatus.REJECTED,
    )
    assert [lv.level for lv in ack.levels] == ["21", "19"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("TRN*2*OFFICE01~", "").replace("SE*39", "SE*38"), "no TRN"),
        (lambda t: t.replace("STC*A2:20:PR*20240307*WQ*1550~", "").replace("SE*39", "SE*38"), "no STC"),
        (lambda t: t.replace("STC*A2:20:PR", "STC*A2"), "category and a status"),
        (lambda t: t.replace("STC*A2:20:PR*20240307", "STC*A2:20:PR*2024-03-07"), "CCYYMMDD"),
        (lambda t: t.replace("WQ*1550~REF", "WQ*15X0~REF"), "amount"),
        (lambda t: t.replace("HL*4*3*PT", "HL*4*3*22"), "HL03"),
        (lambda t: t.replace("*005010X214~ST", "*005010X212~ST"), "GS08"),
        (lambda t: t.replace("ST*277*0001*005010X214~BHT*0085", "ST*277*0001*005010X214~BHT*0010"), "BHT"),
        (lambda t: t.replace("DTP*472*D8*20240301~SVC", "DTP*472*XX*20240301~SVC"), "D8 or RD8"),
        (lambda t: t.replace("REF*1K*ICN0001~", "PWK*X~"), "unexpected segment PWK"),
        (lambda t: t[: t.index("SE*39")], "IEA"),
        (lambda t: t.replace("TRN*2*OFFICE01", "TRN*1*OFFICE01"), "TRN\\*2"),
    ],
)
def test_malformed_277ca_refused(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=message):
        parse_277ca(mutate(GOOD_277))


def test_999_text_is_not_a_277ca() -> None:
    with pytest.raises(InvalidInputError, match="GS01"):
        parse_277ca(GOOD_999)
    with pytest.raises(InvalidInputError, match="GS01"):
        parse_999(GOOD_277)
