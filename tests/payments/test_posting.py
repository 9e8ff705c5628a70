"""Posting 835s: each claim status, each CAS group, reversals, PLB, matching, idempotency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claims.models import Claim, ClaimEvent
from payments import services
from payments.models import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    Posting,
    PostingPolicy,
    ProviderAdjustment,
    RemittanceFile,
)
from tests.payments.helpers import accepted_claim, clp, denied, era, paid

pytestmark = pytest.mark.django_db


def post(text: str, actor=None, name: str = "t.835") -> services.PostResult:
    file, _ = services.remittance_file_receive(text=text, file_name=name, actor=actor)
    return services.remittance_file_process(file=file, actor=actor)


def money(claim: Claim) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for row in Posting.objects.filter(claim=claim):
        out[row.category] = out.get(row.category, Decimal("0")) + row.amount
    return out


@pytest.fixture
def claim(biller):
    return accepted_claim(biller)


def test_paid_in_full_posts_lines_adjustments_and_status(claim, biller):
    result = post(era(clp(claim)), biller)
    assert result.claims_posted == 1 and result.file.status == "posted"
    claim.refresh_from_db()
    assert claim.status == "paid"
    cp = ClaimPayment.objects.get()
    assert cp.status == "posted" and cp.match_method == "claim_number" and cp.claim_status_result == "moved"
    assert set(LinePayment.objects.values_list("match_method", flat=True)) == {"control_number"}
    m = money(claim)
    assert m["paid"] == cp.paid
    assert m["paid"] + m["patient_responsibility"] + m["adjustment"] == claim.total_charge
    event = ClaimEvent.objects.filter(claim=claim).last()
    assert (event.from_status, event.to_status, event.actor) == ("accepted", "paid", biller)


@pytest.mark.parametrize(
    ("status", "lines", "extra", "expected"),
    [
        ("1", None, (), "paid"),
        ("2", lambda i, c: (c * 0, [f"CAS*OA*23*{c - c * 0}"]) if False else paid(c), (), "paid"),
        ("3", None, (), "paid"),
        ("1", lambda i, c: denied(c) if i == 2 else paid(c), (), "partially_paid"),
        ("4", lambda i, c: denied(c, "CO", "197"), (), "denied"),
        ("19", None, ("NM1*TT*2*SECONDARY MUTUAL*****PI*SM001",), "paid"),
        ("20", None, ("NM1*TT*2*TERTIARY PLAN*****PI*TP001",), "paid"),
        ("21", None, (), "paid"),
        ("23", lambda i, c: denied(c, "OA", "109"), (), "denied"),
        ("25", lambda i, c: denied(c, "CO", "45"), (), "accepted"),
        ("1", lambda i, c: (Decimal("0.00"), [f"CAS*PR*1*{c}"]), (), "paid"),  # all to the deductible
    ],
)
def test_each_claim_status_code(claim, biller, status, lines, extra, expected):
    result = post(era(clp(claim, status=status, lines=lines, extra=extra)), biller)
    assert result.claims_posted == 1
    claim.refresh_from_db()
    assert claim.status == expected
    cp = ClaimPayment.objects.get()
    assert cp.claim_status_code == status and cp.status == "posted"
    if status in ("19", "20"):
        assert cp.crossover_carrier and "crossed over" in ClaimEvent.objects.filter(claim=claim).last().reason
    if expected in ("denied", "partially_paid"):
        assert claim.status_reason


@pytest.mark.parametrize("group", ["CO", "PR", "OA", "PI", "CR"])
def test_each_cas_group_is_stored_at_line_and_claim_level(claim, biller, group):
    def lines(index, charge):
        pay, cas = paid(charge)
        if index == 0:  # move 10.00 of the contractual amount to the group under test
            co = Decimal(cas[0].split("*")[3]) - 10
            cas = [f"CAS*CO*45*{co}", cas[1], f"CAS*{group}*94*10.00"]
        return pay, cas

    post(era(clp(claim, lines=lines, claim_cas=((group, "253", "1.00"),))), biller)
    rows = Adjustment.objects.filter(group=group)
    assert {(r.line_payment_id is None, r.reason, r.amount) for r in rows} >= {
        (True, "253", Decimal("1.00")),
        (False, "94", Decimal("10.00")),
    }
    category = "patient_responsibility" if group == "PR" else "adjustment"
    assert Posting.objects.filter(
        group=group, category=category, reason="94", claim_line__isnull=False
    ).exists()
    assert Posting.objects.filter(group=group, reason="253", claim_line__isnull=True).exists()
    m = money(claim)
    assert m["paid"] + m["patient_responsibility"] + m["adjustment"] == claim.total_charge


@pytest.fixture
def no_approval(db):
    PostingPolicy.objects.create(pk=1, reversal_approval_amount=Decimal("100000.00"))


def test_reversal_then_correction_reverses_with_new_rows(claim, biller, no_approval):
    post(era(clp(claim), trace="EFT1"), biller)
    original = ClaimPayment.objects.get()
    first_rows = set(Posting.objects.values_list("pk", "amount"))
    new_icn = f"{claim.payer_claim_number}A"
    corrected = clp(claim, icn=new_icn, lines=lambda i, c: denied(c) if i == 1 else paid(c))
    result = post(era(clp(claim, status="22", sign=-1), corrected, trace="EFT2"), biller)
    assert result.claims_posted == 2
    assert (
        set(Posting.objects.filter(pk__in=[p for p, _ in first_rows]).values_list("pk", "amount"))
        == first_rows
    )  # history untouched
    reversal = ClaimPayment.objects.get(is_reversal=True)
    assert reversal.reversal_of == original
    reversing = Posting.objects.filter(claim_payment=reversal)
    assert reversing.count() == len(first_rows)
    assert all(r.reverses_id and r.amount == -r.reverses.amount for r in reversing)
    claim.refresh_from_db()
    assert claim.status == "partially_paid"
    moves = list(ClaimEvent.objects.filter(claim=claim).values_list("from_status", "to_status"))[-3:]
    assert moves == [("accepted", "paid"), ("paid", "accepted"), ("accepted", "partially_paid")]
    assert claim.payer_claim_number == new_icn
    assert money(claim)["paid"] == ClaimPayment.objects.get(payer_claim_number=new_icn).paid


def test_large_reversal_waits_for_approval_then_posts(claim, biller):
    PostingPolicy.objects.create(pk=1, reversal_approval_amount=Decimal("100.00"))
    post(era(clp(claim), trace="EFT1"), biller)
    corrected = clp(claim, icn="ICNNEW")
    result = post(era(clp(claim, status="22", sign=-1), corrected, trace="EFT2"), biller)
    assert result.held == 2 and result.claims_posted == 0
    claim.refresh_from_db()
    assert claim.status == "paid"
    follower = ClaimPayment.objects.get(payer_claim_number="ICNNEW")
    with pytest.raises(services.RemittanceStateError):
        services.claim_payment_approve(claim_payment=follower, actor=biller)
    reversal = ClaimPayment.objects.get(is_reversal=True)
    services.claim_payment_approve(claim_payment=reversal, actor=biller)
    assert set(ClaimPayment.objects.values_list("status", flat=True)) == {"posted"}
    claim.refresh_from_db()
    assert claim.status == "paid" and money(claim)["paid"] == follower.paid


def test_reversal_of_a_payment_we_never_posted_posts_as_sent(claim, biller, no_approval):
    post(era(clp(claim, status="22", sign=-1)), biller)
    m = money(claim)
    assert m["paid"] < 0 and m["paid"] + m["patient_responsibility"] + m["adjustment"] == -claim.total_charge
    assert not Posting.objects.filter(reverses__isnull=False).exists()


def test_plb_interest_and_recoupment_are_provider_level(claim, biller):
    other = accepted_claim(biller)
    result = post(
        era(clp(claim), plb=(("L6", "-12.34"), (f"WO:{other.payer_claim_number}", "250.00"))), biller
    )
    assert result.claims_posted == 1
    interest, recoupment = ProviderAdjustment.objects.order_by("sequence")
    assert (interest.reason, interest.amount, interest.claim) == ("L6", Decimal("-12.34"), None)
    assert (recoupment.reason, recoupment.reference, recoupment.claim) == (
        "WO",
        other.payer_claim_number,
        other,
    )
    rows = Posting.objects.filter(category="provider")
    assert sorted(r.amount for r in rows) == [Decimal("-12.34"), Decimal("250.00")]
    assert all(r.claim_id is None for r in rows)
    assert money(other) == {}


def test_line_found_when_payer_drops_reference_and_modifier(claim, biller):
    drug = claim.lines.get(code="J9263")
    assert drug.modifiers == ["JZ"]
    post(era(clp(claim, drop_ref=frozenset({0, 1, 2, 3}), drop_modifiers=frozenset({3}))), biller)
    matched = {
        lp.procedure_code: (lp.claim_line_id, lp.match_method, lp.modifiers)
        for lp in LinePayment.objects.all()
    }
    assert matched["J9263"] == (drug.pk, "procedure", [])
    assert all(method == "procedure" for _, method, _ in matched.values())
    assert Posting.objects.filter(claim_line=drug, category="paid").exists()


def test_the_same_file_twice_changes_nothing(claim, biller):
    text = era(clp(claim))
    post(text, biller)
    counts = (
        Posting.objects.count(),
        ClaimEvent.objects.count(),
        ClaimPayment.objects.count(),
        RemittanceFile.objects.count(),
    )
    again = post(text, biller)
    assert (again.claims_posted, again.claims_already_posted) == (0, 1)
    assert (
        Posting.objects.count(),
        ClaimEvent.objects.count(),
        ClaimPayment.objects.count(),
        RemittanceFile.objects.count(),
    ) == counts
    file = RemittanceFile.objects.get()
    assert services.remittance_file_post(file=file, actor=biller).claims_posted == 0
    assert Posting.objects.count() == counts[0]


def test_the_same_claim_payment_in_another_file_posts_once(claim, biller):
    segments = clp(claim)
    post(era(segments, isa=501), biller)
    result = post(era(segments, isa=502), biller)  # re-sent under a new ISA13: another file
    assert (result.claims_posted, result.claims_already_posted) == (0, 1)
    assert ClaimPayment.objects.filter(status="duplicate").count() == 1
    assert money(claim)["paid"] == ClaimPayment.objects.get(status="posted").paid


def test_a_refused_file_changes_nothing(claim, biller):
    segments, pay = clp(claim)
    text = era((segments, pay + 1))  # BPR02 one dollar more than the claims pay
    result = post(text, biller)
    assert result.file.status == "failed" and "does not balance" in result.errors[0]
    assert not ClaimPayment.objects.exists() and not Posting.objects.exists()
    claim.refresh_from_db()
    assert claim.status == "accepted"
    assert RemittanceFile.objects.get().error["message"] == result.errors[0]


def test_unmatched_goes_to_the_queue_and_posts_once_matched(claim, biller):
    from payments import selectors

    post(era(clp(claim, number="UNKNOWN1", icn="NOPE")), biller)
    cp = ClaimPayment.objects.get()
    assert cp.status == "unmatched" and cp.claim is None
    assert list(selectors.unmatched_queue()) == [cp]
    found = list(
        selectors.match_candidates(
            patient=cp.patient_last_name, service_date=cp.service_date_from, amount=cp.charge
        )
    )
    assert claim in found
    services.claim_payment_match(claim_payment=cp, claim=claim, actor=biller)
    cp.refresh_from_db()
    claim.refresh_from_db()
    assert (cp.status, cp.match_method, claim.status) == ("posted", "manual", "paid")
    assert set(LinePayment.objects.values_list("match_method", flat=True)) == {"control_number"}
    with pytest.raises(services.RemittanceStateError):
        services.claim_payment_match(claim_payment=cp, claim=claim, actor=biller)


def test_matched_by_payer_claim_number_when_clp01_is_not_ours(claim, biller):
    post(era(clp(claim, number="THEIRS-9")), biller)
    cp = ClaimPayment.objects.get()
    assert (cp.claim, cp.match_method, cp.status) == (claim, "payer_claim_number", "posted")


def test_submitted_claim_paid_without_277ca(biller):
    claim = accepted_claim(biller)
    Claim.objects.filter(pk=claim.pk).update(status="submitted")
    post(era(clp(claim)), biller)
    claim.refresh_from_db()
    assert claim.status == "paid"


def test_a_terminal_claim_gets_its_money_and_keeps_its_status(claim, biller):
    Claim.objects.filter(pk=claim.pk).update(status="closed")
    post(era(clp(claim)), biller)
    cp = ClaimPayment.objects.get()
    assert cp.status == "posted" and cp.claim_status_result.startswith("refused")
    claim.refresh_from_db()
    assert claim.status == "closed" and money(claim)["paid"] == cp.paid


def test_preview_writes_nothing(claim, biller):
    file, _ = services.remittance_file_receive(text=era(clp(claim)), file_name="p.835", actor=biller)
    file = services.remittance_file_parse(file=file)
    preview = services.remittance_file_preview(file=file)
    assert preview["would_post"] == 1
    (row,) = preview["claims"]
    assert (row["claim_status_now"], row["claim_status_after"], row["fate"]) == ("accepted", "paid", "post")
    assert not Posting.objects.exists()
    claim.refresh_from_db()
    assert claim.status == "accepted"
