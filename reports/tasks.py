"""Reports' Celery tasks (default queue): thin, idempotent, acks_late."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reports import services
from reports.engine_check import on_postgresql

_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5, "acks_late": True}


@shared_task(**_RETRY)
def reports_catch_up_task() -> int:
    """Bring the dashboards' facts up to the latest claim events and postings."""
    return services.reports_catch_up(margin=True)


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60, **_RETRY)
def ar_snapshot_task() -> int:
    """Once a day (beat): the day's A/R snapshot; taking it twice the same day replaces it."""
    return services.ar_snapshot_take(day=timezone.localdate())


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60, **_RETRY)
def facts_rebuild_task() -> int:
    """Nightly (beat): every fact from scratch, for anything the incremental path missed."""
    return services.facts_rebuild()


def on_claim_payments_posted(*, claim_payment_ids=(), claim_ids=(), **_payload) -> None:
    """CLAIM_PAYMENTS_POSTED subscriber (after commit): the posted claims' facts catch up on a
    worker, so the next dashboard read has nothing to do."""
    if on_postgresql():  # the reports' SQL is PostgreSQL's; embedded SQLite has none
        reports_catch_up_task.delay()
