"""Payments endpoints in the permission matrix (GET): billers post, managers read, nurses and
admins get 403. POST-only actions answer a biller's GET with 405 and everyone else with 403."""

from __future__ import annotations

from tests.matrix_roles import BILLER, BILLING_READ


def _claim_payment():
    from django.contrib.auth import get_user_model

    from payments import services
    from payments.models import ClaimPayment
    from tests.payments.helpers import accepted_claim, clp, era

    user, _ = get_user_model().objects.get_or_create(username="matrix-pay")
    claim = accepted_claim(user)
    file, _ = services.remittance_file_receive(text=era(clp(claim)), file_name="m.835", actor=None)
    services.remittance_file_process(file=file, actor=None)
    return ClaimPayment.objects.get(remittance__file=file)


def _file_kwargs() -> dict:
    return {"public_id": _claim_payment().remittance.file.public_id}


def _payment_kwargs() -> dict:
    return {"public_id": _claim_payment().public_id}


EXPECTED = {
    "api:payments:remittance-upload": BILLING_READ,
    "api:payments:remittance-list": BILLING_READ,
    "api:payments:remittance-detail": BILLING_READ,
    "api:payments:remittance-preview": BILLING_READ,
    "api:payments:remittance-post": BILLER,
    "api:payments:remittance-manual": BILLER,
    "api:payments:claim-payment-list": BILLING_READ,
    "api:payments:claim-payment-detail": BILLING_READ,
    "api:payments:claim-payment-candidates": BILLING_READ,
    "api:payments:claim-payment-match": BILLER,
    "api:payments:claim-payment-approve": BILLER,
}
ARGS = {
    "api:payments:remittance-detail": _file_kwargs,
    "api:payments:remittance-preview": _file_kwargs,
    "api:payments:remittance-post": _file_kwargs,
    "api:payments:claim-payment-detail": _payment_kwargs,
    "api:payments:claim-payment-candidates": _payment_kwargs,
    "api:payments:claim-payment-match": _payment_kwargs,
    "api:payments:claim-payment-approve": _payment_kwargs,
}


# The payments pages (HTML): billers work, managers read; the claim page's payments part too.
def _unmatched_kwargs() -> dict:
    from django.contrib.auth import get_user_model

    from payments import services
    from payments.models import ClaimPayment
    from tests.payments.helpers import accepted_claim, clp, era

    user, _ = get_user_model().objects.get_or_create(username="matrix-pay")
    text = era(clp(accepted_claim(user), number="NOT-OURS-1", icn="NOT-OURS-ICN"))
    file, _ = services.remittance_file_receive(text=text, file_name="u.835", actor=None)
    services.remittance_file_process(file=file, actor=None)
    return {"public_id": ClaimPayment.objects.get(remittance__file=file).public_id}


def _claim_kwargs() -> dict:
    return {"public_id": _claim_payment().claim.public_id}


EXPECTED.update(
    {
        "payments:inbox": BILLING_READ,
        "payments:upload": BILLER,
        "payments:manual_eob": BILLER,
        "payments:remittance_detail": BILLING_READ,
        "payments:remittance_preview": BILLING_READ,
        "payments:remittance_post": BILLER,
        "payments:unmatched": BILLING_READ,
        "payments:claim_payment_match": BILLER,
        "payments:held": BILLING_READ,
        "payments:claim_payment_approve": BILLER,
        "payments:underpayments": BILLING_READ,
        "payments:underpayments_export": BILLING_READ,
        "payments:claim_payments": BILLING_READ,
    }
)
ARGS.update(
    {
        "payments:remittance_detail": _file_kwargs,
        "payments:remittance_preview": _file_kwargs,
        "payments:remittance_post": _file_kwargs,
        "payments:claim_payment_match": _unmatched_kwargs,
        "payments:claim_payment_approve": _payment_kwargs,
        "payments:claim_payments": _claim_kwargs,
    }
)


# The patient's side (ledger, payments and receipts, refunds, plans, suppressions, statements):
# billers work, managers read and decide refunds, nurses and admins get 403.
def _matrix_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="matrix-pay")
    return user


def _owing_patient():
    """A patient who owes after Medicare paid (deductible and coinsurance)."""
    from tests.payments.patient_helpers import primary_paid

    return primary_paid(_matrix_user()).patient


def _patient_kwargs() -> dict:
    return {"public_id": _owing_patient().public_id}


def _patient_payment(amount=None):
    import datetime as dt

    from payments.services import patient_payments as pay
    from payments.services.patient_ledger import account

    patient = _owing_patient()
    return pay.patient_payment_record(
        patient=patient,
        amount=amount(account(patient).balance.patient_due) if amount else "10.00",
        method="cash",
        channel="front_desk",
        received_on=dt.date.today(),
        actor=_matrix_user(),
    )


