"""A 271 with an impossible amount or a non-ASCII digit is refused whole with a 400, never a 500
(issue 9: a 271 with a 30-digit amount crashed the import)."""

from __future__ import annotations

import pytest

from intake.models import EligibilityCheck
from tests.intake.conftest import sample_271
from tests.intake.factories import EligibilityCheckFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/eligibility-checks/import-271/"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("9" * 30, "longer than 18 characters"),
        ("9" * 18, "too large"),  # fits the reader, not a money column
        ("１０.00", "is not a number"),
        ("1E5", "is not a number"),
    ],
)
def test_271_with_a_bad_amount_is_a_400_and_changes_nothing(
    api_client, biller, frozen_today, amount, message
):
    pending = EligibilityCheckFactory(
        status=EligibilityCheck.Status.PENDING,
        source=EligibilityCheck.Source.X12_271,
        active=None,
        copay=None,
        plan_name="",
        trace_number="93175-012547",
    )
    text = sample_271("lfh__subscriber-health-benefit-check.271").replace("*27*10.00*", f"*27*{amount}*", 1)
    api_client.force_authenticate(biller)
    response = api_client.post(URL, {"text": text}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "x12.271.invalid" and message in body["message"]
    pending.refresh_from_db()
    assert pending.status == EligibilityCheck.Status.PENDING and pending.copay is None
