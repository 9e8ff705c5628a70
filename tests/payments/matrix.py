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
