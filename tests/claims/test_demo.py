"""claims.demo.seed: payer rules and claims in every state, idempotent, robust with no charges."""

from __future__ import annotations

import io

import pytest

from claims import demo
from claims.domain.types import ClaimStatus
from claims.models import Claim, ClaimEvent, PayerRule
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def test_seed_without_charges_makes_rules_only():
    out = io.StringIO()
    demo.seed(out)
    assert PayerRule.objects.filter(enabled=True).count() >= 5 and not Claim.objects.exists()
    assert "no demo claims" in out.getvalue() or "no reviewed charges" in out.getvalue()


def test_seed_makes_every_state_with_events_and_is_idempotent(biller):
    pay = f.payer("medicare")
    for _ in range(len(demo.PATHS)):
        f.chemo_with_hydration(biller, pay)
    demo.seed(io.StringIO())
    states = set(Claim.objects.values_list("status", flat=True))
    assert states == {s.value for s in ClaimStatus}
    assert all(ClaimEvent.objects.filter(claim=c).exists() for c in Claim.objects.all())
    count = Claim.objects.count()
    rules = PayerRule.objects.count()
    demo.seed(io.StringIO())
    assert Claim.objects.count() == count and PayerRule.objects.count() == rules
