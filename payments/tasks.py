"""Payments Celery tasks (the `era` queue, routed in infusion_rcm/celery.py): thin, ids in,
acks_late, idempotent. Running one twice, or on two workers at once, posts a file once."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from payments import services
from payments.models import RemittanceFile

_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5, "acks_late": True}


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60, **_RETRY)
def remittance_file_process_task(file_id: int, actor_id: int | None = None) -> str:
    """Read (if only received) and post one remittance file; a missing or finished file is a no-op."""
    file = RemittanceFile.objects.filter(pk=file_id).defer("content").first()  # read under the lock
    if file is None:
        return "missing"
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    result = services.remittance_file_process(file=file, actor=actor)
    return f"posted {result.claims_posted}"


@shared_task(time_limit=5 * 60, soft_time_limit=60, **_RETRY)
def next_payer_claims_task(claim_payment_ids: list[int]) -> str:
    """After posting: secondary/tertiary claims, crossovers, reversals (payments.services.next_payer).
    Idempotent per claim payment, so a retry or a second delivery builds nothing twice."""
    from payments.services.next_payer import next_payer_after_posting

    run = next_payer_after_posting(claim_payment_ids=claim_payment_ids)
    return f"built {len(run.built)}, forwarded {len(run.forwarded)}, withdrawn {len(run.withdrawn)}"


@shared_task(**_RETRY)
def crossover_followups_task() -> str:
    """Daily: a follow-up for each crossover whose next payer sent no ERA within the wait."""
    from django.utils import timezone

    from payments.services.next_payer import crossover_followups_raise

    return f"raised {crossover_followups_raise(as_of=timezone.localdate())}"
