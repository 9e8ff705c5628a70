"""What a payer's contract says a service line should pay, decided without a database.

Pure. A fee schedule is a list of `ContractRate`s in force over a date range; the service picks
the schedule in force on the line's date of service and passes its rates, and the reference
prices the rates may point at (the Medicare fee, the drug's ASP), in here. The methods are the
ones infusion contracts use (docs/billing-rules/payer-contracts.md):

- `rate`: a fixed amount per unit (e.g. 96413 at 310.00; J1745 at 4.25 per 10 mg unit);
- `percent_of_charge`: a share of the billed charge (e.g. 60 % of charge);
- `percent_of_medicare`: a share of the Medicare fee for the code (e.g. 120 % of Medicare);
- `asp_plus`: drugs carved out at the average sales price per billing unit plus a margin
  (e.g. ASP + 6 %).

Which row applies: a row for the line's code beats a prefix row (`J*`: every J-code), which beats
the default row (`*`: everything else); among rows for the same code, one naming a modifier the
line carries beats one for any modifier. The expected amount is quantized to cents once, at the
end, half up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
CODE_PATTERN = re.compile(r"^(?:[A-Z0-9]{5}|[A-Z0-9]{0,4}\*)$")
MODIFIER_PATTERN = re.compile(r"^(?:[A-Z0-9]{2})?$")


class PricingMethod(StrEnum):
    """How a contract rate turns a service line into an expected amount."""

    RATE = "rate"
    PERCENT_OF_CHARGE = "percent_of_charge"
    PERCENT_OF_MEDICARE = "percent_of_medicare"
    ASP_PLUS = "asp_plus"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PricingMethod.RATE: "amount per unit",
    PricingMethod.PERCENT_OF_CHARGE: "percent of charge",
    PricingMethod.PERCENT_OF_MEDICARE: "percent of the Medicare fee",
    PricingMethod.ASP_PLUS: "ASP plus percent (drug carve-out)",
}


class ScheduleKind(StrEnum):
    """What a fee schedule is: a payer's contract, or a reference list contracts point at."""

    CONTRACT = "contract"
    MEDICARE_FEE = "medicare_fee"  # the Medicare fee per code (and modifier) and unit
    ASP = "asp"  # average sales price per HCPCS billing unit (CMS ASP file, before the 6 %)

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ScheduleKind.CONTRACT: "payer contract",
    ScheduleKind.MEDICARE_FEE: "Medicare fee schedule",
    ScheduleKind.ASP: "ASP pricing",
}


@dataclass(frozen=True, slots=True)
class ContractRate:
    """One row of a contract: which codes (exact, `J*` prefix, `*` default), which modifier
    ("" any), the method, and its figure (`rate` in dollars per unit, or `percent`)."""

    code: str
    modifier: str
    method: PricingMethod
    rate: Decimal | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A service line as billed: what the contract is applied to."""

    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal


@dataclass(frozen=True, slots=True)
class ReferencePrices:
    """Reference prices in force on the date of service, per unit: the Medicare fee by (code,
    modifier) with "" for a fee that applies to any modifier, and the ASP by code."""

    medicare_fee: Mapping[tuple[str, str], Decimal]
    asp: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class Expected:
    """The contract's answer for one line: the amount (None when the rate points at a reference
    price we do not have) and, in words, how it was reached."""

    amount: Decimal | None
    basis: str
    rate: ContractRate


def _specificity(rate: ContractRate, code: str, modifiers: tuple[str, ...]) -> tuple[int, int] | None:
    """How closely `rate` fits the line (higher is closer), None when it does not apply."""
    if rate.modifier and rate.modifier not in modifiers:
        return None
    if rate.code == code:
        level = 1_000
    elif rate.code.endswith("*") and code.startswith(rate.code[:-1]):
        level = len(rate.code)  # "J*" (2) beats "*" (1); "J9*" beats "J*"
    else:
        return None
    return (level, 1 if rate.modifier else 0)


def rate_for(line: PricedLine, rates: Sequence[ContractRate]) -> ContractRate | None:
    """The contract row that prices `line`, or None when the contract does not cover the code."""
    best: tuple[tuple[int, int], ContractRate] | None = None
    for rate in rates:
        fit = _specificity(rate, line.code, line.modifiers)
        if fit is not None and (best is None or fit > best[0]):
            best = (fit, rate)
    return best[1] if best else None


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _units(units: Decimal) -> str:
    return f"{units.normalize():f} units"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _dollars(value: Decimal) -> str:
    """A per-unit price as written: cents at least, more places only when it has them."""
    return f"{value.quantize(CENT):f}" if value == value.quantize(CENT) else f"{value.normalize():f}"


def _medicare_fee(line: PricedLine, prices: ReferencePrices) -> Decimal | None:
    for modifier in line.modifiers:
        fee = prices.medicare_fee.get((line.code, modifier))
        if fee is not None:
            return fee
    return prices.medicare_fee.get((line.code, ""))


def expected_amount(
    line: PricedLine, rates: Sequence[ContractRate], prices: ReferencePrices
) -> Expected | None:
    """What the contract pays for `line` (payer and patient together), or None when no row of the
    contract covers its code."""
    rate = rate_for(line, rates)
    if rate is None:
        return None
    units = _units(line.units)
    percent = rate.percent if rate.percent is not None else Decimal(0)
    pct = _percent(percent)
    if rate.method == PricingMethod.RATE:
        per_unit = rate.rate if rate.rate is not None else Decimal(0)
        return Expected(_cents(per_unit * line.units), f"{_dollars(per_unit)} per unit x {units}", rate)
    if rate.method == PricingMethod.PERCENT_OF_CHARGE:
        return Expected(_cents(line.charge * percent / HUNDRED), f"{pct} of charge {line.charge}", rate)
    if rate.method == PricingMethod.PERCENT_OF_MEDICARE:
        fee = _medicare_fee(line, prices)
        if fee is None:
            return Expected(None, f"{pct} of Medicare: no Medicare fee on file for {line.code}", rate)
        return Expected(
            _cents(fee * line.units * percent / HUNDRED),
            f"{pct} of Medicare fee {_dollars(fee)} x {units}",
            rate,
        )
    asp = prices.asp.get(line.code)
    if asp is None:
        return Expected(None, f"ASP + {pct}: no ASP on file for {line.code}", rate)
    return Expected(
        _cents(asp * line.units * (HUNDRED + percent) / HUNDRED),
        f"ASP {_dollars(asp)} + {pct} x {units}",
        rate,
    )


def shortfall(
    *, expected: Decimal, paid: Decimal, patient_responsibility: Decimal, tolerance: Decimal, percent: Decimal
) -> Decimal | None:
    """How much short of the contract a line was paid, when beyond the tolerance: payer paid plus
    patient responsibility below the expected amount by more than `tolerance` dollars and more
    than `percent` of the expected amount. None when within tolerance (or paid in full)."""
    short = expected - paid - patient_responsibility
    allowed_gap = max(tolerance, _cents(expected * percent / HUNDRED))
    return short if short > allowed_gap else None
