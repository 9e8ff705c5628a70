"""A state table: which status may move to which. Pure; each aggregate declares its own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from infusion_rcm.common.errors import IllegalTransitionError


@dataclass(frozen=True)
class TransitionTable:
    """Maps a status to the statuses it may move to."""

    name: str
    moves: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, table: Mapping[str, Iterable[str]]) -> TransitionTable:
        return cls(name, {str(k): frozenset(str(v) for v in vs) for k, vs in table.items()})

    def allowed(self, from_: str, to: str) -> bool:
        return str(to) in self.moves.get(str(from_), frozenset())

    def check(self, from_: str, to: str) -> None:
        if not self.allowed(from_, to):
            raise IllegalTransitionError(
                f"A {self.name} cannot move from '{from_}' to '{to}'.",
                extra={"from": str(from_), "to": str(to)},
            )
