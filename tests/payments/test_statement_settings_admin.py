"""Statement settings are kept by admins in the Django admin, and a run uses what they set."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from payments.models_patient import StatementSettings
from payments.services.statements import settings_for
from tests.payments.patient_helpers import primary_paid

pytestmark = pytest.mark.django_db


def test_admin_sets_a_providers_statement_settings(users):
    provider = primary_paid(users["biller"]).billing_provider
    admin = Client()
    admin.force_login(users["admin"])
    assert admin.get("/admin/payments/statementsettings/").status_code == 200
    response = admin.post(
        "/admin/payments/statementsettings/add/",
        {
            "billing_provider": provider.pk,
            "billing_phone": "2175550199",
            "payable_to": "",
            "how_to_pay": "Card by phone, 9 to 5",
            "minimum_balance": "12.50",
            "interval_days": "30",
            "due_in_days": "20",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    row = StatementSettings.objects.get(billing_provider=provider)
    assert row.minimum_balance == Decimal("12.50")
    applied = settings_for(provider)
    assert applied.minimum == Decimal("12.50") and applied.interval_days == 30
    assert applied.payable_to == provider.name  # blank: the provider's name
    for role in ("nurse", "biller", "manager"):
        other = Client()
        other.force_login(users[role])
        assert other.get("/admin/payments/statementsettings/").status_code in (302, 403), role
