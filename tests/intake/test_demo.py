"""seed_demo's intake part: idempotent, a queue with items in every column, the documented examples."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from claims.demo_morning import MORNING, PRACTITIONERS
from infusion_rcm.common.identifiers import validate_mbi
from intake import selectors
from intake.demo import PATIENTS
from intake.domain.diagnosis import validate_icd10cm
from intake.models import (
    Coverage,
    EligibilityCheck,
    IntakeAlert,
    Order,
    Patient,
    Payer,
    Prescriber,
    PriorAuthorization,
)


def test_demo_codes_are_valid():
    for row in PATIENTS:
        for code in row[12]:
            assert validate_icd10cm(code) == code
        if row[5] in ("15202", "15201"):
            validate_mbi(row[6])


@pytest.mark.django_db
def test_seed_demo_fills_every_queue_column_idempotently():
    call_command("seed_demo")
    counts = [
        m.objects.count()
        for m in (
            Payer,
            Prescriber,
            Patient,
            Coverage,
            Order,
            EligibilityCheck,
            PriorAuthorization,
            IntakeAlert,
        )
    ]
    call_command("seed_demo")
    assert [
        m.objects.count()
        for m in (
            Payer,
            Prescriber,
            Patient,
            Coverage,
            Order,
            EligibilityCheck,
            PriorAuthorization,
            IntakeAlert,
        )
    ] == counts
    # intake's own rows, plus the practitioners and patients of the claims demo's morning of work
    assert counts[0] >= 10 and counts[1] == 3 + len(PRACTITIONERS) and counts[2] == 16 + len(MORNING)
    assert set(Payer.objects.values_list("claim_form", flat=True)) == {"837P", "837I"}
    queue = selectors.intake_queue()
    assert all(queue[column] for column in queue), {k: len(v) for k, v in queue.items()}
    rows = [r for col in queue.values() for r in col]
    assert any(r.eligibility_stale for r in rows)
    assert any(r.no_auth for r in rows)
    assert EligibilityCheck.objects.filter(active=False).exists()
    kinds = set(IntakeAlert.objects.values_list("kind", flat=True))
    assert "expiring" in kinds and any(k.startswith("low_units") for k in kinds) and "order_no_auth" in kinds
