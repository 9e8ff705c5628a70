"""Claims from reviewed charges: grouping, payer in force, pointers, auth number, NDC, revenue codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims import services
from claims.models import Claim, ClaimEvent
from coding.models import ChargeLine
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def test_one_claim_per_visit_with_payer_in_force_primary_first(biller):
    visit = f.office_sequential_concurrent(biller)
    secondary = f.payer("medicaid")
    f.coverage(visit.patient, secondary, rank="secondary")
    result = services.claims_build_from_charges(visit_ids=[visit.pk], actor=biller, enqueue_scrub=False)
    (claim,) = result.claims
    claim = Claim.objects.get(pk=claim.pk)
    primary = visit.patient.coverages.get(rank="primary")
    assert claim.payer_id == primary.payer_id and claim.coverage_id == primary.pk
    assert claim.status == "draft" and claim.form == "837P" and claim.place_of_service == "11"
    assert claim.diagnosis_codes == ["K5090", "D509"]
    assert claim.prior_auth_number == "PA778899"
    assert claim.referring_provider.npi == f.NPI_PRESCRIBER
    assert claim.total_charge == Decimal("2005.00")
    lines = list(claim.lines.all())
    assert [ln.code for ln in lines] == ["96365", "96366", "96367", "96368", "J1745", "J1756"]
    assert all(ln.diagnosis_pointers == [1, 2] for ln in lines)
    assert (
        lines[4].ndc == "57894003001" and lines[4].ndc_quantity == Decimal("4") and lines[4].ndc_unit == "UN"
    )
    assert len({ln.line_control_number for ln in lines}) == 6
    assert not ChargeLine.objects.filter(visit=visit).exclude(status="on_claim").exists()
    (event,) = ClaimEvent.objects.filter(claim=claim)
    assert (event.from_status, event.to_status, event.actor) == ("", "draft", biller)


def test_building_twice_makes_no_second_claim(biller):
    visit = f.chemo_with_hydration(biller)
    services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False)
    again = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False)
    assert again.claims == [] and Claim.objects.filter(visit=visit).count() == 1


def test_visit_without_coverage_is_skipped_and_lines_stay_reviewed(biller):
    pat = f.patient()
    visit = f.visit(pat, f.location(), biller)
    f.charge(visit, 1, "96365", "350.00")
    result = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False)
    assert result.claims == [] and result.skipped[0][0] == visit.pk and "no coverage" in result.skipped[0][1]
    assert ChargeLine.objects.get(visit=visit).status == "reviewed"


def test_coverage_ended_before_the_date_of_service_is_not_used(biller):
    pat = f.patient()
    old = f.payer("commercial")
    new = f.payer("medicare")
    dos = f.today() - dt.timedelta(days=5)
    f.coverage(pat, old, end_date=dos - dt.timedelta(days=1))
    f.coverage(pat, new, effective_date=dos - dt.timedelta(days=1))
    visit = f.visit(pat, f.location(), biller, dos=dos)
    f.charge(visit, 1, "96365", "350.00")
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.payer_id == new.pk


def test_home_per_diems_span_days(biller):
    visit = f.home_per_diems(biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.place_of_service == "12"
    assert (claim.service_date_to - claim.service_date_from).days == 6
    per_diem = claim.lines.get(code="S9501")
    assert per_diem.modifiers == ["SH"] and per_diem.units == 7


def test_institutional_claim_gets_revenue_codes(biller):
    visit = f.hospital_outpatient(biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.form == "837I" and claim.place_of_service == ""
    assert [(ln.code, ln.revenue_code) for ln in claim.lines.all()] == [
        ("96365", "0260"),
        ("96366", "0260"),
        ("J1745", "0636"),
        ("J7050", "0258"),
    ]


def test_payer_that_wants_837i_gets_837i_even_from_an_infusion_center(biller):
    pay = f.payer("commercial", form="837I")
    visit = f.chemo_with_hydration(biller, pay)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.form == "837I"


def test_overridden_charge_line_is_billed_as_overridden(biller):
    visit = f.chemo_with_hydration(biller)
    line = visit.charge_lines.get(code="96361")
    ChargeLine.objects.filter(pk=line.pk).update(
        override_code="96360", override_units=2, override_reason="documented", overridden_at=f.timezone.now()
    )
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    billed = claim.lines.get(line_number=3)
    assert (billed.code, billed.units) == ("96360", 2)


def test_revenue_code_table():
    assert services.revenue_code_for("96413") == "0260"
    assert services.revenue_code_for("J9035") == "0636"
    assert services.revenue_code_for("Q5103") == "0636"
    assert services.revenue_code_for("J7050") == "0258"
    assert services.revenue_code_for("99213") == "0510"


def test_home_per_diems_one_line_per_day_when_the_payer_wants_it(biller):
    visit = f.home_per_diems(biller, f.payer("commercial", per_diem_lines="daily"))
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    per_diem = list(claim.lines.filter(code="S9501").order_by("service_date_from"))
    assert len(per_diem) == 7
    assert all(ln.units == 1 and ln.service_date_from == ln.service_date_to for ln in per_diem)
    assert [ln.service_date_from for ln in per_diem] == [
        claim.service_date_from + dt.timedelta(days=i) for i in range(7)
    ]
    assert sum(ln.charge for ln in per_diem) == Decimal("700.00")
    assert all(ln.modifiers == ["SH"] for ln in per_diem)
    assert sum(ln.charge for ln in claim.lines.all()) == claim.total_charge
    numbers = list(claim.lines.order_by("line_number").values_list("line_number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
