"""The next payer's claim after posting (issue 12, 1 and 2): real 835s posted on real claims,
then the event's task; every secondary/tertiary 837 goes through scrub and batch and validates
with pyx12."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims import services as claim_services
from claims.domain.validation import validate_with_pyx12
from claims.models import Claim, ClaimEvent
from infusion_rcm.common.events import CLAIM_PAYMENTS_POSTED, subscribers
from intake.models import IntakeAlert
from payments import services
from payments.models import ClaimPayment
from payments.services.next_payer import crossover_followups_raise, next_payer_after_posting
from payments.tasks import next_payer_claims_task
from tests.claims import factories as f
from tests.claims.domain.factories import pyx12_errors_text
from tests.payments.helpers import clp, era, paid

pytestmark = pytest.mark.django_db
D = Decimal
PAID_ON = dt.date(2026, 12, 15)  # BPR16 of the test remittances


def post(text: str, actor) -> list[ClaimPayment]:
    file, _ = services.remittance_file_receive(text=text, file_name="t.835", actor=actor)
    services.remittance_file_process(file=file, actor=actor)
    return list(ClaimPayment.objects.filter(remittance__file=file).order_by("pk"))


def from_payer(text: str, payer) -> str:
    """The test 835 as sent by `payer` (REF*2U names it, so the remittance is matched to it)."""
    return text.replace("REF*2U*ACME01", f"REF*2U*{payer.payer_id}")


def medicare_pays(index: int, charge: Decimal):
    """62 % allowed, a 240.00 Part B deductible on the first line, 20 % coinsurance (PR-2)."""
    if index == 0:
        allowed = (charge * D("0.62")).quantize(D("0.01"))
        coinsurance = ((allowed - D("240.00")) * D("0.20")).quantize(D("0.01"))
        pay = allowed - D("240.00") - coinsurance
        return pay, [f"CAS*CO*45*{charge - allowed}", f"CAS*PR*1*240.00*1*2*{coinsurance}"]
    return paid(charge)


def accept(claim: Claim) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(status="accepted", payer_claim_number=f"ICN{claim.pk:08d}")
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def world(biller):
    medicare = f.payer("medicare", name="Medicare Part B IL", payer_id="MCR0952")
    medigap = f.payer("commercial", name="Lakeside Medigap Plan F", payer_id="MGAP01")
    visit = f.chemo_with_hydration(biller, medicare)
    f.coverage(visit.patient, medigap, rank="secondary")
    (claim,) = claim_services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    return {"medicare": medicare, "medigap": medigap, "claim": accept(claim), "visit": visit}


def batch_of(claim: Claim, biller) -> str:
    """Scrub the claim and batch it for its payer; the 837 must pass pyx12."""
    claim_services.claim_scrub(claim=claim, actor=biller)
    claim.refresh_from_db()
    assert claim.status == "ready", list(claim.edits.values_list("code", "message"))
    batch = claim_services.batch_build(payer=claim.payer, actor=biller, claim_ids=[claim.pk])
    assert batch is not None
    errors = validate_with_pyx12(batch.content)
    assert not errors, pyx12_errors_text(errors)
    assert batch.status == "ready"
    return batch.content


def test_the_event_subscriber_is_registered():
    assert any(s.__name__ == "_enqueue_next_payer" for s in subscribers(CLAIM_PAYMENTS_POSTED))


def test_secondary_after_medicare_with_deductible_and_coinsurance(world, biller):
    claim, medigap = world["claim"], world["medigap"]
    (payment,) = post(from_payer(era(clp(claim, lines=medicare_pays)), world["medicare"]), biller)
    assert payment.status == "posted" and payment.remittance.payer == world["medicare"]

    result = next_payer_claims_task.apply(args=[[payment.pk]]).get()  # what the event enqueues
    assert result.startswith("built 1")
    second = Claim.objects.get(prior_claim=claim)
    assert (second.payer, second.payer_sequence, second.status) == (medigap, "S", "draft")
    assert second.coverage.rank == "secondary" and second.total_charge == claim.total_charge
    assert second.lines.count() == claim.lines.count()
    assert not second.lines.filter(charge_line__isnull=False).exists()
    (snapshot,) = second.prior_adjudications
    assert D(snapshot["paid"]) == payment.paid and snapshot["payer_claim_number"] == claim.payer_claim_number
    assert snapshot["sequence"] == "P" and snapshot["adjudication_date"] == PAID_ON.isoformat()
    # line control numbers point at the secondary's own lines (2430 follows its 2400)
    assert {ln["line_control_number"] for ln in snapshot["lines"]} == set(
        second.lines.values_list("line_control_number", flat=True)
    )
    event = ClaimEvent.objects.get(claim=second)
    assert f"built from {claim.claim_number}" in event.reason and "Medicare Part B IL paid" in event.reason

    segs = batch_of(second, biller).split("~")
    assert any(s.startswith("SBR*S*18") for s in segs) and "SBR*P*18*******MB" in segs
    assert f"AMT*D*{payment.paid}".rstrip("0").rstrip(".") in [s.rstrip("0").rstrip(".") for s in segs]
    eaf = next(s for s in segs if s.startswith("AMT*EAF*"))
    deductible_and_coinsurance = sum(
        (a.amount for a in payment.adjustments.all() if a.group == "PR"), D("0.00")
    )
    assert D(eaf.split("*")[2]) == deductible_and_coinsurance and deductible_and_coinsurance > D("240")
    assert f"REF*F8*{claim.payer_claim_number}" in segs
    assert len([s for s in segs if s.startswith("SVD*MCR0952*")]) == claim.lines.count()
    assert any(s.startswith("CAS*PR*1*240*1*2*") for s in segs)  # the quantity the 835 sent
    assert "DTP*573*D8*20261215" in segs

    # idempotent: the same posting again (a retried task, a second delivery) builds nothing new
    again = next_payer_after_posting(claim_payment_ids=[payment.pk])
    assert again.built == [second.pk]
    assert Claim.objects.filter(prior_claim=claim).count() == 1


def test_tertiary_after_the_secondary_pays(world, biller):
    claim, medigap = world["claim"], world["medigap"]
    medicaid = f.payer("medicaid", name="Illinois Medicaid", payer_id="ILMCD1")
    f.coverage(claim.patient, medicaid, rank="tertiary")
    (first,) = post(from_payer(era(clp(claim, lines=medicare_pays)), world["medicare"]), biller)
    (second_id,) = next_payer_after_posting(claim_payment_ids=[first.pk]).built
    second = Claim.objects.get(pk=second_id)
    batch_of(second, biller)
    Claim.objects.filter(pk=second.pk).update(status="submitted")
    second = accept(second)

    def medigap_pays(index: int, charge: Decimal):
        """The Medigap plan pays the coinsurance; the deductible stays with the patient."""
        if index == 0:
            return D("50.00"), [f"CAS*OA*23*{charge - D('290.00')}", "CAS*PR*1*240.00"]
        return D("10.00"), [f"CAS*OA*23*{charge - D('10.00')}"]

    (paid_second,) = post(
        from_payer(era(clp(second, status="2", lines=medigap_pays), trace="EFT2002"), medigap), biller
    )
    assert paid_second.claim_id == second.pk
    run = next_payer_after_posting(claim_payment_ids=[paid_second.pk])
    third = Claim.objects.get(pk=run.built[0])
    assert (third.payer, third.payer_sequence, third.prior_claim) == (medicaid, "T", second)
    assert [a["sequence"] for a in third.prior_adjudications] == ["P", "S"]
    segs = batch_of(third, biller).split("~")
    assert any(s.startswith("SBR*T*18") for s in segs)
    assert segs.index("SBR*P*18*******MB") < segs.index("SBR*S*18*******CI")
    assert "AMT*EAF*240" in segs  # what is left for the patient after the secondary
    # after the tertiary there is no one else to bill
    third = accept(Claim.objects.get(pk=third.pk))
    (paid_third,) = post(
        from_payer(era(clp(third, status="3", lines=lambda i, c: paid(c)), trace="EFT3003"), medicaid), biller
    )
    assert next_payer_after_posting(claim_payment_ids=[paid_third.pk]).built == []


def test_crossover_builds_no_secondary_and_follows_up(world, biller):
    claim, medigap = world["claim"], world["medigap"]
    crossover = ("NM1*TT*2*LAKESIDE MEDIGAP PLAN F*****PI*MGAP01", "MOA***MA18")
    (payment,) = post(
        from_payer(era(clp(claim, status="19", lines=medicare_pays, extra=crossover)), world["medicare"]),
        biller,
    )
    run = next_payer_after_posting(claim_payment_ids=[payment.pk])
    assert run.built == [] and run.forwarded == [claim.pk]
    assert not Claim.objects.filter(prior_claim=claim).exists()
    claim.refresh_from_db()
    assert claim.forwarded_on == PAID_ON and claim.forwarded_era_on is None
    assert claim.forwarded_to == "LAKESIDE MEDIGAP PLAN F" and claim.forwarded_coverage.payer == medigap
    # the same posting again: still no secondary
    assert next_payer_after_posting(claim_payment_ids=[payment.pk]).built == []

    # not yet overdue: nothing; after 30 days: one follow-up, once
    assert crossover_followups_raise(as_of=PAID_ON + dt.timedelta(days=29)) == 0
    assert crossover_followups_raise(as_of=PAID_ON + dt.timedelta(days=30)) == 1
    assert crossover_followups_raise(as_of=PAID_ON + dt.timedelta(days=31)) == 0
    alert = IntakeAlert.objects.get(patient=claim.patient, resolved=False)
    assert claim.claim_number in alert.message and "LAKESIDE MEDIGAP PLAN F" in alert.message

    # the Medigap plan's own ERA for the crossed-over claim: the wait ends, still no secondary
    (theirs,) = post(
        from_payer(
            era(
                clp(claim, status="2", lines=lambda i, c: (D("10.00"), [f"CAS*OA*23*{c - D('10.00')}"])),
                trace="EFTX1",
            ),
            medigap,
        ),
        biller,
    )
    run = next_payer_after_posting(claim_payment_ids=[theirs.pk])
    assert run.crossover_received == [claim.pk] and run.built == []
    claim.refresh_from_db()
    assert claim.forwarded_era_on == PAID_ON
    alert.refresh_from_db()
    assert alert.resolved
    assert not Claim.objects.filter(prior_claim=claim).exists()


def test_secondary_when_the_primary_denied(world, biller):
    claim, medigap = world["claim"], world["medigap"]
    (payment,) = post(
        from_payer(
            era(
                clp(
                    claim,
                    status="4",
                    lines=lambda i, c: (D("0.00"), [f"CAS*CO*96*{c}"]),
                    extra=("MOA***N130",),
                )
            ),
            world["medicare"],
        ),
        biller,
    )
    claim.refresh_from_db()
    assert claim.status == "denied"
    (second_id,) = next_payer_after_posting(claim_payment_ids=[payment.pk]).built
    second = Claim.objects.get(pk=second_id)
    assert second.payer == medigap and second.prior_adjudications[0]["claim_status_code"] == "4"
    segs = batch_of(second, biller).split("~")
    assert "AMT*D*0" in segs and "MOA***N130" in segs
    assert len([s for s in segs if s.startswith("CAS*CO*96*")]) == claim.lines.count()


def test_no_secondary_coverage_no_claim(biller):
    medicare = f.payer("medicare", payer_id="MCR0777")
    visit = f.chemo_with_hydration(biller, medicare)
    (claim,) = claim_services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    claim = accept(claim)
    (payment,) = post(from_payer(era(clp(claim)), medicare), biller)
    run = next_payer_after_posting(claim_payment_ids=[payment.pk])
    assert run.built == [] and "no secondary coverage" in run.skipped[payment.pk]


def test_reversal_of_the_primary_voids_the_unsent_secondary(world, biller):
    claim = world["claim"]
    (payment,) = post(from_payer(era(clp(claim, lines=medicare_pays)), world["medicare"]), biller)
    (second_id,) = next_payer_after_posting(claim_payment_ids=[payment.pk]).built
    (reversal,) = post(
        from_payer(
            era(clp(claim, status="22", sign=-1, lines=medicare_pays), trace="EFTREV"), world["medicare"]
        ),
        biller,
    )
    assert reversal.reversal_of_id == payment.pk
    run = next_payer_after_posting(claim_payment_ids=[reversal.pk])
    assert run.withdrawn == [second_id]
    second = Claim.objects.get(pk=second_id)
    assert second.status == "void"
    assert "reversed its payment" in ClaimEvent.objects.filter(claim=second).last().reason


def test_after_a_crossover_the_tertiary_gets_both_adjudications(world, biller):
    claim, medigap = world["claim"], world["medigap"]
    medicaid = f.payer("medicaid", name="Illinois Medicaid", payer_id="ILMCD2")
    f.coverage(claim.patient, medicaid, rank="tertiary")
    crossover = ("NM1*TT*2*LAKESIDE MEDIGAP PLAN F*****PI*MGAP01",)
    (forwarding,) = post(
        from_payer(era(clp(claim, status="19", lines=medicare_pays, extra=crossover)), world["medicare"]),
        biller,
    )
    assert next_payer_after_posting(claim_payment_ids=[forwarding.pk]).built == []

    def medigap_pays(index: int, charge: Decimal):
        if index == 0:
            return D("50.00"), [f"CAS*OA*23*{charge - D('290.00')}", "CAS*PR*1*240.00"]
        return D("10.00"), [f"CAS*OA*23*{charge - D('10.00')}"]

    (theirs,) = post(
        from_payer(era(clp(claim, status="2", lines=medigap_pays), trace="EFTX2"), medigap), biller
    )
    run = next_payer_after_posting(claim_payment_ids=[theirs.pk])
    assert run.crossover_received == [claim.pk]
    third = Claim.objects.get(pk=run.built[0])
    assert (third.payer, third.payer_sequence, third.prior_claim) == (medicaid, "T", claim)
    primary, second = third.prior_adjudications
    assert (primary["sequence"], primary["payer_id"]) == ("P", "MCR0952")
    assert (second["sequence"], second["payer_id"], second["payer_name"]) == ("S", "MGAP01", medigap.name)
    segs = batch_of(third, biller).split("~")
    assert segs.index("SBR*P*18*******MB") < segs.index("SBR*S*18*******CI")
    assert "AMT*EAF*240" in segs
    # once only
    assert next_payer_after_posting(claim_payment_ids=[theirs.pk]).built == [third.pk]
