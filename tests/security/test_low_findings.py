"""The Low findings of issue 15, one test (or more) each. The lock-out one is in
test_sign_in_paths.py, the 401 one in test_api_tokens.py."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims import services as claim_services
from claims.models import Acknowledgment, PayerRule
from infusion_rcm.audit.logging import NoQueryStringFilter
from infusion_rcm.common.errors import InvalidInputError
from intake import services as intake_services
from intake.models import IntakeAlert
from tests.conftest import client_for
from tests.factories import BillingProviderFactory, PatientFactory, ServiceLocationFactory
from tests.intake.conftest import sample_271
from tests.intake.factories import CoverageFactory, EligibilityCheckFactory, OrderFactory, PrescriberFactory

pytestmark = pytest.mark.django_db


def test_a_refused_upload_is_not_kept_whole(biller):
    text = "NOT X12 " * (2 * 1024 * 1024 // 8)  # 2 MB of something that is not a 999 or 277CA
    response = client_for(biller).post(
        reverse("claims:acknowledgment_import"),
        {"file": SimpleUploadedFile("big.999", text.encode(), content_type="text/plain")},
        follow=True,
    )
    assert response.status_code == 200
    ack = Acknowledgment.objects.get()
    assert ack.status == "failed"
    assert len(ack.content) <= 64 * 1024 < len(text)
    assert "only the first 64 KB" in ack.error
    # The same file again is still recognised (by its checksum), not stored a second time.
    claim_services.acknowledgment_import(text=text, file_name="big.999", actor=biller)
    assert Acknowledgment.objects.count() == 1


def test_a_271_is_matched_on_trace_and_member_not_the_trace_alone():
    check = EligibilityCheckFactory(
        status="pending", source="271", active=None, copay=None, plan_name="",
        trace_number="93175-012547", coverage=CoverageFactory(member_id="SOMEONE-ELSE"),
    )  # fmt: skip
    with pytest.raises(InvalidInputError, match="another member"):
        intake_services.eligibility_import_271(text=sample_271("lfh__subscriber-health-benefit-check.271"))
    check.refresh_from_db()
    assert check.status == "pending"


def test_alert_resolve_does_not_redirect_off_site(biller):
    alert = IntakeAlert.objects.create(
        kind="auth_expiring", message="x", patient=PatientFactory(), raised_on=timezone.localdate()
    )
    client = client_for(biller)
    url = reverse("intake:alert_resolve", args=[alert.pk])
    response = client.post(url, {"next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == reverse("intake:intake_queue")
    response = client.post(url, {"next": "//evil.example/"})
    assert response["Location"] == reverse("intake:intake_queue")
    ok = client.post(url, {"next": "/intake/patients/"})
    assert ok["Location"] == "/intake/patients/"


def test_patient_searches_do_not_reach_the_web_log(settings):
    handlers = settings.LOGGING["loggers"]["django.server"]["handlers"]
    assert all("no_query" in settings.LOGGING["handlers"][h]["filters"] for h in handlers)
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /intake/patients/?q=Quillfeather+1961-04-02 HTTP/1.1", "200", "512"), None,
    )  # fmt: skip
    NoQueryStringFilter().filter(record)
    line = record.getMessage()
    assert "Quillfeather" not in line and "1961" not in line
    assert "GET /intake/patients/ HTTP/1.1" in line
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    assert "%(U)s" in compose and "%(q)s" not in compose and "%(r)s" not in compose


def test_implausible_dates_and_doses_are_refused():
    patient = PatientFactory()
    with pytest.raises(InvalidInputError, match="before 1900"):
        intake_services.patient_create(
            billing_provider=BillingProviderFactory(), mrn="M-1", first_name="A", last_name="B",
            date_of_birth=dt.date(1066, 10, 14), sex="F",
        )  # fmt: skip
    base = {
        "patient": patient,
        "prescriber": PrescriberFactory(),
        "location": ServiceLocationFactory(billing_provider=patient.billing_provider),
        "therapy": "Infliximab",
        "diagnosis_codes": ["K50.90"],
        "start_date": dt.date(2026, 3, 1),
        "drugs": [{"hcpcs": "J1745", "dose": "400", "dose_unit": "mg", "frequency": "q8w"}],
    }
    with pytest.raises(InvalidInputError, match="not a plausible date"):
        intake_services.order_create(**{**base, "start_date": dt.date(2926, 3, 1)})
    with pytest.raises(InvalidInputError, match="not a plausible single dose"):
        intake_services.order_create(
            **{
                **base,
                "drugs": [{"hcpcs": "J1745", "dose": "4000000", "dose_unit": "mg", "frequency": "q8w"}],
            }
        )
    assert intake_services.order_create(**base).pk


def test_nurses_list_only_the_patients_of_their_day(nurse, biller):
    from coding import services as coding_services

    booked = PatientFactory(last_name="Booked")
    PatientFactory(last_name="Elsewhere")
    order = OrderFactory(patient=booked)
    coding_services.visit_start(patient=booked, location=order.location, order=order, actor=nurse)  # today
    page = client_for(nurse).get(reverse("intake:patient_list")).content.decode()
    assert "Booked" in page and "Elsewhere" not in page
    api = APIClient()
    api.force_authenticate(nurse)
    names = [p["last_name"] for p in api.get("/api/v1/intake/patients/").json()["results"]]
    assert names == ["Booked"]
    assert "Elsewhere" in client_for(biller).get(reverse("intake:patient_list")).content.decode()


def test_an_empty_patch_of_a_payer_rule_makes_no_new_version(admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    created = api.post(
        "/api/v1/claims/payer-rules/",
        {"config": {"kind": "max_units_per_day", "rule_id": "J1745-CAP", "code": "J1745", "units": "150"}},
        format="json",
    ).json()
    response = api.patch(f"/api/v1/claims/payer-rules/{created['id']}/", {}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert PayerRule.objects.get(pk=created["id"]).versions.count() == 1
