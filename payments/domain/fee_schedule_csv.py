"""Reading a fee schedule CSV an admin imports: every row checked, refused whole on any fault.

Pure. A payer contract has the columns `code, modifier, method, rate, percent` (and an optional
`description`): `method` is one of `PricingMethod`; `rate` (dollars per unit, up to four places)
goes with `rate`, `percent` with the three percent methods. A reference list (Medicare fee, ASP)
has `code, modifier, amount` (and `description`): the price per unit. `code` is a CPT/HCPCS code,
or in a contract `J*` (a prefix) or `*` (every other code); `modifier` is blank for any.

Nothing is imported when any row is wrong: the error lists each faulty line by number (the
header is line 1), so an admin fixes the file once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from infusion_rcm.common.errors import InvalidInputError
from payments.domain.contracts import (
    CODE_PATTERN,
    MODIFIER_PATTERN,
    ContractRate,
    PricingMethod,
    ScheduleKind,
)

CONTRACT_COLUMNS = ("code", "modifier", "method", "rate", "percent")
REFERENCE_COLUMNS = ("code", "modifier", "amount")
OPTIONAL_COLUMNS = ("description",)
MAX_PROBLEMS_IN_MESSAGE = 10
MAX_PERCENT = {
    PricingMethod.PERCENT_OF_CHARGE: Decimal(100),
    PricingMethod.PERCENT_OF_MEDICARE: Decimal(1000),
    PricingMethod.ASP_PLUS: Decimal(100),
}


@dataclass(frozen=True, slots=True)
class RateRow:
    """One row as read: the rate, its description, the line it came from."""

    rate: ContractRate
    description: str
    line: int


class FeeScheduleFileError(InvalidInputError):
    code = "fee_schedule.invalid"


def _decimal(text: str, *, places: int, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{what} {text!r} is not a number")
    if value.as_tuple().exponent < -places:  # type: ignore[operator]  # finite: an int exponent
        raise ValueError(f"{what} {text!r} has more than {places} decimal places")
    if value < 0:
        raise ValueError(f"{what} {text!r} is negative")
    return value


def _contract_rate(row: dict[str, str]) -> ContractRate:
    code, modifier = row["code"], row["modifier"]
    try:
        method = PricingMethod(row["method"].lower())
    except ValueError:
        choices = ", ".join(m.value for m in PricingMethod)
        raise ValueError(f"method {row['method']!r} is not one of {choices}") from None
    rate_text, percent_text = row["rate"], row["percent"]
    if method == PricingMethod.RATE:
        if not rate_text or percent_text:
            raise ValueError("method rate takes a rate (dollars per unit) and no percent")
        rate = _decimal(rate_text, places=4, what="rate")
        if rate == 0:
            raise ValueError("rate 0 pays nothing: leave the code out (or mark it not covered)")
        return ContractRate(code=code, modifier=modifier, method=method, rate=rate)
    if not percent_text or rate_text:
        raise ValueError(f"method {method.value} takes a percent and no rate")
    percent = _decimal(percent_text, places=3, what="percent")
    if percent > MAX_PERCENT[method] or (percent == 0 and method != PricingMethod.ASP_PLUS):
        raise ValueError(f"percent {percent_text} is out of range for {method.value}")
    return ContractRate(code=code, modifier=modifier, method=method, percent=percent)


def _reference_rate(row: dict[str, str], kind: ScheduleKind) -> ContractRate:
    if "*" in row["code"]:
        raise ValueError("a reference price is for one code, not a prefix")
    if kind == ScheduleKind.ASP and row["modifier"]:
        raise ValueError("an ASP is per code: leave the modifier blank")
    if not row["amount"]:
        raise ValueError("amount is missing")
    amount = _decimal(row["amount"], places=4, what="amount")
    return ContractRate(code=row["code"], modifier=row["modifier"], method=PricingMethod.RATE, rate=amount)


def _check_header(fields: list[str], kind: ScheduleKind) -> None:
    required = CONTRACT_COLUMNS if kind == ScheduleKind.CONTRACT else REFERENCE_COLUMNS
    missing = [c for c in required if c not in fields]
    unknown = [c for c in fields if c not in required and c not in OPTIONAL_COLUMNS]
    if missing or unknown or len(set(fields)) != len(fields):
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        if len(set(fields)) != len(fields):
            parts.append("a column appears twice")
        raise FeeScheduleFileError(
            f"Fee schedule refused: line 1: {'; '.join(parts)}. The columns are "
            f"{', '.join(required)} (and optionally description).",
            extra={"problems": parts},
        )


def parse_fee_schedule(text: str, *, kind: ScheduleKind) -> list[RateRow]:
    """The rows of a fee schedule file, or FeeScheduleFileError listing every faulty line."""
    text = text.lstrip("\ufeff")  # spreadsheet exports start with a byte order mark
    try:  # newline="": csv reads \r, \n and \r\n line ends itself (a bare \r was a crash)
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # an over-long field, a stray quote
        raise FeeScheduleFileError(f"Fee schedule refused: the file cannot be read as CSV ({exc}).") from None
    if not lines:
        raise FeeScheduleFileError("Fee schedule refused: the file is empty.")
    header, reader = lines[0], lines[1:]
    fields = [h.strip().lower() for h in header]
    _check_header(fields, kind)
    rows: list[RateRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(fields):
            problems.append(f"line {number}: {len(values)} values for {len(fields)} columns")
            continue
        row = {f: v.strip() for f, v in zip(fields, values, strict=True)}
        row["code"], row["modifier"] = row["code"].upper(), row["modifier"].upper()
        try:
            if not CODE_PATTERN.match(row["code"]):
                raise ValueError(f"code {row['code']!r} is not a 5-character CPT/HCPCS code, a prefix* or *")
            if not MODIFIER_PATTERN.match(row["modifier"]):
                raise ValueError(f"modifier {row['modifier']!r} is not two letters or digits")
            key = (row["code"], row["modifier"])
            if key in seen:
                raise ValueError(
                    f"{row['code']}{'-' + row['modifier'] if row['modifier'] else ''} "
                    f"is already on line {seen[key]}"
                )
            seen[key] = number
            rate = _contract_rate(row) if kind == ScheduleKind.CONTRACT else _reference_rate(row, kind)
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        rows.append(RateRow(rate=rate, description=row.get("description", "")[:120], line=number))
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_IN_MESSAGE])
        more = len(problems) - MAX_PROBLEMS_IN_MESSAGE
        raise FeeScheduleFileError(
            f"Fee schedule refused, nothing imported: {shown}"
            + (f"; and {more} more" if more > 0 else "")
            + ".",
            extra={"problems": problems},
        )
    if not rows:
        raise FeeScheduleFileError("Fee schedule refused: the file has a header but no rates.")
    return rows
