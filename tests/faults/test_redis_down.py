"""Redis stopped while a biller works: pages still serve, a batch build is refused with a message
(nothing written), and the same request is queued once Redis is back. The test runs its own
redis-server on a spare port; the shared one is never touched."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from claims import services
from claims.models import Claim, SubmissionBatch
from tests.claims import factories as f
from tests.conftest import client_for
from tests.faults.conftest import point_broker, reset_broker_pools

pytestmark = pytest.mark.faults


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def queue_length(self, queue: str) -> int:
        return redis.Redis(port=self.port).llen(queue)


@pytest.fixture
def own_redis(transactional_db, settings):
    from infusion_rcm.celery import app

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    server.start()
    old = point_broker(settings, f"redis://127.0.0.1:{server.port}/0")
    yield server
    server.stop()
    app.conf.broker_url = old
    reset_broker_pools(app)


def _ready_claim(biller) -> Claim:
    visit = f.chemo_with_hydration(biller)
    (claim,) = services.claims_build_from_charges(
        visit_ids=[visit.pk], actor=biller, enqueue_scrub=False
    ).claims
    services.claims_scrub_many(claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == "ready"
    return claim


def test_redis_down_pages_serve_work_refused_then_resumes(own_redis, biller):
    claim = _ready_claim(biller)
    client = client_for(biller)
    own_redis.stop()

    # Pages serve; the health check says the broker is down.
    assert client.get(reverse("claims:batch_list")).status_code == 200
    assert client.get(reverse("claims:claim_detail", args=[claim.public_id])).status_code == 200
    assert client.get("/healthz").json()["broker"] == "down"

    # Work is refused with a message a biller can act on; nothing written.
    response = client.post(reverse("claims:batch_build"), {"payer": claim.payer.pk}, follow=True)
    assert response.status_code == 200
    assert "job queue is not answering" in response.content.decode()
    assert SubmissionBatch.objects.count() == 0
    assert Claim.objects.get(pk=claim.pk).status == "ready"

    # Redis back (same port): the same request is queued, once.
    own_redis.start()
    response = client.post(reverse("claims:batch_build"), {"payer": claim.payer.pk}, follow=True)
    assert "Batch build queued" in response.content.decode()
    assert own_redis.queue_length("batch") == 1


def test_redis_down_work_queued_after_commit_answers_503_not_500(own_redis, biller):
    """A claim build (queued after its run row commits) and an API call that queues work: with the
    broker down each says so (503 with a sentence), and the build run is closed as failed."""
    from claims.models import ClaimBuildRun

    visit = f.chemo_with_hydration(biller)
    client = client_for(biller)
    own_redis.stop()
    response = client.post(
        reverse("claims:ready_to_bill_build"), {"scope": "chosen", "visit": [str(visit.public_id)]}
    )
    assert response.status_code == 503
    assert "job queue is not answering" in response.content.decode()
    run = ClaimBuildRun.objects.get()
    assert run.status == "failed" and "not answering" in run.error
    assert not Claim.objects.exists()
