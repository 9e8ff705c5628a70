"""Fault-test plumbing: a real Celery worker (prefork, one child) on its own Redis database, a
table write lock that stops the worker's transaction half-way, and a SIGKILL of the worker's child.

How a kill "in the middle" is made: the test holds `LOCK TABLE <t> IN SHARE MODE` on a table the
service writes late in its transaction (claim events). The worker blocks on its INSERT there, after
it has written the earlier rows (a batch, claims, payments) in the same, uncommitted transaction;
pg_locks shows those rows' locks. The child is then killed; PostgreSQL rolls its transaction back,
the parent rejects the message (acks_late + reject_on_worker_lost) and Redis hands it to the new
child, which completes it once the lock is released.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_QUEUES = "default,scrub,batch,era"


def reset_broker_pools(app) -> None:
    """Celery caches its connection and producer pools; drop them so a new broker URL is used."""
    app._pool = None
    app.amqp._producer_pool = None


def db_dsn() -> str:
    s = connection.settings_dict
    return f"host={s['HOST']} port={s['PORT']} user={s['USER']} dbname={s['NAME']}"


def db_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def point_broker(settings, url: str):
    from infusion_rcm.celery import app

    old = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    settings.REDIS_URL = url
    app.conf.broker_url = url
    reset_broker_pools(app)
    return old


class Worker:
    def __init__(self, redis_url: str) -> None:
        env = {
            **os.environ,
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.test",
            "DATABASE_URL": db_url(),
            "REDIS_URL": redis_url,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "infusion_rcm", "worker", "-Q", WORKER_QUEUES,
             "--pool", "prefork", "--concurrency", "1", "-n", f"fault-{os.getpid()}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_child(self) -> int:
        (child,) = self.children()
        os.kill(child, signal.SIGKILL)
        return child

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        if self.alive():
            return "(worker still running)"
        return self.process.stdout.read() if self.process.stdout else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def broker_url() -> str:
    # A Redis database of its own, away from the other worker tests' (1 + pid % 15, + 7).
    return f"redis://127.0.0.1:6379/{1 + (os.getpid() + 3) % 15}"


@pytest.fixture
def worker(transactional_db, settings, broker_url):
    from infusion_rcm.celery import app

    old = point_broker(settings, broker_url)
    app.control.purge()
    w = Worker(broker_url)
    deadline = time.monotonic() + 90
    while not (app.control.ping(timeout=0.5) or []):
        if time.monotonic() > deadline or not w.alive():
            w.stop()
            pytest.fail(f"the worker did not start: {w.output()}")
    yield w
    w.stop()
    app.conf.broker_url = old
    reset_broker_pools(app)


@contextlib.contextmanager
def table_write_lock(table: str):
    """Hold a SHARE lock on `table`: reads go on, every INSERT/UPDATE/DELETE on it waits."""
    conn = psycopg2.connect(db_dsn())
    try:
        with conn.cursor() as cur:
            cur.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        yield conn
    finally:
        conn.rollback()
        conn.close()


def blocked_backend(table: str, *, exclude: set[int] = frozenset(), timeout: float = 40) -> int:
    """The pid of the backend waiting to write `table` (the worker's, half-way through its work)."""
    with psycopg2.connect(db_dsn()) as conn, conn.cursor() as cur:
        conn.autocommit = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cur.execute(
                "SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE NOT l.granted AND c.relname = %s",
                (table,),
            )
            pids = [r[0] for r in cur.fetchall() if r[0] not in exclude]
            if pids:
                return pids[0]
            time.sleep(0.2)
        cur.execute(
            "SELECT pid, state, wait_event_type, left(query, 120) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        activity = cur.fetchall()
    pytest.fail(f"no worker transaction came to wait on {table}: {activity}")


def tables_written_by(pid: int) -> set[str]:
    """Tables the backend's open transaction has written (it holds RowExclusiveLock on them)."""
    with psycopg2.connect(db_dsn()) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND l.granted AND c.relkind = 'r'",
            (pid,),
        )
        return {r[0] for r in cur.fetchall()}


def backend_gone(pid: int, timeout: float = 20) -> None:
    """End the killed child's orphaned backend and wait for it to go. PostgreSQL notices a dead
    client only when it next writes to it (a backend waiting on a lock never does), so this stands
    for the server's TCP keepalive; its transaction is rolled back, never committed."""
    with psycopg2.connect(db_dsn()) as conn, conn.cursor() as cur:
        conn.autocommit = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
            # pg_locks is live; no lock left means its transaction is gone (rolled back)
            cur.execute("SELECT count(*) FROM pg_locks WHERE pid = %s", (pid,))
            if cur.fetchone()[0] == 0:
                return
            time.sleep(0.2)
    pytest.fail(f"backend {pid} outlived its worker")


def wait_until(predicate, what: str, worker: Worker | None = None, timeout: float = 40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and not worker.alive():
            pytest.fail(f"worker exited while waiting for {what}: {worker.output()}")
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")
