"""Reference data in the Django admin: admins maintain it; nobody else sees it; nothing is deleted."""

from __future__ import annotations

import pytest
from django.test import Client

from coding.demo import seed_catalog
from coding.models import Drug
from intake.models import Payer

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/intake/payer/",
    "/admin/intake/prescriber/",
    "/admin/coding/drug/",
    "/admin/coding/chargemasterentry/",
    "/admin/claims/payerrule/",
    "/admin/accounts/user/",
]


def test_admin_maintains_reference_data(users):
    seed_catalog()
    client = Client()
    client.force_login(users["admin"])
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    drug = Drug.objects.get(hcpcs="J1745")
    response = client.post(
        f"/admin/coding/drug/{drug.pk}/change/",
        {
            "hcpcs": "J1745",
            "description": "infliximab",
            "billing_unit_amount": "10",
            "billing_unit": "mg",
            "drug_class": "therapeutic",
            "single_dose": "on",
            "active": "on",
            "ndcs-TOTAL_FORMS": "0",
            "ndcs-INITIAL_FORMS": "0",
            "ndcs-MIN_NUM_FORMS": "0",
            "ndcs-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    drug.refresh_from_db()
    assert drug.description == "infliximab"
    assert client.get(f"/admin/coding/drug/{drug.pk}/delete/").status_code == 403


def test_payer_with_a_bad_address_is_refused(users):
    client = Client()
    client.force_login(users["admin"])
    response = client.post(
        "/admin/intake/payer/add/",
        {
            "name": "Acme Health",
            "payer_id": "ACME1",
            "kind": "commercial",
            "claim_form": "837P",
            "timely_filing_days": "180",
            "eligibility_freshness_days": "30",
            "active": "on",
            "address_line1": "1 Main",
            "city": "Chicago",
            "state": "Il",
            "zip_code": "6060",
        },
    )
    assert response.status_code == 200
    assert not Payer.objects.filter(payer_id="ACME1").exists()
    body = response.content.decode()
    assert "two-letter state code" in body and "5 or 9 digit ZIP" in body


@pytest.mark.parametrize("role", ["nurse", "biller", "manager"])
def test_other_roles_do_not_reach_reference_data(users, role):
    client = Client()
    client.force_login(users[role])
    for page in PAGES:
        assert client.get(page).status_code in (302, 403), (role, page)
