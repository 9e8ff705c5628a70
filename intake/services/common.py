"""Shared pieces of the intake services: the errors they raise and the input checks they share."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake.domain.authorization import normalize_code

_CODE = re.compile(r"[A-Z0-9]{5}")
MAX_UNITS = Decimal("9999999.999")  # units_field: 10 digits, 3 places


class DuplicateError(DomainError):
    code = "intake.duplicate"


class CoverageOverlapError(DomainError):
    code = "coverage.overlap"


class OrderPreconditionError(DomainError):
    code = "order.precondition"


# Plausible dates for what intake records: nothing before 1900 (no patient, plan or order that old)
# and no span reaching more than five years ahead. A typo (0202, 2062) is refused, not stored.
EARLIEST_DATE = date(1900, 1, 1)
SPAN_YEARS_AHEAD = 5


def date_plausible_check(value: date, what: str, *, today: date | None = None) -> None:
    from django.utils import timezone

    latest = (today or timezone.localdate()).replace(month=1, day=1)
    latest = latest.replace(year=latest.year + SPAN_YEARS_AHEAD + 1)
    if value < EARLIEST_DATE or value >= latest:
        raise InvalidInputError(
            f"The {what} {value.isoformat()} is not a plausible date; check the year.",
            code="dates.implausible",
        )


def dates_check(start: date, end: date | None, what: str) -> None:
    """Refuse a span (coverage, order, authorization) that ends before it starts, or an implausible date."""
    date_plausible_check(start, f"{what} start date")
    if end is not None:
        date_plausible_check(end, f"{what} end date")
    if end is not None and end < start:
        raise InvalidInputError(
            f"The {what} end date {end.isoformat()} is before its start date {start.isoformat()}.",
            code="dates.end_before_start",
        )


def units_check(value: Any, what: str) -> Decimal:
    """A dose or unit count: a positive Decimal that fits `units_field` (up to 3 decimals)."""
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(f"{what} {value!r} is not a number.", code="units.invalid") from exc
    if not number.is_finite():
        raise InvalidInputError(f"{what} {value!r} is not a number.", code="units.invalid")
    if number <= 0:
        raise InvalidInputError(f"{what} must be more than zero (got {number}).", code="units.not_positive")
    if number > MAX_UNITS or number != number.quantize(Decimal("0.001")):
        raise InvalidInputError(f"{what} {number} is out of range (up to 3 decimals).", code="units.invalid")
    return number


def code_check(value: str, what: str) -> str:
    """A 5-character HCPCS/CPT code, trimmed and upper-cased."""
    code = normalize_code(value or "")
    if not _CODE.fullmatch(code):
        raise InvalidInputError(
            f"{what} {value!r} must be a 5-character HCPCS/CPT code such as J1745 or 96365.",
            code="code.invalid",
        )
    return code
