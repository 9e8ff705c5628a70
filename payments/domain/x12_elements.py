"""Element readers of the 835 reader: strict numbers, money, dates and codes, and trusted models.

Pure. Each reader raises `BadElement` naming the element (e.g. `SVC03`); the segment walk in
`x12_835` turns it into an `X12Error` at the segment's position. Money is Decimal exact to the
cent: a value with a fraction of a cent is refused, never rounded (docs/conventions.md section 6).

Source: ASC X12 005010 data element types (R decimal, DT date CCYYMMDD, ID code) as the
005010X221A1 implementation guide's appendix describes them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from infusion_rcm.common.money import CENT


class BadElement(Exception):
    """An element that cannot be read; becomes an X12Error at its segment's position."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


# X12 type R: an optional leading minus, digits with an optional decimal point. No exponent, no
# plus sign, no separators; at most 18 characters (the longest 835 amount, AMT02 / BPR02).
_DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_MAX_DECIMAL = 18
REASON_CODE = re.compile(r"[0-9A-Z]{1,5}")  # a CARC or RARC as the code lists spell them


def read_decimal(value: str, name: str) -> Decimal:
    """A number (units, days, quantities, weights), any precision."""
    if not value:
        raise BadElement(f"{name} (a number) is missing.")
    if len(value) > _MAX_DECIMAL or not _DECIMAL.fullmatch(value):
        raise BadElement(
            f"{name} {value!r} is not a decimal number (digits, an optional minus sign and point; "
            "no exponent or separators)."
        )
    return Decimal(value)


def read_money(value: str, name: str, cache: dict[str, Decimal]) -> Decimal:
    """A money element, quantized to cents; fractions of a cent are refused, not rounded.

    `cache` maps text already read to its amount: the same figures recur all through a file.
    """
    amount = cache.get(value)
    if amount is not None:
        return amount
    if not value:
        raise BadElement(f"{name} (an amount) is missing.")
    exact = read_decimal(value, name)
    amount = exact.quantize(CENT)
    if amount != exact:
        raise BadElement(f"{name} {value!r} has fractions of a cent.")
    cache[value] = amount
    return amount


def read_date(value: str, name: str, cache: dict[str, date]) -> date:
    """A CCYYMMDD date that exists on the calendar."""
    day = cache.get(value)
    if day is not None:
        return day
    if not value:
        raise BadElement(f"{name} (a CCYYMMDD date) is missing.")
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        raise BadElement(f"{name} {value!r} is not a CCYYMMDD date.")
    try:
        day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise BadElement(f"{name} {value!r} is not a calendar date.") from None
    cache[value] = day
    return day


def read_code(value: str, table: dict[str, Any], name: str, what: str) -> Any:
    """The member of a closed code list (`by_value` table) that `value` names."""
    member = table.get(value)
    if member is None:
        known = ", ".join(table)
        raise BadElement(f"{name} {value or '(empty)'!r} is not a {what} ({known}).")
    return member


def by_value(enum: Any) -> dict[str, Any]:
    """Code -> member of a StrEnum (a dict lookup is cheaper than calling the enum)."""
    return {member.value: member for member in enum}


def optional(seg: list[str], index: int) -> str | None:
    """Element `index` stripped, or None when absent or empty."""
    if len(seg) > index:
        value = seg[index].strip()
        return value or None
    return None


# ---------------------------------------------------------------------------
# Trusted models
# ---------------------------------------------------------------------------

_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
# the setters of BaseModel's four slots, called directly (what object.__setattr__ would find)
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def trusted(cls: type[_M], values: dict[str, Any]) -> _M:
    """A model instance from values the reader has already checked, without validating again.

    Why: a 10,000-claim file makes about 110,000 models, and pydantic's validation (or
    `model_construct`, slower still: it walks every field in Python) was most of the reading time.
    Every value handed in has been parsed to the field's exact type by the readers above (Decimal
    money exact to the cent, dates, enum members, tuples), so validating again would only repeat
    it. `values` holds every field (start from `template`); the instance is the one
    `model_construct` makes, every field counted as set. tests/payments/domain checks that what the
    reader returns holds exactly its fields and re-validates equal, for every sample and for
    generated files.
    """
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    model = _new(cls)
    _set_dict(model, values)
    # one set per class, holding every field name: nothing adds to a frozen model's set, and
    # copies (model_copy, copy) take their own
    _set_fields(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


def template(cls: type[BaseModel]) -> dict[str, Any]:
    """Every field with its default (required fields as None, to be filled before `trusted`)."""
    return {name: None if field.is_required() else field.default for name, field in cls.model_fields.items()}
