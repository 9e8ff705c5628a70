"""Which procedure and drug codes are in force on a date: code sets are dated reference data.

Pure. HCPCS/CPT codes are added and discontinued quarterly; a claim line whose code was not in
force on its date of service is denied (CARC 181, "procedure code was invalid on the date of
service"). The app keeps each code with its effective dates (CodeSetEntry) and asks this
calendar; drug HCPCS codes of the active catalog count as in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CodeSetCalendar:
    entries: tuple[tuple[str, dt.date, dt.date | None], ...]
    always: frozenset[str] = frozenset()
    _cache: dict[dt.date, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls, entries: Iterable[tuple[str, dt.date, dt.date | None]], always: Iterable[str] = ()
    ) -> CodeSetCalendar:
        return cls(tuple(entries), frozenset(always))

    def codes_on(self, day: dt.date) -> frozenset[str]:
        codes = self._cache.get(day)
        if codes is None:
            codes = self.always | {
                code for code, start, end in self.entries if start <= day and (end is None or end >= day)
            }
            self._cache[day] = codes
        return codes

    def __bool__(self) -> bool:
        return bool(self.entries)
