"""seed_demo posts realistic ERAs against the demo claims, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from claims.models import Claim
from payments.models import ClaimPayment, Posting, ProviderAdjustment, RemittanceFile

pytestmark = pytest.mark.django_db


def test_seed_demo_posts_the_demo_eras_once(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    # the payments demo's own two ERAs (the denials and next-payer demos post theirs too)
    assert RemittanceFile.objects.filter(status="posted", file_name__regex=r"^demo-era-[0-9]").count() == 2
    # a Medicare + secondary patient: Medicare's payment built the secondary claim, ready to batch,
    # and a claim Medicare forwarded itself (crossover) waits for the secondary's ERA
    second = Claim.objects.get(payer_sequence="S", prior_claim__payer__kind="medicare")
    assert second.coverage.rank == "secondary" and second.prior_adjudications
    # It scrubs clean; the denial-risk review may then hold it (the demo's own denial history
    # includes a Blue Cross bundling denial of 96366), which must say so.
    assert second.events.filter(to_status="ready").exists()
    assert second.status == "ready" or (
        second.status == "needs_fix"
        and second.events.order_by("-pk").first().reason.startswith("Held for review: denial risk")
    )
    crossed = Claim.objects.get(forwarded_on__isnull=False)
    assert crossed.payer.kind == "medicare" and crossed.patient_id == second.patient_id
    assert not Claim.objects.filter(prior_claim=crossed).exists()
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
