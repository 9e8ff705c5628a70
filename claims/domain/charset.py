"""Names and addresses in the X12 basic character set.

Pure. 005010 claims are read in the basic character set (upper-case A-Z, digits, space and
! " & ' ( ) * + , - . / : ; ? =); the extended set adds lower case and a few signs but no accented
letter, so one "NÚÑEZ, JOSÉ" makes a validator (pyx12) or a clearinghouse hold the whole batch.
The 837 writer sends the transliteration; the database keeps the name as the patient gave it.

Transliteration: Unicode NFKD, combining marks dropped (É -> E, Ñ -> N), a few letters that do
not decompose mapped by hand (ß -> SS, Æ -> AE, Ø -> O, Ł -> L ...), typographic quotes and dashes
to their ASCII forms, and anything still outside the basic set to a space (spaces collapsed).
Source: ASC X12 005010 basic character set (005010X222A1 appendix B.1.1.2.1).
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves alone (no combining-mark decomposition).
_LETTERS = str.maketrans(
    {
        "ß": "SS",
        "ẞ": "SS",
        "Æ": "AE",
        "æ": "AE",
        "Œ": "OE",
        "œ": "OE",
        "Ø": "O",
        "ø": "O",
        "Ł": "L",
        "ł": "L",
        "Đ": "D",
        "đ": "D",
        "Ð": "D",
        "ð": "D",
        "Þ": "TH",
        "þ": "TH",
        "ı": "I",
        "Ħ": "H",
        "ħ": "H",
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "…": "...",
        "\u00a0": " ",
    }
)
_NOT_BASIC = re.compile(r"[^A-Z0-9!\"&'()*+,\-./:;?= ]")
_SPACES = re.compile(r" {2,}")


def to_basic(text: str) -> str:
    """`text` upper-cased in the X12 basic character set (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    return _SPACES.sub(" ", _NOT_BASIC.sub(" ", plain)).strip()


def changed_by_basic(text: str) -> bool:
    """True when writing `text` in the basic set changes more than its case and spacing."""
    return to_basic(text) != _SPACES.sub(" ", text.upper()).strip()


def fit(text: str | None, max_length: int) -> str:
    """`text` in the basic set, cut to the element's maximum length (ß -> SS can lengthen it)."""
    if not text:
        return ""
    return to_basic(text)[:max_length].rstrip()
