"""Intake pages: forms through services, refusals shown to the biller, sections by role, the queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.models import AuthorizedService, Coverage, EligibilityCheck, Order, Patient
from tests.factories import BillingProviderFactory, PatientFactory, ServiceLocationFactory
from tests.intake.conftest import sample_271
from tests.intake.factories import (
    CoverageFactory,
    EligibilityCheckFactory,
    OrderFactory,
    PayerFactory,
    PrescriberFactory,
    PriorAuthorizationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_patient(frozen_today):
    cov = CoverageFactory(payer=PayerFactory(name="Blue Shield"))
    EligibilityCheckFactory(
        coverage=cov,
        checked_on=frozen_today - dt.timedelta(days=45),
        copay=Decimal("987.65"),
        deductible=Decimal("4321.00"),
    )
    PriorAuthorizationFactory(coverage=cov, auth_number="PA-SECRET", services=[("J1745", 100, 85)])
    OrderFactory(patient=cov.patient, therapy="Infliximab", start_date=frozen_today)
    OrderFactory(patient=cov.patient, therapy="Ocrelizumab", start_date=frozen_today, drugs=["J2350"])
    return cov.patient


def test_biller_sees_money_flags_and_burn_down(biller_client, rich_patient):
    body = biller_client.get(reverse("intake:patient_detail", args=[rich_patient.public_id])).content.decode()
    assert "987.65" in body and "4321.00" in body
    assert "PA-SECRET" in body and "15% left" in body.replace(".00%", "%")
    assert "eligibility stale" in body
    assert "no auth" in body  # Ocrelizumab (J2350) has no auth
    assert "<progress" in body


def test_nurse_sees_orders_and_authorized_yes_no_only(nurse_client, rich_patient):
    body = nurse_client.get(reverse("intake:patient_detail", args=[rich_patient.public_id])).content.decode()
    assert "Infliximab" in body and "Ocrelizumab" in body
    assert "no auth" in body and ">yes<" in body
    for secret in (
        "987.65",
        "4321.00",
        "PA-SECRET",
        "Copay",
        "Deductible",
        "Blue Shield",
        "Check eligibility",
    ):
        assert secret not in body, secret


def test_patient_create_warns_of_duplicate_then_allows_on_confirm(biller_client):
    provider = BillingProviderFactory()
    PatientFactory(first_name="Rosa", last_name="Quintero", date_of_birth=dt.date(1958, 3, 14))
    data = {
        "billing_provider": provider.pk, "mrn": "N-1", "first_name": "Rosa", "last_name": "Quintero",
        "date_of_birth": "1958-03-14", "sex": "F", "address_line1": "1 A", "city": "Springfield", "state": "il",
        "zip_code": "62701",
    }  # fmt: skip
    url = reverse("intake:patient_create")
    r = biller_client.post(url, data)
    assert r.status_code == 200 and "Likely duplicate" in r.content.decode()
    assert Patient.objects.count() == 1
    r = biller_client.post(url, {**data, "confirm_not_duplicate": "on"})
    assert r.status_code == 302
    assert Patient.objects.get(mrn="N-1").state == "IL"


def test_coverage_form_shows_mbi_and_overlap_messages(biller_client):
    patient = PatientFactory()
    medicare = PayerFactory(kind="medicare")
    url = reverse("intake:coverage_create", args=[patient.public_id])
    data = {"payer": medicare.pk, "rank": "primary", "member_id": "1EG4-TE5-MK7", "relationship": "self",
            "effective_date": "2026-01-01"}  # fmt: skip
    r = biller_client.post(url, data)
    assert r.status_code == 200 and "write it as 11 characters" in r.content.decode()
    assert biller_client.post(url, {**data, "member_id": "1EG4-TE5-MK73"}).status_code == 302
    r = biller_client.post(url, {**data, "member_id": "1EG4-TE5-MK73", "end_date": "2025-01-01"})
    assert "before its start date" in r.content.decode()
    assert Coverage.objects.count() == 1


def test_order_form_with_drugs_and_icd_refusal(biller_client):
    patient = PatientFactory()
    location = ServiceLocationFactory(billing_provider=patient.billing_provider)
    prescriber = PrescriberFactory()
    url = reverse("intake:order_create", args=[patient.public_id])
    data = {
        "prescriber": prescriber.pk, "location": location.pk, "therapy": "IVIG", "diagnosis_codes": "D80",
        "start_date": "2026-04-01", "drugs-TOTAL_FORMS": "3", "drugs-INITIAL_FORMS": "0",
        "drugs-0-hcpcs": "J1569", "drugs-0-dose": "40", "drugs-0-dose_unit": "g", "drugs-0-frequency": "every 4 weeks",
    }  # fmt: skip
    r = biller_client.post(url, data)
    assert r.status_code == 200 and "not a billable code" in r.content.decode()
    r = biller_client.post(url, {**data, "diagnosis_codes": "D80.1, D80.3"})
    assert r.status_code == 302
    order = Order.objects.get()
    assert order.diagnosis_codes == ["D80.1", "D80.3"]
    assert list(order.drugs.values_list("hcpcs", flat=True)) == ["J1569"]


def test_auth_form_with_services(biller_client):
    cov = CoverageFactory()
    url = reverse("intake:auth_create", args=[cov.patient.public_id])
    data = {
        "coverage": cov.pk, "auth_number": "A1", "start_date": "2026-01-01", "end_date": "2026-06-30",
        "status": "approved", "services-TOTAL_FORMS": "3", "services-INITIAL_FORMS": "0",
        "services-0-code": "J1745", "services-0-authorized_units": "-5", "services-0-unit_kind": "units",
        "services-1-unit_kind": "units", "services-2-unit_kind": "units",
    }  # fmt: skip
    r = biller_client.post(url, data)
    assert r.status_code == 200 and "more than zero" in r.content.decode()
    assert biller_client.post(url, {**data, "services-0-authorized_units": "400"}).status_code == 302
    assert AuthorizedService.objects.get().authorized_units == Decimal(400)


def test_manual_eligibility_and_270_button(biller_client, frozen_today, monkeypatch):
    monkeypatch.setattr("intake.tasks.eligibility_request_task.delay", lambda *a: None)
    cov = CoverageFactory()
    url = reverse("intake:eligibility_create", args=[cov.public_id])
    r = biller_client.post(url, {"checked_on": "2026-03-10", "service_date": "2026-03-10", "active": "true",
                                 "copay": "-1"})  # fmt: skip
    assert "copay cannot be negative" in r.content.decode()
    r = biller_client.post(
        url, {"checked_on": "2026-03-10", "service_date": "2026-03-10", "active": "true", "copay": "30"}
    )
    assert r.status_code == 302
    r = biller_client.post(url, {"service_date": "2026-03-11", "send_270": "1"})
    assert r.status_code == 302
    assert EligibilityCheck.objects.filter(status="pending").count() == 1


def test_271_upload_page(biller_client, frozen_today):
    # The sample 271 answers for member 123456789; the import matches trace and member.
    EligibilityCheckFactory(
        status="pending",
        trace_number="93175-012547",
        active=None,
        coverage=CoverageFactory(member_id="123456789"),
    )
    url = reverse("intake:eligibility_import")
    r = biller_client.post(url, {"file": SimpleUploadedFile("x.271", b"ISA*junk")})
    assert r.status_code == 200 and "271 refused" in r.content.decode()
    text = sample_271("lfh__subscriber-health-benefit-check.271").encode()
    r = biller_client.post(url, {"file": SimpleUploadedFile("x.271", text)})
    assert r.status_code == 302
    assert EligibilityCheck.objects.get().status == "complete"


def test_queue_page_and_moving_an_order(biller_client, frozen_today, django_assert_max_num_queries):
    cov = CoverageFactory()
    order = OrderFactory(patient=cov.patient, start_date=frozen_today)
    OrderFactory(status="ready_to_schedule")
    with django_assert_max_num_queries(25):
        body = biller_client.get(reverse("intake:intake_queue")).content.decode()
    for label in ("New order", "Eligibility verified", "Auth obtained", "Ready to schedule", "Scheduled"):
        assert label in body
    # Never checked is said as such (it used to read "eligibility stale"), and so is no coverage.
    assert "never checked" in body and "no coverage in force" in body and "no auth" in body
    assert "eligibility stale" not in body
    url = reverse("intake:order_advance", args=[order.public_id])
    r = biller_client.get(url)
    assert "no eligibility check on file" in r.content.decode()
    r = biller_client.post(url, {})
    assert r.status_code == 200 and "no eligibility check on file" in r.content.decode()
    EligibilityCheckFactory(coverage=cov, checked_on=frozen_today)
    assert biller_client.post(url, {}).status_code == 302
    r = biller_client.post(url, {})
    assert "covers J1745" in r.content.decode()
    assert biller_client.post(url, {"no_auth_reason": "Plan requires no PA for J1745"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "auth_obtained"
