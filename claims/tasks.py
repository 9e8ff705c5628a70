"""Claims Celery tasks: thin, idempotent, ids in; each calls one service.

Scrubbing runs on the `scrub` queue, batch building on the `batch` queue, claim building on
`default` (docs/architecture.md); the routes live in infusion_rcm/celery.py.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import celeryd_after_setup
from django.db import OperationalError

from claims import services
from claims.models import Claim
from intake.models import Payer

_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5, "acks_late": True}


@shared_task(**_RETRY)
def claim_scrub_task(claim_id: int) -> str:
    """Scrub one claim. A claim that is gone or already past scrubbing is left alone (idempotent)."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None or claim.status not in services.SCRUBBABLE:
        return "skipped"
    services.claims_scrub_many(claim_ids=[claim_id])
    return "scrubbed"


@shared_task(**_RETRY)
def claims_build_task(visit_ids: list[int], enqueue_scrub: bool = False) -> int:
    """Build claims from the visits' reviewed charges (visits already billed are left alone)."""
    return len(services.claims_build_from_charges(visit_ids=visit_ids, enqueue_scrub=enqueue_scrub).claims)


@shared_task(**_RETRY)
def claim_build_run_task(run_id: int) -> str:
    """Run a biller's queued ClaimBuildRun (default queue); a run already taken is left alone."""
    return services.claim_build_run_execute(run_id=run_id)


@shared_task(**_RETRY)
def claims_scrub_many_task(claim_ids: list[int]) -> int:
    """Scrub the claims still scrubbable among `claim_ids` (the others are skipped)."""
    return len(services.claims_scrub_many(claim_ids=claim_ids).statuses)


@shared_task(**_RETRY)
def batch_build_task(payer_id: int, form: str | None = None) -> int | None:
    """Batch the payer's ready claims; running it twice makes at most one batch per set of claims."""
    payer = Payer.objects.filter(pk=payer_id).first()
    if payer is None:
        return None
    batch = services.batch_build(payer=payer, form=form)
    return batch.pk if batch else None


@celeryd_after_setup.connect
def _preload_code_sets(sender=None, instance=None, **kwargs) -> None:
    """A worker that consumes the scrub queue loads the ICD-10-CM table once, before its pool
    forks: the children share it instead of each paying the load on its first scrub."""
    queues = getattr(getattr(getattr(instance, "app", None), "amqp", None), "queues", None)
    if queues is not None and "scrub" in queues.consume_from:
        services.scrub_preload()
