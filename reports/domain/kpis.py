"""KPI arithmetic over the monthly sums: ratios, averages, days in A/R. Pure; Decimal only."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from reports.domain.definitions import AVERAGE_MEASURES, KPI_BY_KEY, RATIO_MEASURES, Better

ZERO = Decimal("0")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Sums:
    """A measure's numerator and denominator over some months."""

    numerator: Decimal = ZERO
    denominator: Decimal = ZERO

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.numerator + other.numerator, self.denominator + other.denominator)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator ÷ denominator as a percentage to one place; None when nothing to divide by."""
    if denominator == ZERO:
        return None
    return (numerator * HUNDRED / denominator).quantize(TENTH, rounding=ROUND_HALF_UP)


def average(total: Decimal, count: Decimal) -> Decimal | None:
    if count == ZERO:
        return None
    return (total / count).quantize(TENTH, rounding=ROUND_HALF_UP)


def measure_value(measure: str, sums: Sums) -> Decimal | None:
    if measure in RATIO_MEASURES:
        return percent(sums.numerator, sums.denominator)
    if measure in AVERAGE_MEASURES:
        return average(sums.numerator, sums.denominator)
    raise ValueError(f"not a ratio or an average: {measure}")


def parse_month(text: str) -> date | None:
    """ "2026-11" -> date(2026, 11, 1); None when it is not a month written YYYY-MM."""
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 or not (parts[0] + parts[1]).isdigit():
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (1 <= month <= 12 and year >= 1900):
        return None
    return date(year, month, 1)


def month_days(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every first-of-month from `first` to `last`, inclusive."""
    out: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def days_in_ar(net_ar: Decimal, charges_by_month: Mapping[date, Decimal], month: date) -> Decimal | None:
    """Net A/R ÷ average daily charges over the three months ending with `month` (MGMA: the last
    three months' charges ÷ their days)."""
    window = [add_months(month, -2), add_months(month, -1), month]
    charges = sum((charges_by_month.get(m, ZERO) for m in window), ZERO)
    days = sum(month_days(m) for m in window)
    if charges == ZERO:
        return None
    return (net_ar / (charges / Decimal(days))).quantize(TENTH, rounding=ROUND_HALF_UP)


def meets_target(key: str, value: Decimal | None) -> bool | None:
    kpi = KPI_BY_KEY[key]
    if value is None or kpi.target is None:
        return None
    return value >= kpi.target if kpi.better == Better.HIGHER else value <= kpi.target


def total(sums: Iterable[Sums]) -> Sums:
    out = Sums()
    for s in sums:
        out = out + s
    return out
