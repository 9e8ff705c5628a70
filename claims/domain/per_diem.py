"""Per-diem lines: one line for the span, or one line per day, as the payer wants.

Pure. A home-infusion per diem (S-codes, REFERENCE §3.1) is billed one unit per day. Some payers
take one 2400 loop covering the span (DTP*472*RD8 from-to, units = days), others want a line
per date of service; the charge is spread over the days with the remainder on the last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from infusion_rcm.common.money import allocate


@dataclass(frozen=True, slots=True)
class DayLine:
    day: dt.date
    units: Decimal
    charge: Decimal


def split_per_day(
    date_from: dt.date, date_to: dt.date, units: Decimal, charge: Decimal
) -> list[DayLine] | None:
    """The span as daily lines, or None when it is not a one-unit-per-day line (kept as a span)."""
    days = (date_to - date_from).days + 1
    if days < 2 or units != days:
        return None
    charges = allocate(charge, [Decimal(1)] * days)
    return [DayLine(date_from + dt.timedelta(days=i), Decimal(1), charges[i]) for i in range(days)]
