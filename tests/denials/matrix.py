"""Denials endpoints in the permission matrix (GET): billers work, managers read (and decide
write-offs), nurses and admins get 403. POST-only actions answer an allowed GET with 405."""

from __future__ import annotations

from tests.matrix_roles import BILLER, BILLING_READ

MANAGER = {"manager"}


def _denial():
    from django.contrib.auth import get_user_model

    from denials import services
    from denials.models import Denial
    from payments.models import ClaimPayment
    from tests.denials.helpers import accepted_claim, clp, deny_line, era, post

    existing = Denial.objects.first()
    if existing:
        return existing
    user, _ = get_user_model().objects.get_or_create(username="matrix-denials")
    claim = accepted_claim(user)
    post(era(clp(claim, lines=deny_line(0, "CO", "197"))))
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    return Denial.objects.get()


def _denial_kwargs() -> dict:
    return {"public_id": _denial().public_id}


def _view_kwargs() -> dict:
    from django.contrib.auth import get_user_model

    from denials.models import SavedView

    user, _ = get_user_model().objects.get_or_create(username="matrix-denials")
    view, _ = SavedView.objects.get_or_create(
        name="matrix", owner=user, defaults={"query": "category=coding"}
    )
    return {"public_id": view.public_id}


def _write_off_kwargs() -> dict:
    from denials.models import WriteOffRequest

    row = WriteOffRequest.objects.create(denial=_denial(), amount=_denial().amount, reason="matrix")
    return {"pk": row.pk}


def _appeal_kwargs() -> dict:
    import datetime as dt

    from denials.models import Appeal

    appeal, _ = Appeal.objects.get_or_create(
        denial=_denial(), level="first", defaults={"deadline": dt.date.today() + dt.timedelta(days=60)}
    )
    return {"public_id": appeal.public_id}


def _risk_kwargs() -> dict:
    from decimal import Decimal

    from django.utils import timezone

    from denials.models import DenialRiskScore

    score, _ = DenialRiskScore.objects.get_or_create(
        claim=_denial().claim,
        defaults={"probability": Decimal("0.7500"), "computed_at": timezone.now(), "held": True},
    )
    return {"pk": score.pk}


_DENIAL_ACTIONS = [
    "assign",
    "status",
    "note",
    "correct",
    "void",
    "new_claim",
    "rebill",
    "bill_patient",
    "write_off",
    "recovered",
]
_API_ACTIONS = [
    "assign",
    "status",
    "note",
    "correct",
    "void",
    "new-claim",
    "rebill",
    "bill-patient",
    "write-off",
    "recovered",
]

EXPECTED = {
    "denials:queue": BILLING_READ,
    "denials:export": BILLING_READ,
    "denials:reassign": BILLER,
    "denials:view_save": BILLER,
    "denials:saved_view": BILLING_READ,
    "denials:view_delete": BILLER,
    "denials:write_offs": MANAGER,
    "denials:write_off_decide": MANAGER,
    "denials:detail": BILLING_READ,
    **{f"denials:{name}": BILLER for name in _DENIAL_ACTIONS},
    "denials:appeal_start": BILLER,
    "denials:appeal_letter": BILLING_READ,
    "denials:appeal_send": BILLER,
    "denials:appeal_decide": BILLER,
    "denials:timely_filing": BILLING_READ,
    "denials:risk": BILLING_READ,
    "denials:risk_release": BILLER,
    "api:denials:reasons": BILLING_READ,
    "api:denials:denial-list": BILLING_READ,
    "api:denials:denial-detail": BILLING_READ,
    **{f"api:denials:denial-{name}": BILLER for name in _API_ACTIONS},
    "api:denials:write-off-list": MANAGER,
    "api:denials:write-off-approve": MANAGER,
    "api:denials:write-off-refuse": MANAGER,
}

ARGS = {
    "denials:saved_view": _view_kwargs,
    "denials:view_delete": _view_kwargs,
    "denials:write_off_decide": _write_off_kwargs,
    "denials:detail": _denial_kwargs,
    **{f"denials:{name}": _denial_kwargs for name in _DENIAL_ACTIONS},
    "denials:appeal_start": _denial_kwargs,
    "denials:appeal_letter": _appeal_kwargs,
    "denials:appeal_send": _appeal_kwargs,
    "denials:appeal_decide": _appeal_kwargs,
    "denials:risk_release": _risk_kwargs,
    "api:denials:denial-detail": _denial_kwargs,
    **{f"api:denials:denial-{name}": _denial_kwargs for name in _API_ACTIONS},
    "api:denials:write-off-approve": _write_off_kwargs,
    "api:denials:write-off-refuse": _write_off_kwargs,
}
