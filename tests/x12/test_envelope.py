"""The one envelope reader and writer: every fault gets the same answer, whatever the transaction."""

from __future__ import annotations

from datetime import datetime

import pytest

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.x12.errors import X12Error
from infusion_rcm.x12.reader import Expect, read_interchange, repetitions, tokenize
from infusion_rcm.x12.writer import Composite, Envelope, interchange, segment
from tests.fixture_files import x12_samples

ENVELOPE = Envelope(
    sender_id="INFUSIONRCM",
    receiver_id="CLEARINGHOUSE",
    interchange_control=42,
    group_control=7,
    functional_id="HS",
    version="005010X279A1",
    created=datetime(2026, 12, 1, 9, 30),
)
EXPECT_270 = Expect(
    what="270 eligibility request",
    set_id="270",
    functional_ids=frozenset({"HS"}),
    versions=frozenset({"005010X279A1"}),
)
BODY = [segment("BHT", "0022", "13", "REF1", "20261201", "0930"), segment("HL", 1, "", 20, 1)]


def written(transactions: int = 1) -> str:
    return interchange(ENVELOPE, [("270", BODY)] * transactions)


def test_what_the_writer_writes_the_reader_reads_back():
    ic = read_interchange(written(2), EXPECT_270)
    assert (ic.sender_id, ic.receiver_id, ic.control, ic.usage) == (
        "INFUSIONRCM",
        "CLEARINGHOUSE",
        "000000042",
        "P",
    )
    (group,) = ic.groups
    assert (group.functional_id, group.control, group.version) == ("HS", "7", "005010X279A1")
    assert [tx.control for tx in ic.transactions] == ["0001", "0002"]
    assert ic.transactions[0].body[0][:3] == ["BHT", "0022", "13"]
    assert ic.warnings == ()


def test_segment_positions_count_from_the_isa():
    ic = read_interchange(written(2), EXPECT_270)
    first, second = ic.transactions
    assert first.position == 3  # ISA, GS, ST
    assert [p for p, _ in first.segments()] == [4, 5]
    assert second.position == 7  # ... SE at 6
    err = second.error(1, "bad HL")
    assert err.position == 9 and err.segment_id == "HL" and str(err).startswith("segment 9 (HL): bad HL")


def test_writer_cleans_delimiters_and_drops_trailing_empties():
    assert segment("NM1", "IL", "1", "O*BRIEN~", "", "") == "NM1*IL*1*O BRIEN"
    assert segment("SV1", Composite("HC", "96365", "", "")) == "SV1*HC:96365"


@pytest.mark.parametrize("control", [0, 1_000_000_000])
def test_writer_refuses_control_numbers_out_of_range(control):
    with pytest.raises(InvalidInputError, match="control number"):
        interchange(Envelope(**{**ENVELOPE.__dict__, "interchange_control": control}), [("270", BODY)])


def _mutate(old: str, new: str) -> str:
    text = written()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "empty", None),
        ("GS*HS*A~", "does not start with an ISA", 1),
        ("ISA*00*", "shorter than its fixed 106", 1),
        (_mutate("*00501*", "*00401*"), "X12 4010", 1),
        (_mutate("005010X279A1~ST", "004010X092A1~ST"), "GS08 declares 004010X092A1", 2),
        (_mutate("ST*270*0001*005010X279A1", "ST*271*0001*005010X279A1"), "holds a 271 transaction set", 3),
        (_mutate("SE*4*0001", "SE*5*0001"), "SE01 says 5 segments; transaction set 0001 has 4", 6),
        (_mutate("GE*1*7", "GE*2*7"), "GE01 says 2", 7),
        (_mutate("IEA*1*", "IEA*3*"), "IEA01 says 3 groups", 8),
        (_mutate("SE*4*0001~", ""), "no SE trailer", 3),
        (_mutate("GS*HS", "NM1*XX~GS*HS"), "outside a GS functional group", 2),
        (written() + "ST*270*0002~", "segments follow the IEA", 9),
    ],
)
def test_every_envelope_fault_is_refused_with_its_position(text, message, position):
    with pytest.raises(X12Error, match=message) as caught:
        read_interchange(text, EXPECT_270)
    assert caught.value.position == position


