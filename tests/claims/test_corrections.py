"""Corrections as payers take them: a void taken out of its unreleased batch (rebuilt without it),
a replacement (7) that carries the corrections, a void at the payer (8) after adjudication, both
with REF*F8 and valid for pyx12; Medicare Part B guided to a reopening instead."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims import services
from claims.domain.claim_edit import ClaimChanges, LineChange
from claims.domain.corrections import correction_options, takes_reopenings
from claims.models import Claim, SubmissionBatch
from infusion_rcm.common.errors import DomainError
from tests.claims import factories as f
from tests.claims.domain.factories import assert_pyx12_clean
from tests.conftest import client_for

db = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("claims.tasks.claim_scrub_task.delay", lambda claim_id: None)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def built(biller, make=f.office_sequential_concurrent, **kw) -> Claim:
    (claim,) = services.claims_build_from_charges(
        visit_ids=[make(biller, **kw).pk], enqueue_scrub=False
    ).claims
    return Claim.objects.get(pk=claim.pk)


def ready(biller, make=f.office_sequential_concurrent, **kw) -> Claim:
    claim = built(biller, make, **kw)
    services.claims_scrub_many(claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == "ready", list(claim.edits.values_list("code", flat=True))
    return claim


def adjudicated(
    biller, make=f.office_sequential_concurrent, *, to="denied", icn="ICN2024000123", **kw
) -> Claim:
    claim = ready(biller, make, **kw)
    batch = services.batch_build(payer=claim.payer, actor=biller, validate=False)
    services.batch_release(batch=batch, actor=biller)
    services.claim_transition(
        claim=claim, to="accepted", actor=None, reason="277CA A2", payer_claim_number=icn
    )
    if to != "accepted":
        services.claim_transition(claim=claim, to=to, actor=None, reason="835")
    claim.refresh_from_db()
    return claim


def clm(text: str, claim_number: str) -> str:
    """The CLM segment of a claim in an 837 ('' when the file does not hold it)."""
    found = re.search(rf"CLM\*{claim_number}\*[^~]*~", text)
    return found.group(0) if found else ""


def batch_of(claim: Claim, biller) -> SubmissionBatch:
    services.claims_scrub_many(claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == "ready", list(claim.edits.values_list("code", "message"))
    batch = services.batch_build(payer=claim.payer, actor=biller, validate=True)
    assert batch is not None and batch.status == "ready", batch and batch.validation_errors
    return batch


# -- a voided claim leaves its unreleased batch ---------------------------------------------------


@db
def test_voiding_a_batched_claim_takes_it_out_of_the_stored_837(biller):
    pay = f.payer("commercial")
    one = ready(biller, pay=pay)
    two = ready(biller, pay=pay)
    old = services.batch_build(payer=pay, actor=biller, validate=True)
    assert clm(old.content, one.claim_number) and clm(old.content, two.claim_number)

    services.claim_void(claim=one, actor=biller, reason="entered twice")

    old.refresh_from_db()
    assert old.status == "withdrawn"
    with pytest.raises(services.BatchStateError):
        services.batch_release(batch=old, actor=biller)
    unreleased = SubmissionBatch.objects.filter(status__in=["ready", "held"])
    assert all(not clm(b.content, one.claim_number) for b in unreleased)
    (rebuilt,) = unreleased
    assert clm(rebuilt.content, two.claim_number) and rebuilt.claim_count == 1
    assert rebuilt.interchange_control_number != old.interchange_control_number
    assert_pyx12_clean(rebuilt.content)
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.batch_id) == ("void", None)
    assert (two.status, two.batch_id) == ("batched", rebuilt.pk)
    services.batch_release(batch=rebuilt, actor=biller)
    two.refresh_from_db()
    assert two.status == "submitted"


@db
def test_voiding_the_only_claim_of_a_batch_withdraws_the_batch(biller):
    claim = ready(biller)
    batch = services.batch_build(payer=claim.payer, actor=biller, validate=False)
    client = client_for(biller)
    response = client.post(reverse("claims:claim_void", args=[claim.public_id]), {"reason": "duplicate"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "withdrawn" and not SubmissionBatch.objects.filter(status="ready").exists()


# -- after adjudication: a void at the payer (frequency 8) -----------------------------------------


@db
def test_void_after_adjudication_sends_frequency_8_with_the_payer_claim_number(biller):
    original = adjudicated(biller, to="paid", icn="ICN55501")
    with pytest.raises(DomainError):
        services.claim_void(claim=original, actor=biller, reason="too late for a local void")
    void = services.claim_void_at_payer(claim=original, actor=biller, reason="billed the wrong patient")
    original.refresh_from_db()
    assert original.status == "replaced"
    assert (void.frequency_code, void.replaces_id, void.status) == ("8", original.pk, "draft")
    keep = ["code", "modifiers", "units", "charge", "ndc", "ndc_quantity", "service_date_from"]
    assert list(void.lines.values_list(*keep)) == list(original.lines.values_list(*keep))

    batch = batch_of(void, biller)
    segment = clm(batch.content, void.claim_number)
    assert ":B:8*" in segment, segment
    assert "REF*F8*ICN55501~" in batch.content
    assert_pyx12_clean(batch.content)


@db
def test_void_at_the_payer_through_the_api_and_the_page(biller, manager):
    original = adjudicated(biller, to="denied", icn="ICN7")
    url = f"/api/v1/claims/claims/{original.public_id}/void-at-payer/"
    options = api(biller).get(url).json()
    assert options["void_at_payer"] and options["replace"] and options["reopening"] == []
    assert api(manager).post(url, {"reason": "x"}).status_code == 403
    response = api(biller).post(url, {"reason": "not our patient"})
    assert response.status_code == 201 and response.json()["frequency_code"] == "8"

    other = adjudicated(biller, to="denied", icn="ICN8")
    client = client_for(biller)
    detail = client.get(reverse("claims:claim_detail", args=[other.public_id])).content.decode()
    assert reverse("claims:claim_void_at_payer", args=[other.public_id]) in detail
    page = client.post(reverse("claims:claim_void_at_payer", args=[other.public_id]), {"reason": "duplicate"})
    void = Claim.objects.get(replaces=other)
    assert page.status_code == 302 and page.url == reverse("claims:claim_detail", args=[void.public_id])


# -- after adjudication: a replacement (frequency 7) carries the corrections ------------------------


@db
def test_replacement_carries_the_corrections_and_writes_frequency_7(biller):
    original = adjudicated(biller, to="partially_paid", icn="ICN9001")
    drug = original.lines.get(code="J1745")
    unchanged = ClaimChanges(lines=(LineChange(key=drug.line_control_number, values={"units": drug.units}),))
    with pytest.raises(services.ClaimEditUnchangedError, match="must correct something"):
        services.claim_replace(claim=original, actor=biller, reason="same again", changes=unchanged)
    corrected = ClaimChanges(
        lines=(
            LineChange(
                key=drug.line_control_number, values={"units": Decimal(50), "charge": Decimal("1500.00")}
            ),
        )
    )
    replacement = services.claim_replace(
        claim=original,
        actor=biller,
        reason="units were 50 per the MAR",
        version=services.claim_version(original),
        changes=corrected,
    )
    original.refresh_from_db()
    assert original.status == "replaced"
    line = replacement.lines.get(code="J1745")
    assert (line.units, line.charge) == (Decimal(50), Decimal("1500.00"))
    assert replacement.total_charge == original.total_charge + Decimal(300)
    assert line.line_control_number.startswith(replacement.claim_number)
    event = replacement.events.get()
    assert {"field": "lines[5].units", "old": "40", "new": "50"} in event.payload["edit"]

    batch = batch_of(replacement, biller)
    assert ":B:7*" in clm(batch.content, replacement.claim_number)
    assert "REF*F8*ICN9001~" in batch.content
    assert_pyx12_clean(batch.content)


@db
def test_replacement_page_is_the_edit_form_and_refuses_a_stale_version(biller):
    original = adjudicated(biller, to="denied", icn="ICN42")
    client = client_for(biller)
    url = reverse("claims:claim_replace", args=[original.public_id])
    page = client.get(url).content.decode()
    assert "Create replacement" in page and 'name="lines-4-units"' in page
    from tests.claims.test_claim_edit import edit_form_data

    data = edit_form_data(client, url)
    data.update({"reason": "units", "lines-4-units": "41", "lines-4-charge": "1230.00"})
    response = client.post(url, data)
    replacement = Claim.objects.get(replaces=original)
    assert response.status_code == 302 and response.url == reverse(
        "claims:claim_detail", args=[replacement.public_id]
    )
    assert replacement.lines.get(line_number=5).units == Decimal(41)

    again = adjudicated(biller, to="denied", icn="ICN43")
    body = {"version": "stale", "reason": "units", "lines": []}
    stale = api(biller).post(f"/api/v1/claims/claims/{again.public_id}/replace/", body, format="json")
    assert stale.status_code == 409


# -- Medicare Part B takes reopenings --------------------------------------------------------------


@db
def test_part_b_denial_guides_to_a_reopening_without_a_replacement_button(biller):
    denied = adjudicated(biller, f.chemo_with_hydration, to="denied", icn="21234567890123")
    client = client_for(biller)
    detail = client.get(reverse("claims:claim_detail", args=[denied.public_id])).content.decode()
    assert "Create replacement" not in detail and "void-at-payer" not in detail
    assert "reopening" in detail and "21234567890123" in detail
    page = client.get(reverse("claims:claim_replace", args=[denied.public_id])).content.decode()
    assert "redetermination" in page and "<form" not in page.split("<main")[1].split("Sign out")[0]
    assert "Create replacement" not in page

    client.post(reverse("claims:claim_replace", args=[denied.public_id]), {"reason": "x"})
    client.post(reverse("claims:claim_void_at_payer", args=[denied.public_id]), {"reason": "x"})
    assert not Claim.objects.filter(replaces=denied).exists()
    with pytest.raises(services.ReopeningRequiredError):
        services.claim_void_at_payer(claim=denied, actor=biller, reason="x")
    body = {"version": services.claim_version(denied), "reason": "units", "lines": []}
    response = api(biller).post(f"/api/v1/claims/claims/{denied.public_id}/replace/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "claim.reopening_required"
    assert api(biller).get(f"/api/v1/claims/claims/{denied.public_id}/replace/").json()["reopening"]


@db
def test_medicare_institutional_claims_take_replacements(biller):
    original = adjudicated(biller, f.hospital_outpatient, to="denied", icn="ICNA1")
    options = services.claim_correction_options(original)
    assert options.replace and options.void_at_payer and not options.reopening


# -- pure: which corrections are open -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "form", "icn", "expected"),
    [
        ("draft", "commercial", "837P", "", {"edit", "void"}),
        ("needs_fix", "medicare", "837P", "", {"edit", "void"}),
        ("batched", "commercial", "837P", "", {"void"}),
        ("submitted", "commercial", "837P", "", set()),
        ("rejected", "medicare", "837P", "", {"edit", "void"}),
        ("denied", "commercial", "837P", "ICN1", {"replace", "void_at_payer"}),
        ("paid", "medicaid", "837P", "ICN1", {"replace", "void_at_payer"}),
        ("denied", "medicare", "837I", "ICN1", {"replace", "void_at_payer"}),
        ("denied", "medicare", "837P", "ICN1", {"reopening"}),
        ("accepted", "commercial", "837P", "", {"waiting"}),
        ("closed", "commercial", "837P", "ICN1", set()),
    ],
)
def test_correction_options(status, kind, form, icn, expected):
    options = correction_options(
        status=status, frequency_code="1", payer_kind=kind, form=form, payer_claim_number=icn
    )
    open_ = {
        name
        for name in ("edit", "void", "replace", "void_at_payer", "reopening", "waiting")
        if getattr(options, name)
    }
    assert open_ == expected


def test_a_void_claim_is_never_edited_and_part_b_is_medicare_professional_only():
    options = correction_options(
        status="draft", frequency_code="8", payer_kind="commercial", form="837P", payer_claim_number="X"
    )
    assert not options.edit and options.void
    assert takes_reopenings("medicare", "837P") and not takes_reopenings("medicare_advantage", "837P")
    steps = correction_options(
        status="paid", frequency_code="1", payer_kind="medicare", form="837P", payer_claim_number=""
    ).reopening
    assert "ICN the ICN on the remittance" not in " ".join(steps) and "the ICN on the remittance" in steps[1]
