"""Demo of the patient side (seed_demo, after the demo ERAs post): the practice's statement
settings, one front-desk payment applied oldest first, one statement run. Idempotent: a database
with a statement run already has it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from intake.models import BillingProvider
from payments.models_patient import PatientPayment, StatementRun, StatementSettings
from payments.services import patient_payments, statements
from payments.services.patient_ledger import accounts


def seed(stdout) -> None:
    if StatementRun.objects.exists():
        stdout.write("payments demo: statement run already made")
        return
    for provider in BillingProvider.objects.all():
        StatementSettings.objects.get_or_create(
            billing_provider=provider,
            defaults={
                "billing_phone": "(847) 555-0142",
                "how_to_pay": "Card payments by phone Monday to Friday, 8 am to 5 pm.",
            },
        )
    biller = get_user_model().objects.filter(username="bill").first()
    if biller is None:
        return
    from intake.models import Patient

    owing = [
        (pid, a)
        for pid, a in accounts(Patient.objects.values_list("pk", flat=True)).items()
        if a.balance.patient_due > 0
    ]
    if owing and not PatientPayment.objects.exists():
        pid, acct = owing[0]
        patient_payments.patient_payment_record(
            patient=Patient.objects.get(pk=pid),
            amount=min(acct.balance.patient_due, Decimal("50.00")),
            method="check",
            channel="mail",
            reference="2207",
            received_on=timezone.localdate(),
            actor=biller,
        )
    result = statements.statement_run(actor=biller)
    stdout.write(
        f"payments demo: {len(owing)} patients owe after insurance, 1 payment taken, "
        f"statement run of {result.run.statement_count} statements"
    )
