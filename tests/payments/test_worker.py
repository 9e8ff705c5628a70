"""Two real Celery workers on the era queue, both handed the same file: it is posted once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from claims.models import ClaimEvent
from payments.models import ClaimPayment, Posting, PostingPolicy, RemittanceFile

ROOT = Path(__file__).resolve().parents[2]


def _reset_broker_pools(app) -> None:
    """Celery caches its connection and producer pools; drop them so the new broker URL is used."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def era_workers(transactional_db, settings):
    from infusion_rcm.celery import app

    redis_url = f"redis://127.0.0.1:6379/{1 + (os.getpid() + 7) % 15}"
    old = app.conf.broker_url
    settings.CELERY_BROKER_URL = redis_url
    app.conf.broker_url = redis_url
    _reset_broker_pools(app)
    app.control.purge()
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "REDIS_URL": redis_url,
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "infusion_rcm", "worker", "-Q", "era", "--pool", "solo",
             "-n", f"era{n}-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for n in (1, 2)
    ]  # fmt: skip
    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=1.0) or []) < 2:
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            pytest.fail("the two era workers did not start")
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    app.conf.broker_url = old
    _reset_broker_pools(app)


@pytest.mark.worker
def test_two_workers_on_one_file_post_it_once(era_workers, biller):
    from payments import services
    from payments.tasks import remittance_file_process_task
    from tests.payments.helpers import accepted_claim, clp, era

    PostingPolicy.objects.create(pk=1, reversal_approval_amount="100000.00")
    claims = [accepted_claim(biller) for _ in range(3)]
    text = era(*(clp(c) for c in claims), plb=(("L6", "-1.00"),))
    file, _ = services.remittance_file_receive(text=text, file_name="twice.835", actor=None)
    events = ClaimEvent.objects.count()
    remittance_file_process_task.delay(file.pk)
    remittance_file_process_task.delay(file.pk)
    deadline = time.monotonic() + 90
    while RemittanceFile.objects.get(pk=file.pk).status != "posted":
        if time.monotonic() > deadline:
            pytest.fail(f"file stayed {RemittanceFile.objects.get(pk=file.pk).status}")
        time.sleep(0.3)
    time.sleep(2)  # let the second worker finish its (empty) turn
    assert ClaimPayment.objects.filter(remittance__file=file).count() == 3
    assert set(ClaimPayment.objects.values_list("status", flat=True)) == {"posted"}
    assert ClaimEvent.objects.count() - events == 3  # one move per claim
    per_claim = [Posting.objects.filter(claim=c, category="paid").count() for c in claims]
    assert per_claim == [4, 4, 4]  # each line paid once
    assert Posting.objects.filter(category="provider").count() == 1
