"""A 277CA rejection is shown in words with what to fix, on the claim and acknowledgments pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from tests.claims import factories as f
from tests.claims.test_acknowledgment_import import ack_277, submitted
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_rejected_claim_reason_in_words_and_the_fix_on_its_page(biller):
    pay = f.payer("medicare")
    (one, two), _ = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    services.acknowledgment_import(
        text=ack_277(one.claim_number, two.claim_number), file_name="a.277", actor=biller
    )
    two.refresh_from_db()
    assert two.status == "rejected"
    assert (
        "A7:562:85 Rejected for invalid information: Entity's National Provider Identifier (NPI) (billing provider)"
        in (two.status_reason)
    )
    client = client_for(biller)
    page = client.get(reverse("claims:claim_detail", args=[two.public_id])).content.decode()
    assert "What to fix" in page and "NPPES" in page and "A7:562:85" in page
    acks = client.get(reverse("claims:acknowledgment_import")).content.decode()
    assert f"claim {two.claim_number}: rejected: A7:562:85 Rejected for invalid information" in acks.replace(
        "&#x27;", "'"
    )
