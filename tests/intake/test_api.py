"""Intake API: creates through services, role capabilities, audited reads, refusals as 400 JSON."""

from __future__ import annotations

import datetime as dt

import pytest

from infusion_rcm.audit.models import AuditEntry
from intake.models import EligibilityCheck, Order, Patient
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
BASE = "/api/v1/intake"


@pytest.fixture
def as_biller(api_client, biller):
    api_client.force_authenticate(biller)
    return api_client


@pytest.fixture
def as_nurse(api_client, nurse):
    api_client.force_authenticate(nurse)
    return api_client


def test_patient_create_warns_of_likely_duplicate(as_biller):
    BillingProviderFactory()
    existing = PatientFactory(first_name="Rosa", last_name="Quintero", date_of_birth=dt.date(1958, 3, 14))
    body = {
        "mrn": "NEW-1", "first_name": "Rosa", "last_name": "Quintero", "date_of_birth": "1958-03-14",
        "sex": "F", "address_line1": "1 A St", "city": "Springfield", "state": "IL", "zip_code": "62701",
    }  # fmt: skip
    r = as_biller.post(f"{BASE}/patients/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["likely_duplicates"] == [str(existing.public_id)]
    r = as_biller.post(f"{BASE}/patients/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "intake.duplicate"


def test_nurse_reads_patients_and_orders_but_not_money(as_nurse):
    order = OrderFactory()
    cov = CoverageFactory(patient=order.patient)
    EligibilityCheckFactory(coverage=cov)
    PriorAuthorizationFactory(coverage=cov)
    assert as_nurse.get(f"{BASE}/patients/").status_code == 200
    r = as_nurse.get(f"{BASE}/orders/{order.public_id}/")
    assert r.status_code == 200 and r.json()["drugs"][0]["hcpcs"] == "J1745"
    for path in ("coverages", "eligibility-checks", "authorizations"):
        assert as_nurse.get(f"{BASE}/{path}/").status_code == 403, path
    assert as_nurse.post(f"{BASE}/orders/", {}, format="json").status_code == 403


def test_manager_reads_but_cannot_write(api_client, manager):
    api_client.force_authenticate(manager)
    assert api_client.get(f"{BASE}/coverages/").status_code == 200
    assert api_client.post(f"{BASE}/coverages/", {}, format="json").status_code == 403
    order = OrderFactory()
    assert api_client.get(f"{BASE}/orders/{order.public_id}/advance/").status_code == 200
    r = api_client.post(
        f"{BASE}/orders/{order.public_id}/advance/", {"to_status": "cancelled"}, format="json"
    )
    assert r.status_code == 403


def test_ehr_pushes_an_order_with_drugs(as_biller):
    patient = PatientFactory()
    location = ServiceLocationFactory(billing_provider=patient.billing_provider)
    PrescriberFactory()
    body = {
        "patient": str(patient.public_id), "prescriber_npi": "1245319599", "location": location.pk,
        "therapy": "Ocrelizumab", "diagnosis_codes": ["K50.90"], "start_date": "2026-04-01",
        "drugs": [{"hcpcs": "J2350", "dose": "600", "dose_unit": "mg", "frequency": "every 6 months"}],
    }  # fmt: skip
    r = as_biller.post(f"{BASE}/orders/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["drugs"][0]["dose"] == "600.000"
    assert r.json()["diagnosis_codes"] == ["K50.90"]
    bad = {**body, "diagnosis_codes": ["K50"]}
    r = as_biller.post(f"{BASE}/orders/", bad, format="json")
    assert r.status_code == 400 and r.json()["code"] == "icd10.not_billable"
    neg = {**body, "drugs": [{**body["drugs"][0], "dose": "-1"}]}
    r = as_biller.post(f"{BASE}/orders/", neg, format="json")
    assert r.status_code == 400 and "more than zero" in r.json()["message"]
    assert Order.objects.count() == 1


def test_coverage_create_refusals(as_biller):
    patient = PatientFactory()
    medicare = PayerFactory(kind="medicare", payer_id="04412")
    body = {
        "patient": str(patient.public_id), "payer": "04412", "rank": "primary", "member_id": "1EG4-TE5-MK73",
        "effective_date": "2026-01-01",
    }  # fmt: skip
    assert as_biller.post(f"{BASE}/coverages/", body, format="json").status_code == 201
    r = as_biller.post(
        f"{BASE}/coverages/", {**body, "rank": "secondary", "member_id": "12345"}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "mbi.invalid"
    r = as_biller.post(f"{BASE}/coverages/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "coverage.overlap"
    r = as_biller.post(
        f"{BASE}/coverages/", {**body, "rank": "tertiary", "end_date": "2025-01-01"}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "dates.end_before_start"
    assert medicare.coverages.count() == 1


def test_eligibility_manual_270_and_271_import(
    as_biller, frozen_today, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("intake.tasks.eligibility_request_task.delay", calls.append)
    cov = CoverageFactory(member_id="123456789")  # the member the sample 271 answers for
    manual = {"coverage": str(cov.public_id), "service_date": "2026-03-10", "active": True, "copay": "20.00"}
    r = as_biller.post(f"{BASE}/eligibility-checks/", manual, format="json")
    assert r.status_code == 201 and r.json()["copay"] == "20.00" and r.json()["checked_on"] == "2026-03-10"
    with django_capture_on_commit_callbacks(execute=True):
        r = as_biller.post(
            f"{BASE}/eligibility-checks/",
            {"coverage": str(cov.public_id), "service_date": "2026-03-10", "mode": "270"},
            format="json",
        )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert len(calls) == 1
    pending = EligibilityCheck.objects.get(status="pending")
    assert [c["public_id"] for c in as_biller.get(f"{BASE}/eligibility-checks/import-271/").json()] == [
        str(pending.public_id)
    ]
    text = sample_271("lfh__subscriber-health-benefit-check.271").replace(
        "93175-012547", pending.trace_number
    )
    r = as_biller.post(f"{BASE}/eligibility-checks/import-271/", {"text": text[:200]}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "x12.271.invalid"
    pending.refresh_from_db()
    assert pending.status == "pending"
    r = as_biller.post(f"{BASE}/eligibility-checks/import-271/", {"text": text}, format="json")
    assert r.status_code == 200
    assert r.json()[0]["status"] == "complete" and r.json()[0]["copay"] == "10.00"


def test_authorization_create_and_burn_down(as_biller):
    cov = CoverageFactory()
    body = {
        "coverage": str(cov.public_id), "auth_number": "PA-9", "start_date": "2026-01-01", "end_date": "2026-06-30",
        "services": [{"code": "J1745", "authorized_units": "400"}],
    }  # fmt: skip
    r = as_biller.post(f"{BASE}/authorizations/", body, format="json")
    assert r.status_code == 201, r.json()
    svc = r.json()["services"][0]
    assert (svc["remaining_units"], svc["percent_remaining"]) == ("400.000", "100.00")
    r = as_biller.post(
        f"{BASE}/authorizations/", {**body, "auth_number": "PA-10", "services": [{"code": "J1745", "authorized_units": "-1"}]},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400


def test_order_advance_endpoint(as_biller, frozen_today):
    cov = CoverageFactory()
    order = OrderFactory(patient=cov.patient, start_date=frozen_today)
    url = f"{BASE}/orders/{order.public_id}/advance/"
    info = as_biller.get(url).json()
    assert info["next_status"] == "eligibility_verified" and info["blockers"]
    r = as_biller.post(url, {"to_status": "eligibility_verified"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "order.precondition"
    EligibilityCheckFactory(coverage=cov, checked_on=frozen_today)
    r = as_biller.post(url, {"to_status": "eligibility_verified"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "eligibility_verified"
    r = as_biller.post(url, {"to_status": "ready_to_schedule"}, format="json")
    assert r.status_code == 409


def test_reads_are_audited(as_biller, biller):
    patient = PatientFactory()
    as_biller.get(f"{BASE}/patients/{patient.public_id}/")
    assert AuditEntry.objects.filter(
        action="view", object_type="intake.patient", object_id=str(patient.pk)
    ).exists()
    as_biller.get(f"{BASE}/coverages/")
    assert AuditEntry.objects.filter(action="list", object_type="intake.coverage").exists()


def test_list_query_counts(as_biller, django_assert_max_num_queries):
    for _ in range(5):
        order = OrderFactory()
        PriorAuthorizationFactory(coverage=CoverageFactory(patient=order.patient))
    for path in ("orders", "authorizations", "coverages", "patients"):
        with django_assert_max_num_queries(12):
            assert as_biller.get(f"{BASE}/{path}/").status_code == 200
    assert Patient.objects.count() == 5
