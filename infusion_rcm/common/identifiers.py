"""Identifier rules, one home each: NPI, NDC, Medicare Beneficiary Identifier, ICD-10-CM code form.

Pure module: standard library plus the pure `infusion_rcm.common.errors`. Intake (entry), coding
(documentation), the claims draft and the scrubber all call these; nothing else may re-implement them.

Each rule once had two copies that disagreed. What was decided, and why:

NPI (CMS, "Requirements for Check Digit Algorithm for the National Provider Identifier (NPI)",
cms.gov NationalProvIdentStand/Downloads/NPIcheckdigit.pdf; 45 CFR 162.406; NPPES registry)
- Ten ASCII digits; the 10th is the Luhn (ISO/IEC 7812 mod-10 double-add-double) check digit computed
  as if the card-issuer prefix 80840 (80 health, 840 United States) stood in front. CMS's worked
  example: 123456789 -> check digit 3, NPI 1234567893.
- The first digit must be 1 or 2. The CMS check-digit paper says NPIs are issued with 1 or 2 as the
  first digit so that they never collide with other card-issuer identifiers; a number starting with
  anything else is not an NPI whatever its check digit. (The intake copy skipped this; the scrubber
  copy had it. Kept.)
- `npi_is_valid` judges the value as it will be written (NM109): no trimming, ASCII digits only, so a
  full-width "１" or a stray space is not silently accepted. (The intake copy trimmed; trimming is the
  job of `validate_npi`, which every form and service calls and which returns the trimmed value.)

NDC (FDA National Drug Code Directory, fda.gov/drugs/drug-approvals-and-databases/national-drug-code-
directory; HIPAA/CMS 11-digit 5-4-2 billing form, as on the 837 2410 LIN03 with qualifier N4)
- FDA labels print a 10-digit NDC in one of three hyphenated layouts: 4-4-2, 5-3-2 or 5-4-1
  (labeler-product-package). Claims carry 11 digits, 5-4-2: a leading zero is added to whichever
  segment is short (1234-1234-12 -> 01234123412; 12345-123-12 -> 12345012312;
  12345-1234-1 -> 12345123401). A hyphenated 5-4-2 or a bare 11-digit value is already that form.
- A bare 10-digit value is refused: without the hyphens nobody can tell which segment is short, and
  guessing bills another product. (Both copies refused it; one returned the text unchanged, the other
  None. `normalize_ndc` returns None for anything that is not an NDC; a caller that must keep the raw
  text for a biller to see, the claim draft, keeps it itself.)
- ASCII digits only (`str.isdigit` also accepts superscripts and other scripts).

MBI (CMS, "Understanding the Medicare Beneficiary Identifier (MBI) Format", cms.gov/medicare/new-
medicare-card, understanding-the-mbi.pdf)
- 11 characters: position 1 numeric 1-9; positions 2, 5, 8, 9 a letter A-Z except S, L, O, I, B, Z;
  positions 3 and 6 a digit or one of those letters; positions 4, 7, 10, 11 numeric 0-9. Printed with
  dashes after positions 4 and 7 (1EG4-TE5-MK73) but stored and transmitted without them; letters
  are case-insensitive on entry and upper case when stored. (One copy only, in intake: moved here.)

ICD-10-CM code form (CMS/NCHS ICD-10-CM Tabular List and Official Guidelines for Coding and Reporting
section I.A; 005010X222A1 2300 HI01-2: the code is sent without its decimal point)
- Normal form: upper case, no dot, no spaces ('e11.9 ' -> 'E119'). (One copy also removed inner
  spaces, the other did not, so 'K50 90' passed at intake and failed on the claim. Removing them.)
- Shape: a letter, a digit, a letter or digit, then up to four letters or digits (3 to 7 characters).
  U is allowed first: ICD-10-CM uses U07.0, U07.1 (COVID-19) and U09.9, which are billable. (The
  scrubber copy refused every U code, so a claim for a COVID-19 diagnosis that intake had accepted
  could never leave needs_fix.) Whether a code exists and is billable needs the code set:
  intake.domain.diagnosis.validate_icd10cm.
"""

