"""PostgreSQL drops the app's connections (pg_terminate_backend on the test database's backends,
the connection-level stand-in for a server restart; the shared server is never restarted; only
this test database's backends, so run it alone, never beside another run on the same database): the
next request is served on a new connection, not a 500."""

from __future__ import annotations

import psycopg2
import pytest
from django.db import close_old_connections
from django.urls import reverse

from tests.conftest import client_for
from tests.faults.conftest import db_dsn

pytestmark = pytest.mark.faults


def _terminate_app_backends() -> int:
    with psycopg2.connect(db_dsn()) as conn, conn.cursor() as cur:
        conn.autocommit = True
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]


def test_pages_reconnect_after_backends_terminated(transactional_db, biller):
    client = client_for(biller)
    pages = [reverse("claims:batch_list"), reverse("claims:claim_list"), "/healthz"]
    for page in pages:
        assert client.get(page).status_code == 200
    assert _terminate_app_backends() >= 1
    for page in pages:
        # What Django's handler runs as each request starts (the test client leaves it out): with
        # CONN_HEALTH_CHECKS the dropped persistent connection is found and replaced here.
        close_old_connections()
        assert client.get(page).status_code == 200, page
    assert client.get("/healthz").json()["database"] == "ok"
