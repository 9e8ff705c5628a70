"""Clock arithmetic and the time-unit rules shared by administration and nursing codes."""

from __future__ import annotations

_CLOCKS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))
# 'HH:MM' -> minutes after midnight, for every clock the models' pattern admits (CLOCK_PATTERN).
# A table rather than parsing: the engine reads two clocks per administration (bench/coding.py),
# and hot loops index it directly instead of calling minutes_of.
MINUTES_OF_CLOCK: dict[str, int] = {clock: m for m, clock in enumerate(_CLOCKS)}


def minutes_of(clock: str) -> int:
    """'HH:MM' -> minutes after midnight (validated upstream by the model's pattern)."""
    return MINUTES_OF_CLOCK[clock]


def clock_of(minutes: int) -> str:
    """Minutes after midnight -> 'HH:MM' (a next-day time wraps, e.g. 1500 -> '01:00')."""
    return _CLOCKS[minutes % 1440]


def additional_hours(total_minutes: int, over: int = 30) -> int:
    """ADM-T3 (S13, S22, S23, S68): add-on hours after a first hour already covered by an initial or
    sequential code. Another unit only when the time runs more than `over` minutes past the last
    full hour: 90 min -> 0, 91 -> 1, 151 -> 2, 211 -> 3."""
    if total_minutes <= 60:
        return 0
    return max(0, (total_minutes - over - 1) // 60)


def addon_hours_from_zero(total_minutes: int, over: int = 30) -> int:
    """Units of an "each additional hour" code that stands alone after another initial service
    (ADM-H2 96361 after a drug; HIT-N1 99602 after 99601's two hours): a partial hour counts only
    when it is more than `over` minutes. 30 -> 0, 31 -> 1, 90 -> 1, 91 -> 2."""
    if total_minutes <= over:
        return 0
    return (total_minutes + 59 - over) // 60
