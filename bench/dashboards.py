"""Benchmark of the managers' dashboards over a large book: every page and API call, warm.

Run from the repo root: .venv/bin/python bench/dashboards.py [--claims N] [--runs R] [--reuse]

Generates N claims (default 1,000,000; about 3.8 lines each) spread over the last 24 months of
service dates, with their ClaimEvents (built, scrubbed, submitted, accepted, adjudicated; some
failed the scrubber, some were rejected then accepted, some appealed), 835 remittances (one file
per payer and week), claim and line payments, CAS adjustments and the Posting ledger: most claims
paid with a contractual CO-45 and for 30 % a patient share (PR-2), 7 % with a denied line, 4 %
denied whole, 2 % reversed and paid again, 0.5 % overpaid (credit balances); claims of the last
three weeks are not adjudicated yet. Generation is set-based SQL (INSERT ... SELECT over
generate_series, explicit ids), not the ORM, and is not timed. Columns other apps add later
(NOT NULL without a default) are filled with an empty value of their type, so the bench keeps
working as the models grow.

Then the reports' facts are rebuilt once (reports.services.facts_rebuild, timed to stderr), the
daily A/R snapshot is taken for the last day of each of the 24 months (the bench has no history
of its own; a real install has the beat task's), and each page and API call is requested
--runs times (default 30) after three warm-up requests, as a signed-in manager through Django's
test client (the whole view: middleware, catch-up check, queries, templates). Prints one line each:

    BENCH dashboards.<page>_p95_ms <n> ms

Why the pages are fast (issue 14: p95 <= 300 ms on this 2-core machine): they never read the
ledger. Summing ~9 million postings, ~6 million events and ~4 million remittance lines per page
is seconds of work; the reports keep per-claim facts (ClaimFact), open A/R summed per payer,
site and day (ArDay: the aging sums ~100 thousand rows whatever the claim count), the monthly
sums of each KPI (KpiMonth) and of denials (DenialMonth), all in the reports app's own tables and
indexes (no migration in another app). They are kept current incrementally from the ClaimEvent
and Posting ids (every read checks two index maxima; a posting is caught up by a Celery task
right after it commits), so the totals still equal the claims API's balances to the cent.

Uses its own database (BENCH_DASHBOARDS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_dashboards; never DATABASE_URL), created and migrated if
needed; --reuse keeps data generated before for the same --claims.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DASHBOARDS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_dashboards"
)
BENCH_ENV = {
    "DJANGO_ENV": "local",
    "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.local",
    "DATABASE_URL": BENCH_DATABASE_URL,
    "REDIS_URL": os.environ.get("BENCH_DASHBOARDS_REDIS_URL", "redis://127.0.0.1:6379/8"),
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "testserver,localhost",
}
PAYERS = 20
SITES = ("aic", "ais", "home", "office", "hopd", "aic")
PATIENTS = 20_000
CODES = ("96413", "96415", "96365", "96366", "96375", "J1745", "J2350", "J0897", "J9312", "96361")


def _setup_django() -> None:
    os.environ.update(BENCH_ENV)
    subprocess.run(
        [sys.executable, "manage.py", "ensure_database"],
        cwd=ROOT,
        env={**os.environ},
        check=True,
        capture_output=True,
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _fill_missing(cursor, table: str, given: dict[str, str]) -> dict[str, str]:
    """`given` plus an empty value for every other NOT NULL column without a default."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    empty = {"jsonb": "'[]'::jsonb", "boolean": "false", "uuid": "gen_random_uuid()", "date": "current_date"}
    out = dict(given)
    defaults = _model_defaults(table)
    for column, data_type in cursor.fetchall():
        if column in out:
            continue
        if column in defaults:
            out[column] = defaults[column]
        elif data_type in empty:
            out[column] = empty[data_type]
        elif data_type.startswith("timestamp"):
            out[column] = "now()"
        elif data_type in ("integer", "bigint", "smallint", "numeric"):
            out[column] = "0"
        else:
            out[column] = "''"
    return out


