"""Every X12 reader refuses bad input with a message naming the segment, never a crash (issue 9).

Amounts out of range, digits that are digits to Python but not to X12 ('²', '٣', full-width
'１'), exponents, NaN, and a file in another version. Each case is a published sample with one
element changed; the reader must raise the X12 layer's one error type (an InvalidInputError the
API and the import pages turn into a 400 / a failed import with its reason).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from claims.domain.ack_277ca import parse_277ca
from claims.domain.ack_999 import parse_999
from infusion_rcm.x12.errors import X12Error
from intake.domain.eligibility_271 import parse_271
from payments.domain.x12_835 import parse_835
from tests.fixture_files import read_x12

S999 = read_x12("999", "ims__x12_999_rejected.txt")
S277 = read_x12("277CA", "ims__x12_277CA_rejected.txt")
S271 = read_x12("271", "lfh__subscriber-health-benefit-check.271")
S835 = read_x12("835", "lfh__medicare-part-a.835")

CASES: list[tuple[str, Callable[[str], object], str, str, str, str]] = [
    # (case, reader, sample, replace, with, message)
    (
        "999 superscript digit in a count",
        parse_999,
        S999,
        "AK9*R*1*1*0",
        "AK9*R*1*1*²",
        "AK904 '²' is not a number",
    ),
    (
        "999 Arabic-Indic digit in a count",
        parse_999,
        S999,
        "AK9*R*1*1*0",
        "AK9*R*1*1*٠",
        "AK904 '٠' is not a number",
    ),
    ("999 full-width IK302", parse_999, S999, "IK3*NM*17", "IK3*NM*１７", "IK302 '１７' is not a number"),
    (
        "999 count longer than N0 allows",
        parse_999,
        S999,
        "IK3*NM*17",
        "IK3*NM*" + "1" * 30,
        "longer than 10 digits",
    ),
    ("999 of another version", parse_999, S999, "005010X231A1", "004010X231A1", "GS08 declares 004010X231A1"),
    ("277CA 30-digit amount", parse_277ca, S277, "WQ*199.14~REF*1K", "WQ*" + "9" * 30 + "~REF*1K", "STC04"),
    (
        "277CA exponent amount",
        parse_277ca,
        S277,
        "WQ*199.14~REF*1K",
        "WQ*1E5~REF*1K",
        "'1E5' is not an amount",
    ),
    ("277CA NaN amount", parse_277ca, S277, "WQ*199.14~REF*1K", "WQ*NaN~REF*1K", "'NaN' is not an amount"),
    (
        "277CA full-width amount",
        parse_277ca,
        S277,
        "WQ*199.14~REF*1K",
        "WQ*１９９~REF*1K",
        "is not an amount",
    ),
    ("277CA Arabic-Indic date", parse_277ca, S277, "DTP*472*D8*20090311", "DTP*472*D8*٢٠٠٩٠٣١١", "DTP03"),
    (
        "277CA of another version",
        parse_277ca,
        S277,
        "005010X214",
        "004010X093A1",
        "GS08 declares 004010X093A1",
    ),
    (
        "271 30-digit amount",
        parse_271,
        S271,
        "*27*10.00*",
        "*27*" + "9" * 30 + "*",
        "longer than 18 characters",
    ),
    ("271 full-width amount", parse_271, S271, "*27*10.00*", "*27*１０*", "is not a number"),
    (
        "271 superscript date",
        parse_271,
        S271,
        "DTP*346*D8*20060101",
        "DTP*346*D8*2006010²",
        "is not CCYYMMDD",
    ),
    ("271 of another version", parse_271, S271, "005010X279A1", "004010X092A1", "GS08 declares 004010X092A1"),
    ("835 30-digit amount", parse_835, S835, "BPR*C*150000.00*", "BPR*C*" + "9" * 30 + "*", "BPR02"),
    (
        "835 superscript LX01",
        parse_835,
        S835,
        "LX*110212~",
        "LX*11021²~",
        "LX01 '11021²' is not a header number",
    ),
    ("835 full-width date", parse_835, S835, "DTM*405*20020916", "DTM*405*２００２０９１６", "DTM02"),
    ("835 of another version", parse_835, S835, "005010X221A1", "004010X091A1", "GS08 declares 004010X091A1"),
]


@pytest.mark.parametrize(
    ("case", "reader", "sample", "old", "new", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_reader_refuses_with_a_clear_message(
    case: str, reader: Callable[[str], object], sample: str, old: str, new: str, message: str
) -> None:
    assert old in sample, f"{case}: the sample no longer holds {old!r}"
    with pytest.raises(X12Error) as caught:
        reader(sample.replace(old, new, 1))
    assert message in caught.value.message
    assert "segment " in caught.value.message  # names where
