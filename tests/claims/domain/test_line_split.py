"""Splitting a claim over its line limit by date of service; who renders on a claim."""

from __future__ import annotations

from datetime import date

import pytest

from claims.domain.claim_providers import claim_providers
from claims.domain.line_split import split_by_date


def _days(*counts: int) -> list[tuple[date, int]]:
    return [(date(2024, 3, d), n) for d, c in enumerate(counts, start=1) for n in range(c)]


def test_under_the_limit_is_one_part() -> None:
    lines = _days(3, 2)
    assert split_by_date(lines, 50, lambda ln: ln[0]) == [lines]


def test_days_are_kept_together_and_packed_in_order() -> None:
    parts = split_by_date(_days(3, 3, 3, 3), 7, lambda ln: ln[0])
    assert [len(p) for p in parts] == [6, 6]
    assert {ln[0].day for ln in parts[0]} == {1, 2} and {ln[0].day for ln in parts[1]} == {3, 4}


def test_a_day_over_the_limit_is_cut_in_order() -> None:
    parts = split_by_date(_days(1, 5), 2, lambda ln: ln[0])
    assert [[(ln[0].day, ln[1]) for ln in p] for p in parts] == [
        [(1, 0)],
        [(2, 0), (2, 1)],
        [(2, 2), (2, 3)],
        [(2, 4)],
    ]


def test_ninety_four_daily_lines_at_fifty() -> None:
    lines = _days(*([3] * 30)) + [(date(2024, 3, d), 9) for d in (1, 8, 15, 22)]
    parts = split_by_date(lines, 50, lambda ln: ln[0])
    assert [len(p) for p in parts] == [48, 46]  # days 1-15 (with 3 nursing visits), 16-30
    assert max(ln[0] for ln in parts[0]) < min(ln[0] for ln in parts[1])


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        split_by_date([], 0, lambda ln: ln)


@pytest.mark.parametrize(
    ("site", "preference", "expected"),
    [
        ("aic", "documented", ("sup", "sup")),  # incident-to: the supervising physician renders
        ("office", "none", ("sup", "sup")),  # the home preference does not apply elsewhere
        ("home", "documented", ("sup", "sup")),
        ("home", "ordering", ("ord", "sup")),
        ("home", "none", (None, None)),
    ],
)
def test_claim_providers_without_a_documented_rendering(site: str, preference: str, expected: tuple) -> None:
    assert (
        claim_providers(
            site_of_care=site, preference=preference, rendering=None, supervising="sup", ordering="ord"
        )
        == expected
    )


def test_documented_rendering_practitioner_wins() -> None:
    got = claim_providers(
        site_of_care="home", preference="documented", rendering="rph", supervising=None, ordering="ord"
    )
    assert got == ("rph", None)
