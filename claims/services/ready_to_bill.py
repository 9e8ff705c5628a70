"""Ready to bill -> claims: building the visits a biller picked (or every ready one), at once
(the command) or as a ClaimBuildRun on the default queue (the page and the API), then scrubbing.

Only visits of the Ready to bill queue are built: every line reviewed, none on a live claim, and
not held by a monthly-span payer whose month is still open. Anything else asked for is reported
as skipped with the reason, never half-built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone

from claims import selectors
from claims.models import Claim, ClaimBuildRun, ClaimLine
from claims.services.build import BuildResult, claims_build_from_charges
from claims.services.common import NOT_LIVE, S, logger
from coding.models import ChargeLine, Visit
from infusion_rcm.common.errors import DomainError


def claims_build_ready(
    *,
    visit_ids: Sequence[int] | None = None,
    actor=None,
    as_of: dt.date | None = None,
    enqueue_scrub: bool = True,
) -> BuildResult:
    """Build claims from the ready visits among `visit_ids` (None: every ready visit); the new
    claims are queued for scrubbing after commit. Returns the claims and, per visit left out,
    why (not ready, held for its month, no coverage in force)."""
    as_of = as_of or timezone.localdate()
    queue = selectors.ready_to_bill_queue()
    if visit_ids is not None:
        queue = queue.filter(pk__in=list(visit_ids))
    rows = selectors.ready_to_bill_rows(queue, as_of=as_of)
    skipped: list[tuple[int, str]] = []
    build_ids = []
    for row in rows:
        if row.held_until is not None:
            skipped.append(
                (
                    row.visit.pk,
                    f"{row.payer} bills home infusion by calendar month: this visit goes on the "
                    f"month's claim, built after {row.held_until.isoformat()}",
                )
            )
        else:
            build_ids.append(row.visit.pk)
    if visit_ids is not None:
        listed = {row.visit.pk for row in rows}
        skipped += [(vid, not_ready_reason(vid)) for vid in dict.fromkeys(visit_ids) if vid not in listed]
    result = (
        claims_build_from_charges(visit_ids=build_ids, actor=actor, enqueue_scrub=enqueue_scrub)
        if build_ids
        else BuildResult()
    )
    result.skipped = sorted(skipped + result.skipped)
    return result


def not_ready_reason(visit_id: int) -> str:
    """Why a visit is not in the Ready to bill queue, in the biller's words."""
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None:
        return "no such visit"
    if visit.status != Visit.Status.SIGNED:
        return "the visit is not signed yet"
    statuses = list(visit.charge_lines.values_list("status", flat=True))
    pending = statuses.count(ChargeLine.Status.PENDING_REVIEW)
    if pending:
        return f"{pending} line(s) still waiting for charge review"
    live = (
        ClaimLine.objects.filter(charge_line__visit_id=visit_id)
        .exclude(claim__status__in=[s.value for s in NOT_LIVE])
        .values_list("claim__claim_number", flat=True)
        .distinct()
        .order_by("claim__claim_number")
    )
    if live:
        return f"already billed on {', '.join(live)}"
    return "no charge lines to bill"


# ---------------------------------------------------------------------------
# A build the page and the API follow
# ---------------------------------------------------------------------------


def claim_build_request(*, visit_ids: Sequence[int] | None, actor) -> ClaimBuildRun:
    """Record a build (every ready visit, or these) and queue it on the default queue after commit."""
    run = ClaimBuildRun.objects.create(
        visit_ids=sorted(set(visit_ids)) if visit_ids is not None else None,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transaction.on_commit(partial(_enqueue_run, run.pk))
    return run


def _enqueue_run(run_id: int) -> None:
    from kombu.exceptions import OperationalError

    from claims.tasks import claim_build_run_task

    try:
        claim_build_run_task.delay(run_id)
    except OperationalError:
        # The broker is down: the run was recorded but can never start; close it as failed (its
        # visits stay ready to bill) and let the request say so (QueueUnavailableMiddleware).
        ClaimBuildRun.objects.filter(pk=run_id, status=ClaimBuildRun.Status.QUEUED).update(
            status=ClaimBuildRun.Status.FAILED, error="The job queue was not answering; nothing was built."
        )
        raise


def claim_build_run_execute(*, run_id: int, as_of: dt.date | None = None) -> str:
    """Run a queued build once: taken with a conditional UPDATE (queued -> running), so a task
    delivered twice builds once. A domain error ends it `failed` with the message; a database
    outage puts it back to queued for the task's retry.

    Take, build and finish are one transaction: a worker killed half-way (tests/faults) leaves the
    run queued and no claim, for the redelivered task; a second delivery waits on the run's row
    and then skips it. (Taken in autocommit, a killed build stayed `running` for good.)"""
    with transaction.atomic():  # a database outage rolls the take back too: queued for the retry
        return _run_execute(run_id, as_of)


def _run_execute(run_id: int, as_of: dt.date | None) -> str:
    taken = ClaimBuildRun.objects.filter(pk=run_id, status=ClaimBuildRun.Status.QUEUED).update(
        status=ClaimBuildRun.Status.RUNNING, updated_at=timezone.now()
    )
    if not taken:
        return "skipped"
    run = ClaimBuildRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        result = claims_build_ready(visit_ids=run.visit_ids, actor=run.requested_by, as_of=as_of)
    except DomainError as exc:
        _finish(run, status=ClaimBuildRun.Status.FAILED, error=exc.message)
        return "failed"
    public_ids = dict(
        Visit.objects.filter(pk__in=[v for v, _ in result.skipped]).values_list("pk", "public_id")
    )
    _finish(
        run,
        status=ClaimBuildRun.Status.DONE,
        claim_ids=[c.pk for c in result.claims],
        skipped=[
            {"visit": str(public_ids[v]) if v in public_ids else "", "reason": reason}
            for v, reason in result.skipped
        ],
    )
    logger.info("claim build %s: %d claims, %d skipped", run.pk, len(result.claims), len(result.skipped))
    return "done"


def _finish(run: ClaimBuildRun, *, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.status = status
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at", *fields])


def build_run_counts(run: ClaimBuildRun) -> dict[str, int]:
    """How the run's claims stand now (ready, needs fix, still waiting for the scrub) and how many
    visits they bill (a span claim bills several)."""
    statuses = list(Claim.objects.filter(pk__in=run.claim_ids).values_list("status", flat=True))
    visits = (
        ClaimLine.objects.filter(claim_id__in=run.claim_ids)
        .values("charge_line__visit_id")
        .distinct()
        .count()
    )
    return {
        "visits": visits,
        "ready": statuses.count(S.READY.value),
        "needs_fix": statuses.count(S.NEEDS_FIX.value),
        "draft": statuses.count(S.DRAFT.value),
        "other": len([s for s in statuses if s not in (S.READY, S.NEEDS_FIX, S.DRAFT)]),
    }
