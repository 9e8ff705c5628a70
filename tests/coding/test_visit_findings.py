"""Issue 10 items 2 and 3: warnings are part of the coded result; intake gates at the point of care."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from coding import services
from coding.models import Administration, Drug, Visit, VisitFinding
from intake.models import AuthorizedService, EligibilityCheck, Order, PriorAuthorization
from tests.coding.factories import covered_patient

pytestmark = pytest.mark.django_db
R_AC = {"access_site": "antecubital", "access_side": "right", "access_device": "peripheral_iv"}


def _cleared(order: Order) -> None:
    """Eligibility verified today and an approved authorization for the order's drugs."""
    coverage = order.patient.coverages.get()
    today = dt.date.today()
    EligibilityCheck.objects.create(coverage=coverage, checked_on=today, service_date=today, active=True)
    auth = PriorAuthorization.objects.create(
        patient=order.patient,
        coverage=coverage,
        auth_number="PA-9",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=300),
    )
    for drug in order.drugs.all():
        AuthorizedService.objects.create(authorization=auth, code=drug.hcpcs, authorized_units=Decimal(500))


def _ivig_without_waste(nurse):
    _, order = covered_patient(payer_kind="medicare", drugs=(("J1459", "30000", "mg"),))
    _cleared(order)
    visit = services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)
    services.administration_save(
        visit=visit,
        administration=Administration(
            drug=Drug.objects.get(hcpcs="J1459"),
            route="iv_infusion",
            start=dt.time(9),
            stop=dt.time(12),
            dose=Decimal("30000"),
            dose_unit="mg",
            wasted=None,
            **R_AC,
        ),
    )
    return visit


def test_signing_stores_the_engines_warnings_with_the_lines(nurse):
    """IVIG for Medicare with "Wasted" blank: DRG-W2 was dropped at signing; now it is kept."""
    visit = _ivig_without_waste(nurse)
    services.visit_sign(visit=visit, actor=nurse)
    finding = VisitFinding.objects.get(visit=visit, rule_id="DRG-W2")
    assert finding.severity == "warning" and finding.source == "engine"
    assert finding.code == "J1459" and finding.administration == visit.administrations.get()
    assert "discarded amount is not documented" in finding.message
    assert not VisitFinding.objects.filter(visit=visit, source="intake").exists()  # intake cleared


def test_the_nurse_sees_the_warning_before_signing_and_can_fix_the_row(nurse, nurse_client):
    visit = _ivig_without_waste(nurse)
    url = reverse("coding:visit_detail", args=[visit.public_id])
    page = nurse_client.get(url).content.decode()
    assert "Check before signing" in page and 'data-rule="DRG-W2"' in page
    row = visit.administrations.get()
    assert f"?edit={row.pk}#record-administration" in page
    assert not VisitFinding.objects.filter(visit=visit).exists()  # a preview: nothing stored
    data = {"action": "administration", "row": row.pk, "drug": row.drug_id, "route": "iv_infusion"}
    data.update(encounter=1, start="09:00", stop="12:00", dose="30000", dose_unit="mg", wasted="0", **R_AC)
    nurse_client.post(url, data)
    page = nurse_client.get(url).content.decode()
    assert 'data-rule="DRG-W2"' not in page
    services.visit_sign(visit=visit, actor=nurse)
    assert ("J1459", ("JZ",)) in {(ln.code, tuple(ln.modifiers)) for ln in visit.charge_lines.all()}


def test_the_biller_sees_the_warnings_on_charge_review(nurse, biller_client):
    visit = _ivig_without_waste(nurse)
    services.visit_sign(visit=visit, actor=nurse)
    page = biller_client.get(reverse("coding:charge_review")).content.decode()
    assert "Warnings with the coded lines" in page and 'data-rule="DRG-W2"' in page
    detail = biller_client.get(reverse("coding:visit_detail", args=[visit.public_id])).content.decode()
    assert 'data-rule="DRG-W2"' in detail


def test_a_visit_that_cannot_be_coded_says_why_before_signing(nurse, nurse_client):
    _, order = covered_patient()
    visit = services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)
    order.patient.coverages.all().delete()
    services.administration_save(
        visit=visit,
        administration=Administration(route="iv_push", start=dt.time(9), stop=dt.time(9, 5), **R_AC),
    )
    page = nurse_client.get(reverse("coding:visit_detail", args=[visit.public_id])).content.decode()
    assert 'data-test="sign-blocked"' in page and "no coverage in force" in page


def test_starting_under_an_order_still_new_warns_the_nurse_and_marks_the_visit(nurse_client, biller_client):
    _, order = covered_patient()
    Order.objects.filter(pk=order.pk).update(status="new")
    page = nurse_client.post(reverse("coding:visit_list"), {"order": order.public_id}, follow=True)
    text = page.content.decode()
    assert "intake has not reviewed" in text and "Eligibility with" in text and "never been verified" in text
    assert "No approved authorization in force covers J1745" in text
    visit = Visit.objects.get(order=order)
    assert set(visit.findings.values_list("rule_id", flat=True)) == {"POC-ORDER", "POC-ELIG", "POC-AUTH"}
    listing = nurse_client.get(reverse("coding:visit_list")).content.decode()
    assert 'data-test="gate-POC-ELIG"' in listing


def test_signing_keeps_the_gate_for_the_biller_before_any_claim(nurse, biller_client):
    _, order = covered_patient(payer_kind="medicare")
    visit = services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)
    services.administration_save(
        visit=visit,
        administration=Administration(
            drug=Drug.objects.get(hcpcs="J1745"),
            route="iv_infusion",
            start=dt.time(9),
            stop=dt.time(11),
            dose=Decimal(400),
            dose_unit="mg",
            wasted=Decimal(0),
            **R_AC,
        ),
    )
    services.visit_sign(visit=visit, actor=nurse)
    rules = set(visit.findings.values_list("rule_id", flat=True))
    assert {"POC-ELIG", "POC-AUTH"} <= rules
    page = biller_client.get(reverse("coding:charge_review")).content.decode()
    assert "never been verified" in page


def test_a_cleared_order_starts_without_gate_findings(nurse):
    _, order = covered_patient()
    _cleared(order)
    visit = services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)
    assert services.visit_gate(visit=visit) == []


def test_stale_and_inactive_checks_say_so(nurse):
    _, order = covered_patient()
    coverage = order.patient.coverages.get()
    old = dt.date.today() - dt.timedelta(days=400)
    EligibilityCheck.objects.create(coverage=coverage, checked_on=old, service_date=old, active=True)
    visit = services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)
    (elig,) = [f for f in services.visit_gate(visit=visit) if f.rule_id == "POC-ELIG"]
    assert f"last verified {old:%Y-%m-%d}" in elig.message
    EligibilityCheck.objects.create(
        coverage=coverage, checked_on=dt.date.today(), service_date=dt.date.today(), active=False
    )
    findings, _ = services.visit_findings_preview(visit=visit)
    assert any("found the coverage not active" in f.message for f in findings)
