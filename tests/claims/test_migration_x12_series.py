"""claims.0005: stored batches join the register, and the x12 series continue after every ISA13 /
GS06 already used (old claims sequences, stored batches, 270s that used their check id)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from claims import services
from claims.models import Claim, SubmissionBatch
from infusion_rcm.x12.control_numbers import control_numbers_take
from intake.models import EligibilityCheck
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("claims.migrations.0005_submissionbatch_interchange")


def regclass(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        return cursor.fetchone()[0]


def test_forward_registers_old_batches_and_continues_after_every_number_used(biller):
    claims = services.claims_build_from_charges(
        visit_ids=[f.chemo_with_hydration(biller).pk], enqueue_scrub=False
    ).claims
    services.claims_scrub_many(claim_ids=[c.pk for c in claims])
    new = services.batch_build(payer=claims[0].payer, actor=biller, validate=False)
    (base,) = control_numbers_take("isa")
    # a batch built before the register: its numbers in its columns only
    old = SubmissionBatch.objects.create(
        payer=new.payer,
        form=new.form,
        status=SubmissionBatch.Status.RELEASED,
        interchange_control_number=base + 500,
        group_control_number=base + 600,
        file_name="old.x12",
        content=new.content,
        claim_count=1,
        total_charge=new.total_charge,
    )
    Claim.objects.filter(pk=claims[0].pk).update(batch=old)
    # a 270 that used its check id as ISA13 / GS06
    EligibilityCheck.objects.create(
        pk=base + 700,
        coverage=claims[0].coverage,
        checked_on=f.today(),
        service_date=f.today(),
        source=EligibilityCheck.Source.X12_271,
        status=EligibilityCheck.Status.COMPLETE,
    )
    # the old claims ISA13 series, further still
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE claims_control_isa START WITH {base + 800}")
        cursor.execute("SELECT nextval('claims_control_isa')")
        cursor.execute(f"CREATE SEQUENCE claims_control_gs START WITH {base + 100}")

    with connection.schema_editor() as editor:
        MIGRATION.forward(apps, editor)

    old.refresh_from_db()
    record = old.interchange
    assert (record.interchange_control, record.group_control, record.functional_id) == (
        base + 500,
        base + 600,
        "HC",
    )
    assert (record.transaction_set, record.version, record.transaction_count) == ("837", "005010X222A1", 1)
    assert (record.sender_id, record.receiver_id) == (new.interchange.sender_id, new.interchange.receiver_id)
    assert SubmissionBatch.objects.get(pk=new.pk).interchange_id == new.interchange_id  # left as it was
    assert control_numbers_take("isa") == [base + 801]
    assert control_numbers_take("gs") == [base + 701]  # after the check id, the highest GS06 used
    assert regclass("claims_control_isa") is None and regclass("claims_control_gs") is None
    assert regclass("claims_control_claim") is not None  # the claim-number series stays
