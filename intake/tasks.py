"""Intake Celery tasks: thin wrappers that take ids (or the 271 text) and call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from intake import services

TRANSIENT = (OperationalError, ConnectionError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def eligibility_request_task(check_id: int) -> int:
    """Write and store the 270 of a pending eligibility check (no-op once written)."""
    return services.eligibility_build_270(check_id=check_id).pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def eligibility_import_271_task(text: str) -> list[int]:
    """Read a 271 into its pending checks; a refused file raises (not retried) and changes nothing."""
    return [c.pk for c in services.eligibility_import_271(text=text)]


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def auth_alerts_task() -> int:
    """Daily: raise expiring / low-units auth alerts and no-auth order alerts (idempotent per day)."""
    return len(services.auth_alerts_raise())
