"""The nurse records who the visit is billed under (rendering, supervising): the claim's 2310B/2310D."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import services
from coding.models import Visit
from infusion_rcm.common.errors import DomainError
from intake.models import Prescriber
from tests.coding.factories import covered_patient

pytestmark = pytest.mark.django_db


def _visit(nurse) -> Visit:
    _, order = covered_patient()
    return services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)


def test_nurse_records_the_supervising_physician_on_the_visit_page(nurse, nurse_client):
    visit = _visit(nurse)
    supervisor = Prescriber.objects.create(
        npi="1003000126", first_name="Ana", last_name="Carter", taxonomy="207RH0003X"
    )
    url = reverse("coding:visit_detail", args=[visit.public_id])
    assert "Supervising physician" in nurse_client.get(url).content.decode()
    page = nurse_client.post(
        url,
        {"action": "providers", "rendering_provider": "", "supervising_provider": supervisor.pk},
        follow=True,
    )
    assert "Practitioners saved." in page.content.decode()
    visit.refresh_from_db()
    assert visit.supervising_provider == supervisor and visit.rendering_provider is None


def test_unknown_practitioner_is_refused_with_a_message(nurse, nurse_client):
    visit = _visit(nurse)
    url = reverse("coding:visit_detail", args=[visit.public_id])
    page = nurse_client.post(url, {"action": "providers", "supervising_provider": "999999"})
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()


def test_practitioners_of_a_signed_visit_are_locked(nurse):
    visit = _visit(nurse)
    visit.status, visit.signed_by = Visit.Status.SIGNED, nurse
    visit.signed_at = visit.created_at
    visit.save()
    with pytest.raises(DomainError, match="locked"):
        services.visit_providers_save(visit=visit, rendering_provider=None, supervising_provider=None)
