"""Denial-risk score before submission (DEN-RS1): the formula, the reasons in words, the hold of
a ready claim at or above the threshold and its release."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimEvent
from denials import services
from denials.domain.risk import CodeHistory, office_rate, score
from denials.models import DenialRiskScore, RiskPolicy
from denials.services.risk import claim_risk_release, claims_risk_score_ready
from payments.models import ClaimPayment
from tests.claims import factories as f
from tests.denials.helpers import accepted_claim, clp, deny_line, era, post


def test_formula_and_reasons():
    prior = office_rate(denied_claims=2, claims=8)  # (2 + 1) / (8 + 2)
    assert prior == Decimal("0.3")
    history = {"J1745": CodeHistory("J1745", claims=8, denied=3, by_category={"authorization": 3})}
    risk = score(payer="Acme Health", codes=["96365", "J1745"], history=history, prior=prior)
    assert risk.probability == Decimal("0.3600")  # (3 + 2 * 0.3) / (8 + 2); 96365 alone is the prior 0.3
    assert risk.reasons == (
        "Acme Health denied 3 of 8 claims with J1745 for authorization in the last 12 months",
    )
    empty = score(payer="Acme Health", codes=["96365"], history={}, prior=Decimal("0.5"))
    assert empty.probability == Decimal("0.5000") and "No history with Acme Health" in empty.reasons[0]


@pytest.fixture
def history(db, biller):
    payer = f.payer(kind="commercial", name="Acme Health")
    claims = [accepted_claim(biller, payer) for _ in range(3)]
    post(
        era(
            clp(claims[0], lines=deny_line(3, "CO", "197")),
            clp(claims[1], lines=deny_line(3, "CO", "197")),
            clp(claims[2]),
        ),
        biller,
    )
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    new = accepted_claim(biller, payer)
    Claim.objects.filter(pk=new.pk).update(status="ready")
    return Claim.objects.get(pk=new.pk)


@pytest.mark.django_db
def test_ready_claim_scored_held_with_reasons_then_released(history, biller, biller_client):
    code = history.lines.get(line_number=4).code
    assert claims_risk_score_ready() == 1
    row = DenialRiskScore.objects.get(claim=history)
    # n = 3 claims with the code, d = 2 denied for authorization, m = (2 + 1) / (3 + 2) = 0.6
    assert row.probability == Decimal("0.6400")
    assert (
        f"Acme Health denied 2 of 3 claims with {code} for authorization in the last 12 months" in row.reasons
    )
    history.refresh_from_db()
    assert row.held and history.status == "needs_fix"
    assert "Held for review: denial risk 64%" in ClaimEvent.objects.filter(claim=history).last().reason
    assert claims_risk_score_ready() == 0  # held claims are not ready: nothing to score
    page = biller_client.get(reverse("denials:risk"))
    assert page.status_code == 200 and b"64%" in page.content and b"denied 2 of 3 claims" in page.content
    claim_page = biller_client.get(reverse("claims:claim_detail", args=[history.public_id]))
    assert b"Denial risk 64%" in claim_page.content
    claim_risk_release(score_row=row, actor=biller)
    history.refresh_from_db()
    assert history.status == "ready"
    claims_risk_score_ready()  # rescored after the release: not held again
    history.refresh_from_db()
    assert history.status == "ready" and not DenialRiskScore.objects.get(claim=history).held


@pytest.mark.django_db
def test_below_the_threshold_is_not_held(history):
    RiskPolicy.objects.create(pk=1, hold_threshold=Decimal("0.9000"))
    claims_risk_score_ready()
    history.refresh_from_db()
    assert history.status == "ready" and not DenialRiskScore.objects.get(claim=history).held
