"""Eligibility ahead of visits (reads): for each upcoming date of service, what the primary
coverage's checks say, and whether its payer's look-ahead window has opened.

The visits come from the caller (the schedule lives in coding, which imports intake, never the
reverse). Loads in a fixed number of queries whatever the number of visits.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max

from intake import mappers
from intake.domain.coverage import CoverageRank, EligibilityState, coverages_in_force, eligibility_state
from intake.models import DEFAULT_ELIGIBILITY_LOOKAHEAD_DAYS, Coverage, EligibilityCheck, Payer

OPEN_INQUIRY = (EligibilityCheck.Status.PENDING, EligibilityCheck.Status.FAILED)


@dataclass(frozen=True)
class UpcomingVisit:
    """A date of service someone booked: the patient, the date, and what booked it."""

    patient_id: int
    service_date: date
    reference: str = ""  # e.g. "appointment:<public id>"; ids only, for logs and links


@dataclass
class EligibilityOutlook:
    visit: UpcomingVisit
    coverage: Coverage | None
    last_check: EligibilityCheck | None  # the latest completed check of the coverage
    open_check: EligibilityCheck | None  # a pending or failed inquiry newer than that
    state: EligibilityState
    due: bool  # the visit is within the payer's look-ahead window

    @property
    def needs_inquiry(self) -> bool:
        return self.due and self.state.needs_inquiry

    @property
    def needs_attention(self) -> bool:
        return self.state != EligibilityState.OK

    @property
    def window_opens(self) -> date | None:
        """The day the job starts checking this visit (its payer's look-ahead before the visit)."""
        if self.coverage is None:
            return None
        return self.visit.service_date - timedelta(days=self.coverage.payer.eligibility_lookahead_days)


def lookahead_days_max() -> int:
    """The longest look-ahead of any active payer: how far ahead the schedule must be read."""
    longest = Payer.objects.filter(active=True).aggregate(days=Max("eligibility_lookahead_days"))["days"]
    return int(longest if longest is not None else DEFAULT_ELIGIBILITY_LOOKAHEAD_DAYS)


def _latest(checks: Iterable[EligibilityCheck]) -> dict[int, EligibilityCheck]:
    latest: dict[int, EligibilityCheck] = {}
    for check in checks:
        latest.setdefault(check.coverage_id, check)
    return latest


def eligibility_outlook(*, visits: Sequence[UpcomingVisit], as_of: date) -> list[EligibilityOutlook]:
    """One outlook per visit, in the order given. Three queries."""
    patient_ids = {v.patient_id for v in visits}
    coverages: dict[int, list[Coverage]] = {pid: [] for pid in patient_ids}
    for c in Coverage.objects.filter(patient_id__in=patient_ids).select_related("payer", "patient"):
        coverages[c.patient_id].append(c)
    coverage_ids = [c.pk for cs in coverages.values() for c in cs]
    # DISTINCT ON (PostgreSQL): one latest row per coverage, whatever the history's length.
    complete = _latest(
        EligibilityCheck.objects.filter(coverage_id__in=coverage_ids, status=EligibilityCheck.Status.COMPLETE)
        .order_by("coverage_id", "-checked_on", "-id")
        .distinct("coverage_id")
    )
    inquiries = _latest(
        EligibilityCheck.objects.filter(coverage_id__in=coverage_ids, status__in=OPEN_INQUIRY)
        .order_by("coverage_id", "-id")
        .distinct("coverage_id")
    )
    out: list[EligibilityOutlook] = []
    for visit in visits:
        rows: dict[Hashable, Coverage] = {c.pk: c for c in coverages.get(visit.patient_id, [])}
        in_force = [
            rows[p.id]
            for p in coverages_in_force(
                (mappers.coverage_period(c) for c in rows.values()), visit.service_date
            )
        ]
        primary = next((c for c in in_force if c.rank == CoverageRank.PRIMARY), None)
        last = complete.get(primary.pk) if primary else None
        inquiry = inquiries.get(primary.pk) if primary else None
        if inquiry is not None and last is not None and inquiry.pk < last.pk:
            inquiry = None  # answered since (or superseded by a check entered by hand)
        state = eligibility_state(
            has_coverage=primary is not None,
            last_checked=last.checked_on if last else None,
            last_active=last.active if last else None,
            freshness_days=primary.payer.eligibility_freshness_days if primary else 0,
            on=visit.service_date,
            open_inquiry=inquiry.status if inquiry else None,
        )
        window = primary.payer.eligibility_lookahead_days if primary else DEFAULT_ELIGIBILITY_LOOKAHEAD_DAYS
        out.append(
            EligibilityOutlook(
                visit=visit,
                coverage=primary,
                last_check=last,
                open_check=inquiry,
                state=state,
                due=as_of <= visit.service_date <= as_of + timedelta(days=window),
            )
        )
    return out
