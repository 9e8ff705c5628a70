"""Benchmark of the claims pipeline on PostgreSQL with the real queues: build claims from reviewed
charges, scrub them against payer rules, batch them into 837 files; plus pyx12 on a 500-claim sample.

Run from the repo root: .venv/bin/python bench/claims.py [--claims N] [--in-process]

The bench starts its own Celery worker (queues scrub, batch, default; prefork, --concurrency 2)
and drives each stage through tasks, ids in: claims_build_task(visit ids) and
claims_scrub_many_task(claim ids) in chunks, batch_build_task(payer id, form) per 837 file. It
enqueues a stage, then polls the database (claims by status) until the stage is complete; the
worker is stopped on exit. --in-process calls the same services in this process (for profiling).

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/infusion_rcm_bench;
never DATABASE_URL), created and migrated if needed, and its own Redis database (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/9, flushed before the run). Claims, coding and intake rows are
truncated before each run. Fixtures (patients, coverages, eligibility checks, auths, orders,
visits, charge lines) are bulk-created with a fixed seed and are not timed. pyx12 is not run on
the batches (VALIDATE_BATCHES_WITH_PYX12=false) but timed on its own on a 500-claim sample, not
counted in the total. Prints:
    BENCH claims.build_per_s <n> claims/s
    BENCH claims.scrub_per_s <n> claims/s
    BENCH claims.batch_per_s <n> claims/s
    BENCH claims.pyx12_per_s <n> claims/s
    BENCH claims.total_s <n> s
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.worker import BenchWorker  # noqa: E402

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infusion_rcm_bench"
)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# This process and the worker share one configuration: the bench database and Redis, the
# embedded ("local") settings, DEBUG off, no pyx12 inside batch_build (timed on its own).
BENCH_ENV = {
    "DJANGO_ENV": "local",
    "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.local",
    "DATABASE_URL": BENCH_DATABASE_URL,
    "REDIS_URL": BENCH_REDIS_URL,
    "DEBUG": "false",
    "VALIDATE_BATCHES_WITH_PYX12": "false",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(BENCH_ENV)

SEED = 20261105
SAMPLE = 500


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
    conn.close()


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def flush() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [
        m._meta.db_table
        for app in ("claims", "coding", "intake")
        for m in apps.get_app_config(app).get_models()
    ]
    keep = {"coding_drug", "coding_drugndc", "coding_codesetentry", "coding_chargemasterentry"}
    with connection.cursor() as cur:
        cur.execute("TRUNCATE " + ", ".join(t for t in tables if t not in keep) + " RESTART IDENTITY CASCADE")


# Drug lines: code, units, charge per unit, NDC, NDC quantity, unit.
DRUGS = [
    ("J1745", 40, "30.00", "57894003001", "4", "UN"),
    ("J3380", 300, "20.00", "64764030020", "1", "UN"),
    ("J1756", 200, "0.45", "00517234001", "10", "ML"),
    ("J9263", 300, "5.00", "00024059120", "30", "ML"),
    ("Q5103", 40, "25.00", "00069080901", "4", "UN"),
]
DIAGNOSES = {
    "J1745": ["K50.90", "D50.9"],
    "Q5103": ["M05.79"],
    "J3380": ["K51.90"],
    "J1756": ["D50.9"],
    "J9263": ["C18.9", "E86.0"],
}


def seed_rules() -> None:
    from claims import demo
    from claims.services.payer_rules_reference import reference_payer_rules_load

    reference_payer_rules_load()  # the truncate above removed the shipped rules migrate loaded
    demo.seed_payer_rules()


def make_fixtures(n: int) -> None:
    from django.contrib.auth import get_user_model

    from coding.models import ChargeLine, Visit
    from intake.models import (
        AuthorizedService,
        BillingProvider,
        Coverage,
        EligibilityCheck,
        Order,
        Patient,
        Payer,
        Prescriber,
        PriorAuthorization,
        ServiceLocation,
    )

    rng = random.Random(SEED)
    today = dt.date.today()
    user, _ = get_user_model().objects.get_or_create(username="bench-nurse")
    provider = BillingProvider.objects.create(
        name="Bench Infusion Partners",
        npi="1234567893",
        tax_id="361234567",
        taxonomy="261QI0500X",
        address_line1="100 Harbor Way",
        city="Springfield",
        state="IL",
        zip_code="627011234",
    )
    locs = [
        ServiceLocation.objects.create(
            billing_provider=provider,
            name=name,
            site_of_care=site,
            place_of_service=pos,
            address_line1=street,
            city="Springfield",
            state="IL",
            zip_code="627011234",
        )
        for name, site, pos, street in (
            ("Bench AIC", "aic", "49", "200 Harbor Way"),
            ("Bench Office", "office", "11", "100 Harbor Way"),
        )
    ]
    payer_rows = [
        ("Medicare Part B", "MCRB1", "medicare", "837P"),
        ("State Medicaid", "MCD01", "medicaid", "837P"),
        ("Blue Plan", "BCBS1", "commercial", "837P"),
        ("Acme Health", "ACME1", "commercial", "837P"),
        ("Union Health", "UNHL1", "commercial", "837I"),
    ]
    payers = [
        Payer.objects.create(
            name=nm,
            payer_id=pid,
            kind=kind,
            claim_form=form,
            address_line1="1 Payer Way",
            city="Chicago",
            state="IL",
            zip_code="60601",
            timely_filing_days=180,
        )
        for nm, pid, kind, form in payer_rows
    ]
    doc = Prescriber.objects.create(first_name="Marcus", last_name="Welby", npi="1112223338")
    seed_rules()
    # the drug catalog and dated code sets, as a deployment has them: the scrubber checks every
    # line's code against them
    from coding.demo import seed_catalog

    seed_catalog()

    patients = Patient.objects.bulk_create(
        [
            Patient(
                billing_provider=provider,
                mrn=f"B{i:07d}",
                first_name="Pat",
                last_name=f"Bench{i}",
                date_of_birth=dt.date(1940 + i % 50, 1 + i % 12, 1 + i % 28),
                sex="FM"[i % 2],
                address_line1="12 Elm St",
                city="Springfield",
                state="IL",
                zip_code="62701",
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    plan = []  # per patient: payer, drug, location, date of service
    for _ in patients:
        payer = rng.choices(payers, weights=(30, 15, 25, 20, 10))[0]
        plan.append(
            (payer, rng.choice(DRUGS), rng.choice(locs), today - dt.timedelta(days=rng.randrange(3, 60)))
        )
    coverages = Coverage.objects.bulk_create(
        [
            Coverage(
                patient=p,
                payer=pl[0],
                rank="primary",
                member_id=f"MB{i:09d}",
                effective_date=dt.date(2020, 1, 1),
            )
            for i, (p, pl) in enumerate(zip(patients, plan, strict=True))
        ],
        batch_size=5000,
    )
    EligibilityCheck.objects.bulk_create(
        [
            EligibilityCheck(
                coverage=c, checked_on=today - dt.timedelta(days=2), service_date=today, active=True
            )
            for c in coverages
        ],
        batch_size=5000,
    )
    auths = PriorAuthorization.objects.bulk_create(
        [
            PriorAuthorization(
                patient=p,
                coverage=c,
                auth_number=f"PA{i:08d}",
                start_date=dt.date(2020, 1, 1),
                end_date=today + dt.timedelta(days=90),
            )
            for i, (p, c) in enumerate(zip(patients, coverages, strict=True))
        ],
        batch_size=5000,
    )
    AuthorizedService.objects.bulk_create(
        [
            AuthorizedService(authorization=a, code=pl[1][0], authorized_units=1000)
            for a, pl in zip(auths, plan, strict=True)
        ],
        batch_size=5000,
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                patient=p,
                prescriber=doc,
                location=pl[2],
                therapy="bench",
                diagnosis_codes=DIAGNOSES[pl[1][0]],
                start_date=dt.date(2020, 1, 1),
            )
            for p, pl in zip(patients, plan, strict=True)
        ],
        batch_size=5000,
    )
    now = dt.datetime.now(dt.UTC)
    visits = Visit.objects.bulk_create(
        [
            Visit(
                patient=p,
                order=o,
                location=pl[2],
                date_of_service=pl[3],
                status="signed",
                documented_by=user,
                signed_by=user,
                signed_at=now,
            )
            for p, o, pl in zip(patients, orders, plan, strict=True)
        ],
        batch_size=5000,
    )
    lines = []
    for v, pl in zip(visits, plan, strict=True):
        payer, (code, units, price, ndc, qty, unit), _, dos = pl
        mods = ["JZ"] if payer.kind == "medicare" else []
        rows = [
            ("96365", 1, "350.00", [], "", None, ""),
            ("96366", 1, "95.00", [], "", None, ""),
            ("96375", 1, "80.00", [], "", None, ""),
            (code, units, str(Decimal(price) * units), mods, ndc, Decimal(qty), unit),
        ]
        for number, (c, u, charge, m, nd, q, un) in enumerate(rows, start=1):
            lines.append(
                ChargeLine(
                    visit=v,
                    line_number=number,
                    service_date_from=dos,
                    service_date_to=dos,
                    code=c,
                    modifiers=m,
                    units=u,
                    reason="bench",
                    ndc=nd,
                    ndc_quantity=q,
                    ndc_unit=un,
                    unit_price=Decimal(charge) / u,
                    charge=Decimal(charge),
                    status="reviewed",
                )
            )
    ChargeLine.objects.bulk_create(lines, batch_size=10000)


def wait_for(done, what: str, worker: BenchWorker, stall_s: float = 180) -> None:
    """Poll `done()` -> (finished, progress) until finished; fail if the worker dies or stalls."""
    last, since = None, time.monotonic()
    while True:
        finished, progress = done()
        if finished:
            return
        worker.check()
        if progress != last:
            last, since = progress, time.monotonic()
        elif time.monotonic() - since > stall_s:
            raise RuntimeError(f"{what}: no progress for {stall_s:.0f} s at {progress}:\n{worker.tail()}")
        time.sleep(0.2)


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    from claims.models import Claim

    return dict(Claim.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def run_queued(n: int, visit_ids: list[int], chunk: int, worker: BenchWorker) -> tuple[float, float, float]:
    from claims.models import Claim
    from claims.services import MAX_CLAIMS_PER_BATCH
    from claims.tasks import batch_build_task, claims_build_task, claims_scrub_many_task

    t = time.perf_counter()
    for start in range(0, len(visit_ids), chunk):
        claims_build_task.apply_async(args=[visit_ids[start : start + chunk]], queue="default")
    wait_for(lambda: ((c := Claim.objects.count()) >= n, c), "build", worker)
    build_s = time.perf_counter() - t

    t = time.perf_counter()
    ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        claims_scrub_many_task.apply_async(args=[ids[start : start + chunk]], queue="scrub")

    def scrubbed():
        counts = status_counts()
        done = counts.get("ready", 0) + counts.get("needs_fix", 0)
        return done >= n, done

    wait_for(scrubbed, "scrub", worker)
    scrub_s = time.perf_counter() - t

    t = time.perf_counter()
    ready = status_counts().get("ready", 0)
    pairs = Claim.objects.filter(status="ready").values_list("payer_id", "form").order_by("payer_id", "form")
    per_pair: dict[tuple[int, str], int] = {}
    for pair in pairs.iterator():
        per_pair[pair] = per_pair.get(pair, 0) + 1
    # One task per 837 file: each takes up to MAX_CLAIMS_PER_BATCH of the pair's ready claims
    # (SKIP LOCKED, so two workers on one payer take different claims).
    for (payer_id, form), count in per_pair.items():
        for _ in range(math.ceil(count / MAX_CLAIMS_PER_BATCH)):
            batch_build_task.apply_async(args=[payer_id, form], queue="batch")

    def batched():
        done = status_counts().get("batched", 0)
        return done >= ready, done

    wait_for(batched, "batch", worker)
    batch_s = time.perf_counter() - t
    return build_s, scrub_s, batch_s


def run_in_process(n: int) -> tuple[float, float, float]:
    from claims import services
    from claims.models import Claim

    t = time.perf_counter()
    built = services.claims_build_from_charges(enqueue_scrub=False)
    build_s = time.perf_counter() - t
    assert len(built.claims) == n, (len(built.claims), built.skipped[:3])

    t = time.perf_counter()
    services.claims_scrub_many(claim_ids=Claim.objects.values_list("pk", flat=True))
    scrub_s = time.perf_counter() - t

    t = time.perf_counter()
    services.batch_build_all(validate=False)
    batch_s = time.perf_counter() - t
    return build_s, scrub_s, batch_s


def pyx12_sample() -> tuple[int, float, int]:
    """Render a 500-claim 837P from stored claims and time pyx12 on it: (claims, seconds, errors)."""
    from claims import mappers, selectors, services
    from claims.domain.validation import validate_with_pyx12
    from claims.domain.x12_837 import build_837
    from claims.models import SubmissionBatch
    from infusion_rcm.x12.writer import Envelope

    sample_batch = SubmissionBatch.objects.filter(form="837P").order_by("pk").first()
    sample_ids = list(sample_batch.claims.order_by("pk").values_list("pk", flat=True)[:SAMPLE])
    cache = mappers.DraftCache()
    drafts = [
        mappers.claim_to_draft(c, c.lines, cache=cache) for c in selectors.claim_rows_for_drafts(sample_ids)
    ]
    submitter, receiver = services.submitter_receiver(drafts[0].billing_provider)
    text = build_837(
        drafts,
        submitter=submitter,
        receiver=receiver,
        envelope=Envelope(
            sender_id="INFUSIONRCM",
            receiver_id="CLEARINGHOUSE",
            interchange_control=1,
            group_control=1,
            functional_id="HC",
            version="",
            created=dt.datetime(2026, 1, 1, 12, 0),
            usage="T",
        ),
    )
    t = time.perf_counter()
    errors = validate_with_pyx12(text)
    return len(drafts), time.perf_counter() - t, len(errors)


def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--in-process", action="store_true", help="call the services here, no worker")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--chunk", type=int, default=1000, help="visits / claims per build and scrub task")
    args = parser.parse_args()
    n = args.claims
    signal.signal(signal.SIGTERM, _raise_exit)

    ensure_database(BENCH_DATABASE_URL)
    setup_django()
    from django.db import connection

    from claims.models import Claim, SubmissionBatch
    from coding.models import Visit

    worker = None
    try:
        if not args.in_process:
            import redis

            redis.Redis.from_url(BENCH_REDIS_URL).flushdb()  # the bench's own Redis database
            worker = BenchWorker(
                name="claims",
                queues="scrub,batch,default",
                pool=["--concurrency", str(args.concurrency), "--pool", "prefork"],
                env=BENCH_ENV,
            )  # starts while the fixtures are made

        flush()
        t = time.perf_counter()
        make_fixtures(n)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # fresh tables: give the planner row counts, as autovacuum would
        print(f"fixtures: {n} visits in {time.perf_counter() - t:.1f} s", file=sys.stderr)

        start = time.perf_counter()
        if worker is None:
            build_s, scrub_s, batch_s = run_in_process(n)
        else:
            worker.wait_ready()
            start = time.perf_counter()
            visit_ids = list(Visit.objects.order_by("pk").values_list("pk", flat=True))
            build_s, scrub_s, batch_s = run_queued(n, visit_ids, args.chunk, worker)
        total_s = time.perf_counter() - start
    finally:
        if worker is not None:
            worker.stop()

    counts = status_counts()
    count = Claim.objects.count()
    assert count == n, (count, n)
    batches = list(SubmissionBatch.objects.values_list("claim_count", "content"))
    batched = sum(c for c, _ in batches)
    # Every claim the scrubber passed went into a stored 837 file.
    assert batched == counts.get("batched", 0), (batched, counts)
    assert not counts.get("ready"), counts
    assert all(text.startswith("ISA*") for _, text in batches)
    sampled, pyx12_s, errors = pyx12_sample()

    print(
        f"built {count}, needs_fix {counts.get('needs_fix', 0)}, batched {batched} in {len(batches)} files, "
        f"pyx12 errors on sample: {errors}",
        file=sys.stderr,
    )
    print(f"BENCH claims.build_per_s {count / build_s:.0f} claims/s")
    print(f"BENCH claims.scrub_per_s {count / scrub_s:.0f} claims/s")
    print(f"BENCH claims.batch_per_s {batched / batch_s:.0f} claims/s")
    print(f"BENCH claims.pyx12_per_s {sampled / pyx12_s:.0f} claims/s")
    print(f"BENCH claims.total_s {total_s:.1f} s")


if __name__ == "__main__":
    main()
