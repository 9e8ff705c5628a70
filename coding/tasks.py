"""Coding Celery tasks: thin wrappers that call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, ConnectionError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def eligibility_ahead_task() -> int:
    """Daily: 270s for booked visits whose coverage was never checked or will be stale by the visit
    (idempotent: a coverage with an inquiry out gets no second one). Returns the 270s written."""
    from coding.schedule.services import schedule_eligibility_check

    return len(schedule_eligibility_check().written)
