"""999 and 277CA readers: every sample in tests/fixtures/x12/999 and 277CA reads (values asserted)
or is refused for a stated reason; malformed input is refused whole, naming the segment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claims.domain.ack_277ca import ClaimAckStatus, parse_277ca
from claims.domain.ack_999 import parse_999
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.x12.errors import X12Error
from tests.fixture_files import read_x12, x12_samples

# -- every sample ---------------------------------------------------------------------------------

# name -> (ISA06, ISA08, [(AK101, AK102, AK103, AK901, [(AK201, AK202, IK501), ...]), ...])
SAMPLES_999 = {
    "ims__x12_999_accepted.txt": (
        "12345",
        "987654321",
        [("HC", "17456", "005010X223A2", "A", [("837", "0001", "A")])],
    ),
    "ims__x12_999_rejected.txt": (
        "EMEDNYBAT",
        "ETIN",
        [("HC", "28", "005010X223A2", "R", [("837", "0028", "R")])],
    ),
    "pyx12__834_ls_le_ls_5010.999.txt": (
        "MB888880",
        "ORDHS",
        [("BE", "146", "005010X220A1", "A", [("834", "146001", "A")])],
    ),
    "pyx12__834_lui_id_5010.999.txt": (
        "00AA",
        "D00XXX",
        [("BE", "13360001", "005010X220A1", "A", [("834", "0001", "A")])] * 4,
    ),
    "staedi__simple999.edi": (
        "123456789",
        "987654321",
        [
            (
                "HC",
                "17456",
                "005010X222",
                "P",
                [("837", "0001", "A"), ("837", "0002", "R"), ("837", "0003", "R")],
            )
        ],
    ),
}
# name -> (position, reason): refused whole, for this reason, at this segment
REFUSED_999 = {
    # its ST..SE holds 18 segments; SE01 says 16 (two IK5 were spliced in)
    "staedi__invalid999.edi": (
        20,
        "segment 20 (SE): SE01 says 16 segments; transaction set 2870001 has 18 (segments are missing or extra).",
    ),
}


def test_every_999_sample_is_listed() -> None:
    assert {p.name for p in x12_samples("999")} == set(SAMPLES_999) | set(REFUSED_999)


@pytest.mark.parametrize("name", sorted(SAMPLES_999))
def test_every_readable_999_sample(name: str) -> None:
    sender, receiver, groups = SAMPLES_999[name]
    ack = parse_999(read_x12("999", name))
    assert (ack.sender_id, ack.receiver_id) == (sender, receiver)
    assert [
        (
            g.functional_id,
            g.group_control_number,
            g.version,
            g.status,
            [(t.transaction_set_id, t.control_number, t.status) for t in g.transactions],
        )
        for g in ack.groups
    ] == groups
    for group in ack.groups:
        assert group.transaction_sets_accepted == sum(t.accepted for t in group.transactions)
        assert not group.rejected_as_group
        assert all(t.functional_id == group.functional_id for t in group.transactions)
        assert all(t.group_control_number == group.group_control_number for t in group.transactions)


@pytest.mark.parametrize("name", sorted(REFUSED_999))
def test_every_refused_999_sample(name: str) -> None:
    position, reason = REFUSED_999[name]
    with pytest.raises(X12Error) as exc:
        parse_999(read_x12("999", name))
    assert exc.value.position == position and exc.value.message == reason


# name -> (BHT03, payer, [(HL03, NM109, TRN02, batch reference, status)], [(CLM01, REF*1K, status, codes)])
SAMPLES_277CA = {
    "ims__x12_277CA_accepted.txt": (
        "000000674",
        "NYSDOH",
        [
            ("21", "ETIN", "000000674", "000000674", ClaimAckStatus.PENDING),
            ("19", "1234567890", "1107000000000135FF", "000000674", ClaimAckStatus.PENDING),
        ],
        [("5781", "1107000000014420", ClaimAckStatus.ACCEPTED, [("A2", "20", None)])],
    ),
    "ims__x12_277CA_rejected.txt": (
        "3920394930203",
        "NYSDOH",
        [
            ("21", "ETIN", "11200001", "11200001", ClaimAckStatus.PENDING),
            ("19", "123456789", "1107000000000001FF", "11200001", ClaimAckStatus.PENDING),
        ],
        [("3920394930203", "1107000000001120", ClaimAckStatus.REJECTED, [("A7", "562", "85")])],
    ),
}


def test_every_277ca_sample_is_listed() -> None:
    assert {p.name for p in x12_samples("277CA")} == set(SAMPLES_277CA)


@pytest.mark.parametrize("name", sorted(SAMPLES_277CA))
def test_every_277ca_sample(name: str) -> None:
    reference, payer, levels, claims = SAMPLES_277CA[name]
    ack = parse_277ca(read_x12("277CA", name))
    assert (ack.reference, ack.payer_name, ack.sender_id, ack.receiver_id) == (
        reference,
        payer,
        "EMEDNYBAT",
        "ETIN",
    )
    assert [
        (lv.level, lv.identifier, lv.trace_number, lv.batch_reference, lv.status) for lv in ack.levels
    ] == levels
    assert [
        (
            c.patient_control_number,
            c.payer_claim_control_number,
            c.status,
            [(s.category, s.status, s.entity) for s in c.statuses],
        )
        for c in ack.claims
    ] == claims
    assert ack.envelope_warnings == ()


# -- 999 details ----------------------------------------------------------------------------------


def test_999_accepted_keeps_the_iea02_warning() -> None:
    ack = parse_999(read_x12("999", "ims__x12_999_accepted.txt"))
    (tx,) = ack.transactions
    assert tx.accepted and not tx.errors and tx.version == "005010X223A2"
    assert ack.interchange_control_number == "000000286"
    # the uniform reader's tolerance: an IEA02 that does not repeat ISA13 is a warning
    assert ack.envelope_warnings == ("IEA02 '000000001' does not repeat ISA13 '000000286'.",)


def test_999_rejected_with_ik3() -> None:
    ack = parse_999(read_x12("999", "ims__x12_999_rejected.txt"))  # '|' component separator
    (tx,) = ack.transactions
    assert not tx.accepted and tx.status == "R" and tx.control_number == "0028" and tx.version is None
    assert tx.syntax_error_codes == ("5",)
    (err,) = tx.errors
    assert (err.segment_id, err.segment_position, err.loop_id, err.error_code) == ("NM", 17, None, "1")
    assert ack.groups[0].status == "R" and ack.groups[0].rejected


def test_999_mixed_outcomes_with_ik4_and_ctx() -> None:
    ack = parse_999(read_x12("999", "staedi__simple999.edi"))
    group = ack.groups[0]
    assert group.status == "P" and group.transaction_sets_accepted == 1 and not group.rejected
    second = ack.transactions[1].errors[0]
    assert (second.segment_id, second.segment_position, second.error_code) == ("CLM", 22, "8")
    assert second.claim_ids == ("123456789",)
    (ik4,) = second.elements
    assert (ik4.position, ik4.element_reference, ik4.error_code) == ("2", "782", "1")
    third = ack.transactions[2].errors[0]
    assert third.segment_id == "REF" and third.claim_ids == ("987654321",)


GOOD_999 = (
    "ISA*00*          *00*          *ZZ*CLEAR01        *ZZ*SUB12345       *240306*0900*^*00501*000000777*0*P*:~"
    "GS*FA*CLEAR01*SUB12345*20240306*0900*77*X*005010X231A1~"
    "ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6*0001~"
    "GE*1*77~IEA*1*000000777~"
)


def test_999_for_our_own_batch() -> None:
    ack = parse_999(GOOD_999)
    (tx,) = ack.transactions
    assert (tx.functional_id, tx.group_control_number, tx.transaction_set_id, tx.control_number) == (
        "HC",
        "1",
        "837",
        "0001",
    )
    assert tx.accepted and (ack.sender_id, ack.receiver_id) == ("CLEAR01", "SUB12345")
    assert ack.envelope_warnings == ()


def test_999_rejecting_a_whole_group_without_ak2() -> None:
    text = GOOD_999.replace("AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6", "AK9*R*1*1*0*2~SE*4")
    (group,) = parse_999(text).groups
    assert group.rejected_as_group and group.transactions == ()
    assert (group.functional_id, group.group_control_number, group.version) == ("HC", "1", "005010X222A1")
    assert group.syntax_error_codes == ("2",)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: "", "empty"),
        (lambda t: "AK1*HC*1~", "does not start with an ISA"),
        (lambda t: t.replace("SE*6*0001", "SE*7*0001"), "segment 8 \\(SE\\): SE01 says 7"),
        (lambda t: t.replace("GE*1*77", "GE*2*77"), "segment 9 \\(GE\\): GE01 says 2"),
        (lambda t: t.replace("IK5*A~", "IK5*Q~"), "segment 6 \\(IK5\\): IK501 'Q'"),
        (
            lambda t: t.replace("AK2*837*0001*005010X222A1~IK5*A~", "IK5*A~AK2*837*0001*005010X222A1~"),
            "segment 5 \\(IK5\\): IK5 outside",
        ),
        (lambda t: t.replace("IK5*A~", "").replace("SE*6", "SE*5"), "segment 6 \\(AK9\\): AK9 before"),
        (
            lambda t: t.replace("AK9*A*1*1*1~", "").replace("SE*6", "SE*5"),
            "segment 7 \\(SE\\): AK9 is missing",
        ),
        (lambda t: t.replace("AK9*A*1*1*1", "AK9*A*1*1"), "counts"),
        (lambda t: t.replace("AK9*A*1*1*1", "AK9*A*1*1*X"), "AK904 'X' is not a number"),
        (lambda t: t.replace("AK9*A*1*1*1", "AK9*A*1*1*0"), "AK904 says 0"),
        (lambda t: t.replace("AK9*A*1*1*1", "AK9*R*1*1*1"), "AK901 R rejects group 1 but IK5 accepts 1"),
        (lambda t: t.replace("AK9*A*1*1*1~", "AK9*A*1*1*1~IK5*A~").replace("SE*6", "SE*7"), "IK5 after AK9"),
        (lambda t: t.replace("AK1*HC*1*005010X222A1~", "").replace("SE*6", "SE*5"), "must be AK1"),
        (lambda t: t.replace("AK1*HC*1*", "AK1*HC**"), "AK102"),
        (lambda t: t.replace("ST*999*0001*005010X231A1", "ST*999*0001*005010X212"), "ST03 declares"),
        (lambda t: t.replace("*005010X231A1~ST", "*005010X212~ST"), "segment 2 \\(GS\\): GS08"),
        (lambda t: t.replace("IK5*A~", "IK5*A~NM1*41~").replace("SE*6", "SE*7"), "unexpected segment NM1"),
        (lambda t: t.replace("IK5*A~", "IK4*2*782*1~IK5*A~").replace("SE*6", "SE*7"), "IK4 outside"),
        (lambda t: t.replace("IK5*A~", "IK3*CLM*X**8~IK5*A~").replace("SE*6", "SE*7"), "IK302 'X'"),
        (lambda t: t.replace("ISA*00", "ISA*01", 1).replace("00501", "00401"), "4010"),
        (lambda t: t.replace("IEA*1*000000777~", "IEA*1*000000777~GS*FA~"), "segments follow the IEA"),
    ],
)
def test_malformed_999_refused(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(X12Error, match=message):
        parse_999(mutate(GOOD_999))


@pytest.mark.parametrize(
    ("mutate", "warning"),
    [
        (lambda t: t.replace("IEA*1*000000777~", ""), "the IEA interchange trailer is missing"),
        (lambda t: t.replace("SE*6*0001", "SE*6*0002"), "SE02 '0002' does not repeat ST02 '0001'."),
        (lambda t: t.replace("GE*1*77", "GE*1*78"), "GE02 '78' does not repeat GS06 '77'."),
        (lambda t: t.replace("GS*FA", "GS*HC"), "GS01 is 'HC' instead of 'FA'"),
    ],
)
def test_envelope_slips_are_read_with_the_readers_uniform_warning(mutate, warning: str) -> None:  # type: ignore[no-untyped-def]
    ack = parse_999(mutate(GOOD_999))
    assert ack.transactions[0].accepted
    assert any(w.startswith(warning) for w in ack.envelope_warnings), ack.envelope_warnings


# -- 277CA details --------------------------------------------------------------------------------


def test_277ca_accepted_sample_details() -> None:
    ack = parse_277ca(read_x12("277CA", "ims__x12_277CA_accepted.txt"))
    (claim,) = ack.claims
    assert claim.accepted and claim.total_charge == Decimal("125.00") and claim.action_code == "WQ"
    receiver, provider = ack.levels
    assert receiver.statuses[0].category == "A1" and receiver.total_charge == Decimal("125.00")
    assert provider.provider_npi == "1234567890" and provider.statuses == ()
    assert str(ack.created) == "2011-03-11"


def test_277ca_rejected_sample_details() -> None:
    ack = parse_277ca(read_x12("277CA", "ims__x12_277CA_rejected.txt"))  # one line, '|' component
    (claim,) = ack.claims
    assert not claim.accepted and str(claim.service_date_from) == "2009-03-11"


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
    assert [(lv.level, lv.batch_reference, lv.provider_npi) for lv in ack.levels] == [
        ("21", "000000001", None),
        ("19", "000000001", "1234567893"),
    ]


def test_277ca_billing_provider_rejection_is_kept() -> None:
    text = GOOD_277.replace("TRN*1*P1~", "TRN*1*P1~STC*A3:85:85*20240307*U*7360~").replace("SE*39", "SE*40")
    provider = parse_277ca(text).levels[1]
    assert provider.rejected and provider.total_charge == Decimal("7360.00")
    assert [(s.category, s.status, s.entity) for s in provider.statuses] == [("A3", "85", "85")]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda t: t.replace("TRN*2*OFFICE01~", "").replace("SE*39", "SE*38"),
            "segment 25 \\(HL\\): .*no TRN",
        ),
        (lambda t: t.replace("STC*A2:20:PR*20240307*WQ*1550~", "").replace("SE*39", "SE*38"), "no STC"),
        (lambda t: t.replace("STC*A2:20:PR", "STC*A2"), "segment 28 \\(STC\\): STC01 'A2' needs a category"),
        (lambda t: t.replace("STC*A2:20:PR*20240307", "STC*A2:20:PR*2024-03-07"), "CCYYMMDD"),
        (lambda t: t.replace("WQ*1550~REF", "WQ*15X0~REF"), "STC04 '15X0' is not an amount"),
        (lambda t: t.replace("HL*4*3*PT", "HL*4*3*22"), "HL03 '22'"),
        (lambda t: t.replace("HL*4*3*PT", "HL*4*2*PT"), "HL 4 \\(level PT\\) names parent 2"),
        (lambda t: t.replace("HL*3*2*19", "HL*3*1*19"), "it must sit under a level 21 HL"),
        (lambda t: t.replace("HL*5*3*PT", "HL*4*3*PT"), "HL01 '4' is empty or repeats"),
        (lambda t: t.replace("*005010X214~ST", "*005010X212~ST"), "GS08"),
        (
            lambda t: t.replace("ST*277*0001*005010X214~BHT*0085", "ST*277*0001*005010X214~BHT*0010"),
            "BHT\\*0085",
        ),
        (lambda t: t.replace("DTP*472*D8*20240301~SVC", "DTP*472*XX*20240301~SVC"), "D8 or RD8"),
        (lambda t: t.replace("REF*1K*ICN0001~", "PWK*X~"), "unexpected segment PWK"),
        (lambda t: t[: t.index("SE*39")], "has no SE trailer"),
        (lambda t: t.replace("TRN*2*OFFICE01", "TRN*1*OFFICE01"), "TRN\\*2"),
    ],
)
def test_malformed_277ca_refused(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(X12Error, match=message):
        parse_277ca(mutate(GOOD_277))


def test_the_one_error_type_is_an_invalid_input_error() -> None:
    with pytest.raises(InvalidInputError, match="holds a 999 transaction set, not a 277CA"):
        parse_277ca(GOOD_999)
    with pytest.raises(InvalidInputError, match="holds a 277 transaction set, not a 999"):
        parse_999(GOOD_277)


def test_the_invalid_sample_with_its_count_repaired_is_still_refused_for_its_body() -> None:
    text = read_x12("999", "staedi__invalid999.edi").replace("SE*16*2870001", "SE*18*2870001")
    with pytest.raises(X12Error) as exc:
        parse_999(text)
    assert exc.value.message == "segment 4 (IK5): the first segment of a 999 must be AK1."
