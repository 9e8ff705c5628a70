"""Span claims: which visits go on one claim, and when a span's claim may be built.

Pure. A claim normally carries one visit. Some payers want home infusion billed once per patient
and calendar month instead: every home visit of the month on one claim (837P CLM with the
month's lines; DTP*472 per line keeps each day's date of service). Such a claim is built once
its month is over, so a later visit of the same month is never left for a second claim.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# Largest diagnosis pointer a line may carry: 837P HI holds 12 codes (X222A1 loop 2300 HI).
MAX_DIAGNOSES = 12


class ClaimSpan(StrEnum):
    VISIT = "visit"  # one claim per visit
    MONTH = "month"  # home infusion: one claim per patient, payer and calendar month


@dataclass(frozen=True, slots=True)
class SpanVisit:
    """A visit about to be billed (`ref`: the caller's handle for it): `claim_key` is everything
    two visits must share to be on one claim (patient, coverage, billing location, claim form)."""

    ref: int
    claim_key: Hashable
    date_of_service: dt.date
    home: bool
    span: ClaimSpan


def period_of(span: ClaimSpan, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """First and last day of the span period holding `day`; None for one claim per visit."""
    if span is ClaimSpan.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    return None


def held_until(span: ClaimSpan, day: dt.date, *, home: bool, as_of: dt.date) -> dt.date | None:
    """The last day of the still-open period a home visit waits for; None when it may be built now."""
    period = period_of(span, day) if home else None
    if period is None or period[1] < as_of:
        return None
    return period[1]


def group_visits(visits: Sequence[SpanVisit]) -> list[list[int]]:
    """The visits' refs grouped into claims, in the order of each group's first visit.

    A home visit of a monthly-span payer joins the other visits with the same claim key in its
    calendar month; every other visit is a claim of its own.
    """
    groups: dict[Hashable, list[int]] = {}
    for visit in sorted(visits, key=lambda v: (v.date_of_service, v.ref)):
        period = period_of(visit.span, visit.date_of_service) if visit.home else None
        key: Hashable = ("own", visit.ref) if period is None else ("span", visit.claim_key, period)
        groups.setdefault(key, []).append(visit.ref)
    return list(groups.values())


def merge_diagnoses(per_visit: Sequence[Sequence[str]]) -> list[str]:
    """The visits' diagnosis codes in first-seen order, each once."""
    merged: list[str] = []
    for codes in per_visit:
        merged.extend(code for code in codes if code not in merged)
    return merged


def remap_pointers(pointers: Sequence[int], own: Sequence[str], merged: Sequence[str]) -> list[int]:
    """A line's pointers into its visit's diagnoses, renumbered into the merged list (at most 12)."""
    out: list[int] = []
    for pointer in pointers:
        if 1 <= pointer <= len(own):
            index = merged.index(own[pointer - 1]) + 1
            if index <= MAX_DIAGNOSES and index not in out:
                out.append(index)
    return out
