"""Benchmark of the 835 path: read a generated 10,000-claim remittance file in memory, then post
it to PostgreSQL through the `era` queue with a real Celery worker.

Run from the repo root: DJANGO_ENV=test .venv/bin/python bench/remittance.py [--claims N] [--profile]
                        [--read-only] [--phases]
Prints:
    BENCH era.read_mb_per_s <n> MB/s        parse_835 on the whole file (envelope, models, balancing)
    BENCH era.post_claims_per_s <n> claims/s  the file posted by a worker on the era queue
The file (about 4.6 MB) is generated with a fixed seed: about three service lines per claim,
CO/PR adjustments, denials, reversals, claim-level reductions, interest and a recoupment in PLB;
it balances to the cent, and its generation is not timed. The read figure is the best of three
reads in CPU time of this process (the reader is single-threaded): on the shared 2-core machine
the wall clock mostly measures the other jobs. Wall time and the envelope reader's own speed go
to stderr for comparison.

The posting figure is wall time, from enqueueing `remittance_file_process_task(file id)` until
the file is posted: the worker reads the stored file, stores every claim payment, line,
adjustment and remark, matches the claims (CLP01) and lines (REF*6R), writes the ledger, moves
the claims' statuses (with their events) and posts the PLB. The claims it pays (accepted, one
line per 835 line with its control number) are bulk-created first and not timed; reversals
above the approval amount would wait for a biller, so the bench sets that amount out of reach.
It uses its own database (BENCH_ERA_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/infusion_rcm_bench_era; never DATABASE_URL), created and
migrated if needed and emptied of claims and payments rows first, and its own Redis database
(BENCH_ERA_REDIS_URL, default redis://127.0.0.1:6379/10, flushed before the run).

`--phases` posts the same file in this process instead (no worker, no BENCH line) and prints to
stderr each phase's wall time, this process's CPU, the PostgreSQL backend's CPU (when it runs on
this machine) and the SQL statement count: on a shared machine the CPU figures and counts say
where the time goes when the wall clock mostly measures the other jobs. COMMIT is its own line:
PostgreSQL runs the deferred foreign key checks of every inserted row there.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.worker import BenchWorker  # noqa: E402
from infusion_rcm.x12.reader import read_interchange  # noqa: E402
from infusion_rcm.x12.writer import Envelope, interchange  # noqa: E402
from payments.domain.x12_835 import EXPECT_835, parse_835  # noqa: E402

N = 10_000
SEED = 20261201
CODES = [
    ("J1745", "10", Decimal("118.44")),
    ("J2350", "600", Decimal("18.71")),
    ("J0897", "60", Decimal("21.02")),
    ("96365", "1", Decimal("212.00")),
    ("96366", "1", Decimal("58.00")),
    ("96375", "1", Decimal("61.00")),
    ("J7050", "2", Decimal("1.10")),
    ("99211", "1", Decimal("44.00")),
]
CENT = Decimal("0.01")


def _claim(rng: random.Random, i: int) -> tuple[list[str], Decimal]:
    """One balanced claim (CLP .. its last line); returns the segments and CLP04."""
    status = rng.choice(("1", "1", "1", "1", "2", "4", "22"))
    sign = -1 if status == "22" else 1  # a reversal repeats the original with every sign flipped
    dos = f"202611{rng.randrange(1, 29):02d}"
    lines: list[str] = []
    charge_total = paid_total = Decimal(0)
    for n in range(rng.choice((2, 3, 3, 4))):
        code, units, unit_price = rng.choice(CODES)
        charge = (unit_price * Decimal(units) * Decimal("1.8")).quantize(CENT) * sign
        if status == "4":
            allowed = paid = Decimal("0.00")
            cas = [f"CAS*CO*{rng.choice(('16', '50', '197'))}*{charge}"]
        else:
            allowed = (charge * Decimal("0.62")).quantize(CENT)
            patient = (allowed * Decimal("0.2")).quantize(CENT)
            paid = allowed - patient
            cas = [f"CAS*CO*45*{charge - allowed}", f"CAS*PR*2*{patient}"]
        modifier = ":JZ" if code.startswith("J") and rng.random() < 0.5 else ""
        lines += [
            f"SVC*HC:{code}{modifier}*{charge}*{paid}**{units}",
            f"DTM*472*{dos}",
            *cas,
            f"REF*6R*{i:06d}{n + 1:02d}",
            f"AMT*B6*{allowed}",
        ]
        if status == "4":
            lines.append("LQ*HE*N130")
        charge_total += charge
        paid_total += paid
    claim_cas = []
    if status == "1" and rng.random() < 0.1:
        # a claim-level reduction on top of the lines (sequestration, CARC 253)
        claim_cas = ["CAS*CO*253*1.00"]
        paid_total -= Decimal("1.00")
    head = [
        f"CLP*PCN{i:07d}*{status}*{charge_total}*{paid_total}**12*ICN{i:010d}*11*{'8' if status == '22' else '1'}",
        *claim_cas,
        f"NM1*QC*1*PATIENT{i % 977}*ALEX****MI*M{i:09d}",
        f"DTM*232*{dos}",
        f"DTM*233*{dos}",
    ]
    return head + lines, paid_total


def build_835(claims: int = N, seed: int = SEED) -> str:
    rng = random.Random(seed)
    paid = Decimal(0)
    detail: list[str] = ["LX*1"]
    for i in range(claims):
        segments, claim_paid = _claim(rng, i)
        detail += segments
        paid += claim_paid
    interest, recoupment = Decimal("12.34"), Decimal("250.00")
    total = paid + interest - recoupment
    body = [
        f"BPR*I*{total}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*20261215",
        "TRN*1*EFT20261215001*1512345678",
        "DTM*405*20261214",
        "N1*PR*BENCH HEALTH PLAN",
        "N3*1 PAYER WAY",
        "N4*HARTFORD*CT*061010000",
        "REF*2U*BHP01",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        "N1*PE*INFUSION CENTER*XX*1234567893",
        "REF*TJ*123456789",
        *detail,
        f"PLB*1234567893*20261231*L6*-{interest}*WO:ICN0000000001*{recoupment}",
    ]
    envelope = Envelope(
        sender_id="BENCHPAYER",
        receiver_id="INFUSIONRCM",
        interchange_control=1,
        group_control=1,
        functional_id="HP",
        version="005010X221A1",
        created=datetime(2026, 12, 15, 6, 0),
    )
    return interchange(envelope, [("835", body)])


def _best_of(runs: int, work: Callable[[str], object], text: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the fastest of `runs` calls."""
    best_cpu = best_wall = float("inf")
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        work(text)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
        gc.collect()
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=N)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions instead")
    parser.add_argument("--read-only", action="store_true", help="the read figure only (no database)")
    parser.add_argument(
        "--phases",
        action="store_true",
        help="post in this process instead (no worker) and print each phase's time and SQL count",
    )
    args = parser.parse_args()
    text = build_835(args.claims)
    megabytes = len(text.encode()) / 1_000_000
    era = parse_835(text)  # warm-up, and a check that the generated file is what we think
    assert len(era.claims) == args.claims, len(era.claims)
    del era
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(parse_835, text)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    gc.collect()
    cpu, wall = _best_of(3, parse_835, text)
    envelope_cpu, _ = _best_of(3, lambda t: read_interchange(t, EXPECT_835), text)
    print(
        f"{megabytes:.1f} MB, {args.claims} claims: parse_835 {cpu:.2f} s CPU ({wall:.2f} s wall); "
        f"the envelope reader alone {megabytes / envelope_cpu:.1f} MB/s CPU",
        file=sys.stderr,
        flush=True,
    )
    print(f"BENCH era.read_mb_per_s {megabytes / cpu:.1f} MB/s")
    # ---- BENCH era.post_claims_per_s ------------------------------------------------------------
    if args.phases:
        phases(text)
    elif not args.read_only:
        post_bench(text, args.claims)


