"""Denials Celery tasks (the `default` queue): thin, ids in, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from denials import services

_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5, "acks_late": True}


@shared_task(**_RETRY)
def denials_from_posting_task(claim_payment_ids: list[int]) -> int:
    """Create the denials of these posted claim payments; a repeat creates nothing."""
    return len(services.denials_from_claim_payments(claim_payment_ids=claim_payment_ids))


@shared_task(**_RETRY)
def denials_reprioritize_task() -> int:
    """Daily (beat): open denials' priority for today (their deadlines came a day closer)."""
    return services.denials_reprioritize()


@shared_task(**_RETRY)
def timely_filing_alerts_task() -> int:
    """Daily (beat): alerts for claims 30, 14 and 7 days from their filing deadline (TF-5)."""
    from denials.services.timely_filing import timely_filing_alerts_raise

    return timely_filing_alerts_raise()


@shared_task(**_RETRY)
def denial_risk_score_task() -> int:
    """Every 10 minutes (beat): score the ready claims scrubbed since their last score (DEN-RS1)."""
    from denials.services.risk import claims_risk_score_ready

    return claims_risk_score_ready()
