"""Every write and read of patient data lands in the append-only audit log."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from infusion_rcm.accounts.models import ApiToken
from infusion_rcm.audit.context import Actor, reset_actor, set_actor
from infusion_rcm.audit.models import AuditEntry
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def entries(action: str, patient) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action=action, object_type="intake.patient", object_id=str(patient.pk))
    )


def test_create_update_delete_are_recorded_with_user_address_and_fields(biller):
    token = set_actor(Actor(user_id=biller.pk, username="bill", ip="10.1.2.3"))
    try:
        patient = PatientFactory()
        patient.phone = "555-0100"
        patient.city = "Peoria"
        patient.save()
        pk = patient.pk
        patient.delete()
    finally:
        reset_actor(token)
    created = AuditEntry.objects.get(action="create", object_id=str(pk))
    assert created.user == biller and created.ip == "10.1.2.3"
    assert "last_name" in created.changed_fields
    updated = AuditEntry.objects.get(action="update", object_id=str(pk))
    assert updated.changed_fields == ["city", "phone"]
    assert AuditEntry.objects.filter(action="delete", object_id=str(pk), username="bill").exists()


def test_viewing_a_patient_page_is_recorded(biller_client, biller):
    patient = PatientFactory()
    response = biller_client.get(
        reverse("intake:patient_detail", args=[patient.public_id]), REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 200
    [entry] = entries("view", patient)
    assert entry.user == biller and entry.ip == "10.9.8.7"


def test_api_reads_are_recorded_for_token_users(biller, api_client):
    patient = PatientFactory()
    _, token = ApiToken.objects.create(user=biller)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(f"/api/v1/intake/patients/{patient.public_id}/").status_code == 200
    [entry] = entries("view", patient)
    assert entry.username == "bill"
    assert api_client.get("/api/v1/intake/patients/").status_code == 200
    listed = AuditEntry.objects.get(action="list", object_type="intake.patient")
    assert str(patient.public_id) in listed.extra["public_ids"] and str(patient.pk) in listed.extra["ids"]


def test_the_log_holds_no_patient_values(biller_client):
    patient = PatientFactory(last_name="Zyzzogeton", first_name="Philomena")
    biller_client.get(reverse("intake:patient_detail", args=[patient.public_id]))
    dump = str(list(AuditEntry.objects.values()))
    assert "Zyzzogeton" not in dump and "Philomena" not in dump


def test_nobody_can_change_or_delete_an_entry():
    PatientFactory()
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="view")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_admin_browses_and_filters_the_log(users):
    admin = Client()
    admin.force_login(users["admin"])
    patient = PatientFactory()
    other = PatientFactory()
    response = admin.get(reverse("audit:entry_list"), {"object_id": str(patient.pk), "action": "create"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"intake.patient {patient.pk}<" in body
    assert f"intake.patient {other.pk}<" not in body


def test_django_admin_audit_is_read_only(users):
    admin = Client()
    admin.force_login(users["admin"])
    PatientFactory()
    entry = AuditEntry.objects.first()
    assert admin.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    assert admin.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin.get("/admin/audit/auditentry/add/").status_code == 403


def test_application_logs_carry_no_patient_data(biller_client, caplog):
    patient = PatientFactory(last_name="Quillfeather")
    with caplog.at_level(logging.DEBUG):
        biller_client.get(reverse("intake:patient_detail", args=[patient.public_id]))
        biller_client.get("/intake/patients/", {"q": "Quillfeather"})
        biller_client.get("/intake/patients/not-a-uuid/")
    assert "Quillfeather" not in caplog.text


def test_bulk_writes_are_one_entry_per_chunk_and_the_filter_finds_each_id(users):
    from infusion_rcm.audit.services import BULK_IDS_PER_ENTRY, audit_events_bulk
    from intake.models import Patient

    patient = PatientFactory()
    other = PatientFactory()
    ids = [patient.pk, *range(10**6, 10**6 + BULK_IDS_PER_ENTRY)]
    audit_events_bulk(action="update", model=Patient, ids=ids, changed_fields=["city"])
    bulk = list(AuditEntry.objects.filter(action="update", object_type="intake.patient").order_by("pk"))
    assert [len(e.extra["ids"]) for e in bulk] == [BULK_IDS_PER_ENTRY, 1]
    assert all(e.object_id == "" and e.changed_fields == ["city"] for e in bulk)
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.get(reverse("audit:entry_list"), {"object_id": str(patient.pk), "action": "update"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    response = admin.get(reverse("audit:entry_list"), {"object_id": str(other.pk), "action": "update"})
    assert len(response.context["page"].object_list) == 0
