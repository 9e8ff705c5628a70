"""seed_demo posts realistic ERAs against the demo claims, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from payments.models import ClaimPayment, Posting, ProviderAdjustment, RemittanceFile

pytestmark = pytest.mark.django_db


def test_seed_demo_posts_the_demo_eras_once(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    assert RemittanceFile.objects.filter(status="posted").count() == 2
    codes = set(ClaimPayment.objects.values_list("claim_status_code", "status"))
    assert {("1", "posted"), ("4", "posted"), ("22", "posted"), ("1", "unmatched")} <= codes
    assert Posting.objects.filter(reverses__isnull=False).exists()
    assert (
        Posting.objects.filter(group="PR", reason="1").exists()
        and Posting.objects.filter(reason="97").exists()
    )
    assert set(ProviderAdjustment.objects.values_list("reason", flat=True)) == {"L6", "WO", "FB"}
    counts = (Posting.objects.count(), ClaimPayment.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already posted" in out.getvalue()
    assert (Posting.objects.count(), ClaimPayment.objects.count()) == counts
