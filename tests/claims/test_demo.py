"""claims.demo.seed: payer rules and claims in every state, idempotent, robust with no charges."""

from __future__ import annotations

import io

import pytest

from claims import demo, services
from claims.domain.types import ClaimStatus
from claims.models import Claim, ClaimEvent, PayerRule
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def test_seed_without_charges_makes_rules_only():
    out = io.StringIO()
    demo.seed(out)
    assert PayerRule.objects.filter(enabled=True).count() >= 5 and not Claim.objects.exists()
    assert "no demo claims" in out.getvalue() or "no reviewed charges" in out.getvalue()


def test_seed_makes_every_state_with_events_and_is_idempotent(biller):
    pay = f.payer("medicare")
    for _ in range(len(demo.PATHS)):
        f.chemo_with_hydration(biller, pay)
    demo.seed(io.StringIO())
    states = set(Claim.objects.values_list("status", flat=True))
    assert states == {s.value for s in ClaimStatus}
    assert all(ClaimEvent.objects.filter(claim=c).exists() for c in Claim.objects.all())
    count = Claim.objects.count()
    rules = PayerRule.objects.count()
    demo.seed(io.StringIO())
    assert Claim.objects.count() == count and PayerRule.objects.count() == rules


def test_seed_demo_leaves_a_mornings_work_ready_to_bill(settings):
    """Ten-plus signed, reviewed visits on no claim: three sites, five kinds of payer, home per
    diems over days, a JW waste line and an accented name; seeding again adds none."""
    from django.core.management import call_command
    from django.utils import timezone

    from claims import selectors
    from coding.models import ChargeLine

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    rows = selectors.ready_to_bill_rows(selectors.ready_to_bill_queue(), as_of=timezone.localdate())
    assert len(rows) >= 10 and all(r.payer is not None and r.held_until is None for r in rows)
    assert {r.visit.location.site_of_care for r in rows} == {"aic", "ais", "home"}
    kinds = {r.payer.kind for r in rows}  # type: ignore[union-attr]
    assert {"medicare", "medicare_advantage", "medicaid", "commercial"} <= kinds
    assert any(r.payer.claim_filing_indicator == "CH" for r in rows)  # type: ignore[union-attr]  # TRICARE
    lines = ChargeLine.objects.filter(visit__in=[r.visit for r in rows])
    assert lines.filter(modifiers__contains=["JW"]).exists()
    assert any(ln.service_date_to > ln.service_date_from and ln.code.startswith("S95") for ln in lines)
    assert any(r.visit.patient.last_name == "Núñez" and r.visit.patient.first_name == "José" for r in rows)
    call_command("seed_demo", stdout=io.StringIO())
    assert selectors.ready_to_bill_queue().count() == len(rows)
    built = services.claims_build_ready(enqueue_scrub=False)
    assert len(built.claims) == len(rows) - 1 and built.skipped == []  # one monthly span claim of two visits


def test_morning_codes_and_identifiers_are_valid():
    from claims.demo_morning import MORNING, PRACTITIONERS
    from infusion_rcm.common.identifiers import validate_mbi, validate_npi
    from intake.domain.diagnosis import validate_icd10cm

    for row in MORNING:
        assert all(validate_icd10cm(code) == code for code in row.diagnoses)
        if row.payer_id == "15202":
            assert validate_mbi(row.member_id) == row.member_id
    assert all(validate_npi(npi) == npi for npi, *_ in PRACTITIONERS)
