"""/healthz answers without login: 200 with the database up, 503 when it is unreachable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def run_health(database_url: str, redis_url: str) -> tuple[int, str]:
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.local", "DJANGO_ENV": "local"}
    env.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    status, body = result.stdout.strip().split("\n", 1)
    return int(status), body


def test_health_503_when_database_unreachable():
    status, body = run_health("postgres://postgres@127.0.0.1:1/nowhere", "redis://127.0.0.1:6379/0")
    assert status == 503
    assert '"database": "down"' in body
    assert "127.0.0.1:1" not in body  # nothing internal leaks


def test_health_reports_broker_down_but_stays_200():
    status, body = run_health("postgres://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:1/0")
    assert status == 200
    assert '"broker": "down"' in body
