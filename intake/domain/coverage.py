"""Coverage periods: which policies are in force on a date, rank conflicts, eligibility freshness.

Pure module. Coordination-of-benefits order (primary, secondary, tertiary) follows the payer
responsibility sequence an 837 reports in SBR01 (P, S, T; 005010X222A1 loop 2000B/2320). Coverage
dates are inclusive on both ends, as 271 DTP*346 (plan begin) / DTP*347 (plan end) are.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from infusion_rcm.common.errors import InvalidInputError


class CoverageRank(StrEnum):
    """Payer responsibility order; the value is what the model column stores."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"

    @property
    def order(self) -> int:
        return _RANK_ORDER[self]

    @property
    def sbr01(self) -> str:
        """Payer responsibility sequence code for 837 SBR01."""
        return {"primary": "P", "secondary": "S", "tertiary": "T"}[self.value]


_RANK_ORDER = {CoverageRank.PRIMARY: 1, CoverageRank.SECONDARY: 2, CoverageRank.TERTIARY: 3}


@dataclass(frozen=True, slots=True)
class CoveragePeriod:
    """One patient coverage as the rules see it: id, rank, and an inclusive date span (end None = open)."""

    id: Hashable
    rank: CoverageRank
    effective: date
    end: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.rank, CoverageRank):
            try:
                object.__setattr__(self, "rank", CoverageRank(self.rank))
            except ValueError as exc:
                raise InvalidInputError(
                    f"Coverage rank {self.rank!r} must be primary, secondary or tertiary."
                ) from exc
        if self.end is not None and self.end < self.effective:
            raise InvalidInputError(
                f"Coverage {self.id}: end date {self.end.isoformat()} is before its effective date "
                f"{self.effective.isoformat()}."
            )

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.end is None or on <= self.end)

    def overlaps(self, other: CoveragePeriod) -> bool:
        """Inclusive spans overlap when each starts no later than the other ends."""
        self_ends_after = self.end is None or other.effective <= self.end
        other_ends_after = other.end is None or self.effective <= other.end
        return self_ends_after and other_ends_after


def coverages_in_force(coverages: Iterable[CoveragePeriod], on: date) -> list[CoveragePeriod]:
    """Coverages in force on `on`, primary first; ties by effective date then id (stable output)."""
    active = [c for c in coverages if c.in_force(on)]
    return sorted(active, key=lambda c: (c.rank.order, c.effective, str(c.id)))


def find_overlap(existing: Iterable[CoveragePeriod], candidate: CoveragePeriod) -> CoveragePeriod | None:
    """The coverage of the same rank whose dates overlap `candidate`, or None.

    A patient cannot have two primaries (or two secondaries...) at once. The candidate's own id is
    skipped so that editing a coverage does not conflict with its stored self. When several clash,
    the earliest one is returned.
    """
    clashes = [
        c for c in existing if c.id != candidate.id and c.rank == candidate.rank and c.overlaps(candidate)
    ]
    if not clashes:
        return None
    return min(clashes, key=lambda c: (c.effective, str(c.id)))


def eligibility_is_stale(last_checked: date | None, freshness_days: int, as_of: date) -> bool:
    """True when eligibility must be re-verified: never checked, or checked more than `freshness_days` ago.

    A check exactly `freshness_days` old is still fresh; a check dated after `as_of` (clock skew) counts
    as fresh.
    """
    if freshness_days < 0:
        raise InvalidInputError("The eligibility freshness window cannot be negative.")
    if last_checked is None:
        return True
    return (as_of - last_checked).days > freshness_days


class EligibilityState(StrEnum):
    """What is known about a coverage for one date of service (a scheduled visit, an order)."""

    OK = "ok"  # a fresh check on file says active
    NO_COVERAGE = "no_coverage"  # no primary coverage in force on the date
    NEVER_CHECKED = "never_checked"
    STALE = "stale"  # the last check is older than the payer's freshness window on the date
    PENDING = "pending"  # an inquiry (270) is out, its 271 not read yet
    FAILED = "failed"  # the last inquiry could not be written or the payer rejected it
    INACTIVE = "inactive"  # the last check says not active (or did not say active)

    @property
    def label(self) -> str:
        return _ELIGIBILITY_STATE_LABELS[self]

    @property
    def needs_inquiry(self) -> bool:
        """A new 270 would tell us something: nothing is on file, or it is too old."""
        return self in (EligibilityState.NEVER_CHECKED, EligibilityState.STALE)


_ELIGIBILITY_STATE_LABELS = {
    EligibilityState.OK: "Eligible",
    EligibilityState.NO_COVERAGE: "No coverage in force",
    EligibilityState.NEVER_CHECKED: "Never checked",
    EligibilityState.STALE: "Eligibility stale",
    EligibilityState.PENDING: "270 sent, waiting for the 271",
    EligibilityState.FAILED: "Last inquiry failed",
    EligibilityState.INACTIVE: "Not active on the last check",
}


def eligibility_state(
    *,
    has_coverage: bool,
    last_checked: date | None,
    last_active: bool | None,
    freshness_days: int,
    on: date,
    open_inquiry: str | None = None,
) -> EligibilityState:
    """Classify a coverage for the date of service `on` (docs/billing-rules/eligibility-and-auth.md).

    `open_inquiry` is the status ("pending" or "failed") of an inquiry newer than the last completed
    check, if any: a newer question outranks an older answer. Freshness is judged on the date of
    service, not today: a check that will be past the payer's window by the visit is stale already.
    """
    if not has_coverage:
        return EligibilityState.NO_COVERAGE
    if open_inquiry == "pending":
        return EligibilityState.PENDING
    if open_inquiry == "failed":
        return EligibilityState.FAILED
    if last_checked is None:
        return EligibilityState.NEVER_CHECKED
    if eligibility_is_stale(last_checked, freshness_days, on):
        return EligibilityState.STALE
    if not last_active:
        return EligibilityState.INACTIVE
    return EligibilityState.OK