# ---------------------------------------------------------------------------
# Posting through the era queue
# ---------------------------------------------------------------------------

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_ERA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infusion_rcm_bench_era"
)
BENCH_REDIS_URL = os.environ.get("BENCH_ERA_REDIS_URL", "redis://127.0.0.1:6379/10")
# This process and the worker share one configuration: the bench database and Redis, the
# embedded ("local") settings with DEBUG off.
BENCH_ENV = {
    "DJANGO_ENV": "local",
    "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.local",
    "DATABASE_URL": BENCH_DATABASE_URL,
    "REDIS_URL": BENCH_REDIS_URL,
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
}


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


def _flush() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [
        m._meta.db_table for app in ("payments", "claims") for m in apps.get_app_config(app).get_models()
    ]
    keep = {"claims_payerrule", "claims_payerruleversion", "claims_controlnumber"}
    with connection.cursor() as cur:
        cur.execute("TRUNCATE " + ", ".join(t for t in tables if t not in keep) + " RESTART IDENTITY CASCADE")


def _claims_for(text: str) -> None:
    """Accepted claims, one line per 835 line (same control number, code, units, charge), bulk."""
    import datetime as dt

    from claims.models import Claim, ClaimLine
    from intake.models import BillingProvider, Coverage, Patient, Payer, ServiceLocation
    from payments.models import PostingPolicy

    era = parse_835(text)
    provider, _ = BillingProvider.objects.get_or_create(
        npi="1234567893",
        defaults={
            "name": "Bench Infusion",
            "tax_id": "123456789",
            "taxonomy": "261QI0500X",
            "address_line1": "1 Way",
            "city": "Hartford",
            "state": "CT",
            "zip_code": "061010000",
        },
    )
    payer, _ = Payer.objects.get_or_create(
        payer_id="BHP01",
        defaults={
            "name": "BENCH HEALTH PLAN",
            "kind": "commercial",
            "address_line1": "1 Payer Way",
            "city": "Hartford",
            "state": "CT",
            "zip_code": "06101",
        },
    )
    location, _ = ServiceLocation.objects.get_or_create(
        billing_provider=provider,
        name="Bench site",
        defaults={
            "site_of_care": "aic",
            "place_of_service": "49",
            "address_line1": "2 Way",
            "city": "Hartford",
            "state": "CT",
            "zip_code": "061010000",
        },
    )
    patient, _ = Patient.objects.get_or_create(
        billing_provider=provider,
        mrn="BENCH1",
        defaults={
            "first_name": "ALEX",
            "last_name": "PATIENT",
            "date_of_birth": dt.date(1950, 1, 1),
            "sex": "F",
            "address_line1": "3 Way",
            "city": "Hartford",
            "state": "CT",
            "zip_code": "061010000",
        },
    )
    coverage, _ = Coverage.objects.get_or_create(
        patient=patient,
        payer=payer,
        rank="primary",
        defaults={"member_id": "M1", "effective_date": dt.date(2020, 1, 1)},
    )
    claims, lines = [], []
    for claim in era.claims:
        dos = claim.statement_from
        claims.append(
            Claim(
                claim_number=claim.patient_control_number,
                patient=patient,
                coverage=coverage,
                payer=payer,
                billing_provider=provider,
                location=location,
                form="837P",
                status="accepted",
                payer_claim_number=claim.payer_claim_control_number,
                service_date_from=dos,
                service_date_to=dos,
                total_charge=abs(claim.charge),
            )
        )
    Claim.objects.bulk_create(claims, batch_size=5000)
    for row, claim in zip(claims, era.claims, strict=True):
        for number, line in enumerate(claim.lines, start=1):
            lines.append(
                ClaimLine(
                    claim=row,
                    line_number=number,
                    line_control_number=line.line_control_number,
                    service_date_from=line.service_date,
                    service_date_to=line.service_date,
                    code=line.procedure.code,
                    modifiers=list(line.procedure.modifiers),
                    units=line.units_paid,
                    charge=abs(line.charge),
                )
            )
    ClaimLine.objects.bulk_create(lines, batch_size=5000)
    PostingPolicy.objects.update_or_create(
        pk=1, defaults={"reversal_approval_amount": Decimal("1000000000.00")}
    )


