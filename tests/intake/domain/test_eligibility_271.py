"""271 reader: every shared sample read with asserted values; malformed input refused whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import mbi_is_valid, npi_is_valid
from infusion_rcm.x12.errors import X12Error
from intake.domain.eligibility_270 import build_270
from intake.domain.eligibility_271 import parse_271
from intake.domain.eligibility_response import CoverageStatus, DatePeriod, EligibilityResponse
from tests.fixture_files import read_x12, x12_samples

from .test_eligibility_270 import ENVELOPE, SUBSCRIBER_EXAMPLE

SUBSCRIBER = "lfh__subscriber-health-benefit-check.271"
DEPENDENT = "lfh__dependent-health-benefit-check.271"
ERROR = "lfh__subscriber-health-benefit-check-error.271"
NODE = "nodex12__271.edi"


def test_every_shared_271_sample_is_read() -> None:
    samples = x12_samples("271")
    assert {p.name for p in samples} >= {SUBSCRIBER, DEPENDENT, ERROR, NODE}
    for path in samples:
        response = parse_271(path.read_text(encoding="utf-8"))
        assert response.transactions, path.name


# --- the guide examples ---------------------------------------------------------------------------


def test_subscriber_sample() -> None:
    r = parse_271(read_x12("271", SUBSCRIBER))
    assert r.notes == ()
    assert (r.interchange_control, r.functional_id, r.version) == ("000000907", "HB", "005010X279A1")
    (tx,) = r.transactions
    assert (tx.control_number, tx.reference_id, tx.response_type, tx.created) == (
        "4321",
        "10001234",
        "11",
        date(2006, 5, 1),
    )
    assert (tx.payer.name, tx.payer.id_qualifier, tx.payer.identifier) == ("ABC COMPANY", "PI", "841610001")
    assert tx.receiver is not None
    assert (tx.receiver.entity_code, tx.receiver.name, tx.receiver.identifier) == (
        "1P",
        "BONE AND JOIN CLINIC",
        "2000035",
    )
    assert tx.rejections == ()
    (s,) = tx.subjects
    assert s.level == "subscriber"
    assert (s.member.name, s.member.first_name, s.member_id) == ("SMITH", "JOHN", "123456789")
    assert s.trace_number == "93175-012547"
    assert s.traces[0].trace_type == "2"
    assert (s.birth_date, s.gender) == (date(1963, 5, 19), "M")
    assert s.dates == (DatePeriod(qualifier="346", start=date(2006, 1, 1)),)
    assert s.status is CoverageStatus.ACTIVE
    assert s.active is True
    assert s.plan_description == "GOLD 123 PLAN"
    assert [b.code for b in s.benefits] == ["1", "L", "1", "B", "B"]
    assert s.copay(in_network=True) == Decimal("10.00")
    assert s.copay(in_network=False) == Decimal("30.00")
    assert [(b.amount, b.in_network, b.time_period) for b in s.copays] == [
        (Decimal("10.00"), True, "27"),
        (Decimal("30.00"), False, "27"),
    ]
    assert s.copays[0].service_types == ("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC")
    assert s.copays[0].insurance_type == "HM"
    assert s.coinsurance_percent() is None
    assert s.deductible() is None
    assert s.out_of_pocket_amount() is None
    pcp = s.benefits[1]
    assert pcp.description == "Primary Care Provider"
    assert [(e.entity_code, e.name, e.first_name, e.identifier) for e in pcp.related_entities] == [
        ("P3", "JONES", "MARCUS", "0202034")
    ]
    assert r.for_trace("93175-012547") is s
    assert r.for_trace("nope") is None
    assert not r.rejected


def test_dependent_sample() -> None:
    r = parse_271(read_x12("271", DEPENDENT))
    assert r.notes == ()
    subscriber, dependent = r.subjects
    assert subscriber.level == "subscriber"
    assert subscriber.benefits == ()
    assert subscriber.status is CoverageStatus.UNKNOWN
    assert subscriber.trace_number == ""
    assert dependent.level == "dependent"
    assert (dependent.member.entity_code, dependent.member.name, dependent.member.first_name) == (
        "03",
        "SMITH",
        "MARY",
    )
    assert dependent.member_id == "123456789"  # taken from the subscriber: dependents have no own id
    assert dependent.relationship_code == "19"  # child
    assert (dependent.birth_date, dependent.gender) == (date(1998, 10, 14), "F")
    assert dependent.trace_number == "93175-012547"
    assert dependent.active
    assert dependent.plan_description == "GOLD 123 PLAN"
    assert dependent.copay(in_network=True) == Decimal("10.00")
    assert dependent.copay(in_network=False) == Decimal("30.00")
    assert r.for_trace("93175-012547") is dependent


def test_error_sample_reports_the_aaa_rejection() -> None:
    r = parse_271(read_x12("271", ERROR))
    (tx,) = r.transactions
    assert tx.subjects == ()
    (rej,) = tx.rejections
    assert (rej.loop, rej.valid_request, rej.reason_code, rej.follow_up_code) == ("2100B", True, "50", "N")
    assert rej.reason == "Provider Ineligible for Inquiries"
    assert rej.follow_up == "Resubmission Not Allowed"
    assert rej.message == (
        "Provider Ineligible for Inquiries (AAA reject reason 50, loop 2100B): Resubmission Not Allowed."
    )
    assert r.rejected
    assert r.rejections == (rej,)
    # The sample's SE02 (4323) does not echo ST02 (4321): tolerated and noted, the count is right.
    assert r.notes == ("SE02 '4323' does not repeat ST02 '4321'.",)


def test_node_x12_sample_medicare_benefits() -> None:
    r = parse_271(read_x12("271", NODE))
    # The envelope reader's uniform warnings: GS01=HS on a 271 (ST01 decides) and no GE/IEA after a
    # complete ST..SE.
    assert len(r.notes) == 3
    assert any(n.startswith("GS01 is 'HS' instead of 'HB'") for n in r.notes)
    assert any("group 123456 has no GE trailer" in n for n in r.notes)
    assert any("IEA interchange trailer is missing" in n for n in r.notes)
    assert r.functional_id == "HS"
    (tx,) = r.transactions
    assert (tx.payer.name, tx.payer.identifier) == ("CMS", "CMS")
    assert tx.receiver is not None
    assert tx.receiver.id_qualifier == "XX"
    assert npi_is_valid(tx.receiver.identifier)
    (s,) = tx.subjects
    assert s.member_id == "9UY4R33KV83"
    assert mbi_is_valid(s.member_id)
    assert (s.member.name, s.member.first_name) == ("BELMAR", "ALBERT")
    assert s.trace_number == "2223255592"  # TRN*1: the only trace given
    assert s.dates == (DatePeriod(qualifier="307", start=date(2019, 12, 30), end=date(2019, 12, 30)),)
    assert s.active
    assert [b.code for b in s.benefits] == ["1", "1", "1", "A", "C", "C", "I", "R", "R"]
    assert [b.insurance_type for b in s.benefits[:3]] == ["", "MA", "MB"]
    assert s.benefits[1].dates == (DatePeriod(qualifier="291", start=date(2015, 7, 1)),)
    assert s.coinsurance_percent() == Decimal("0")
    coins = s.coinsurance[0]
    assert (coins.plan_description, coins.time_period, coins.amount) == ("Medicare Part B", "27", None)
    assert coins.dates == (DatePeriod(qualifier="291", start=date(2019, 1, 1), end=date(2019, 12, 31)),)
    assert [(d.plan_description, d.time_period, d.amount, d.is_remaining) for d in s.deductibles] == [
        ("Medicare Part A", "26", Decimal("0.00"), False),
        ("Medicare Part B", "23", Decimal("0.00"), False),
    ]
    assert s.deductible() == Decimal("0.00")
    assert s.deductible(remaining=True) is None
    drug_plan = s.benefits[-1]
    assert drug_plan.description == "Other or Additional Payor"
    assert [(ref.qualifier, ref.value, ref.description) for ref in drug_plan.references] == [
        ("18", "S5601", ""),
        ("N6", "008", "SilverScript Choice"),
    ]
    assert [e.name for e in drug_plan.related_entities] == ["SILVERSCRIPT INSURANCE COMPANY"]
    assert s.benefits[-2].dates == (DatePeriod(qualifier="290", start=date(2017, 2, 1)),)


# --- a synthetic 271 for what the samples do not show ------------------------------------------------

ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*SUNRISE        *240601*0930*^*00501*000000123*0*P*:"


def wrap_271(body: list[str], *, gs01: str = "HB", st01: str = "271") -> str:
    """Envelope a 271 body with correct SE/GE/IEA counts."""
    st = [f"ST*{st01}*0001*005010X279A1", *body, f"SE*{len(body) + 2}*0001"]
    segments = [
        ISA,
        f"GS*{gs01}*PAYER*SUNRISE*20240601*0930*7*X*005010X279A1",
        *st,
        "GE*1*7",
        "IEA*1*000000123",
    ]
    return "~\n".join(segments) + "~\n"


HEAD = [
    "BHT*0022*11*REF42*20240601*0930",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*ACME1",
    "HL*2*1*21*1",
    "NM1*1P*2*SUNRISE INFUSION*****XX*1234567893",
]
BENEFITS_271 = [
    *HEAD,
    "HL*3*2*22*0",
    "TRN*2*TRACE-1*9877281234",
    "NM1*IL*1*DOE*JANE****MI*W100",
    "REF*6P*G-77*ACME EMPLOYER GROUP",
    "DMG*D8*19700101*F",
    "DTP*346*D8*20240101",
    "EB*1*IND*30**PPO GOLD",
    "EB*C*IND*30***23*1500.00*****Y",
    "EB*C*IND*30***29*1200.5*****Y",
    "EB*C*IND*30***23*3000*****N",
    "EB*C*FAM*30***23*4000*****Y",
    "EB*G*IND*30***23*5000*****Y",
    "EB*G*IND*30***29*4100.00*****Y",
    "EB*A*IND*30***27**.2****Y",
    "EB*A*IND*30***27**0.4****N",
    "EB*B*IND*98***27*25*****Y",
    "EB*F*IND*42***22***VS*30*Y*Y*HC:J1745",
    "MSG*PRIOR AUTH REQUIRED AFTER 30 VISITS",
    "AAA*Y**41*C",
]


def test_synthetic_cost_sharing_remaining_and_network() -> None:
    r = parse_271(wrap_271(BENEFITS_271))
    assert r.notes == ()
    s = r.for_trace("TRACE-1")
    assert s is not None
    assert (s.group_number, s.group_description) == ("G-77", "ACME EMPLOYER GROUP")
    assert s.plan_description == "PPO GOLD"
    assert s.deductible(in_network=True) == Decimal("1500.00")
    assert s.deductible(in_network=True, remaining=True) == Decimal("1200.50")
    assert s.deductible(in_network=False) == Decimal("3000.00")
    assert s.deductible(in_network=False, remaining=True) is None
    assert s.deductible(coverage_level="FAM") == Decimal("4000.00")
    assert s.out_of_pocket_amount(in_network=True) == Decimal("5000.00")
    assert s.out_of_pocket_amount(in_network=True, remaining=True) == Decimal("4100.00")
    assert s.coinsurance_percent(in_network=True) == Decimal("0.2")
    assert s.coinsurance_percent(in_network=False) == Decimal("0.4")
    assert s.copay() == Decimal("25.00")
    limit = s.benefits[-1]
    assert (limit.quantity_qualifier, limit.quantity, limit.authorization_required, limit.procedure) == (
        "VS",
        Decimal(30),
        True,
        "HC:J1745",
    )
    assert limit.messages == ("PRIOR AUTH REQUIRED AFTER 30 VISITS",)
    (rej,) = s.rejections
    assert (rej.loop, rej.reason_code, rej.reason, rej.follow_up) == (
        "2110C",
        "41",
        "Authorization/Access Restrictions",
        "Please Correct and Resubmit",
    )
    dumped = s.model_dump(mode="json")
    assert dumped["active"] is True
    assert dumped["status"] == "active"
    assert dumped["benefits"][2]["is_remaining"] is True


def test_inactive_subscriber_and_subscriber_not_found() -> None:
    inactive = parse_271(
        wrap_271([*HEAD, "HL*3*2*22*0", "TRN*2*T1*9877281234", "NM1*IL*1*DOE*JANE****MI*W100", "EB*6**30"])
    )
    (s,) = inactive.subjects
    assert s.status is CoverageStatus.INACTIVE
    assert s.active is False

    not_found = parse_271(
        wrap_271([*HEAD, "HL*3*2*22*0", "TRN*2*T2*9877281234", "NM1*IL*1*DOE*JANE****MI*W100", "AAA*Y**75*C"])
    )
    (s,) = not_found.subjects
    assert s.status is CoverageStatus.UNKNOWN
    (rej,) = s.rejections
    assert (rej.loop, rej.reason) == ("2100C", "Subscriber/Insured Not Found")
    assert not_found.rejected


def test_bom_crlf_and_gs01_hs_are_tolerated() -> None:
    text = "\ufeff" + wrap_271(BENEFITS_271, gs01="HS").replace("\n", "\r\n")
    r = parse_271(text)
    assert r.notes == (
        "GS01 is 'HS' instead of 'HB'; read as a 271 eligibility response because ST01 says 271.",
    )
    assert r.subjects[0].deductible(in_network=True) == Decimal("1500.00")


# --- refusals ---------------------------------------------------------------------------------------


def _refused(text: str, message: str, position: int | None = None) -> X12Error:
    with pytest.raises(X12Error, match=message) as caught:
        parse_271(text)
    assert isinstance(caught.value, InvalidInputError)
    if position is not None:
        assert caught.value.position == position, str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("\ufeff", "empty"),
        ("\ufeff\r\n  \n", "empty"),
        ("GS*HB*A*B*20240101*1200*1*X*005010X279A1~", "does not start with an ISA"),
        ("ISA*00*", "shorter than its fixed 106 characters"),
    ],
    ids=["empty", "bom-only", "whitespace", "no-isa", "isa-cut"],
)
def test_empty_and_headerless_files_are_refused(text: str, message: str) -> None:
    _refused(text, message)


def test_bytes_are_refused() -> None:
    _refused(b"ISA*", "decode the file first")  # type: ignore[arg-type]


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_truncated_samples_are_refused(cut: float) -> None:
    text = read_x12("271", SUBSCRIBER)
    _refused(text[: int(len(text) * cut)], "no SE trailer", position=3)


def test_truncated_mid_benefit_is_refused() -> None:
    text = read_x12("271", SUBSCRIBER)
    _refused(text[: text.index("*27*10.00") + 6], "truncated or spliced", position=3)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("*27*10.00*", "*27*10.OO*", r"segment 22 \(EB\): EB07 amount '10\.OO' is not a number"),
        ("*27*30.00*", "*27*1e3*", r"segment 23 \(EB\): EB07 amount '1e3' is not a number"),
        ("*27*30.00*", "*27*NaN*", "is not a number"),
        ("*27*30.00*", "*27*" + "9" * 30 + "*", "EB07 amount '9+' is longer than 18 characters"),
        ("DMG*D8*19630519*M", "DMG*D8*19631319*M", r"segment 14 \(DMG\): .* not a calendar date"),
        ("DTP*346*D8*20060101", "DTP*346*D8*2006-01-01", r"segment 15 \(DTP\): .*not CCYYMMDD"),
        ("DTP*346*D8*20060101", "DTP*346*XX*20060101", "not D8 or RD8"),
        ("BHT*0022*11*10001234*20060501", "BHT*0022*11*10001234*20061301", r"segment 4 \(BHT\): BHT04"),
    ],
)
def test_bad_values_in_a_sample_are_refused_at_their_segment(old: str, new: str, message: str) -> None:
    text = read_x12("271", SUBSCRIBER)
    assert old in text
    _refused(text.replace(old, new, 1), message)


def test_non_numeric_percent_is_refused() -> None:
    text = read_x12("271", NODE)
    _refused(text.replace("*27**0~", "*27**X~"), r"EB08 percent 'X' is not a number")


def test_an_835_is_refused() -> None:
    _refused(read_x12("835", "lfh__managed-care.835"), "holds a 835 transaction set, not a 271", position=3)


def test_an_835_body_without_envelope_is_refused() -> None:
    _refused(read_x12("835", "edi835parser__blue_cross_nc_sample.txt"), "does not start with an ISA")


def test_our_own_270_is_refused() -> None:
    _refused(build_270(SUBSCRIBER_EXAMPLE, ENVELOPE), "holds a 270 transaction set", position=3)


def test_se_count_mismatch_is_refused() -> None:
    text = read_x12("271", SUBSCRIBER).replace("EB*L~\n", "", 1)
    _refused(text, "SE01 says 22 segments; transaction set 4321 has 21", position=23)


@pytest.mark.parametrize(
    ("body", "message", "position"),
    [
        (["HL*1**20*1", *HEAD[2:]], "does not start with its BHT", 4),
        (["BHT*0010*11*X*20240101*1200", *HEAD[1:]], "BHT01", 4),
        ([HEAD[0], "NM1*PR*2*ACME"], "segment before the first HL", 5),
        ([HEAD[0], "HL*1**20*1"], "has no NM1 name segment", 5),
        ([HEAD[0], "HL*2**21*1", "NM1*1P*2*X"], "must point to a level 20 parent", 5),
        ([*HEAD, "HL*3*1*22*0", "NM1*IL*1*DOE****MI*W1"], "must point to a level 21 parent", 9),
        ([*HEAD, "HL*2*1*21*0"], "missing or repeated", 9),
        ([*HEAD, "HL*3*2*99*0"], "is not 20, 21, 22 or 23", 9),
        ([*HEAD, "HL*3*2*22*0", "EB*1**30"], "EB before the subscriber", 10),
        ([*HEAD, "HL*3*2*22*0", "NM1*03*1*DOE"], "needs IL", 10),
        ([*HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE****MI*W1", "EB***30"], "no EB01", 11),
        (
            [*HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE****MI*W1", "EB*1**30", "LS*2120", "NM1*P3*1*X"],
            "not closed by LE",
            12,
        ),
        (
            [*HEAD, "HL*3*2*22*1", "NM1*IL*1*DOE****MI*W1", "EB*1**30", "LS*2120", "HL*4*3*23*0"],
            "an HL starts inside an LS",
            13,
        ),
        ([*HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE****MI*W1", "LE*2120"], "LE without a matching LS", 11),
        ([*HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE****MI*W1", "CLP*1*1*100*0"], "CLP is not a 271 segment", 11),
        ([*HEAD, "HL*3*2*22*0", "NM1*IL*1*DOE****MI*W1", "AAA*Q**72*C"], "AAA01 Y/N", 11),
        ([HEAD[0]], "no information source", 3),
        ([HEAD[0], "HL*1**21*1", "NM1*1P*2*X"], "must point to a level 20 parent", 5),
    ],
)
def test_structural_problems_are_refused_at_their_segment(
    body: list[str], message: str, position: int
) -> None:
    _refused(wrap_271(body), message, position=position)


# --- the version: only 5010 is read ------------------------------------------------------------------


def _as_4010(text: str) -> str:
    """A sample turned into what a 4010 sender writes: ISA12 00401, GS08/ST03 004010X092A1."""
    assert "*00501*" in text and "005010X279A1" in text
    return text.replace("*00501*", "*00401*", 1).replace("005010X279A1", "004010X092A1")


def test_a_4010_271_is_refused_not_misread() -> None:
    # A 4010 ISA11 is the U standards identifier, not a repetition separator: reading it would
    # leave EB03 service types unsplit, so the file is refused at its ISA with the 5010 ask.
    error = _refused(_as_4010(read_x12("271", SUBSCRIBER)), "ISA12 is 00401 .X12 4010.", position=1)
    assert error.code == "x12.version"
    assert "Ask the sender for the 5010 file" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "message", "position"),
    [
        ("*X*005010X279A1~", "*X*004010X092A1~", "GS08 declares 004010X092A1", 2),
        ("ST*271*4321*005010X279A1", "ST*271*4321*004010X092A1", "ST03 declares 004010X092A1", 3),
    ],
)
def test_a_5010_envelope_around_another_guide_is_refused(
    old: str, new: str, message: str, position: int
) -> None:
    text = read_x12("271", SUBSCRIBER)
    assert old in text
    _refused(text.replace(old, new, 1), message, position=position)


def test_envelope_count_problems_are_refused() -> None:
    good = wrap_271(BENEFITS_271)
    ge = 3 + len(BENEFITS_271) + 1 + 1  # ISA, GS, ST, body, SE
    _refused(good.replace("GE*1*7", "GE*2*7"), "GE01 says 2 transaction sets", position=ge)
    _refused(good.replace("IEA*1*", "IEA*3*"), "IEA01 says 3 groups", position=ge + 1)
    _refused(good + ISA + "~", "segments follow the IEA", position=ge + 2)
    _refused(good.replace("GS*HB", "XX*HB"), "XX appears outside a GS functional group", position=2)
    _refused("~".join([ISA, "GE*0*1", "IEA*1*000000123"]) + "~", "GE appears outside a GS", position=2)
    _refused("~".join([ISA, "IEA*0*000000123"]) + "~", "holds no 271 transaction set")


def test_refusal_is_whole_not_partial() -> None:
    # Two transactions, the second one broken: nothing is returned.
    good = wrap_271(BENEFITS_271)
    second = "ST*271*0002*005010X279A1~EB*1~SE*3*0002~"
    text = good.replace("GE*1*7", second + "GE*2*7")
    # ISA, GS, ST 0001 + body + SE, then ST 0002 at the next position and its EB just after.
    _refused(text, "transaction set 0002 does not start with its BHT", position=3 + len(BENEFITS_271) + 3)


def test_response_model_is_frozen() -> None:
    r = parse_271(read_x12("271", SUBSCRIBER))
    assert isinstance(r, EligibilityResponse)
    with pytest.raises(ValueError, match="frozen"):
        r.notes = ("x",)  # type: ignore[misc]