def _model_defaults(table: str) -> dict[str, str]:
    """The model's field defaults of `table` as SQL literals (a column another app adds with a
    default in Python, not in the database, gets the value the ORM would write)."""
    import json
    from decimal import Decimal

    from django.apps import apps
    from django.db.models import NOT_PROVIDED

    out: dict[str, str] = {}
    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        for field in model._meta.concrete_fields:
            if field.default is NOT_PROVIDED or (
                callable(field.default) and field.get_internal_type() == "UUIDField"
            ):
                continue
            value = field.get_default()
            if isinstance(value, bool):
                out[field.column] = "true" if value else "false"
            elif isinstance(value, int | Decimal):
                out[field.column] = str(value)
            elif isinstance(value, str):
                out[field.column] = "'" + value.replace("'", "''") + "'"
            elif isinstance(value, list | dict):
                out[field.column] = "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
    return out


def _insert(cursor, table: str, given: dict[str, str], source: str) -> int:
    columns = _fill_missing(cursor, table, given)
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(columns.values())
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {values} {source}")
    return cursor.rowcount


def _truncate(cursor) -> None:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND ("
        "tablename LIKE 'claims\\_%%' OR tablename LIKE 'payments\\_%%' OR tablename LIKE 'reports\\_%%'"
        " OR tablename LIKE 'denials\\_%%' OR tablename LIKE 'coding\\_%%' OR tablename IN"
        " ('intake_patient', 'intake_coverage', 'intake_payer', 'intake_servicelocation', 'intake_billingprovider'))"
        " AND tablename NOT LIKE '%%codeset%%' AND tablename NOT LIKE '%%drug%%'"
    )
    tables = [r[0] for r in cursor.fetchall()]
    cursor.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")


def _reference_rows() -> None:
    """Payers, the billing provider, sites, patients and coverages: few rows, through the ORM so
    every model default and constraint holds (bulk_create: no audit rows for bench data)."""
    import datetime as dt

    from intake.models import BillingProvider, Coverage, Patient, Payer, ServiceLocation

    address = {"address_line1": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "627011234"}
    provider = BillingProvider.objects.create(
        name="Bench Infusion Partners", npi="1234567893", tax_id="123456789", taxonomy="261QI0500X", **address
    )
    kinds = ("medicare", "medicare_advantage", "medicaid", "commercial", "commercial", "other")
    Payer.objects.bulk_create(
        Payer(id=n, name=f"Bench payer {n}", payer_id=f"BP{n}", kind=kinds[n % len(kinds)], **address)
        for n in range(1, PAYERS + 1)
    )
    ServiceLocation.objects.bulk_create(
        ServiceLocation(
            id=n,
            billing_provider=provider,
            name=f"Site {n}",
            site_of_care=site,
            place_of_service="49",
            **address,
        )
        for n, site in enumerate(SITES, start=1)
    )
    Patient.objects.bulk_create(
        (
            Patient(
                id=n,
                billing_provider=provider,
                mrn=f"B{n}",
                first_name="Alex",
                last_name=f"Patient{n}",
                date_of_birth=dt.date(1955, 1, 1) + dt.timedelta(days=n % 9000),
                sex="F",
                **address,
            )
            for n in range(1, PATIENTS + 1)
        ),
        batch_size=5000,
    )
    Coverage.objects.bulk_create(
        (
            Coverage(
                id=n,
                patient_id=n,
                payer_id=1 + n % PAYERS,
                rank="primary",
                member_id=f"M{n}",
                effective_date=dt.date(2020, 1, 1),
            )
            for n in range(1, PATIENTS + 1)
        ),
        batch_size=5000,
    )


