"""Timely filing: the claims at risk of missing their filing deadline, and the beat job's
alerts 30, 14 and 7 days ahead (TF-4, TF-5). The deadline is the claims app's pure rule
(claims.selectors.claim_filing_deadline); this module only reads claims and writes alerts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from claims.domain.timely_filing import FilingDeadline
from claims.models import Claim
from claims.selectors import NOT_FILED, claim_filing_deadline
from denials.models_appeals import TimelyFilingAlert
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk

logger = logging.getLogger(__name__)
THRESHOLDS = (30, 14, 7)
HORIZON = max(THRESHOLDS)
# No payer allows more than this many days after service plus a year of prior adjudications;
# claims older than that are read once and listed as past their deadline.
LOOKBACK_DAYS = 3 * 365


@dataclass(frozen=True, slots=True)
class AtRisk:
    claim: Claim
    filing: FilingDeadline
    days_left: int
    alerts: tuple[int, ...]


def claims_at_risk(*, today: dt.date | None = None, within: int = HORIZON) -> list[AtRisk]:
    """Claims not filed yet whose deadline is `within` days away or less (passed ones too),
    soonest first, with the thresholds already alerted."""
    today = today or timezone.localdate()
    claims = (
        Claim.objects.filter(
            status__in=[s.value for s in NOT_FILED],
            service_date_from__gte=today - dt.timedelta(days=LOOKBACK_DAYS),
        )
        .select_related("payer", "patient")
        .order_by("service_date_from", "pk")
    )
    rows = []
    for claim in claims:
        filing = claim_filing_deadline(claim)
        left = (filing.deadline - today).days
        if left <= within:
            rows.append((claim, filing, left))
    alerted: dict[int, list[int]] = {}
    for claim_id, threshold in TimelyFilingAlert.objects.filter(
        claim_id__in=[c.pk for c, _, _ in rows]
    ).values_list("claim_id", "threshold"):
        alerted.setdefault(claim_id, []).append(threshold)
    out = [
        AtRisk(claim, filing, left, tuple(sorted(alerted.get(claim.pk, []), reverse=True)))
        for claim, filing, left in rows
    ]
    out.sort(key=lambda r: (r.days_left, r.claim.pk))
    return out


def timely_filing_alerts_raise(*, today: dt.date | None = None) -> int:
    """TF-5: one alert per claim per threshold it has reached (30, 14, 7 days or less left).
    Idempotent: the thresholds already alerted are skipped (and the unique constraint refuses a
    second row if two runs overlap). Returns how many alerts were written."""
    today = today or timezone.localdate()
    with transaction.atomic():
        rows = []
        for risk in claims_at_risk(today=today):
            for threshold in THRESHOLDS:
                if risk.days_left <= threshold and threshold not in risk.alerts:
                    rows.append(
                        TimelyFilingAlert(
                            claim=risk.claim,
                            threshold=threshold,
                            deadline=risk.filing.deadline,
                            basis=risk.filing.basis[:200],
                            days_left=risk.days_left,
                        )
                    )
        created = TimelyFilingAlert.objects.bulk_create(rows)
        audit_events_bulk(
            action=AuditEntry.Action.CREATE, model=TimelyFilingAlert, ids=[a.pk for a in created]
        )
    if created:
        logger.info("timely filing: %s alerts on %s claims", len(created), len({a.claim_id for a in created}))
    return len(created)
