"""A worker killed (SIGKILL) half-way through a batch build, an ERA posting and a claim build:
nothing of the killed attempt is kept, and the redelivered task (acks_late +
reject_on_worker_lost) completes the work once."""

from __future__ import annotations

import pytest

from claims import services as claim_services
from claims.models import Claim, ClaimBuildRun, ClaimEvent, SubmissionBatch
from tests.claims import factories as f
from tests.faults.conftest import (
    backend_gone,
    blocked_backend,
    table_write_lock,
    tables_written_by,
    wait_until,
)

pytestmark = [pytest.mark.worker, pytest.mark.faults]
EVENTS = "claims_claimevent"


def _kill_half_way(worker, written: str) -> int:
    """Wait for the worker's transaction to stop on the claim-event lock with `written` already
    written in it, then SIGKILL the child and wait for PostgreSQL to drop its transaction."""
    pid = blocked_backend(EVENTS)
    assert written in tables_written_by(pid)  # half-written work, uncommitted
    worker.kill_child()
    backend_gone(pid)
    return pid


def _ready_claim(biller, worker) -> Claim:
    visit = f.chemo_with_hydration(biller)
    (claim,) = claim_services.claims_build_from_charges(visit_ids=[visit.pk], actor=biller).claims
    return wait_until(lambda: Claim.objects.filter(pk=claim.pk, status="ready").first(), "the scrub", worker)


def test_killed_during_batch_build(worker, biller):
    claim = _ready_claim(biller, worker)
    with table_write_lock(EVENTS):
        claim_services.batch_build_request(payer=claim.payer)
        first = _kill_half_way(worker, "claims_submissionbatch")
        # The killed attempt left nothing: no batch, the claim still ready.
        assert SubmissionBatch.objects.count() == 0
        assert Claim.objects.get(pk=claim.pk).status == "ready"
        # The message came back: the new child is at the same point again.
        blocked_backend(EVENTS, exclude={first})
    claim = wait_until(
        lambda: Claim.objects.filter(pk=claim.pk, status="batched").first(), "the batch", worker
    )
    assert SubmissionBatch.objects.count() == 1
    assert claim.batch.claim_count == 1 and claim.batch.status == "ready"
    assert ClaimEvent.objects.filter(claim=claim, to_status="batched").count() == 1


def test_killed_during_era_posting(worker, biller):
    from payments import services
    from payments.models import ClaimPayment, Posting, PostingPolicy, RemittanceFile
    from payments.tasks import remittance_file_process_task
    from tests.payments.helpers import accepted_claim, clp, era

    PostingPolicy.objects.create(pk=1, reversal_approval_amount="100000.00")
    claims = [accepted_claim(biller) for _ in range(2)]
    file, _ = services.remittance_file_receive(
        text=era(*(clp(c) for c in claims)), file_name="k.835", actor=None
    )
    with table_write_lock(EVENTS):
        remittance_file_process_task.delay(file.pk)
        first = _kill_half_way(worker, "payments_posting")
        assert Posting.objects.count() == 0
        assert not ClaimPayment.objects.filter(status="posted").exists()
        assert {c.status for c in Claim.objects.filter(pk__in=[c.pk for c in claims])} == {"accepted"}
        blocked_backend(EVENTS, exclude={first})
    wait_until(
        lambda: RemittanceFile.objects.filter(pk=file.pk, status="posted").exists(), "the posting", worker
    )
    assert ClaimPayment.objects.filter(remittance__file=file, status="posted").count() == 2
    assert [Posting.objects.filter(claim=c, category="paid").count() for c in claims] == [4, 4]
    for c in claims:
        assert ClaimEvent.objects.filter(claim=c, from_status="accepted").count() == 1


def test_killed_during_claim_build(worker, biller):
    visit = f.chemo_with_hydration(biller)
    with table_write_lock(EVENTS):
        run = claim_services.claim_build_request(visit_ids=[visit.pk], actor=biller)
        first = _kill_half_way(worker, "claims_claim")
        assert not Claim.objects.filter(lines__charge_line__visit=visit).exists()
        blocked_backend(EVENTS, exclude={first})
    run = wait_until(
        lambda: ClaimBuildRun.objects.filter(pk=run.pk, status="done").first(), "the build run", worker
    )
    assert len(run.claim_ids) == 1
    assert Claim.objects.filter(lines__charge_line__visit=visit).distinct().count() == 1
