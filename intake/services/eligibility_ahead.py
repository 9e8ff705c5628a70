"""Eligibility ahead of visits: the daily job's writes. For each booked visit inside its payer's
look-ahead window whose coverage was never checked or whose check will be stale by the visit, a
270 is written (one per coverage, for its earliest visit); what still needs a biller is returned.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from intake import selectors
from intake.domain.coverage import EligibilityState
from intake.eligibility_outlook import EligibilityOutlook, UpcomingVisit, eligibility_outlook
from intake.models import EligibilityCheck
from intake.services.eligibility import eligibility_request

logger = logging.getLogger(__name__)


@dataclass
class EligibilityAheadRun:
    as_of: date
    outlooks: list[EligibilityOutlook] = field(default_factory=list)
    written: list[EligibilityCheck] = field(default_factory=list)

    @property
    def attention(self) -> list[EligibilityOutlook]:
        """Visits inside their window that a biller must look at (a 270 out counts: its 271 is due)."""
        return [o for o in self.outlooks if o.due and o.needs_attention]


def eligibility_ahead(*, visits: Sequence[UpcomingVisit], as_of: date | None = None) -> EligibilityAheadRun:
    """Write the 270s the booked visits need (idempotent: a coverage with an inquiry out gets no other).

    Each 270 commits on its own, so a failure part-way keeps the inquiries already written and a
    retry continues from there. A 270 that cannot be written marks its check failed with the reason.
    """
    as_of = as_of or selectors.today()
    run = EligibilityAheadRun(as_of=as_of, outlooks=eligibility_outlook(visits=visits, as_of=as_of))
    asked: dict[int, EligibilityCheck] = {}
    for outlook in sorted(run.outlooks, key=lambda o: (o.visit.service_date, o.visit.patient_id)):
        if not outlook.needs_inquiry or outlook.coverage is None:
            continue
        check = asked.get(outlook.coverage.pk)
        if check is None:
            check = eligibility_request(
                coverage=outlook.coverage, service_date=outlook.visit.service_date, write_now=True
            )
            asked[outlook.coverage.pk] = check
            run.written.append(check)
        outlook.open_check = check
        outlook.state = (
            EligibilityState.FAILED
            if check.status == EligibilityCheck.Status.FAILED
            else EligibilityState.PENDING
        )
    logger.info(
        "eligibility ahead %s: %d visits, %d inquiries written, %d need attention",
        as_of.isoformat(),
        len(run.outlooks),
        len(run.written),
        len(run.attention),
    )
    return run
