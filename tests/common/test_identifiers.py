"""Identifier rules: NPI (CMS check-digit paper), NDC (FDA directory layouts -> HIPAA 5-4-2),
MBI (CMS MBI format specification), ICD-10-CM code form. One table per rule, every layout and
every way to be wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import (
    MBI_LETTERS,
    icd10cm_shape_ok,
    mbi_is_valid,
    normalize_icd10cm,
    normalize_ndc,
    npi_check_digit,
    npi_is_valid,
    validate_mbi,
    validate_npi,
)

# --- NPI -----------------------------------------------------------------------------------------


def test_cms_worked_example_check_digit() -> None:
    # CMS "Requirements for Check Digit Algorithm for the NPI": 123456789 -> check digit 3.
    assert npi_check_digit("123456789") == 3
    assert npi_is_valid("1234567893")


@pytest.mark.parametrize("npi", ["1234567893", "1508165317", "1122333341", "2000000002"])
def test_valid_npis(npi: str) -> None:
    assert npi_is_valid(npi)
    assert validate_npi(npi) == npi


def test_validate_npi_trims_but_the_predicate_does_not() -> None:
    # NM109 carries the value as is: a padded NPI is tidied by validate_npi, not waved through.
    assert validate_npi(" 1234567893 ") == "1234567893"
    assert not npi_is_valid(" 1234567893 ")


@pytest.mark.parametrize(
    ("npi", "message"),
    [
        ("1234567890", "check-digit"),  # wrong check digit
        ("1234567894", "check-digit"),
        ("123456789", "has 9 digits"),  # too short
        ("12345678931", "has 11 digits"),  # too long
        ("12345-6789", "digits only"),  # punctuation
        ("12345678ab", "digits only"),  # letters
        ("", "missing"),
        ("   ", "missing"),
        ("１２３４５６７８９３", "digits only"),  # full-width digits are not ASCII digits
        ("3234567893", "starts with 3"),  # CMS issues NPIs starting with 1 or 2 only
        ("0000000000", "starts with 0"),
        ("9876543213", "starts with 9"),
    ],
)
def test_invalid_npis(npi: str, message: str) -> None:
    assert not npi_is_valid(npi)
    with pytest.raises(InvalidInputError, match=message):
        validate_npi(npi)


def test_npi_starting_3_to_9_is_refused_even_with_a_good_check_digit() -> None:
    for first in "3456789":
        first_nine = first + "23456789"
        npi = first_nine + str(npi_check_digit(first_nine))
        assert not npi_is_valid(npi)
        with pytest.raises(InvalidInputError, match="starts with"):
            validate_npi(npi)


@pytest.mark.parametrize("value", [1234567893, None, b"1234567893"])
def test_npi_non_string(value: object) -> None:
    assert not npi_is_valid(value)
    with pytest.raises(InvalidInputError, match="missing"):
        validate_npi(value)


@pytest.mark.parametrize("first_nine", ["12345678", "1234567890", "12345678a", "１２３４５６７８９"])
def test_npi_check_digit_needs_nine_ascii_digits(first_nine: str) -> None:
    with pytest.raises(InvalidInputError, match="nine digits"):
        npi_check_digit(first_nine)


_NPI_BODY = st.tuples(st.sampled_from("12"), st.text(alphabet="0123456789", min_size=8, max_size=8)).map(
    "".join
)


@given(_NPI_BODY)
def test_npi_with_computed_check_digit_always_validates(first_nine: str) -> None:
    assert npi_is_valid(first_nine + str(npi_check_digit(first_nine)))


@given(_NPI_BODY, st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_never_validates(first_nine: str, position: int, delta: int) -> None:
    npi = first_nine + str(npi_check_digit(first_nine))
    changed = npi[:position] + str((int(npi[position]) + delta) % 10) + npi[position + 1 :]
    assert not npi_is_valid(changed)


# --- NDC -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "eleven"),
    [
        ("1234-1234-12", "01234123412"),  # 4-4-2: labeler padded
        ("0409-4332-01", "00409433201"),
        ("12345-123-12", "12345012312"),  # 5-3-2: product padded
        ("50242-060-01", "50242006001"),
        ("12345-1234-1", "12345123401"),  # 5-4-1: package padded
        ("12345-6789-1", "12345678901"),
        ("12345-1234-12", "12345123412"),  # 5-4-2 hyphenated: already 11 digits
        ("55513-0670-01", "55513067001"),
        ("55513067001", "55513067001"),  # 11 digits without hyphens
        (" 55513-0670-01 ", "55513067001"),  # surrounding space
        ("55513 - 0670 - 01", "55513067001"),  # spaces around the hyphens
    ],
)
def test_ndc_layouts_normalise_to_5_4_2(raw: str, eleven: str) -> None:
    assert normalize_ndc(raw) == eleven


@pytest.mark.parametrize(
    "raw",
    [
        "5551306700",  # bare 10 digits: which segment is short cannot be known
        "555130670011",  # 12 digits
        "5551306700a",  # 11 characters, not all digits
        "",
        "12-34-56",  # segment lengths of no layout
        "1234-123-12",  # 4-3-2 (9 digits)
        "123456-1234-1",  # 6-4-1
        "1234-12345-1",  # 4-5-1
        "12345-1234",  # two segments
        "1-2345-1234-12",  # four segments
        "12345--1234",  # empty segment
        "abcde-1234-12",  # letters
        "１２３４５-１２３４-１２",  # full-width digits
    ],
)
def test_not_an_ndc(raw: str) -> None:
    assert normalize_ndc(raw) is None


# --- MBI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mbi", "normalised"),
    [
        ("1EG4-TE5-MK73", "1EG4TE5MK73"),  # CMS MBI format spec example
        ("1EG4TE5MK73", "1EG4TE5MK73"),
        ("1eg4-te5-mk73", "1EG4TE5MK73"),
        (" 9UY4R33KV83 ", "9UY4R33KV83"),  # from the node-x12 271 sample
        ("5A00A00AA00", "5A00A00AA00"),  # positions 3 and 6 may be digits
    ],
)
def test_valid_mbis(mbi: str, normalised: str) -> None:
    assert mbi_is_valid(mbi)
    assert validate_mbi(mbi) == normalised


@pytest.mark.parametrize(
    ("mbi", "message"),
    [
        ("0EG4TE5MK73", "character 1"),  # position 1 is 1-9
        ("AEG4TE5MK73", "character 1"),
        ("1SG4TE5MK73", "character 2.*never use the letters S"),
        ("12G4TE5MK73", "character 2 is '2' but must be a letter"),
        ("1ES4TE5MK73", "character 3.*never use"),
        ("1E*4TE5MK73", r"character 3 is .\*. but must be a letter or digit"),
        ("1EGATE5MK73", "character 4 is 'A' but must be a digit"),
        ("1EG4LE5MK73", "character 5.*never use"),
        ("1EG4TO5MK73", "character 6.*never use"),
        ("1EG4TEXMK73", "character 7"),
        ("1EG4TE51K73", "character 8"),
        ("1EG4TE5M173", "character 9"),
        ("1EG4TE5MKB3", "character 10"),
        ("1EG4TE5MK7B", "character 11"),
        ("1EG4TE5MK7", "has 10 characters"),
        ("1EG4TE5MK733", "has 12 characters"),
        ("1EG-4TE5-MK73", "without dashes or as 1EG4-TE5-MK73"),  # dashes in the wrong place
        ("1EG4-TE5MK73", "without dashes or as 1EG4-TE5-MK73"),  # only one dash
        ("", "missing"),
    ],
)
def test_invalid_mbis(mbi: str, message: str) -> None:
    assert not mbi_is_valid(mbi)
    with pytest.raises(InvalidInputError, match=message):
        validate_mbi(mbi)


@pytest.mark.parametrize("value", [None, 12345678901])
def test_mbi_non_string(value: object) -> None:
    assert not mbi_is_valid(value)
    with pytest.raises(InvalidInputError, match="missing"):
        validate_mbi(value)


_DIGIT = st.sampled_from("0123456789")
_LETTER = st.sampled_from(MBI_LETTERS)
_ALNUM = st.sampled_from(MBI_LETTERS + "0123456789")
_MBI = st.tuples(
    st.sampled_from("123456789"),
    _LETTER,
    _ALNUM,
    _DIGIT,
    _LETTER,
    _ALNUM,
    _DIGIT,
    _LETTER,
    _LETTER,
    _DIGIT,
    _DIGIT,
).map("".join)


@given(_MBI)
def test_any_mbi_built_by_the_position_rules_validates_with_and_without_dashes(mbi: str) -> None:
    assert validate_mbi(mbi) == mbi
    assert validate_mbi(f"{mbi[:4]}-{mbi[4:7]}-{mbi[7:]}".lower()) == mbi


@given(_MBI, st.sampled_from([1, 2, 4, 5, 7, 8]), st.sampled_from("SLOIBZ"))
def test_excluded_letters_never_validate(mbi: str, index: int, letter: str) -> None:
    assert not mbi_is_valid(mbi[:index] + letter + mbi[index + 1 :])


# --- ICD-10-CM code form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "compact"),
    [
        ("E11.9", "E119"),
        (" e11.9 ", "E119"),  # case and surrounding space
        ("K50 .90", "K5090"),  # inner space
        ("s72.001a", "S72001A"),  # 7th character
        ("E119", "E119"),  # already compact
        ("U07.1", "U071"),
        ("", ""),
    ],
)
def test_icd10cm_normal_form(raw: str, compact: str) -> None:
    assert normalize_icd10cm(raw) == compact


def test_icd10cm_normalise_refuses_non_text() -> None:
    with pytest.raises(InvalidInputError, match="must be text"):
        normalize_icd10cm(119)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("compact", "ok"),
    [
        ("E11", True),  # category (3 characters)
        ("C349", True),
        ("K5090", True),
        ("S72001A", True),  # 7 characters
        ("U071", True),  # U07.1 COVID-19 is billable in ICD-10-CM
        ("Z0000", True),
        ("K5", False),  # too short
        ("K50900000", False),  # too long
        ("123", False),  # digit first
        ("EE1", False),  # letter second
        ("E11.9", False),  # not normalised: the dot is removed first
        ("e119", False),  # not normalised: lower case
        ("", False),
    ],
)
def test_icd10cm_shape(compact: str, ok: bool) -> None:
    assert icd10cm_shape_ok(compact) is ok
