"""Coverage order, same-rank overlap and eligibility freshness."""

from __future__ import annotations

from datetime import date

import pytest

from infusion_rcm.common.errors import InvalidInputError
from intake.domain.coverage import (
    CoveragePeriod,
    CoverageRank,
    coverages_in_force,
    eligibility_is_stale,
    find_overlap,
)

P, S, T = CoverageRank.PRIMARY, CoverageRank.SECONDARY, CoverageRank.TERTIARY


def cov(id_: int, rank: CoverageRank, effective: date, end: date | None = None) -> CoveragePeriod:
    return CoveragePeriod(id=id_, rank=rank, effective=effective, end=end)


COVERAGES = [
    cov(1, T, date(2024, 1, 1)),
    cov(2, S, date(2024, 1, 1), date(2024, 12, 31)),
    cov(3, P, date(2023, 1, 1), date(2024, 3, 31)),
    cov(4, P, date(2024, 4, 1)),
]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2022, 12, 31), []),
        (date(2023, 6, 1), [3]),
        (date(2024, 3, 31), [3, 2, 1]),  # end date is inclusive
        (date(2024, 4, 1), [4, 2, 1]),  # effective date is inclusive
        (date(2025, 1, 1), [4, 1]),
    ],
)
def test_coverages_in_force_ordered_by_rank(on: date, expected: list[int]) -> None:
    assert [c.id for c in coverages_in_force(COVERAGES, on)] == expected


def test_rank_accepts_the_stored_string_and_reports_sbr01() -> None:
    c = CoveragePeriod(id=9, rank="secondary", effective=date(2024, 1, 1))  # type: ignore[arg-type]
    assert c.rank is S
    assert [r.sbr01 for r in (P, S, T)] == ["P", "S", "T"]


def test_bad_rank_and_backwards_dates_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="primary, secondary or tertiary"):
        CoveragePeriod(id=1, rank="quaternary", effective=date(2024, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="before its effective date"):
        cov(1, P, date(2024, 2, 1), date(2024, 1, 31))


@pytest.mark.parametrize(
    ("candidate", "conflict"),
    [
        (cov(10, P, date(2024, 3, 31)), 3),  # touches the last day of coverage 3
        (cov(10, P, date(2022, 1, 1), date(2022, 12, 31)), None),  # ends the day before 3 starts
        (cov(10, P, date(2022, 1, 1), date(2023, 1, 1)), 3),  # ends on the day 3 starts
        (cov(10, P, date(2030, 1, 1)), 4),  # open-ended 4 overlaps anything later
        (cov(10, S, date(2025, 1, 1)), None),  # the secondary ended 2024-12-31
        (cov(10, S, date(2024, 12, 31)), 2),
        (cov(10, T, date(2020, 1, 1), date(2020, 12, 31)), None),
        (cov(4, P, date(2024, 4, 1), date(2024, 12, 31)), None),  # editing coverage 4 itself
    ],
)
def test_find_overlap(candidate: CoveragePeriod, conflict: int | None) -> None:
    found = find_overlap(COVERAGES, candidate)
    assert (found.id if found else None) == conflict


def test_find_overlap_returns_the_earliest_clash() -> None:
    candidate = cov(10, P, date(2020, 1, 1))
    found = find_overlap(COVERAGES, candidate)
    assert found is not None
    assert found.id == 3


@pytest.mark.parametrize(
    ("last_checked", "stale"),
    [
        (None, True),
        (date(2024, 6, 30), False),  # checked today
        (date(2024, 6, 1), False),  # exactly 29 days ago
        (date(2024, 5, 31), False),  # exactly 30 days ago: still fresh
        (date(2024, 5, 30), True),  # 31 days ago
        (date(2024, 7, 2), False),  # clock skew: future check counts as fresh
    ],
)
def test_eligibility_is_stale(last_checked: date | None, stale: bool) -> None:
    assert eligibility_is_stale(last_checked, 30, date(2024, 6, 30)) is stale


def test_zero_day_window_means_only_today_is_fresh() -> None:
    assert not eligibility_is_stale(date(2024, 6, 30), 0, date(2024, 6, 30))
    assert eligibility_is_stale(date(2024, 6, 29), 0, date(2024, 6, 30))


def test_negative_window_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        eligibility_is_stale(None, -1, date(2024, 6, 30))
