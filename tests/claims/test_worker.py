"""A real Celery worker (scrub and batch queues) scrubs and batches claims enqueued on commit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from claims import services
from claims.models import Claim
from tests.claims import factories as f

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def claims_worker(transactional_db, settings):
    from infusion_rcm.celery import app

    # A Redis database of its own, so parallel runs and the default queues never cross.
    redis_url = f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}"
    old = app.conf.broker_url
    settings.CELERY_BROKER_URL = redis_url
    app.conf.broker_url = redis_url
    _reset_broker_pools(app)
    app.control.purge()  # leftovers of an earlier run on this Redis database
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "REDIS_URL": redis_url,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "infusion_rcm",
            "worker",
            "-Q",
            "scrub,batch",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    app.conf.broker_url = old
    _reset_broker_pools(app)


def _reset_broker_pools(app) -> None:
    """Celery caches its connection and producer pools; drop them so the new broker URL is used."""
    app._pool = None
    app.amqp._producer_pool = None


def _wait_for(claim_id: int, status: str, process, timeout: float = 90) -> Claim:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        claim = Claim.objects.get(pk=claim_id)
        if claim.status == status:
            return claim
        if process.poll() is not None:
            pytest.fail(f"worker exited: {process.stdout.read()}")
        time.sleep(0.3)
    pytest.fail(f"claim stayed {Claim.objects.get(pk=claim_id).status}, wanted {status}")


@pytest.mark.worker
def test_real_worker_scrubs_then_batches(claims_worker, biller):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    visit = f.chemo_with_hydration(biller)
    (claim,) = services.claims_build_from_charges(
        visit_ids=[visit.pk], actor=biller
    ).claims  # enqueues on commit
    claim = _wait_for(claim.pk, "ready", claims_worker)
    services.batch_build_request(payer=claim.payer)  # no transaction open: on_commit runs now
    claim = _wait_for(claim.pk, "batched", claims_worker)
    assert claim.batch.status == "ready" and claim.batch.validated
