"""Which field of the claim edit form a scrubber edit is about, so its "Fix" link lands there.

Pure. A scrubber edit names its code and, for a line edit, the line number; the edit codes are
listed in docs/billing-rules/scrubber-edits.md. A code not in the table is matched by the words
in it (a new NDC edit still lands on the NDC), and an edit about something the claim form does
not hold (eligibility, timely filing, the billing provider's own data) has no target: its fix
hint says where to go instead.
"""

from __future__ import annotations

from dataclasses import dataclass

# Claim-level targets are claim fields; line-level targets are line fields (with the line number).
_BY_CODE: dict[str, str] = {
    "CLM_NO_LINES": "lines",
    "CLM_TOO_MANY_LINES": "lines",
    "CLM_NO_DIAGNOSIS": "diagnosis_codes",
    "CLM_TOO_MANY_DIAGNOSES": "diagnosis_codes",
    "ICD10_INVALID": "diagnosis_codes",
    "CLM_POS_MISSING": "place_of_service",
    "CLM_ATTENDING_MISSING": "referring_provider",
    "AUTH_MISSING": "prior_auth_number",
    "AUTH_NUMBER_NOT_ON_CLAIM": "prior_auth_number",
    "AUTH_DATES": "service_date_from",
    "AUTH_EXHAUSTED": "units",
    "LINE_DATES_REVERSED": "service_date_to",
    "LINE_DATE_FUTURE": "service_date_to",
    "LINE_CODE_NOT_IN_FORCE": "code",
    "LINE_UNITS_NOT_POSITIVE": "units",
    "LINE_UNITS_FRACTIONAL": "units",
    "LINE_CHARGE_NEGATIVE": "charge",
    "LINE_CHARGE_ZERO": "charge",
    "LINE_POINTER_MISSING": "diagnosis_pointers",
    "LINE_POINTER_RANGE": "diagnosis_pointers",
    "LINE_REVENUE_CODE_MISSING": "revenue_code",
    "LINE_NDC_FORMAT": "ndc",
    "LINE_NDC_QUANTITY_MISSING": "ndc_quantity",
    "PAYER_MODIFIER_REQUIRED": "modifiers",
    "PAYER_NDC_REQUIRED": "ndc",
    "PAYER_MAX_UNITS": "units",
    "PAYER_DIAGNOSIS_NOT_COVERED": "diagnosis_pointers",
}
# Words in an edit code, most specific first, for codes added after this table.
_BY_WORD: tuple[tuple[str, str], ...] = (
    ("RENDERING", "rendering_provider"),
    ("SUPERVISING", "supervising_provider"),
    ("ORDERING", "ordering_provider"),
    ("REFERRING", "referring_provider"),
    ("ATTENDING", "referring_provider"),
    ("NDC_QUANTITY", "ndc_quantity"),
    ("NDC_UNIT", "ndc_unit"),
    ("NDC", "ndc"),
    ("POINTER", "diagnosis_pointers"),
    ("MODIFIER", "modifiers"),
    ("UNITS", "units"),
    ("CHARGE", "charge"),
    ("REVENUE", "revenue_code"),
    ("ICD10", "diagnosis_codes"),
    ("DIAGNOS", "diagnosis_codes"),
    ("POS", "place_of_service"),
    ("AUTH", "prior_auth_number"),
    ("LINES", "lines"),
)
# Edits about "a provider" name its role in the message ("the rendering provider NPI ...").
_BY_ROLE_IN_MESSAGE = frozenset({"PAYER_PROVIDER_REQUIRED", "NPI_INVALID"})
_ROLES: tuple[tuple[str, str], ...] = (
    ("rendering", "rendering_provider"),
    ("supervising", "supervising_provider"),
    ("ordering", "ordering_provider"),
    ("referring", "referring_provider"),
    ("attending", "referring_provider"),
)
LINE_TARGETS = frozenset(
    {
        "code",
        "modifiers",
        "units",
        "charge",
        "service_date_from",
        "service_date_to",
        "diagnosis_pointers",
        "ndc",
        "ndc_quantity",
        "ndc_unit",
        "revenue_code",
    }
)


@dataclass(frozen=True, slots=True)
class FixTarget:
    """A form field: a claim field (`line_number` None) or a field of one line."""

    field: str
    line_number: int | None = None


def fix_target(
    code: str, line_number: int | None = None, field: str = "", message: str = ""
) -> FixTarget | None:
    """Where to fix the edit `code` (on `line_number`); `field` wins when the edit names one."""
    if not field and code in _BY_ROLE_IN_MESSAGE:
        text = message.lower()
        field = next((f for role, f in _ROLES if f"{role} provider" in text), "")
        if not field:
            return None  # the billing provider or the facility: practice settings, not the claim
    name = field or _BY_CODE.get(code) or next((f for word, f in _BY_WORD if word in code), "")
    if not name:
        return None
    if name in LINE_TARGETS:
        # A line field without a line (e.g. an edit over all lines) is fixed among the lines.
        return FixTarget(name, line_number) if line_number is not None else FixTarget("lines")
    return FixTarget(name)
