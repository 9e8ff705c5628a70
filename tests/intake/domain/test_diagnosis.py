"""ICD-10-CM validation over simple_icd_10_cm: billable leaves only, canonical dotted output."""

from __future__ import annotations

import pytest

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import normalize_icd10cm
from intake.domain.diagnosis import describe_icd10cm, validate_icd10cm


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("E11.9", "E11.9"),
        ("e11.9", "E11.9"),
        ("E119", "E11.9"),
        (" e119 ", "E11.9"),
        ("C50.911", "C50.911"),
        ("K50.00", "K50.00"),
        ("M05.79", "M05.79"),
        ("S72.001A", "S72.001A"),  # 7th character extension is the billable leaf
        ("I10", "I10"),  # a category with no children is billable
    ],
)
def test_billable_codes_return_canonical_form(code: str, canonical: str) -> None:
    assert validate_icd10cm(code) == canonical


def test_category_is_refused_with_a_suggestion() -> None:
    with pytest.raises(InvalidInputError) as info:
        validate_icd10cm("E11")
    assert (
        info.value.message
        == "E11 is a category, not a billable code: pick a more specific code such as E11.9."
    )
    assert info.value.code == "icd10.not_billable"
    assert info.value.extra == {"example": "E11.9"}


def test_subcategory_without_seventh_character_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"S72\.001 is a subcategory, not a billable code"):
        validate_icd10cm("s72001")


@pytest.mark.parametrize("code", ["Z99.999", "E11.99", "U99"])
def test_unknown_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInputError, match="is not an ICD-10-CM code") as info:
        validate_icd10cm(code)
    assert info.value.code == "icd10.unknown"


@pytest.mark.parametrize("code", ["11.9", "E", "E11.9.1", "E11-E13", "E11.99999"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInputError, match="not shaped like an ICD-10-CM code"):
        validate_icd10cm(code)


def test_empty_code_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="missing"):
        validate_icd10cm("  ")


def test_describe() -> None:
    assert describe_icd10cm("e119") == "Type 2 diabetes mellitus without complications"
    assert describe_icd10cm("E11") == "Type 2 diabetes mellitus"
    with pytest.raises(InvalidInputError):
        describe_icd10cm("Z99.999")


def test_normalize() -> None:
    assert normalize_icd10cm(" e11.9 ") == "E119"
