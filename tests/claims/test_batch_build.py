"""Batches from the database: every 837 validates with pyx12; all-or-nothing; ISA13/GS06 from the
x12 register; claim numbers; held batches; release; the CLI."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from claims import services
from claims.domain.validation import validate_with_pyx12
from claims.models import Claim, ClaimEvent, SubmissionBatch
from claims.services import batches
from infusion_rcm.x12.control_numbers import control_numbers_take as x12_control_numbers_take
from infusion_rcm.x12.control_numbers import interchange_open
from infusion_rcm.x12.models import OutboundInterchange
from tests.claims import factories as f
from tests.claims.domain.factories import pyx12_errors_text

pytestmark = pytest.mark.django_db


def ready_claims(*visits) -> list[Claim]:
    claims = services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False).claims
    outcome = services.claims_scrub_many(claim_ids=[c.pk for c in claims])
    assert set(outcome.statuses.values()) == {"ready"}, [
        (c.claim_number, list(c.edits.filter(severity="error").values_list("message", flat=True)))
        for c in claims
    ]
    return claims


def test_daily_per_diem_lines_validate_with_pyx12(biller):
    visit = f.home_per_diems(biller, f.payer("commercial", per_diem_lines="daily"))
    (claim,) = ready_claims(visit)
    batch = services.batch_build(payer=claim.payer, actor=biller)
    assert_clean(batch)
    assert batch.content.count("SV1*HC:S9501:SH*100*UN*1") == 7


def assert_clean(batch: SubmissionBatch) -> None:
    errors = validate_with_pyx12(batch.content)
    assert not errors, pyx12_errors_text(errors)
    assert batch.status == "ready" and batch.validated and batch.validation_errors == []


@pytest.mark.parametrize(
    "scenario",
    [
        "office_sequential_concurrent",
        "chemo_with_hydration",
        "drug_with_waste",
        "home_per_diems",
        "hospital_outpatient",
    ],
)
def test_each_scenario_batch_validates_with_pyx12(biller, scenario):
    visit = getattr(f, scenario)(biller)
    (claim,) = ready_claims(visit)
    batch = services.batch_build(payer=claim.payer, actor=biller)
    assert_clean(batch)
    claim.refresh_from_db()
    assert claim.status == "batched" and claim.batch_id == batch.pk
    for line in claim.lines.all():
        assert f"REF*6R*{line.line_control_number}~" in batch.content
    assert batch.form == claim.form and batch.claim_count == 1 and batch.total_charge == claim.total_charge


def test_medicare_and_commercial_batches_several_claims_each(biller):
    medicare = f.payer("medicare", payer_id="MCRIL01")
    commercial = f.payer("commercial", payer_id="BCBSIL01")
    ready_claims(
        f.chemo_with_hydration(biller, medicare),
        f.drug_with_waste(biller, medicare),
        f.office_sequential_concurrent(biller, commercial),
        f.home_per_diems(biller, commercial),
    )
    batches = services.batch_build_all(actor=biller)
    assert sorted((b.payer.payer_id, b.claim_count) for b in batches) == [("BCBSIL01", 2), ("MCRIL01", 2)]
    for batch in batches:
        assert_clean(batch)
    assert "*005010X222A1~" in batches[0].content
    isa = sorted(b.interchange_control_number for b in batches)
    assert isa[1] == isa[0] + 1


def test_no_ready_claims_no_batch(biller):
    assert services.batch_build(payer=f.payer(), actor=biller) is None


def test_failure_inside_the_build_leaves_nothing_changed(biller):
    (claim,) = ready_claims(f.chemo_with_hydration(biller))
    events = ClaimEvent.objects.count()

    def crash(text):
        assert "ISA*" in text
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        services.batch_build(payer=claim.payer, actor=biller, after_render=crash)
    claim.refresh_from_db()
    assert claim.status == "ready" and claim.batch_id is None
    assert not SubmissionBatch.objects.exists()
    assert ClaimEvent.objects.count() == events
    # the retry (the task is acks_late: a killed worker's task runs again) batches the claim whole
    batch = services.batch_build(payer=claim.payer, actor=biller)
    claim.refresh_from_db()
    assert claim.status == "batched" and claim.batch_id == batch.pk and batch.claim_count == 1


def test_pyx12_errors_hold_the_batch_and_pull_back_returns_claims(biller, monkeypatch):
    (claim,) = ready_claims(f.chemo_with_hydration(biller))
    monkeypatch.setattr(batches, "validate_with_pyx12", lambda text: ["line 9 NM1: [1] bad"])
    batch = services.batch_build(payer=claim.payer, actor=biller)
    assert (
        batch.status == "held" and batch.validation_errors == ["line 9 NM1: [1] bad"] and not batch.validated
    )
    claim.refresh_from_db()
    assert claim.status == "batched"
    with pytest.raises(services.BatchStateError):
        services.batch_release(batch=batch, actor=biller)
    assert services.batch_pull_back(batch=batch, actor=biller) == 1
    claim.refresh_from_db()
    batch.refresh_from_db()
    assert claim.status == "ready" and claim.batch_id is None and batch.status == "withdrawn"


def test_release_submits_claims_once(biller):
    (claim,) = ready_claims(f.chemo_with_hydration(biller))
    batch = services.batch_build(payer=claim.payer, actor=biller)
    services.batch_release(batch=batch, actor=biller)
    claim.refresh_from_db()
    assert claim.status == "submitted" and batch.status == "released" and batch.released_at
    with pytest.raises(services.BatchStateError):
        services.batch_release(batch=batch, actor=biller)


def test_batch_claims_command_writes_one_file_per_payer(biller, tmp_path: Path):
    ready_claims(f.chemo_with_hydration(biller), f.office_sequential_concurrent(biller))
    call_command("batch_claims", "--out", str(tmp_path))
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2
    for path in files:
        assert not validate_with_pyx12(path.read_text())


def test_batch_takes_its_numbers_from_the_x12_register(biller):
    pro = f.chemo_with_hydration(biller)
    inst = f.hospital_outpatient(biller)
    ready_claims(pro, inst)
    built = {b.form: b for b in services.batch_build_all(actor=biller)}
    for form, guide in (("837P", "005010X222A1"), ("837I", "005010X223A2")):
        batch = built[form]
        record = batch.interchange
        assert (record.interchange_control, record.group_control) == (
            batch.interchange_control_number,
            batch.group_control_number,
        )
        assert (record.functional_id, record.transaction_set, record.version, record.transaction_count) == (
            "HC",
            "837",
            guide,
            1,
        )
        assert f"*{batch.interchange_control_number:09d}*" in batch.content.split("~")[0]
        assert (
            "GS*HC*INFUSIONRCM*CLEARINGHOUSE*" in batch.content
            and f"*{guide}~ST*837*0001*{guide}~" in batch.content
        )
        assert record.holds_set("837", "0001") and not record.holds_set("837", "0002")
    # the next interchange of any kind continues the same series
    nxt = interchange_open(functional_id="HS", transaction_set="270", version="005010X279A1")
    assert nxt.envelope.interchange_control > max(b.interchange_control_number for b in built.values())


def test_a_failed_build_leaves_no_register_row(biller):
    (claim,) = ready_claims(f.chemo_with_hydration(biller))

    def crash(text):
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        services.batch_build(payer=claim.payer, actor=biller, after_render=crash)
    assert not OutboundInterchange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_claim_numbers_unique_and_increasing_across_threads():
    (start,) = services.control_numbers_take("claim")
    seen: list[int] = []
    lock = threading.Lock()

    def work():
        try:
            for _ in range(25):
                values = services.control_numbers_take("claim")
                with lock:
                    seen.extend(values)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 100 and len(set(seen)) == 100
    assert min(seen) > start
    (after,) = services.control_numbers_take("claim")
    assert after > max(seen)  # increasing across callers, never reused
    block = services.control_numbers_take("claim", 10)
    assert block == sorted(set(block)) and len(block) == 10
    for series in ("isa", "gs", "st"):  # ISA13 / GS06 belong to the x12 service
        with pytest.raises(ValueError, match="unknown"):
            services.control_numbers_take(series)


@pytest.mark.django_db(transaction=True)
def test_control_numbers_survive_a_restart_of_the_process():
    """A new process (a worker restart) continues the series: the numbers live in the database."""
    import subprocess
    import sys

    (before,) = x12_control_numbers_take("gs")
    (claim_before,) = services.control_numbers_take("claim")
    env = {**os.environ, "DATABASE_URL": _db_url()}
    code = (
        "import django; django.setup(); from claims import services; "
        "from infusion_rcm.x12.control_numbers import control_numbers_take; "
        "print(control_numbers_take('gs')[0], services.control_numbers_take('claim')[0])"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    gs, claim = (int(v) for v in result.stdout.split())
    assert gs > before and claim > claim_before, result.stderr


def _db_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
