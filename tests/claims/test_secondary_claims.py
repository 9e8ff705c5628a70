"""claims.services.secondary from the claims side: building a next-payer claim from a given
adjudication (idempotent, the coverage of the next rank, lines renumbered), a replacement keeps
the earlier payers, a crossover's wait, and the claim page's section."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from claims import services as claim_services
from claims.domain.other_payer import (
    OtherPayerAdjustment,
    OtherPayerLine,
    OtherSubscriber,
    PriorPayerAdjudication,
)
from claims.models import Claim
from claims.services import secondary
from tests.claims import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def primary(biller):
    medicare = f.payer("medicare", name="Medicare Part B IL", payer_id="MCR0953")
    gap = f.payer("commercial", name="Prairie Medigap", payer_id="PMG01")
    visit = f.chemo_with_hydration(biller, medicare)
    f.coverage(visit.patient, gap, rank="secondary")
    # a secondary that ended before the visit is not the one billed
    f.coverage(
        visit.patient,
        f.payer("commercial"),
        rank="secondary",
        effective_date=dt.date(2010, 1, 1),
        end_date=dt.date(2012, 1, 1),
    )
    (claim,) = claim_services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    Claim.objects.filter(pk=claim.pk).update(status="paid", payer_claim_number="MCR-ICN-1")
    return Claim.objects.get(pk=claim.pk)


def adjudication(claim: Claim) -> PriorPayerAdjudication:
    lines = []
    for line in claim.lines.order_by("line_number"):
        pay = (line.charge * D("0.40")).quantize(D("0.01"))
        owed = (line.charge * D("0.10")).quantize(D("0.01"))
        lines.append(
            OtherPayerLine(
                line_control_number=line.line_control_number,
                code=line.code,
                modifiers=tuple(line.modifiers),
                units=line.units,
                paid=pay,
                adjustments=(
                    OtherPayerAdjustment(
                        group="CO",
                        reason="45",
                        amount=line.charge - pay - owed,
                        description="CO-45 Contractual obligation: Charge exceeds fee schedule",
                    ),
                    OtherPayerAdjustment(group="PR", reason="2", amount=owed, description="PR-2 Coinsurance"),
                ),
            )
        )
    return PriorPayerAdjudication(
        sequence="P",
        payer_name="Medicare Part B IL",
        payer_id="MCR0953",
        filing_indicator="MB",
        subscriber=OtherSubscriber(last_name=claim.patient.last_name, member_id=claim.coverage.member_id),
        payer_claim_number="MCR-ICN-1",
        adjudication_date=dt.date(2026, 11, 30),
        charge=claim.total_charge,
        paid=sum((ln.paid for ln in lines), D("0.00")),
        lines=tuple(lines),
    )


def test_build_is_idempotent_and_bills_the_coverage_in_force(primary):
    adj = adjudication(primary)
    first = secondary.claim_build_next_payer(
        prior_claim=primary, adjudications=[adj], key="cp-1", scrub=False
    )
    assert first.created and first.claim.payer.name == "Prairie Medigap"
    assert first.claim.status_reason == ""  # the adjudication balances
    again = secondary.claim_build_next_payer(
        prior_claim=primary, adjudications=[adj], key="cp-1", scrub=False
    )
    assert not again.created and again.claim.pk == first.claim.pk
    assert Claim.objects.filter(prior_claim=primary).count() == 1
    stored = first.claim.prior_adjudications[0]["lines"]
    assert stored[0]["line_control_number"] == f"{first.claim.claim_number}-1"


def test_unbalanced_adjudication_is_built_and_says_so(primary):
    adj = adjudication(primary)
    short = adj.model_copy(update={"paid": adj.paid - D("5.00")})
    outcome = secondary.claim_build_next_payer(
        prior_claim=primary, adjudications=[short], key="cp-2", scrub=False
    )
    assert "5.00 is not accounted for" in outcome.claim.status_reason


def test_replacement_of_a_secondary_keeps_its_earlier_payers(primary, biller):
    from claims.domain.claim_edit import ClaimChanges

    built = secondary.claim_build_next_payer(
        prior_claim=primary, adjudications=[adjudication(primary)], key="cp-3", scrub=False
    ).claim
    Claim.objects.filter(pk=built.pk).update(status="denied", payer_claim_number="PMG-77")
    built.refresh_from_db()
    changes = ClaimChanges(values={"diagnosis_codes": ["E86.0", "C18.9"]})
    replacement = claim_services.claim_replace(claim=built, actor=biller, reason="dx order", changes=changes)
    assert (replacement.payer_sequence, replacement.prior_claim_id) == ("S", primary.pk)
    assert replacement.prior_adjudications == built.prior_adjudications


def test_claim_pages_show_both_directions_and_the_figures(primary, biller_client):
    built = secondary.claim_build_next_payer(
        prior_claim=primary, adjudications=[adjudication(primary)], key="cp-4", scrub=False
    ).claim
    page = biller_client.get(reverse("claims:claim_detail", args=[built.public_id])).content.decode()
    assert "Secondary claim to Prairie Medigap" in page and f">{primary.claim_number}</a>" in page
    assert "Charge exceeds fee schedule" in page and "MCR-ICN-1" in page
    assert str(built.prior_adjudications and D(built.prior_adjudications[0]["paid"])) in page
    page = biller_client.get(reverse("claims:claim_detail", args=[primary.public_id])).content.decode()
    assert "Secondary claim to <strong>Prairie Medigap</strong>" in page and built.claim_number in page


def test_crossover_waits_then_is_overdue(primary, biller_client):
    forwarded = secondary.claim_forwarded_record(
        claim=primary, carrier="PRAIRIE MEDIGAP", on=dt.date(2026, 10, 1)
    )
    assert forwarded.forwarded_coverage.payer.name == "Prairie Medigap"
    again = secondary.claim_forwarded_record(claim=primary, carrier="OTHER", on=dt.date(2026, 10, 9))
    assert again.forwarded_on == dt.date(2026, 10, 1)  # the first forwarding counts
    assert list(secondary.crossover_waiting(as_of=dt.date(2026, 10, 30), days=30)) == []
    assert list(secondary.crossover_waiting(as_of=dt.date(2026, 10, 31), days=30)) == [forwarded]
    page = biller_client.get(reverse("claims:claim_detail", args=[primary.public_id])).content.decode()
    assert "Forwarded to <strong>PRAIRIE MEDIGAP</strong> by Medicare Part B IL" in page
    assert (
        "waiting for its ERA" in page and "follow-up is on the" in page and "for the claim's status" in page
    )
    assert secondary.claim_crossover_era_record(claim=primary, on=dt.date(2026, 11, 2))
    assert not secondary.claim_crossover_era_record(claim=primary, on=dt.date(2026, 11, 3))
    assert list(secondary.crossover_waiting(as_of=dt.date(2026, 12, 31), days=30)) == []


def test_api_shows_the_payer_order_both_directions_and_the_crossover(primary, biller):
    from rest_framework.test import APIClient

    built = secondary.claim_build_next_payer(
        prior_claim=primary, adjudications=[adjudication(primary)], key="cp-5", scrub=False
    ).claim
    secondary.claim_forwarded_record(claim=primary, carrier="PRAIRIE MEDIGAP", on=dt.date(2026, 10, 1))
    client = APIClient()
    client.force_authenticate(biller)
    first = client.get(f"/api/v1/claims/claims/{primary.public_id}/").json()
    assert (first["payer_sequence"], first["prior_claim"]) == ("P", None)
    assert first["next_payer_claims"] == [str(built.public_id)]
    assert (first["forwarded_to"], first["forwarded_on"], first["forwarded_era_on"]) == (
        "PRAIRIE MEDIGAP",
        "2026-10-01",
        None,
    )
    assert first["forwarded_coverage"] == str(
        primary.patient.coverages.get(payer__name="Prairie Medigap").public_id
    )
    second = client.get(f"/api/v1/claims/claims/{built.public_id}/").json()
    assert (second["payer_sequence"], second["prior_claim"], second["next_payer_claims"]) == (
        "S",
        str(primary.public_id),
        [],
    )
    rows = {r["public_id"]: r for r in client.get("/api/v1/claims/claims/").json()["results"]}
    assert rows[str(built.public_id)]["prior_claim"] == str(primary.public_id)
    assert "next_payer_claims" not in rows[str(built.public_id)]  # detail only
    # read-only: the API cannot move a claim in the payer order
    assert (
        client.patch(f"/api/v1/claims/claims/{built.public_id}/", {"payer_sequence": "P"}).status_code == 405
    )
