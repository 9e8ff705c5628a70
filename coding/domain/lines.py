"""Collects proposed lines and merges those with the same code and modifiers into one claim line.

Units of one code add up on a date of service (e.g. 96375 x2, 96366 x3); the reasons are kept
side by side so the biller sees every contribution.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from coding.domain.types import ChargeLine, Finding


class LineBook:
    """Ordered line accumulator plus findings for one encounter."""

    __slots__ = ("_entries", "_families", "_order", "findings")

    def __init__(self) -> None:
        # key -> [units, reasons ("; "-joined), rule ids, family, encounter, site, fee factor]
        self._entries: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        self._order: list[tuple[str, tuple[str, ...]]] = []
        self._families: set[str] = set()
        self.findings: list[Finding] = []

    def add(
        self,
        code: str,
        units: int,
        reason: str,
        rule_ids: tuple[str, ...],
        family: str,
        modifiers: tuple[str, ...] = (),
        encounter: int | None = None,
        iv_site: str | None = None,
        fee_factor: Decimal | None = None,
    ) -> None:
        if units <= 0:
            return
        self._families.add(family)
        key = (code, modifiers)
        entry = self._entries.get(key)
        if entry is None:
            # reasons joined and rule ids kept as a tuple as they come: most lines get one of each
            self._entries[key] = [units, reason, rule_ids, family, encounter, iv_site, fee_factor]
            self._order.append(key)
            return
        entry[0] += units
        entry[1] = f"{entry[1]}; {reason}"
        rules = entry[2]
        for rule in rule_ids:
            if rule not in rules:
                rules += (rule,)
        entry[2] = rules
        if entry[4] != encounter:
            entry[4] = None
        if entry[5] != iv_site:
            entry[5] = None

    def add_line(self, line: ChargeLine) -> None:
        """A fully built line (drug lines carry NDC data and are never merged here)."""
        key = (line.code, line.modifiers)
        self._families.add(line.family)
        self._entries[key] = [line]
        self._order.append(key)

    def has_family(self, family: str) -> bool:
        return family in self._families

    def warn(self, code: str, message: str, path: str = "") -> None:
        self.findings.append(Finding("warning", code, message, path))

    def note(self, code: str, message: str, path: str = "") -> None:
        self.findings.append(Finding("info", code, message, path))

    def lines(self) -> tuple[ChargeLine, ...]:
        out = []
        for key in self._order:
            entry = self._entries[key]
            if len(entry) == 1:
                out.append(entry[0])
                continue
            units, reason, rules, family, encounter, iv_site, fee = entry
            out.append(
                ChargeLine(
                    key[0],
                    key[1],
                    units,
                    reason,
                    rules,
                    family,
                    None,
                    None,
                    None,
                    None,
                    encounter,
                    iv_site,
                    fee,
                )
            )
        return tuple(out)