def generate(claims: int) -> None:
    from django.db import connection, transaction

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        _truncate(c)
        c.execute("SET LOCAL work_mem = '256MB'")
        c.execute("SET LOCAL synchronous_commit = off")
        # Generated rows are consistent by construction: skip the per-row foreign-key triggers
        # (the bench's own database; PostgreSQL superuser, as the bench connects).
        c.execute("SET LOCAL session_replication_role = replica")
        _reference_rows()
        # One row per claim with its story; r picks the outcome (a fixed hash: the same book each run).
        c.execute(
            f"""
            CREATE TEMP TABLE g ON COMMIT DROP AS
            SELECT i, 1 + i % {PATIENTS} AS patient_id, 1 + (1 + i % {PATIENTS}) % {PAYERS} AS payer_id,
                   1 + (i / 7) % {len(SITES)} AS location_id, current_date - (i % 730) AS dos,
                   CASE WHEN i % 5 = 0 THEN 3 ELSE 4 END AS nlines, (i::bigint * 2654435761) % 1000 AS r
            FROM generate_series(1, {claims}) i
            """
        )
        c.execute(
            """
            ALTER TABLE g ADD COLUMN pay_date date, ADD COLUMN outcome text;
            UPDATE g SET pay_date = (date_trunc('week', dos + 14 + (r % 10)::int) + interval '2 days')::date;
            UPDATE g SET outcome = CASE
                WHEN pay_date > current_date - 2 THEN 'open'
                WHEN r < 40 THEN 'denied' WHEN r < 110 THEN 'partial' WHEN r < 130 THEN 'reversed'
                WHEN r < 135 THEN 'credit' ELSE 'paid' END;
            CREATE TEMP TABLE gl ON COMMIT DROP AS
            SELECT g.i, n, (100 + (g.i * 31 + n * 17) % 900)::numeric(12,2) AS charge,
                   round((100 + (g.i * 31 + n * 17) % 900) * 0.62, 2) AS allowed,
                   CASE WHEN n = 1 AND g.r % 10 < 3 AND g.outcome <> 'credit'
                        THEN round(round((100 + (g.i * 31 + n * 17) % 900) * 0.62, 2) * 0.2, 2) ELSE 0 END AS pr,
                   (g.outcome = 'denied' OR (g.outcome = 'partial' AND n = g.nlines)) AS denied,
                   (ARRAY['197','50','16','97','29','27'])[1 + (g.r % 6)] AS carc
            FROM g CROSS JOIN LATERAL generate_series(1, g.nlines) n;
            ANALYZE g; ANALYZE gl;
            """
        )
        _log(f"  reference rows and plan: {time.perf_counter() - t0:.0f} s")
        _insert(
            c,
            "claims_claim",
            {
                "id": "g.i",
                "public_id": "gen_random_uuid()",
                "claim_number": "'B' || g.i",
                "patient_id": "g.patient_id",
                "coverage_id": "g.patient_id",
                "payer_id": "g.payer_id",
                "billing_provider_id": "1",
                "location_id": "g.location_id",
                "form": "'837P'",
                "status": "CASE g.outcome WHEN 'open' THEN 'accepted' WHEN 'denied' THEN "
                "(CASE WHEN g.r % 2 = 0 THEN 'appealed' ELSE 'denied' END) WHEN 'partial' THEN 'partially_paid' ELSE 'paid' END",
                "frequency_code": "'1'",
                "diagnosis_codes": "'[\"K50.90\"]'::jsonb",
                "service_date_from": "g.dos",
                "service_date_to": "g.dos",
                "total_charge": "t.total",
                "created_at": "g.dos + interval '1 day 10 hours'",
                "updated_at": "now()",
            },
            "FROM g JOIN (SELECT i, sum(charge) AS total FROM gl GROUP BY i) t ON t.i = g.i",
        )
        _insert(
            c,
            "claims_claimline",
            {
                "id": "gl.i * 4 + gl.n",
                "claim_id": "gl.i",
                "line_number": "gl.n",
                "line_control_number": "'B' || gl.i || 'L' || gl.n",
                "service_date_from": "g.dos",
                "service_date_to": "g.dos",
                "code": f"(ARRAY[{','.join(repr(x) for x in CODES)}])[1 + (gl.i + gl.n) % {len(CODES)}]",
                "modifiers": "'[]'::jsonb",
                "units": "1",
                "charge": "gl.charge",
                "diagnosis_pointers": "'[1]'::jsonb",
                "created_at": "now()",
                "updated_at": "now()",
            },
            "FROM gl JOIN g ON g.i = gl.i",
        )
        _log(f"  claims and lines: {time.perf_counter() - t0:.0f} s")
        # Events: built, (needs fix,) ready, submitted, (rejected, draft, ready, submitted,) accepted, outcome.
        _insert(
            c,
            "claims_claimevent",
            {
                "claim_id": "g.i",
                "from_status": "e.f",
                "to_status": "e.t",
                "reason": "''",
                "payload": "'{}'::jsonb",
                "created_at": "g.dos + interval '1 day 10 hours' + e.h * interval '1 hour'",
            },
            """FROM g CROSS JOIN LATERAL (VALUES
                 ('', 'draft', 0, TRUE), ('draft', 'needs_fix', 1, g.r % 25 = 3), ('needs_fix', 'ready', 5, g.r % 25 = 3),
                 ('draft', 'ready', 1, g.r % 25 <> 3), ('ready', 'batched', 20, TRUE), ('batched', 'submitted', 24, TRUE),
                 ('submitted', 'rejected', 30, g.r % 50 = 7), ('rejected', 'draft', 40, g.r % 50 = 7),
                 ('draft', 'ready', 41, g.r % 50 = 7), ('ready', 'batched', 44, g.r % 50 = 7),
                 ('batched', 'submitted', 48, g.r % 50 = 7), ('submitted', 'accepted', 50, TRUE),
                 ('accepted', CASE g.outcome WHEN 'denied' THEN 'denied' WHEN 'partial' THEN 'partially_paid' ELSE 'paid' END,
                  (g.pay_date - g.dos) * 24, g.outcome <> 'open'),
                 ('denied', 'appealed', (g.pay_date - g.dos) * 24 + 72, g.outcome = 'denied' AND g.r % 2 = 0),
                 ('appealed', 'paid', (g.pay_date - g.dos) * 24 + 400, g.outcome = 'denied' AND g.r % 4 = 0)
               ) e(f, t, h, keep)
               WHERE e.keep""",
        )
        _log(f"  events: {time.perf_counter() - t0:.0f} s")
        # Remittance files: one per payer and payment week (originals), one more for corrections.
        c.execute(
            """
            CREATE TEMP TABLE rf ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY payer_id, pay_date, kind) AS id, payer_id, pay_date, kind
            FROM (SELECT DISTINCT payer_id, pay_date, 0 AS kind FROM g WHERE outcome <> 'open'
                  UNION SELECT DISTINCT payer_id, pay_date + 14, 1 FROM g WHERE outcome = 'reversed') x;
            CREATE INDEX ON rf (payer_id, pay_date, kind); ANALYZE rf;
            """
        )
        _insert(
            c,
            "payments_remittancefile",
            {
                "id": "rf.id",
                "public_id": "gen_random_uuid()",
                "source": "'835'",
                "file_name": "'era' || rf.id || '.835'",
                "checksum": "md5(rf.id::text) || md5('x' || rf.id)",
                "content": "''",
                "status": "'posted'",
                "error": "'{}'::jsonb",
                "warnings": "'[]'::jsonb",
                "created_at": "rf.pay_date + interval '8 hours'",
                "updated_at": "now()",
                "posted_at": "rf.pay_date + interval '12 hours'",
            },
            "FROM rf",
        )
        _insert(
            c,
            "payments_remittance",
            {
                "id": "rf.id",
                "file_id": "rf.id",
                "sequence": "1",
                "payer_id": "rf.payer_id",
                "payer_identifier": "'BP' || rf.payer_id",
                "payer_name": "'Bench payer ' || rf.payer_id",
                "trace_number": "'T' || rf.id",
                "handling_code": "'I'",
                "credit_debit": "'C'",
                "payment_method": "'ACH'",
                "payment_amount": "0",
                "payment_date": "rf.pay_date",
                "created_at": "now()",
                "updated_at": "now()",
            },
            "FROM rf",
        )
        # Claim payments: k 0 the original, 1 the reversal, 2 the payment again (reversed claims).
        c.execute(
            """
            CREATE TEMP TABLE cp ON COMMIT DROP AS
            SELECT g.i * 3 + k AS id, g.i, k, rf.id AS remittance_id, rf.pay_date, g.outcome
            FROM g CROSS JOIN LATERAL (VALUES (0), (1), (2)) v(k)
            JOIN rf ON rf.payer_id = g.payer_id AND rf.pay_date = g.pay_date + CASE WHEN k = 0 THEN 0 ELSE 14 END
                   AND rf.kind = CASE WHEN k = 0 THEN 0 ELSE 1 END
            WHERE g.outcome <> 'open' AND (k = 0 OR g.outcome = 'reversed');
            ANALYZE cp;
            CREATE TEMP TABLE lp ON COMMIT DROP AS
            SELECT (cp.id * 4 + gl.n) AS id, cp.id AS cp_id, cp.k, cp.remittance_id, gl.i, gl.n, gl.charge,
                   CASE WHEN gl.denied THEN 0 ELSE gl.allowed - gl.pr + CASE WHEN cp.outcome = 'credit' AND gl.n = 1
                        THEN 50 ELSE 0 END END * CASE WHEN cp.k = 1 THEN -1 ELSE 1 END AS paid,
                   CASE WHEN gl.denied THEN 0 ELSE gl.pr END * CASE WHEN cp.k = 1 THEN -1 ELSE 1 END AS pr,
                   CASE WHEN gl.denied THEN gl.charge ELSE gl.charge - gl.allowed END
                       * CASE WHEN cp.k = 1 THEN -1 ELSE 1 END AS co,
                   CASE WHEN gl.denied THEN gl.carc ELSE '45' END AS co_reason
            FROM cp JOIN gl ON gl.i = cp.i;
            ANALYZE lp;
            """
        )
        _insert(
            c,
            "payments_claimpayment",
            {
                "id": "cp.id",
                "public_id": "gen_random_uuid()",
                "remittance_id": "cp.remittance_id",
                "sequence": "cp.i",
                "claim_id": "cp.i",
                "match_method": "'claim_number'",
                "status": "'posted'",
                "payer_identifier": "'BP' || g.payer_id",
                "trace_number": "'T' || cp.remittance_id",
                "patient_control_number": "'B' || cp.i",
                "claim_status_code": "CASE WHEN cp.k = 1 THEN '22' WHEN cp.outcome = 'denied' AND cp.k = 0 THEN '4' ELSE '1' END",
                "is_reversal": "cp.k = 1",
                "payer_claim_number": "'ICN' || cp.id",
                "charge": "0",
                "paid": "0",
                "reversal_of_id": "CASE WHEN cp.k = 1 THEN cp.i * 3 ELSE NULL END",
                "posted_at": "cp.pay_date + interval '12 hours' + (g.r % 3) * interval '1 day'",
                "created_at": "now()",
                "updated_at": "now()",
            },
            "FROM cp JOIN g ON g.i = cp.i",
        )
        _insert(
            c,
            "payments_linepayment",
            {
                "id": "lp.id",
                "claim_payment_id": "lp.cp_id",
                "sequence": "lp.n",
                "claim_line_id": "lp.i * 4 + lp.n",
                "match_method": "'control_number'",
                "procedure_qualifier": "'HC'",
                "procedure_code": f"(ARRAY[{','.join(repr(x) for x in CODES)}])[1 + (lp.i + lp.n) % {len(CODES)}]",
                "modifiers": "'[]'::jsonb",
                "original_modifiers": "'[]'::jsonb",
                "units_paid": "1",
                "charge": "lp.charge * CASE WHEN lp.k = 1 THEN -1 ELSE 1 END",
                "paid": "lp.paid",
                "expected_basis": "''",
                "created_at": "now()",
                "updated_at": "now()",
            },
            "FROM lp",
        )
        _log(f"  claim and line payments: {time.perf_counter() - t0:.0f} s")
        _insert(
            c,
            "payments_adjustment",
            {
                "claim_payment_id": "lp.cp_id",
                "line_payment_id": "lp.id",
                "group": "a.grp",
                "reason": "a.reason",
                "amount": "a.amount",
                "created_at": "now()",
                "updated_at": "now()",
            },
            """FROM lp CROSS JOIN LATERAL (VALUES ('CO', lp.co_reason, lp.co), ('PR', '2', lp.pr)) a(grp, reason, amount)
               WHERE a.amount <> 0""",
        )
        _insert(
            c,
            "payments_posting",
            {
                "remittance_id": "lp.remittance_id",
                "claim_payment_id": "lp.cp_id",
                "line_payment_id": "lp.id",
                "claim_id": "lp.i",
                "claim_line_id": "lp.i * 4 + lp.n",
                "category": "p.category",
                "group": "p.grp",
                "reason": "p.reason",
                "amount": "p.amount",
                "created_at": "now()",
                "updated_at": "now()",
            },
            """FROM lp CROSS JOIN LATERAL (VALUES ('paid', '', '', lp.paid),
                                              ('adjustment', 'CO', lp.co_reason, lp.co),
                                              ('patient_responsibility', 'PR', '2', lp.pr)) p(category, grp, reason, amount)
               WHERE p.amount <> 0""",
        )
        _log(f"  adjustments and postings: {time.perf_counter() - t0:.0f} s")
        for table in (
            "claims_claim",
            "claims_claimline",
            "payments_remittancefile",
            "payments_remittance",
            "payments_claimpayment",
            "payments_linepayment",
            "intake_payer",
            "intake_patient",
            "intake_coverage",
            "intake_servicelocation",
            "intake_billingprovider",
        ):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"
            )
    with connection.cursor() as c:
        c.execute("ANALYZE")
    _log(f"generated {claims} claims in {time.perf_counter() - t0:.0f} s")


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(f"SELECT count(*) FROM {table}")
        return c.fetchone()[0]


