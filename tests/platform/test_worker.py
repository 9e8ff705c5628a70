"""A real Celery worker process, against the local Redis, runs a task that writes to the DB."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from infusion_rcm.platform.models import TaskProbe
from infusion_rcm.platform.tasks import platform_probe_task

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "infusion_rcm.celery",
            "worker",
            "-Q",
            queue,
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
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
def test_real_worker_runs_a_task_that_writes_to_the_database(worker):
    token = uuid.uuid4().hex
    platform_probe_task.apply_async(args=[token], queue=worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if TaskProbe.objects.filter(token=token).exists():
            break
        time.sleep(0.3)
    probe = TaskProbe.objects.get(token=token)
    assert probe.worker_hostname  # set by the worker, not by this process


def test_celery_configuration_is_json_and_acks_late():
    from infusion_rcm.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert {q.name for q in app.conf.task_queues} == {"default", "scrub", "batch", "eligibility", "era"}
    assert not app.conf.task_always_eager


def test_tasks_are_routed_to_their_queues():
    from infusion_rcm.celery import app

    router = app.amqp.router
    expected = {
        "claims.tasks.claim_scrub_task": "scrub",
        "claims.tasks.claims_scrub_many_task": "scrub",
        "claims.tasks.batch_build_task": "batch",
        "intake.tasks.eligibility_request_task": "eligibility",
        "intake.tasks.eligibility_import_271_task": "eligibility",
    }
    for name, queue in expected.items():
        assert router.route({}, name)["queue"].name == queue, name
