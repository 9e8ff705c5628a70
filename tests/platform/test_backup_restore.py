"""make backup / make restore: a test database is dumped with scripts/backup.sh and restored with
scripts/restore.sh into a new database; every table has the same row count in both."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"


def _counts(name: str) -> dict[str, int]:
    s = connection.settings_dict
    conn = psycopg2.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], dbname=name)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = sorted(r[0] for r in cur.fetchall())
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
    conn.close()
    return counts


def _drop(name: str) -> None:
    s = connection.settings_dict
    conn = psycopg2.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_new_database_keeps_every_row(biller, tmp_path):
    from tests.claims import factories as f

    f.chemo_with_hydration(biller)  # patients, coverage, a visit with its charges
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore_{os.getpid()}"
    _drop(target)
    env = {**os.environ, "DATABASE_URL": _url(source)}
    dump = tmp_path / "backup.dump"
    try:
        subprocess.run(
            [ROOT / "scripts" / "backup.sh", str(dump)], env=env, check=True, capture_output=True, timeout=120
        )
        assert dump.stat().st_size > 0
        assert oct(dump.stat().st_mode & 0o777) == "0o600"  # patient data: owner only
        subprocess.run(
            [ROOT / "scripts" / "restore.sh", str(dump), _url(target)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        before, after = _counts(source), _counts(target)
        assert after == before
        assert before["intake_patient"] >= 1 and before["accounts_user"] >= 1
        # A second restore into the same (now full) database is refused, nothing overwritten.
        again = subprocess.run(
            [ROOT / "scripts" / "restore.sh", str(dump), _url(target)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 1 and "already has" in again.stderr
        assert _counts(target) == before
    finally:
        _drop(target)
