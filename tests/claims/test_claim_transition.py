"""claim_transition: locks, checks the state table, writes the event; void and replacement."""

from __future__ import annotations

import pytest

from claims import services
from claims.domain.claim_edit import ClaimChanges, LineChange
from claims.models import Claim, ClaimEvent
from infusion_rcm.common.errors import IllegalTransitionError
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(biller):
    visit = f.chemo_with_hydration(biller)
    (row,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    return Claim.objects.get(pk=row.pk)


def test_legal_move_updates_status_and_writes_event(claim, biller):
    services.claim_transition(claim=claim, to="ready", actor=biller, reason="clean", payload={"x": 1})
    claim.refresh_from_db()
    assert claim.status == "ready"
    event = ClaimEvent.objects.filter(claim=claim).last()
    assert (event.from_status, event.to_status, event.reason, event.payload, event.actor) == (
        "draft",
        "ready",
        "clean",
        {"x": 1},
        biller,
    )


def test_illegal_move_raises_and_changes_nothing(claim, biller):
    events = ClaimEvent.objects.count()
    with pytest.raises(IllegalTransitionError):
        services.claim_transition(claim=claim, to="paid", actor=biller, reason="no")
    claim.refresh_from_db()
    assert claim.status == "draft" and ClaimEvent.objects.count() == events


def test_status_is_reread_under_the_lock(claim, biller):
    stale = Claim.objects.get(pk=claim.pk)
    services.claim_transition(claim=claim, to="void", actor=biller, reason="dup")
    with pytest.raises(IllegalTransitionError):
        services.claim_transition(claim=stale, to="ready", actor=biller, reason="stale copy")


def test_void_before_submission_returns_the_charges_for_a_corrected_claim(claim, biller):
    from coding.models import ChargeLine

    charge_ids = list(claim.lines.values_list("charge_line_id", flat=True))
    assert set(ChargeLine.objects.filter(pk__in=charge_ids).values_list("status", flat=True)) == {"on_claim"}
    services.claim_void(claim=claim, actor=biller, reason="entered twice")
    claim.refresh_from_db()
    assert claim.status == "void"
    assert set(ChargeLine.objects.filter(pk__in=charge_ids).values_list("status", flat=True)) == {"reviewed"}
    (corrected,) = services.claims_build_from_charges(visit_ids=[claim.visit_id], enqueue_scrub=False).claims
    assert corrected.pk != claim.pk
    assert sorted(corrected.lines.values_list("charge_line_id", flat=True)) == sorted(charge_ids)


def test_void_after_adjudication_is_refused(claim, biller):
    for to in ("ready", "batched", "submitted", "accepted", "paid"):
        services.claim_transition(claim=claim, to=to, actor=None, reason="setup")
    with pytest.raises(IllegalTransitionError):
        services.claim_void(claim=claim, actor=biller, reason="too late")


def test_replacement_is_frequency_7_referencing_payer_claim_number(biller):
    # A commercial claim: Medicare Part B takes reopenings, not replacements (tests/claims/test_corrections.py).
    visit = f.office_sequential_concurrent(biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    for to in ("ready", "batched", "submitted"):
        services.claim_transition(claim=claim, to=to, actor=None, reason="setup")
    services.claim_transition(
        claim=claim, to="accepted", actor=None, reason="277CA", payer_claim_number="ICN555"
    )
    services.claim_transition(claim=claim, to="denied", actor=None, reason="835")
    first = claim.lines.get(line_number=1)
    changes = ClaimChanges(lines=(LineChange(key=first.line_control_number, values={"units": 2}),))
    replacement = services.claim_replace(claim=claim, actor=biller, reason="wrong units", changes=changes)
    claim.refresh_from_db()
    assert claim.status == "replaced"
    assert (replacement.status, replacement.frequency_code, replacement.replaces_id) == (
        "draft",
        "7",
        claim.pk,
    )
    assert replacement.lines.count() == claim.lines.count()
    from claims.mappers import claim_to_draft
    from claims.selectors import claims_for_drafts

    draft = claim_to_draft(claims_for_drafts(Claim.objects.filter(pk=replacement.pk)).get())
    assert draft.original_claim_reference == "ICN555" and draft.frequency_code == "7"


def test_replacement_needs_adjudicated_claim_with_payer_number(claim, biller):
    with pytest.raises(services.ClaimStateError):
        services.claim_replace(claim=claim, actor=biller, reason="x", changes=ClaimChanges())
