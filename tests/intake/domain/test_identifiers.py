"""NPI (CMS NPI check-digit algorithm) and MBI (CMS MBI format specification) checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusion_rcm.common.errors import InvalidInputError
from intake.domain.identifiers import (
    MBI_LETTERS,
    mbi_is_valid,
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


@pytest.mark.parametrize("npi", ["1234567893", "1508165317", " 1234567893 "])
def test_valid_npis(npi: str) -> None:
    assert npi_is_valid(npi)
    assert validate_npi(npi) == npi.strip()


@pytest.mark.parametrize(
    ("npi", "message"),
    [
        ("1234567890", "check-digit"),
        ("1234567894", "check-digit"),
        ("123456789", "has 9 digits"),
        ("12345678931", "has 11 digits"),
        ("12345-6789", "digits only"),
        ("", "missing"),
        ("１２３４５６７８９３", "digits only"),  # full-width digits are not ASCII digits
    ],
)
def test_invalid_npis(npi: str, message: str) -> None:
    assert not npi_is_valid(npi)
    with pytest.raises(InvalidInputError, match=message):
        validate_npi(npi)


def test_npi_non_string_is_invalid() -> None:
    assert not npi_is_valid(1234567893)  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_npi_with_computed_check_digit_always_validates(first_nine: str) -> None:
    assert npi_is_valid(first_nine + str(npi_check_digit(first_nine)))


@given(
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_changing_one_digit_never_validates(first_nine: str, position: int, delta: int) -> None:
    npi = first_nine + str(npi_check_digit(first_nine))
    changed = npi[:position] + str((int(npi[position]) + delta) % 10) + npi[position + 1 :]
    assert not npi_is_valid(changed)


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
        ("1SG4TE5MK73", "character 2.*never use the letters S"),
        ("1EG4LE5MK73", "character 5.*never use"),
        ("1EG4TO5MK73", "character 6.*never use"),
        ("1EGATE5MK73", "character 4 is 'A' but must be a digit"),
        ("1EG4TE5M173", "character 9"),
        ("1EG4TE5MK7B", "character 11"),
        ("1EG4TE5MK7", "has 10 characters"),
        ("1EG4TE5MK733", "has 12 characters"),
        ("1EG-4TE5-MK73", "without dashes or as 1EG4-TE5-MK73"),
        ("", "missing"),
    ],
)
def test_invalid_mbis(mbi: str, message: str) -> None:
    assert not mbi_is_valid(mbi)
    with pytest.raises(InvalidInputError, match=message):
        validate_mbi(mbi)


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


@given(_MBI, st.sampled_from([1, 4, 7, 8]), st.sampled_from("SLOIBZ"))
def test_excluded_letters_never_validate(mbi: str, index: int, letter: str) -> None:
    assert not mbi_is_valid(mbi[:index] + letter + mbi[index + 1 :])
