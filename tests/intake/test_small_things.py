"""The small things a new user saw: diagnoses without their dot, codes as "837p", and
"Eligibility stale" for a coverage nobody ever checked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services as claim_services
from claims.forms import BatchBuildForm
from claims.models import Claim
from tests.claims import factories as claim_factories
from tests.intake.factories import CoverageFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_the_claim_page_prints_diagnoses_with_their_dot(biller, biller_client):
    visit = claim_factories.office_sequential_concurrent(biller)
    (claim,) = claim_services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert Claim.objects.get(pk=claim.pk).diagnosis_codes[0] == "K5090"  # stored as the 837 sends it
    body = biller_client.get(reverse("claims:claim_detail", args=[claim.public_id])).content.decode()
    assert "K50.90" in body and "K5090" not in body


def test_the_claim_form_choice_reads_837P():
    labels = dict(BatchBuildForm().fields["form"].choices)
    assert labels["837P"] == "837P (professional)" and "837p" not in str(labels)


def test_never_checked_is_not_called_stale(biller_client, frozen_today):
    cov = CoverageFactory()
    OrderFactory(patient=cov.patient, start_date=frozen_today, diagnosis_codes=["K5090"])
    body = biller_client.get(reverse("intake:patient_detail", args=[cov.patient.public_id])).content.decode()
    assert "never checked" in body and "eligibility stale" not in body
    assert "K50.90" in body  # an order stored without the dot is printed with it
