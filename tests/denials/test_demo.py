"""seed_demo leaves denials in every category, each with its owner, some worked; once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from denials.domain.types import Category
from denials.models import Appeal, Denial, WriteOffRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_denials(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    assert set(Denial.objects.values_list("category", flat=True)) == {c.value for c in Category}
    assert not Denial.objects.filter(owner__isnull=True).exists()
    assert Denial.objects.filter(status="resolved", resolution="patient_billed").exists()
    assert Denial.objects.filter(status="waiting_on_payer").exists()
    assert WriteOffRequest.objects.filter(status="pending").exists()
    assert Appeal.objects.filter(status="sent").exists()
    assert Appeal.objects.filter(outcome="upheld").exists() and Appeal.objects.filter(level="second").exists()
    assert Appeal.objects.filter(status="draft").exists()
    appeals = Appeal.objects.count()
    count = Denial.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Denial.objects.count() == count
    assert Appeal.objects.count() == appeals
    assert "denials demo" in out.getvalue()
