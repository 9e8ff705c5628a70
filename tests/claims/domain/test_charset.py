"""Names and addresses in the X12 basic character set (claims.domain.charset)."""

from __future__ import annotations

import re

import pytest

from claims.domain.charset import changed_by_basic, fit, to_basic

BASIC = re.compile(r"^[A-Z0-9!\"&'()*+,\-./:;?= ]*$")


@pytest.mark.parametrize(
    ("text", "basic"),
    [
        ("Núñez, José", "NUNEZ, JOSE"),
        ("Müller-Łukasz", "MULLER-LUKASZ"),
        ("Straße", "STRASSE"),
        ("Ærøskøbing", "AEROSKOBING"),
        ("Đorđević", "DORDEVIC"),
        ("O’Brien", "O'BRIEN"),
        ("Apt #4 @ rear", "APT 4 REAR"),
        ("Zoë  Brontë", "ZOE BRONTE"),
        ("Ｆｕｌｌｗｉｄｔｈ", "FULLWIDTH"),
        ("Søren—Kierkegaard", "SOREN-KIERKEGAARD"),
        ("王芳", ""),
    ],
)
def test_to_basic(text: str, basic: str) -> None:
    assert to_basic(text) == basic
    assert BASIC.match(to_basic(text))


def test_changed_by_basic_ignores_case_and_spacing() -> None:
    assert not changed_by_basic("o'brien  smith")
    assert changed_by_basic("Núñez")
    assert changed_by_basic("Suite #200")


def test_fit_cuts_to_the_element_length_after_transliteration() -> None:
    assert fit("ß" * 40, 60) == "SS" * 30
    assert fit(None, 35) == "" and fit("", 35) == ""
    assert fit("Ana María ", 5) == "ANA M"
