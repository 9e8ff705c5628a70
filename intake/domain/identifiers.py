"""Provider and beneficiary identifiers: NPI and Medicare Beneficiary Identifier (MBI).

Pure module.

Sources
- NPI: CMS, "Requirements for Check Digit Algorithm for the National Provider Identifier (NPI)"
  (cms.gov, NationalProvIdentStand/Downloads/NPIcheckdigit.pdf). The NPI is 10 digits; the 10th is a
  Luhn (ISO/IEC 7812) check digit computed over the card-issuer prefix 80840 followed by the first
  nine digits. Equivalently, the doubled-digit sum of the nine digits plus the constant 24 (the
  contribution of the prefix 80840) is used. CMS's worked example: 123456789 -> check digit 3,
  NPI 1234567893.
- MBI: CMS, "Understanding the Medicare Beneficiary Identifier (MBI) Format" (cms.gov, new Medicare
  card, understanding-the-mbi.pdf). 11 characters: position 1 numeric 1-9; positions 2, 5, 8, 9
  alphabetic A-Z excluding S, L, O, I, B, Z; positions 3 and 6 alphanumeric (0-9 or those letters);
  positions 4, 7, 10, 11 numeric 0-9. Printed with dashes after positions 4 and 7
  (1EG4-TE5-MK73) but stored and transmitted without them.
"""

from __future__ import annotations

import re

from infusion_rcm.common.errors import InvalidInputError

NPI_PREFIX = "80840"  # ISO 7812 issuer prefix CMS uses for the Luhn computation


def npi_check_digit(first_nine: str) -> int:
    """Luhn check digit for the first nine NPI digits, prefix 80840 included (CMS NPI check digit doc)."""
    if len(first_nine) != 9 or not first_nine.isdigit() or not first_nine.isascii():
        raise InvalidInputError("An NPI check digit is computed over exactly nine digits.")
    digits = [int(d) for d in NPI_PREFIX + first_nine]
    total = 0
    # Double every second digit starting from the rightmost digit of the payload.
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """True when `npi` is ten ASCII digits whose last digit is the CMS Luhn check digit."""
    if not isinstance(npi, str):
        return False
    value = npi.strip()
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    return npi_check_digit(value[:9]) == int(value[9])


def validate_npi(npi: str) -> str:
    """Return the NPI stripped of surrounding space, or raise InvalidInputError saying what is wrong."""
    value = (npi or "").strip() if isinstance(npi, str) else ""
    if not value:
        raise InvalidInputError("The NPI is missing: enter the 10-digit National Provider Identifier.")
    if not value.isascii() or not value.isdigit():
        raise InvalidInputError(
            f"NPI {value!r} must contain digits only (10 digits, no spaces or dashes).",
            code="npi.invalid",
        )
    if len(value) != 10:
        raise InvalidInputError(
            f"NPI {value} has {len(value)} digits; an NPI has exactly 10.", code="npi.invalid"
        )
    if not npi_is_valid(value):
        raise InvalidInputError(
            f"NPI {value} fails the check-digit test, so it is mistyped: copy it again from the NPPES registry.",
            code="npi.invalid",
        )
    return value


# --- MBI -------------------------------------------------------------------------------------------

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_NUM = "0-9"
_ALPHA = f"[{MBI_LETTERS}]"
_ALNUM = f"[{_NUM}{MBI_LETTERS}]"
# Positions 1..11 per the CMS MBI format specification.
_MBI_RE = re.compile(
    rf"[1-9]{_ALPHA}{_ALNUM}[{_NUM}]{_ALPHA}{_ALNUM}[{_NUM}]{_ALPHA}{_ALPHA}[{_NUM}][{_NUM}]"
)
_POSITION_RULES = (
    ("numeric 1-9", set("123456789")),
    ("a letter", set(MBI_LETTERS)),
    ("a letter or digit", set(MBI_LETTERS + "0123456789")),
    ("a digit", set("0123456789")),
    ("a letter", set(MBI_LETTERS)),
    ("a letter or digit", set(MBI_LETTERS + "0123456789")),
    ("a digit", set("0123456789")),
    ("a letter", set(MBI_LETTERS)),
    ("a letter", set(MBI_LETTERS)),
    ("a digit", set("0123456789")),
    ("a digit", set("0123456789")),
)


def _mbi_compact(mbi: str) -> str | None:
    """Upper-case and drop the display dashes; None when dashes sit anywhere but after positions 4 and 7."""
    value = mbi.strip().upper()
    if "-" in value:
        if len(value) != 13 or value[4] != "-" or value[8] != "-":
            return None
        value = value[:4] + value[5:8] + value[9:]
    return value


def mbi_is_valid(mbi: str) -> bool:
    """True for an MBI that follows the CMS position rules, with or without the 4-3-4 dashes."""
    if not isinstance(mbi, str):
        return False
    value = _mbi_compact(mbi)
    return value is not None and _MBI_RE.fullmatch(value) is not None


def validate_mbi(mbi: str) -> str:
    """Return the MBI upper-cased without dashes, or raise InvalidInputError naming the bad position."""
    raw = mbi.strip() if isinstance(mbi, str) else ""
    if not raw:
        raise InvalidInputError("The Medicare Beneficiary Identifier (MBI) is missing.", code="mbi.invalid")
    value = _mbi_compact(raw)
    if value is None:
        raise InvalidInputError(
            f"MBI {raw!r}: write it as 11 characters, either without dashes or as 1EG4-TE5-MK73.",
            code="mbi.invalid",
        )
    if len(value) != 11:
        raise InvalidInputError(
            f"MBI {raw!r} has {len(value)} characters; an MBI has exactly 11.", code="mbi.invalid"
        )
    for position, (char, (wanted, allowed)) in enumerate(zip(value, _POSITION_RULES, strict=True), start=1):
        if char not in allowed:
            hint = " (MBIs never use the letters S, L, O, I, B or Z)" if char in "SLOIBZ" else ""
            raise InvalidInputError(
                f"MBI {raw!r}: character {position} is {char!r} but must be {wanted}{hint}.",
                code="mbi.invalid",
            )
    return value
