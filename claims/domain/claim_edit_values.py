"""Parsing the values a biller gives for a claim line (shape only), and their hints.

Pure. A parser raises TypeError / ValueError / InvalidOperation for a value of the wrong shape;
claims.domain.claim_edit_apply turns that into the hint for the field, then judges the value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from claims.domain.claim_edit import NDC_UNITS
from infusion_rcm.common.identifiers import normalize_ndc

# ---------------------------------------------------------------------------
# Value parsing (shape only; _check_line judges the values)
# ---------------------------------------------------------------------------


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise TypeError("text expected")
    return raw.strip().upper()


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool | float):
        raise TypeError("a float has already lost the cents")
    value = Decimal(str(raw).strip()) if isinstance(raw, str | int | Decimal) else None
    if value is None or not value.is_finite():
        raise ValueError("not a number")
    return value


def _optional_decimal(raw: Any) -> Decimal | None:
    return None if blank(raw) else _decimal(raw)


def _day(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        return date.fromisoformat(raw.strip())
    raise TypeError("a date expected")


def _codes(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    if not isinstance(raw, list | tuple):
        raise TypeError("a list expected")
    return tuple(_text(m) for m in raw if _text(m))


def _pointers(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    if not isinstance(raw, list | tuple) or any(isinstance(p, bool | float) for p in raw):
        raise TypeError("a list of numbers expected")
    return tuple(int(p) for p in raw)


def _ndc(raw: Any) -> str:
    text = _text(raw)
    # Stored as the 11-digit 5-4-2 form; a value that does not normalise is kept for the message.
    return (normalize_ndc(text) or text) if text else ""


PARSERS: dict[str, Callable[[Any], Any]] = {
    "code": _text,
    "modifiers": _codes,
    "units": _decimal,
    "charge": _decimal,
    "service_date_from": _day,
    "service_date_to": _day,
    "diagnosis_pointers": _pointers,
    "ndc": _ndc,
    "ndc_quantity": _optional_decimal,
    "ndc_unit": _text,
    "revenue_code": _text,
}
FIELD_NAMES = {
    "code": "CPT/HCPCS code",
    "units": "units",
    "charge": "charge",
    "service_date_from": "service date",
}
FORMAT_HINTS = {
    "code": "the code is 5 letters or digits, e.g. 96365 or J1745.",
    "modifiers": "modifiers are up to 4 different 2-character codes, e.g. JW, JZ, 59.",
    "units": "units are a whole number, e.g. 34.",
    "charge": "the charge is dollars and cents, 0 or more, e.g. 1200.00.",
    "service_date_from": "the 'from' date is a date, e.g. 2024-05-01.",
    "service_date_to": "the 'to' date is a date, e.g. 2024-05-01.",
    "diagnosis_pointers": "pointers are diagnosis numbers, e.g. 1, 2.",
    "ndc": "the NDC is the 11-digit 5-4-2 code from the label, e.g. 50242-0060-01.",
    "ndc_quantity": "the NDC quantity is a number, e.g. 13.6.",
    "ndc_unit": f"the NDC unit is one of {', '.join(NDC_UNITS)}.",
    "revenue_code": "the revenue code is 4 digits: 0260 IV therapy, 0636 drugs, 0258 IV solutions.",
}
