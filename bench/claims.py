"""Benchmark of the claims pipeline on PostgreSQL with the real services: build claims from
reviewed charges, scrub them against payer rules, batch them into 837 files; plus pyx12 on a
500-claim sample.

Run from the repo root: .venv/bin/python bench/claims.py [--claims N]
Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/infusion_rcm_bench),
created and migrated if needed; claims, coding and intake rows are truncated before each run.
Fixtures (patients, coverages, eligibility checks, auths, orders, visits, charge lines) are
bulk-created with a fixed seed and are not timed. Prints:
    BENCH claims.build_per_s <n> claims/s
    BENCH claims.scrub_per_s <n> claims/s
    BENCH claims.batch_per_s <n> claims/s
    BENCH claims.pyx12_per_s <n> claims/s
    BENCH claims.total_s <n> s
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infusion_rcm_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "infusion_rcm.settings.test"
os.environ.setdefault("DJANGO_ENV", "test")

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args()
    n = args.claims

    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from claims import services
    from claims.domain.validation import validate_with_pyx12
    from claims.models import Claim, SubmissionBatch

    flush()
    t = time.perf_counter()
    make_fixtures(n)
    print(f"fixtures: {n} visits in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    start = time.perf_counter()
    t = time.perf_counter()
    built = services.claims_build_from_charges(enqueue_scrub=False)
    build_s = time.perf_counter() - t
    count = len(built.claims)
    assert count == n, (count, built.skipped[:3])

    t = time.perf_counter()
    outcome = services.claims_scrub_many(claim_ids=Claim.objects.values_list("pk", flat=True))
    scrub_s = time.perf_counter() - t
    ready = sum(1 for s in outcome.statuses.values() if s == "ready")

    t = time.perf_counter()
    batches = services.batch_build_all(validate=False)
    batch_s = time.perf_counter() - t
    batched = sum(b.claim_count for b in batches)
    total_s = time.perf_counter() - start

    sample_batch = SubmissionBatch.objects.filter(form="837P").order_by("pk").first()
    sample_ids = list(sample_batch.claims.order_by("pk").values_list("pk", flat=True)[:SAMPLE])
    from claims import mappers, selectors
    from claims.domain.x12_837 import build_837
    from infusion_rcm.common.x12 import Envelope

    rows = selectors.claims_for_drafts(Claim.objects.filter(pk__in=sample_ids).order_by("pk"))
    cache = mappers.DraftCache()
    drafts = [mappers.claim_to_draft(c, cache=cache) for c in rows]
    submitter, receiver = services._submitter_receiver(drafts[0].billing_provider)
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
    pyx12_s = time.perf_counter() - t

    print(
        f"built {count}, ready {ready}, needs_fix {count - ready}, batched {batched} in {len(batches)} files, "
        f"pyx12 errors on sample: {len(errors)}",
        file=sys.stderr,
    )
    print(f"BENCH claims.build_per_s {count / build_s:.0f} claims/s")
    print(f"BENCH claims.scrub_per_s {count / scrub_s:.0f} claims/s")
    print(f"BENCH claims.batch_per_s {batched / batch_s:.0f} claims/s")
    print(f"BENCH claims.pyx12_per_s {len(drafts) / pyx12_s:.0f} claims/s")
    print(f"BENCH claims.total_s {total_s:.1f} s")


if __name__ == "__main__":
    main()
