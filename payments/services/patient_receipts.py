"""A patient payment's receipt (PDF through infusion_rcm.common.pdf), from the payment's own
immutable rows: the amount, how it was paid, what it was applied to, and the account as it
stood right after (`patient_due_after`), so a reprint says what the first print said."""

from __future__ import annotations

from decimal import Decimal

from infusion_rcm.common.pdf import render_html, render_pdf
from payments.models_patient import PatientPayment
from payments.services.statements import settings_for

TEMPLATE = "pdf/patient_receipt.html"


def receipt_context(payment: PatientPayment) -> dict:
    applications = [
        {"date": a.claim.service_date_from, "claim_number": a.claim.claim_number, "amount": a.amount}
        for a in payment.applications.select_related("claim").order_by("claim__service_date_from", "pk")
    ]
    applied = sum((a["amount"] for a in applications), Decimal("0.00"))
    patient = payment.patient
    provider = patient.billing_provider
    return {
        "payment": payment,
        "patient_name": f"{patient.first_name} {patient.last_name}",
        "provider": provider,
        "phone": settings_for(provider).phone,
        "applications": applications,
        "unapplied": payment.amount - applied,
    }


def receipt_html(payment: PatientPayment) -> str:
    return render_html(TEMPLATE, receipt_context(payment))


def receipt_pdf(payment: PatientPayment) -> bytes:
    return render_pdf(TEMPLATE, receipt_context(payment))