from __future__ import annotations

import re

from infusion_rcm.common.errors import InvalidInputError

_ASCII_DIGITS = frozenset("0123456789")


def _ascii_digits(text: str) -> bool:
    return bool(text) and _ASCII_DIGITS.issuperset(text)


# --- NPI -------------------------------------------------------------------------------------------

NPI_PREFIX = "80840"  # ISO 7812 card-issuer prefix CMS includes in the check digit
NPI_FIRST_DIGITS = "12"  # CMS issues NPIs starting with 1 or 2 only


def npi_check_digit(first_nine: str) -> int:
    """Luhn check digit for the first nine NPI digits, prefix 80840 included (CMS NPI check digit)."""
    if len(first_nine) != 9 or not _ascii_digits(first_nine):
        raise InvalidInputError("An NPI check digit is computed over exactly nine digits.")
    total = 0
    # Double every second digit starting from the rightmost digit of the payload.
    for position, char in enumerate(reversed(NPI_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_is_valid(npi: object) -> bool:
    """True when `npi` is exactly ten ASCII digits, starts with 1 or 2 and has the CMS check digit."""
    if not isinstance(npi, str) or len(npi) != 10 or not _ascii_digits(npi):
        return False
    return npi[0] in NPI_FIRST_DIGITS and npi_check_digit(npi[:9]) == int(npi[9])


def validate_npi(npi: object) -> str:
    """Return the NPI stripped of surrounding space, or raise InvalidInputError saying what is wrong."""
    value = npi.strip() if isinstance(npi, str) else ""
    if not value:
        raise InvalidInputError("The NPI is missing: enter the 10-digit National Provider Identifier.")
    if not _ascii_digits(value):
        raise InvalidInputError(
            f"NPI {value!r} must contain digits only (10 digits, no spaces or dashes).",
            code="npi.invalid",
        )
    if len(value) != 10:
        raise InvalidInputError(
            f"NPI {value} has {len(value)} digits; an NPI has exactly 10.", code="npi.invalid"
        )
    if value[0] not in NPI_FIRST_DIGITS:
        raise InvalidInputError(
            f"NPI {value} starts with {value[0]}; every NPI starts with 1 or 2: copy it again from NPPES.",
            code="npi.invalid",
        )
    if not npi_is_valid(value):
        raise InvalidInputError(
            f"NPI {value} fails the check-digit test, so it is mistyped: copy it again from the NPPES registry.",
            code="npi.invalid",
        )
    return value


# --- NDC -------------------------------------------------------------------------------------------

# Segment lengths of a hyphenated NDC -> index of the segment that gets the leading zero
# (None: already 5-4-2). FDA's three 10-digit layouts plus the 11-digit billing form.
_NDC_LAYOUTS: dict[tuple[int, int, int], int | None] = {
    (4, 4, 2): 0,
    (5, 3, 2): 1,
    (5, 4, 1): 2,
    (5, 4, 2): None,
}


def normalize_ndc(raw: str) -> str | None:
    """The 11-digit 5-4-2 form of an NDC, zero-padding the short segment; None if it is not an NDC.

    "1234-1234-12" -> "01234123412", "12345-123-12" -> "12345012312", "12345-1234-1" ->
    "12345123401", "12345-1234-12" and "12345123412" -> "12345123412". A bare 10-digit value is
    ambiguous (which segment is short?) and is refused.
    """
    text = raw.strip().replace(" ", "")
    if "-" not in text:
        return text if len(text) == 11 and _ascii_digits(text) else None
    parts = text.split("-")
    if len(parts) != 3 or not all(_ascii_digits(p) for p in parts):
        return None
    layout = (len(parts[0]), len(parts[1]), len(parts[2]))
    if layout not in _NDC_LAYOUTS:
        return None
    short = _NDC_LAYOUTS[layout]
    if short is not None:
        parts[short] = "0" + parts[short]
    return "".join(parts)


# --- MBI -------------------------------------------------------------------------------------------

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_DIGITS = "0123456789"
_NUM = "0-9"
_ALPHA = f"[{MBI_LETTERS}]"
_ALNUM = f"[{_NUM}{MBI_LETTERS}]"
# Positions 1..11 per the CMS MBI format specification.
_MBI_RE = re.compile(
    rf"[1-9]{_ALPHA}{_ALNUM}[{_NUM}]{_ALPHA}{_ALNUM}[{_NUM}]{_ALPHA}{_ALPHA}[{_NUM}][{_NUM}]"
)
_MBI_POSITIONS = (
    ("numeric 1-9", frozenset("123456789")),
    ("a letter", frozenset(MBI_LETTERS)),
    ("a letter or digit", frozenset(MBI_LETTERS + _DIGITS)),
    ("a digit", frozenset(_DIGITS)),
    ("a letter", frozenset(MBI_LETTERS)),
    ("a letter or digit", frozenset(MBI_LETTERS + _DIGITS)),
    ("a digit", frozenset(_DIGITS)),
    ("a letter", frozenset(MBI_LETTERS)),
    ("a letter", frozenset(MBI_LETTERS)),
    ("a digit", frozenset(_DIGITS)),
    ("a digit", frozenset(_DIGITS)),
)


def _mbi_compact(mbi: str) -> str | None:
    """Upper-case and drop the display dashes; None when dashes sit anywhere but after positions 4 and 7."""
    value = mbi.strip().upper()
    if "-" in value:
        if len(value) != 13 or value[4] != "-" or value[8] != "-":
            return None
        value = value[:4] + value[5:8] + value[9:]
    return value


def mbi_is_valid(mbi: object) -> bool:
    """True for an MBI that follows the CMS position rules, with or without the 4-3-4 dashes."""
    if not isinstance(mbi, str):
        return False
    value = _mbi_compact(mbi)
    return value is not None and _MBI_RE.fullmatch(value) is not None


def validate_mbi(mbi: object) -> str:
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
    for position, (char, (wanted, allowed)) in enumerate(zip(value, _MBI_POSITIONS, strict=True), start=1):
        if char not in allowed:
            hint = " (MBIs never use the letters S, L, O, I, B or Z)" if char in "SLOIBZ" else ""
            raise InvalidInputError(
                f"MBI {raw!r}: character {position} is {char!r} but must be {wanted}{hint}.",
                code="mbi.invalid",
            )
    return value


# --- ICD-10-CM code form ---------------------------------------------------------------------------

_ICD10CM_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}")


def normalize_icd10cm(code: str) -> str:
    """Upper-case, strip spaces and the dot: ' e11.9 ' -> 'E119' (the form sent in 837 HI01-2)."""
    if not isinstance(code, str):
        raise InvalidInputError("An ICD-10-CM code must be text such as E11.9.", code="icd10.invalid")
    return code.strip().upper().replace(".", "").replace(" ", "")


def icd10cm_shape_ok(compact: str) -> bool:
    """ICD-10-CM syntax of a normalised code (no code-set lookup): letter, digit, then 1 to 5 more."""
    return _ICD10CM_SHAPE.fullmatch(compact) is not None


def format_icd10cm(code: str) -> str:
    """The printed form of a code: the dot after the third character ('K5090' -> 'K50.90').

    ICD-10-CM places the decimal point after the category (the first three characters) in every
    code (Tabular List conventions, Official Guidelines section I.A); claims send the code without
    it (837 HI01-2), so stored codes may have either form. A category alone ('E11') has no dot;
    text that is not shaped like a code is returned unchanged, so a page never hides what was typed.
    """
    if not isinstance(code, str):
        return code
    compact = normalize_icd10cm(code)
    if not icd10cm_shape_ok(compact):
        return code
    return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"