@pytest.mark.parametrize(
    ("old", "new", "warning"),
    [
        ("SE*4*0001", "SE*4*0009", "SE02 '0009' does not repeat ST02 '0001'"),
        ("GE*1*7", "GE*1*8", "GE02 '8' does not repeat GS06 '7'"),
        ("IEA*1*000000042", "IEA*1*000000043", "IEA02 '000000043' does not repeat ISA13"),
        ("GS*HS", "GS*HB", "GS01 is 'HB' instead of 'HS'"),
        ("GE*1*7~IEA*1*000000042~", "", "no GE trailer"),
    ],
)
def test_echo_faults_are_read_with_a_warning(old, new, warning):
    ic = read_interchange(_mutate(old, new), EXPECT_270)
    assert len(ic.transactions) == 1
    assert any(warning in w for w in ic.warnings), ic.warnings


def test_a_letter_in_isa11_means_no_repetition_separator():
    ic = read_interchange(_mutate("*^*00501*", "*U*00501*"), EXPECT_270)
    assert ic.delimiters.repetition is None
    assert repetitions("1^2", ic.delimiters) == ["1^2"]
    assert any("ISA11" in w for w in ic.warnings)


def test_delimiters_come_from_the_isa():
    text = written().replace("*", "|").replace(":", ">").replace("~", "\n")
    text = text.replace("|^|", "|!|")
    segments = tokenize(text)
    assert segments[0][0] == "ISA" and segments[2][:3] == ["ST", "270", "0001"]


@pytest.mark.parametrize(
    "path",
    [p for kind in ("270", "271", "999", "277CA", "835", "837P", "837I") for p in x12_samples(kind)],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_public_sample_either_tokenizes_or_is_refused_for_a_stated_reason(path):
    text = path.read_text(encoding="utf-8")
    if path.name == "edi835parser__blue_cross_nc_sample.txt":  # published as ST..SE without ISA
        with pytest.raises(X12Error, match="does not start with an ISA"):
            tokenize(text)
        return
    segments = tokenize(text)
    assert segments[0][0] == "ISA" and segments[-1][0] in ("IEA", "SE")


# -- one split for the usual file: the same segments as splitting and stripping each ----------------


def _naive(text: str) -> list[list[str]]:
    """What tokenize promises: split at the terminator, strip each segment's ends, drop empty ones."""
    body = text.lstrip("\ufeff \r\n\t")
    return [seg.strip("\r\n\t ").split(body[3]) for seg in body.split(body[105]) if seg.strip("\r\n\t ")]


@pytest.mark.parametrize(
    "variant",
    [
        lambda t: t,
        lambda t: t.replace("~", "~\n"),
        lambda t: t.replace("~", "~\r\n"),
        lambda t: "\ufeff" + t + "\n\n",
        lambda t: t.replace("~", "~\n  "),  # spaces after the break: the slow path
        lambda t: t[:106] + t[106:].replace("~", " ~\t"),  # spaces before terminators
        lambda t: t.replace("~", "~~"),  # empty segments dropped
        lambda t: t.rstrip("~") + "  ",  # no final terminator
        lambda t: t.replace("~BHT", "~\r\nBHT"),  # a break after some terminators only
    ],
)
def test_tokenize_is_splitting_and_stripping_each_segment(variant):
    text = variant(written(2))
    assert tokenize(text) == _naive(text)
    ic = read_interchange(text, EXPECT_270)
    assert [list(tx.body) for tx in ic.transactions] == [BODY_SPLIT, BODY_SPLIT]


BODY_SPLIT = [["BHT", "0022", "13", "REF1", "20261201", "0930"], ["HL", "1", "", "20", "1"]]


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        # a control segment id inside an element, or as the start of a longer id, ends nothing
        ("HL*1**20*1~", "HL*SE*ST*20*1~SEX*1~IEAB~", r"segment 8 \(SE\): SE01 says 4 segments.*has 6"),
        # the set ends at the first GS, GE, ST, SE or IEA, however short the segment
        ("HL*1**20*1~", "HL*1**20*1~GE~", r"segment 3 \(ST\): transaction set 0001 has no SE trailer"),
        ("HL*1**20*1~", "HL*1**20*1~SE~", r"segment 6 \(SE\): SE01 says nothing"),
    ],
)
def test_the_set_ends_only_at_a_control_segment(old, new, match):
    text = written(1).replace(old, new, 1)
    with pytest.raises(X12Error, match=match):
        read_interchange(text, EXPECT_270)


def test_transaction_texts_and_body_agree():
    (tx,) = read_interchange(written(1), EXPECT_270).transactions
    assert tx.texts == ("BHT*0022*13*REF1*20261201*0930", "HL*1**20*1")
    assert tx.body == tuple(BODY_SPLIT) and tx.body is tx.body  # split once
    assert [tx.tag(i) for i in range(2)] == ["BHT", "HL"]
