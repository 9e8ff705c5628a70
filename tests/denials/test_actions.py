"""Each action's effect on the claim and the denial, through the owning apps' services; the
work services (status, assignment, notes); refusals with a message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claims.domain.claim_edit import ClaimChanges, LineChange
from claims.models import Claim, ClaimEvent
from claims.services import ReopeningRequiredError
from denials import services
from denials.domain.types import DENIAL_TRANSITIONS
from denials.models import Denial, DenialPolicy, WriteOffRequest
from infusion_rcm.common.errors import DomainError, IllegalTransitionError, InvalidInputError
from payments.models import ClaimPayment
from tests.claims import factories as f
from tests.denials.helpers import accepted_claim, clp, deny_line, era, post

pytestmark = pytest.mark.django_db


def _denials(claim, plan, status="1"):
    post(era(clp(claim, lines=plan, status=status)))
    return services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
    )


@pytest.fixture
def claim(biller):
    return accepted_claim(biller, f.payer(kind="commercial", name="Acme Health"))


@pytest.fixture
def denial(claim):
    (one,) = _denials(claim, deny_line(0, "CO", "4"))
    return one


def test_corrected_claim_is_a_frequency_7_replacement(denial, claim, biller):
    line = denial.claim_line
    new = services.denial_correct(
        denial=denial,
        actor=biller,
        reason="modifier added",
        changes=ClaimChanges(lines=(LineChange(key=line.line_control_number, values={"modifiers": "59"}),)),
    )
    claim.refresh_from_db()
    denial.refresh_from_db()
    assert new.frequency_code == "7" and new.replaces == claim and claim.status == "replaced"
    assert new.lines.get(line_number=line.line_number).modifiers == ["59"]
    assert denial.status == "waiting_on_payer" and denial.result_claim == new


def test_corrected_claim_that_changes_nothing_is_refused_and_nothing_moves(denial, claim, biller):
    with pytest.raises(DomainError, match="must correct something"):
        services.denial_correct(denial=denial, actor=biller, reason="again", changes=ClaimChanges())
    denial.refresh_from_db()
    claim.refresh_from_db()
    assert denial.status == "new" and claim.status == "partially_paid"


def test_medicare_part_b_is_corrected_by_reopening(biller):
    claim = accepted_claim(biller, f.payer(kind="medicare", name="Medicare"))
    (denial,) = _denials(claim, deny_line(0, "CO", "4"))
    with pytest.raises(ReopeningRequiredError, match="reopening"):
        services.denial_correct(
            denial=denial, actor=biller, reason="x", changes=ClaimChanges(values={"prior_auth_number": "A1"})
        )


def test_void_is_frequency_8_and_closes_the_denials(claim, biller):
    made = _denials(claim, lambda i, c: (Decimal("0.00"), [f"CAS*CO*16*{c}"]), status="4")
    void = services.denial_void(denial=made[0], actor=biller, reason="billed in error")
    claim.refresh_from_db()
    assert void.frequency_code == "8" and claim.status == "replaced"
    assert set(Denial.objects.values_list("status", "resolution")) == {("resolved", "voided")}


def test_new_claim_is_frequency_1_and_closes_the_original(claim, biller):
    made = _denials(claim, lambda i, c: (Decimal("0.00"), [f"CAS*CO*16*{c}", "LQ*HE*MA130"][:1]), status="4")
    new = services.denial_new_claim(denial=made[0], actor=biller, reason="unprocessable: member id fixed")
    claim.refresh_from_db()
    assert new.frequency_code == "1" and new.status == "draft" and new.coverage == claim.coverage
    assert new.lines.count() == claim.lines.count()
    assert claim.status == "closed"
    assert ClaimEvent.objects.filter(claim=claim, to_status="closed").exists()
    assert all(d.status == "waiting_on_payer" and d.result_claim == new for d in Denial.objects.all())


def test_rebill_another_payer(claim, biller):
    (denial,) = _denials(claim, deny_line(0, "CO", "22"))
    other = f.coverage(claim.patient, f.payer(name="Other plan"), rank="secondary")
    new = services.denial_new_claim(
        denial=denial, actor=biller, reason="the other plan is primary", coverage=other
    )
    assert new.payer == other.payer and new.coverage == other
    (again,) = _denials(accepted_claim(biller), deny_line(0, "CO", "22"))
    with pytest.raises(InvalidInputError, match="coverage the claim went to"):
        services.denial_new_claim(denial=again, actor=biller, reason="x", coverage=again.claim.coverage)


def test_bill_patient_only_what_is_the_patients(claim, biller):
    (co,) = _denials(claim, deny_line(0, "CO", "197"))
    with pytest.raises(DomainError, match="may not be billed to the patient"):
        services.denial_bill_patient(denial=co, actor=biller)
    co.refresh_from_db()
    assert co.status == "new"


def test_bill_patient_resolves_and_closes_a_denied_claim(biller):
    claim = accepted_claim(biller)
    made = _denials(claim, lambda i, c: (Decimal("0.00"), [f"CAS*PR*204*{c}"]), status="4")
    for d in made:
        services.denial_bill_patient(denial=d, actor=biller)
    claim.refresh_from_db()
    assert claim.status == "closed"
    assert set(Denial.objects.values_list("resolution", flat=True)) == {"patient_billed"}


def test_write_off_below_the_amount_resolves(denial, biller):
    DenialPolicy.objects.create(pk=1, write_off_approval_amount=Decimal("100000.00"))
    with pytest.raises(InvalidInputError, match="reason"):
        services.denial_write_off(denial=denial, actor=biller, reason="  ")
    done = services.denial_write_off(denial=denial, actor=biller, reason="not worth it")
    assert done.status == "resolved" and done.resolution == "written_off"


def test_write_off_above_the_amount_needs_a_manager(denial, biller, manager):
    DenialPolicy.objects.create(pk=1, write_off_approval_amount=Decimal("1.00"))
    request = services.denial_write_off(denial=denial, actor=biller, reason="bundled, no distinct session")
    assert isinstance(request, WriteOffRequest) and request.status == "pending"
    denial.refresh_from_db()
    assert denial.status == "in_progress"
    with pytest.raises(DomainError, match="already waits"):
        services.denial_write_off(denial=denial, actor=biller, reason="again")
    with pytest.raises(DomainError, match="Only a manager"):
        services.write_off_approve(request=request, actor=biller)
    services.write_off_approve(request=request, actor=manager, note="ok")
    denial.refresh_from_db()
    assert denial.resolution == "written_off"
    with pytest.raises(DomainError, match="already approved"):
        services.write_off_refuse(request=request, actor=manager, note="no")


def test_write_off_refused_keeps_the_denial_open(denial, biller, manager):
    DenialPolicy.objects.create(pk=1, write_off_approval_amount=Decimal("1.00"))
    request = services.denial_write_off(denial=denial, actor=biller, reason="x")
    with pytest.raises(InvalidInputError):
        services.write_off_refuse(request=request, actor=manager, note="")
    services.write_off_refuse(request=request, actor=manager, note="appeal it first")
    denial.refresh_from_db()
    assert denial.status == "in_progress" and denial.events.filter(kind="write_off").count() == 2


def test_status_assignment_notes(denial, biller, nurse):
    services.denial_move(denial=denial, to="waiting_on_payer", actor=biller, note="appeal sent")
    with pytest.raises(InvalidInputError, match="Resolve a denial"):
        services.denial_move(denial=denial, to="resolved", actor=biller)
    with pytest.raises(InvalidInputError):
        services.denial_move(denial=denial, to="lost", actor=biller)
    with pytest.raises(InvalidInputError, match="choose a biller"):
        services.denial_assign(denial=denial, user=nurse, actor=biller)
    services.denial_assign(denial=denial, user=biller, actor=biller)
    with pytest.raises(InvalidInputError, match="Write the note"):
        services.denial_note(denial=denial, text=" ", actor=biller)
    services.denial_note(denial=denial, text="called the payer", actor=biller)
    denial.refresh_from_db()
    kinds = list(denial.events.values_list("kind", flat=True))
    assert denial.owner == biller and kinds[-3:] == ["status", "assigned", "note"]


def test_resolved_denial_refuses_more_work(denial, biller):
    services.denial_mark_recovered(
        denial=denial, actor=biller, amount=Decimal("10.00"), note="check 1234 came"
    )
    with pytest.raises(DomainError, match="resolved"):
        services.denial_write_off(denial=denial, actor=biller, reason="x")
    with pytest.raises(IllegalTransitionError):
        DENIAL_TRANSITIONS.check("resolved", "new")


def test_recovered_amount_checked(denial, biller):
    with pytest.raises(InvalidInputError, match="cannot exceed"):
        services.denial_mark_recovered(denial=denial, actor=biller, amount=denial.amount + 1, note="x")


def test_reprioritize(denial):
    import datetime as dt

    Denial.objects.filter(pk=denial.pk).update(priority=Decimal("0.00"))
    assert services.denials_reprioritize(today=denial.due_date - dt.timedelta(days=1)) == 1
    denial.refresh_from_db()
    assert denial.priority > 0
    assert Claim.objects.filter(pk=denial.claim_id).exists()
