"""The patient side of the API: ledger, recording a payment (floats and over-application
refused whole), receipt, refund asked and decided, statement run and stored PDF; roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from payments.models import PatientPayment, PatientRefund, Statement
from tests.payments.patient_helpers import expected_pr, primary_paid

pytestmark = pytest.mark.django_db
DED = Decimal("240.00")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_ledger_payment_refund_statement(biller, manager, nurse):
    claim = primary_paid(biller, deductible=DED)
    patient = claim.patient
    owed = expected_pr(claim, DED)
    ledger = api(biller).get(f"/api/v1/payments/patients/{patient.public_id}/ledger/")
    assert ledger.status_code == 200
    body = ledger.json()
    assert body["patient_due"] == str(owed) and body["services"][0]["state"] == "patient_due"
    assert body["services"][0]["service"] == str(claim.public_id)
    assert body["activity"][-1]["balance"] == str(owed)
    assert api(nurse).get(f"/api/v1/payments/patients/{patient.public_id}/ledger/").status_code == 403

    base = {
        "patient": str(patient.public_id),
        "method": "cash",
        "channel": "front_desk",
        "received_on": dt.date.today().isoformat(),
    }
    float_amount = api(biller).post(
        "/api/v1/payments/patient-payments/", base | {"amount": 10.5}, format="json"
    )
    assert float_amount.status_code == 400
    over = api(biller).post(
        "/api/v1/payments/patient-payments/",
        base
        | {"amount": "9999.00", "applications": [{"service": str(claim.public_id), "amount": str(owed + 1)}]},
        format="json",
    )
    assert over.status_code == 400 and "more than the" in over.json()["message"]
    assert not PatientPayment.objects.exists()
    assert (
        api(manager)
        .post("/api/v1/payments/patient-payments/", base | {"amount": "5.00"}, format="json")
        .status_code
        == 403
    )
    made = api(biller).post(
        "/api/v1/payments/patient-payments/", base | {"amount": str(owed + Decimal("12.00"))}, format="json"
    )
    assert made.status_code == 201, made.json()
    payment = made.json()
    assert payment["patient_due_after"] == "0.00" and payment["applications"][0]["amount"] == str(owed)
    receipt = api(biller).get(f"/api/v1/payments/patient-payments/{payment['public_id']}/receipt/")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")

    refund = api(biller).post(
        "/api/v1/payments/patient-refunds/",
        {"patient": str(patient.public_id), "amount": "12.00", "reason": "overpaid"},
        format="json",
    )
    assert refund.status_code == 201
    rid = refund.json()["public_id"]
    assert (
        api(biller)
        .post(f"/api/v1/payments/patient-refunds/{rid}/decide/", {"approve": True}, format="json")
        .status_code
        == 403  # managers decide
    )
    decided = api(manager).post(
        f"/api/v1/payments/patient-refunds/{rid}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert PatientRefund.objects.get().status == "approved"
    assert (
        api(biller).get(f"/api/v1/payments/patients/{patient.public_id}/ledger/").json()["balance"] == "0.00"
    )


def test_statement_run_and_pdf(biller, manager):
    claim = primary_paid(biller, deductible=DED)
    assert api(manager).post("/api/v1/payments/statements/run/", {}, format="json").status_code == 403
    run = api(biller).post(
        "/api/v1/payments/statements/run/", {"as_of": "2027-01-05", "minimum": "5.00"}, format="json"
    )
    assert run.status_code == 201 and run.json()["statement_count"] == 1
    statement = Statement.objects.get()
    listed = api(manager).get(f"/api/v1/payments/statements/?patient={claim.patient.public_id}").json()
    assert listed["results"][0]["amount_due"] == str(expected_pr(claim, DED))
    detail = api(manager).get(f"/api/v1/payments/statements/{statement.public_id}/").json()
    assert detail["content"]["totals"]["amount_due"] == str(statement.amount_due)
    pdf = api(manager).get(f"/api/v1/payments/statements/{statement.public_id}/pdf/")
    assert pdf.status_code == 200 and pdf.content == bytes(statement.pdf)
