"""Denials from a posted 835 through the CLAIM_PAYMENTS_POSTED event; idempotency; recovery."""

from __future__ import annotations

from decimal import Decimal

import pytest

from denials import services
from denials.models import AssignmentRule, Denial, DenialEvent
from denials.tasks import denials_from_posting_task
from infusion_rcm.accounts.roles import Role
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.common import events
from payments.models import ClaimPayment
from tests.denials.helpers import accepted_claim, clp, deny_line, era, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(biller):
    return accepted_claim(biller)


def _post_and_run(text, biller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(text, biller)
    ours = [c for c in callbacks if getattr(c, "func", None).__module__ == "denials.apps"]
    assert len(ours) == 1, "the denials subscriber is called once after posting commits"
    ids = ours[0].keywords["claim_payment_ids"]
    assert (
        ids
        == list(ClaimPayment.objects.filter(status="posted").order_by("pk").values_list("pk", flat=True))[
            -len(ids) :
        ]
    )
    return denials_from_posting_task.apply(args=[ids]).get()


def test_subscribed_to_posting():
    assert any(s.__module__ == "denials.apps" for s in events.subscribers(events.CLAIM_PAYMENTS_POSTED))


def test_a_denied_line_becomes_a_denial_through_the_event(claim, biller, django_capture_on_commit_callbacks):
    created = _post_and_run(
        era(clp(claim, lines=deny_line(3, "CO", "197"))), biller, django_capture_on_commit_callbacks
    )
    assert created == 1
    denial = Denial.objects.get()
    line = claim.lines.order_by("line_number")[3]
    assert denial.claim == claim and denial.claim_line == line
    assert (denial.group, denial.carc, denial.category, denial.next_action) == (
        "CO",
        "197",
        "authorization",
        "request_authorization",
    )
    assert denial.amount == line.charge and denial.status == "new"
    assert denial.priority > 0
    assert DenialEvent.objects.filter(denial=denial, kind="created").count() == 1
    assert AuditEntry.objects.filter(object_type="denials.denial", action="create").exists()


def test_repeat_creates_nothing(claim, biller):
    post(era(clp(claim, lines=deny_line(0, "CO", "50"))), biller)
    ids = list(ClaimPayment.objects.values_list("pk", flat=True))
    first = services.denials_from_claim_payments(claim_payment_ids=ids)
    again = services.denials_from_claim_payments(claim_payment_ids=ids)
    assert len(first) == 1 and again == []
    assert Denial.objects.count() == 1 and DenialEvent.objects.filter(kind="created").count() == 1


def test_paid_claim_has_no_denial(claim, biller):
    post(era(clp(claim)), biller)
    assert (
        services.denials_from_claim_payments(
            claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
        )
        == []
    )


def test_whole_claim_denied_makes_one_denial_per_line(claim, biller):
    post(era(clp(claim, status="4", lines=lambda i, c: (Decimal("0.00"), [f"CAS*CO*16*{c}"]))), biller)
    made = services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
    )
    assert len(made) == claim.lines.count()
    assert {d.category for d in made} == {"missing_information"}


def test_assignment_rule_gives_the_owner(claim, biller, make_user):
    other = make_user("ann", Role.BILLER)
    AssignmentRule.objects.create(category="medical_necessity", user=other, order=200)
    AssignmentRule.objects.create(payer=claim.payer, user=biller, order=100)
    post(era(clp(claim, lines=deny_line(0, "CO", "50"))), biller)
    (denial,) = services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
    )
    assert denial.owner == biller  # the lower order wins between a payer and a category rule
    assert DenialEvent.objects.filter(denial=denial, kind="assigned").exists()
    rules = list(AssignmentRule.objects.all())
    assert services.creation.owner_for(rules, payer_id=claim.payer_id, category="coding") == biller.pk
    AssignmentRule.objects.create(payer=claim.payer, category="medical_necessity", user=other, order=300)
    rules = list(AssignmentRule.objects.all())
    # a rule naming both beats any order
    assert (
        services.creation.owner_for(rules, payer_id=claim.payer_id, category="medical_necessity") == other.pk
    )
    assert services.creation.owner_for(rules, payer_id=0, category="bundling") is None


def test_reversal_and_corrected_payment_recover_the_denial(claim, biller):
    post(era(clp(claim, lines=deny_line(1, "CO", "4")), trace="EFT1"), biller)
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    denial = Denial.objects.get()
    reversal = clp(claim, status="22", sign=-1, lines=deny_line(1, "CO", "4"))
    corrected = clp(claim)
    post(era(reversal, corrected, trace="EFT2"), biller, name="t2.835")
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    denial.refresh_from_db()
    assert denial.status == "resolved" and denial.resolution == "recovered"
    assert denial.recovered_amount > 0
    assert Denial.objects.count() == 1  # the corrected payment paid everything


def test_reversal_alone_resolves_as_reversed(claim, biller):
    post(era(clp(claim, lines=deny_line(1, "CO", "4")), trace="EFT1"), biller)
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    post(
        era(clp(claim, status="22", sign=-1, lines=deny_line(1, "CO", "4")), trace="EFT2"),
        biller,
        name="t2.835",
    )
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    assert Denial.objects.get().resolution == "reversed"


def test_medicare_deadlines(biller):
    claim = accepted_claim(biller)
    claim.payer.kind = "medicare"
    claim.payer.save()
    post(era(clp(claim, lines=deny_line(0, "CO", "50"))), biller)
    (denial,) = services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
    )
    assert (denial.appeal_deadline - denial.notice_date).days == 125
    assert denial.due_date == denial.appeal_deadline