def _patient_payment_kwargs() -> dict:
    return {"public_id": _patient_payment().public_id}


def _refund_kwargs() -> dict:
    from decimal import Decimal

    from payments.services import patient_payments as pay

    payment = _patient_payment(lambda due: due + Decimal("25.00"))  # 25.00 of credit
    refund = pay.patient_refund_request(
        patient=payment.patient, amount="25.00", reason="overpaid", actor=_matrix_user()
    )
    return {"public_id": refund.public_id}


def _plan_kwargs() -> dict:
    import datetime as dt

    from payments.services import patient_payments as pay
    from payments.services.patient_ledger import account

    patient = _owing_patient()
    plan = pay.payment_plan_create(
        patient=patient,
        total=account(patient).balance.patient_due,
        instalments=3,
        first_due=dt.date.today() + dt.timedelta(days=14),
        actor=_matrix_user(),
    )
    return {"public_id": plan.public_id}


def _suppression_kwargs() -> dict:
    from payments.services import patient_payments as pay

    suppression = pay.statement_suppress(
        patient=_owing_patient(), reason="collections", note="matrix", actor=_matrix_user()
    )
    return {"public_id": suppression.public_id}


def _statement_kwargs() -> dict:
    from payments.services import statements

    return {
        "public_id": statements.statement_create(patient=_owing_patient(), actor=_matrix_user()).public_id
    }


def _statement_run_kwargs() -> dict:
    from payments.services import statements

    patient = _owing_patient()
    run = statements.statement_run(actor=_matrix_user(), patient_ids=[patient.pk]).run
    return {"public_id": run.public_id}


MANAGER = {"manager"}

EXPECTED.update(
    {
        "api:payments:patient-ledger-ledger": BILLING_READ,
        "api:payments:patient-payment-list": BILLING_READ,
        "api:payments:patient-payment-detail": BILLING_READ,
        "api:payments:patient-payment-receipt": BILLING_READ,
        "api:payments:patient-refund-list": BILLING_READ,
        "api:payments:patient-refund-detail": BILLING_READ,
        "api:payments:patient-refund-decide": MANAGER,
        "api:payments:statement-list": BILLING_READ,
        "api:payments:statement-detail": BILLING_READ,
        "api:payments:statement-pdf": BILLING_READ,
        "api:payments:statement-run": BILLER,
        "payments:patient_balances": BILLING_READ,
        "payments:patient_ledger": BILLING_READ,
        "payments:patient_payment_create": BILLER,
        "payments:patient_credit_apply": BILLER,
        "payments:patient_refund_request": BILLER,
        "payments:payment_plan_create": BILLER,
        "payments:statement_suppress": BILLER,
        "payments:patient_statement_now": BILLER,
        "payments:patient_payment_detail": BILLING_READ,
        "payments:patient_receipt": BILLING_READ,
        "payments:payment_plan_cancel": BILLER,
        "payments:statement_suppression_lift": BILLER,
        "payments:patient_refunds": BILLING_READ,
        "payments:patient_refund_decide": MANAGER,
        "payments:statement_runs": BILLING_READ,
        "payments:statement_run_detail": BILLING_READ,
        "payments:statement_pdf": BILLING_READ,
    }
)
ARGS.update(
    {
        "api:payments:patient-ledger-ledger": _patient_kwargs,
        "api:payments:patient-payment-detail": _patient_payment_kwargs,
        "api:payments:patient-payment-receipt": _patient_payment_kwargs,
        "api:payments:patient-refund-detail": _refund_kwargs,
        "api:payments:patient-refund-decide": _refund_kwargs,
        "api:payments:statement-detail": _statement_kwargs,
        "api:payments:statement-pdf": _statement_kwargs,
        "payments:patient_ledger": _patient_kwargs,
        "payments:patient_payment_create": _patient_kwargs,
        "payments:patient_credit_apply": _patient_kwargs,
        "payments:patient_refund_request": _patient_kwargs,
        "payments:payment_plan_create": _patient_kwargs,
        "payments:statement_suppress": _patient_kwargs,
        "payments:patient_statement_now": _patient_kwargs,
        "payments:patient_payment_detail": _patient_payment_kwargs,
        "payments:patient_receipt": _patient_payment_kwargs,
        "payments:payment_plan_cancel": _plan_kwargs,
        "payments:statement_suppression_lift": _suppression_kwargs,
        "payments:patient_refund_decide": _refund_kwargs,
        "payments:statement_run_detail": _statement_run_kwargs,
        "payments:statement_pdf": _statement_kwargs,
    }
)