def prepare(claims: int, reuse: bool) -> None:
    from django.utils import timezone

    from reports import services
    from reports.domain.kpis import add_months

    if reuse and _count("claims_claim") == claims:
        _log(f"reusing {claims} claims")
        services.reports_catch_up()
        from django.db import connection

        with connection.cursor() as c:
            c.execute("ANALYZE reports_claimfact, reports_denialfact, reports_arday, reports_kpimonth")
        return
    generate(claims)
    t0 = time.perf_counter()
    services.facts_rebuild()
    _log(f"facts rebuilt in {time.perf_counter() - t0:.1f} s")
    print(f"BENCH dashboards.facts_rebuild_s {time.perf_counter() - t0:.1f} s", flush=True)
    today = timezone.localdate()
    month = today.replace(day=1)
    t0 = time.perf_counter()
    for back in range(1, 25):
        services.ar_snapshot_take(day=add_months(month, -back + 1) - __import__("datetime").timedelta(days=1))
    services.ar_snapshot_take(day=today)
    _log(f"25 snapshots in {time.perf_counter() - t0:.1f} s")


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from reports.models import DenialMonth

    user, _ = get_user_model().objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get(name="manager"))
    client = Client()
    client.force_login(user)
    top = (
        DenialMonth.objects.filter(dimension="reason")
        .order_by("-amount")
        .values_list("key", flat=True)
        .first()
    )
    pages = {
        "overview": "/reports/",
        "ar_aging": "/reports/ar-aging/",
        "ar_aging_submission": "/reports/ar-aging/?basis=submission",
        "ar_aging_csv": "/reports/ar-aging/?export=ar_patient",
        "ar_cell_claims": "/reports/ar-aging/claims/?basis=service&bucket=over_120&part=patient&payer=3",
        "kpis": "/reports/kpis/",
        "kpis_24_months_home": "/reports/kpis/?start=" + _month_ago(23) + "&site=home",
        "denials": "/reports/denials/",
        "denial_lines": f"/reports/denials/lines/?by=carc&key={top}",
        "api_ar_aging": "/api/v1/reports/ar-aging",
        "api_kpis": "/api/v1/reports/kpis",
        "api_denials": "/api/v1/reports/denials",
        "monthly_pdf": "/reports/monthly.pdf",
    }
    for name, url in pages.items():
        samples = []
        # The PDF takes seconds (WeasyPrint): fewer runs, so the bench ends in minutes.
        for attempt in range(3 + (min(runs, 5) if name == "monthly_pdf" else runs)):
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} on {url}")
            if attempt >= 3:
                samples.append(elapsed)
        print(f"BENCH dashboards.{name}_p95_ms {_p95(samples):.0f} ms", flush=True)
        _log(f"  {name}: median {sorted(samples)[len(samples) // 2]:.0f} ms, max {max(samples):.0f} ms")


def _month_ago(n: int) -> str:
    from django.utils import timezone

    from reports.domain.kpis import add_months

    return f"{add_months(timezone.localdate().replace(day=1), -n):%Y-%m}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a run with the same --claims")
    args = parser.parse_args()
    _setup_django()
    _log(f"load: {os.getloadavg()}")
    prepare(args.claims, args.reuse)
    _log(f"load: {os.getloadavg()}")
    measure(args.runs)


if __name__ == "__main__":
    main()
