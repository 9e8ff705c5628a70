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