def post_bench(text: str, claims: int) -> None:
    _setup_django()
    import redis
    from django.db import connection

    from payments import services
    from payments.models import ClaimPayment, Posting, RemittanceFile
    from payments.tasks import remittance_file_process_task

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()  # the bench's own Redis database
    worker = BenchWorker(
        name="era", queues="era", pool=["--pool", "solo"], env=BENCH_ENV
    )  # starts while the claims are made
    try:
        _flush()
        started = time.perf_counter()
        _claims_for(text)
        file, _ = services.remittance_file_receive(text=text, file_name="bench.835", actor=None)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # fresh tables: give the planner row counts, as autovacuum would
        print(f"fixtures: {claims} accepted claims in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        worker.wait_ready()
        start = time.perf_counter()
        remittance_file_process_task.delay(file.pk)
        while True:
            status = RemittanceFile.objects.filter(pk=file.pk).values_list("status", flat=True).get()
            if status in ("posted", "failed"):
                break
            worker.check()
            if time.perf_counter() - start > 900:
                raise RuntimeError(f"not posted after 900 s:\n{worker.tail()}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    finally:
        worker.stop()
    posted = ClaimPayment.objects.filter(status="posted").count()
    assert status == "posted", status
    assert posted == claims, (posted, claims)
    print(
        f"posted {posted} claim payments, {Posting.objects.count()} ledger rows in {elapsed:.2f} s (wall)",
        file=sys.stderr,
    )
    print(f"BENCH era.post_claims_per_s {posted / elapsed:.0f} claims/s")


# ---------------------------------------------------------------------------
# --phases: where the posting time goes, in figures that do not depend much on the load
# ---------------------------------------------------------------------------

# (module, function) timed by --phases; nested ones are counted inside their callers too.
PHASES = [
    ("payments.services.receive", "parse_835"),
    ("payments.services.receive", "store_remittances"),
    ("payments.services.store", "our_lines"),
    ("payments.services.store", "insert_rows_returning_ids"),
    ("payments.services.store", "insert_rows"),
    ("payments.services.receive", "audit_events_bulk"),
    ("payments.services.posting", "_pending"),
    ("payments.services.posting", "_load"),
    ("payments.services.posting", "_post"),
    ("payments.services.posting", "insert_rows"),
    ("payments.services.posting", "line_payments_price"),
    ("payments.services.posting", "claims_adjudicate"),
    ("claims.services.transitions", "_save_adjudicated"),
    ("claims.services.transitions", "_insert_events"),
    ("payments.services.posting", "_mark_posted"),
    ("payments.services.posting", "audit_events_bulk"),
]


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL backend serving us, when it runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phases(text: str) -> None:
    """Read, store and post the file in this process, timing each phase: wall time, this
    process's CPU, the database backend's CPU and the SQL statements (COPY not counted), and
    COMMIT on its own (the deferred foreign key checks run there)."""
    import functools
    import importlib
    from collections import Counter, defaultdict

    _setup_django()
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test.utils import CaptureQueriesContext

    from payments import services
    from payments.services.posting import remittance_file_post
    from payments.services.receive import remittance_file_parse_rows

    _flush()
    _claims_for(text)
    file, _ = services.remittance_file_receive(text=text, file_name="bench.835", actor=None)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("SELECT pg_backend_pid()")
        (backend,) = cur.fetchone()
    wall: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    db: dict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()

    def timed(label: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args: object, **kwargs: object) -> object:
            w, c, d = time.perf_counter(), time.process_time(), _backend_cpu(backend)
            try:
                return function(*args, **kwargs)
            finally:
                wall[label] += time.perf_counter() - w
                cpu[label] += time.process_time() - c
                db[label] += _backend_cpu(backend) - d
                calls[label] += 1

        return run

    for module_name, name in PHASES:
        module = importlib.import_module(module_name)
        setattr(module, name, timed(f"{module_name.rsplit('.', 1)[1]}.{name}", getattr(module, name)))
    BaseDatabaseWrapper.commit = timed("COMMIT", BaseDatabaseWrapper.commit)  # type: ignore[method-assign]
    stored: dict[str, object] = {}

    def parse() -> None:
        stored["file"], stored["rows"] = remittance_file_parse_rows(file=file)

    def post() -> None:
        remittance_file_post(file=stored["file"], actor=None, stored=stored["rows"])  # type: ignore[arg-type]

    for label, step in (("read + store", parse), ("post", post)):
        with CaptureQueriesContext(connection) as queries:
            w, c, d = time.perf_counter(), time.process_time(), _backend_cpu(backend)
            step()
            print(
                f"{label}: {time.perf_counter() - w:.2f} s wall, {time.process_time() - c:.2f} s CPU here, "
                f"{_backend_cpu(backend) - d:.2f} s PostgreSQL CPU, {len(queries.captured_queries)} SQL "
                "statements (+ COPY)",
                file=sys.stderr,
            )
    print(f"  {'phase':44s} {'wall s':>7s} {'CPU s':>7s} {'PG CPU s':>8s} calls", file=sys.stderr)
    for label in sorted(wall, key=lambda k: -wall[k]):
        print(
            f"  {label:44s} {wall[label]:7.2f} {cpu[label]:7.2f} {db[label]:8.2f} {calls[label]:5d}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
