"""Findings 4 and 5: reads and writes that had no audit row, or no user, now have both."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import shared_task
from django.test import Client
from django.urls import reverse

from infusion_rcm.audit.context import Actor, reset_actor, set_actor
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import BULK_IDS_PER_ENTRY, audit_list
from infusion_rcm.audit.worker import HEADER, _on_publish
from intake import services as intake_services
from intake.models import AuthorizedService, OrderDrug, Patient
from tests.conftest import client_for
from tests.factories import PatientFactory, ServiceLocationFactory
from tests.intake.factories import CoverageFactory, PrescriberFactory

pytestmark = pytest.mark.django_db


def search(admin_user, value: str) -> list[AuditEntry]:
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("audit:entry_list"), {"object_id": value})
    return list(response.context["page"].object_list)


def test_html_and_api_list_reads_are_found_by_one_patient_search(biller, admin_user):
    patient = PatientFactory()
    client = client_for(biller)
    client.get(reverse("intake:patient_list"))
    client.get("/api/v1/intake/patients/")
    for value in (str(patient.pk), str(patient.public_id)):
        lists = [e for e in search(admin_user, value) if e.action == "list"]
        assert len(lists) == 2, value  # the page and the API, whichever id is searched
    client.get(reverse("intake:patient_detail", args=[patient.public_id]))
    assert any(e.action == "view" for e in search(admin_user, str(patient.public_id)))


def test_a_long_list_keeps_every_id(biller):
    class Request:
        user = biller

    ids = list(range(1, 2 * BULK_IDS_PER_ENTRY + 2))
    audit_list(Request(), Patient, ids)
    rows = AuditEntry.objects.filter(action="list", object_type="intake.patient").order_by("pk")
    assert sum(len(e.extra["ids"]) for e in rows) == len(ids)  # no cut-off at 500


def test_drugs_and_authorized_services_written_in_bulk_are_audited(biller):
    patient = PatientFactory()
    token = set_actor(Actor(user_id=biller.pk, username="bill", ip="10.0.0.5"))
    try:
        order = intake_services.order_create(
            patient=patient,
            prescriber=PrescriberFactory(),
            location=ServiceLocationFactory(billing_provider=patient.billing_provider),
            therapy="Infliximab",
            diagnosis_codes=["K50.90"],
            start_date=dt.date(2026, 3, 1),
            drugs=[{"hcpcs": "J1745", "dose": "400", "dose_unit": "MG", "frequency": "q8 weeks"}],
        )
        intake_services.auth_create(
            patient=patient,
            coverage=CoverageFactory(patient=patient),
            auth_number="A1",
            start_date=dt.date(2026, 3, 1),
            end_date=dt.date(2026, 9, 1),
            services=[{"code": "J1745", "authorized_units": "40"}],
        )
    finally:
        reset_actor(token)
    drug = OrderDrug.objects.get(order=order)
    service = AuthorizedService.objects.get()
    for model, row in (("intake.orderdrug", drug), ("intake.authorizedservice", service)):
        entry = AuditEntry.objects.get(action="create", object_type=model)
        assert entry.extra["ids"] == [str(row.pk)] and entry.user == biller and entry.ip == "10.0.0.5"


@shared_task
def _touch_patient(patient_id: int) -> None:
    patient = Patient.objects.get(pk=patient_id)
    patient.city = "Peoria"
    patient.save()


def test_worker_writes_carry_the_user_who_asked_and_worker_as_address(biller):
    patient = PatientFactory()
    headers: dict = {}
    token = set_actor(Actor(user_id=biller.pk, username="bill", ip="10.0.0.5"))
    try:
        _on_publish(headers=headers)  # what Celery calls as the web request enqueues the task
    finally:
        reset_actor(token)
    assert headers[HEADER] == {"user_id": biller.pk, "username": "bill"}
    _touch_patient.apply(args=[patient.pk], headers=headers)
    entry = AuditEntry.objects.get(action="update", object_id=str(patient.pk))
    assert entry.user == biller and entry.ip == "worker"
    # A task nobody asked for (beat) still says it was the worker.
    _touch_patient.apply(args=[patient.pk])
    assert AuditEntry.objects.filter(
        action="update", object_id=str(patient.pk), user=None, ip="worker"
    ).exists()


def test_the_claim_page_no_longer_prints_other_patients_837(biller):
    template = (
        __import__("pathlib").Path(__file__).resolve().parents[2]
        / "templates"
        / "claims"
        / "claim_detail.html"
    ).read_text()
    assert "batch_text" not in template
