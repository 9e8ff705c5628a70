"""Splitting a claim that has more lines than its payer takes (837P at most 50 lines, X222A1
loop 2400 repeat 50; a payer may take fewer) into claims that each fit.

Pure. Lines are kept together by date of service, so what the payer edits per day stays on one
claim: the administered drug line beside its JW waste line (REFERENCE DRG-W1), an E/M with its
-25 procedures, per-day units (MUE). Days are packed in order until the next day would not fit;
a single day with more lines than the limit is cut in order (nothing else can be done with it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import groupby
from typing import TypeVar

T = TypeVar("T")


def split_by_date(lines: Sequence[T], limit: int, day: Callable[[T], date]) -> list[list[T]]:
    """`lines` (in claim order) as consecutive parts of at most `limit` lines, whole days kept together."""
    if limit < 1:
        raise ValueError("a claim holds at least one line")
    if len(lines) <= limit:
        return [list(lines)]
    ordered = sorted(lines, key=day)  # stable: the claim's order within a day is kept
    parts: list[list[T]] = [[]]
    for _, group in groupby(ordered, key=day):
        items = list(group)
        if parts[-1] and len(parts[-1]) + len(items) > limit:
            parts.append([])
        for item in items:
            if len(parts[-1]) == limit:
                parts.append([])
            parts[-1].append(item)
    return parts
