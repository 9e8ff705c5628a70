"""Appeals: levels and deadlines per payer kind, the letter (PDF text), send, each outcome, and
the later payment credited to the appeal that won it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest

from denials import services
from denials.domain.appeals import AppealLevel, NoFurtherLevel, next_level
from denials.models import Appeal, Denial
from infusion_rcm.common.errors import DomainError, InvalidInputError
from payments.models import ClaimPayment
from tests.claims import factories as f
from tests.denials.helpers import accepted_claim, clp, deny_line, era, post

pytestmark = pytest.mark.django_db


def _denial(biller, kind: str, carc: str = "197"):
    claim = accepted_claim(biller, f.payer(kind=kind, name=f"{kind.title()} Plan"))
    post(era(clp(claim, lines=deny_line(0, "CO", carc))), biller)
    (denial,) = services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
    )
    return denial


def _today(denial) -> dt.date:
    return denial.notice_date + dt.timedelta(days=10)


def test_medicare_ladder_deadlines():
    decided = dt.date(2026, 3, 2)
    recon = next_level("medicare", AppealLevel.REDETERMINATION, decision_date=decided)
    assert recon.level is AppealLevel.RECONSIDERATION
    assert recon.deadline == decided + dt.timedelta(days=5 + 180)  # 42 CFR 405.962
    alj = next_level("medicare", AppealLevel.RECONSIDERATION, decision_date=decided)
    assert alj.level is AppealLevel.ALJ and alj.deadline == decided + dt.timedelta(days=5 + 60)
    with pytest.raises(NoFurtherLevel):
        next_level("medicare", AppealLevel.ALJ, decision_date=decided)
    second = next_level("commercial", AppealLevel.FIRST, decision_date=decided)
    assert second.level is AppealLevel.SECOND and second.deadline == decided + dt.timedelta(days=60)
    with pytest.raises(NoFurtherLevel):
        next_level("commercial", AppealLevel.SECOND, decision_date=decided)


def test_medicare_first_level_is_redetermination_by_the_denials_deadline(biller):
    denial = _denial(biller, "medicare")
    appeal = services.appeal_start(
        denial=denial, actor=biller, attachments=["Physician's order"], today=_today(denial)
    )
    assert appeal.level == "redetermination"
    assert appeal.deadline == denial.notice_date + dt.timedelta(days=125) == denial.appeal_deadline
    denial.refresh_from_db()
    assert denial.status == "in_progress"


def test_letter_pdf_has_the_claims_facts_and_attachments(biller):
    from pypdf import PdfReader

    denial = _denial(biller, "commercial", carc="197")
    claim = denial.claim
    claim.prior_auth_number = "AUTH778"
    claim.save()
    appeal = services.appeal_start(
        denial=denial,
        actor=biller,
        attachments=["Prior authorization approval", "Physician's order"],
        letter_note="The authorization was faxed on the day of service.",
        today=_today(denial),
    )
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(services.appeal_letter_pdf(appeal))).pages
    )
    text = " ".join(text.split())
    assert "Request for first-level appeal" in text
    assert claim.claim_number in text and claim.patient.last_name in text
    assert claim.coverage.member_id in text
    assert f"${denial.amount}" in text
    assert "authorization AUTH778" in text  # the authorization category's argument
    assert "faxed on the day of service" in text
    assert "Enclosed: Prior authorization approval Physician's order" in text


def test_attachments_required_and_deadline_passed_refused(biller):
    denial = _denial(biller, "commercial")
    with pytest.raises(InvalidInputError, match="at least one attachment"):
        services.appeal_start(denial=denial, actor=biller, attachments=[" "], today=_today(denial))
    late = denial.appeal_deadline + dt.timedelta(days=1)
    with pytest.raises(DomainError, match="passed on"):
        services.appeal_start(denial=denial, actor=biller, attachments=["Progress notes"], today=late)
    assert not Appeal.objects.exists()


def _sent(biller, kind="commercial"):
    denial = _denial(biller, kind)
    today = _today(denial)
    appeal = services.appeal_start(denial=denial, actor=biller, attachments=["Progress notes"], today=today)
    appeal = services.appeal_send(appeal=appeal, sent_on=today, actor=biller, today=today)
    denial.refresh_from_db()
    assert denial.status == "waiting_on_payer" and appeal.status == "sent"
    return denial, appeal, today


def test_upheld_opens_the_next_level_then_the_last_is_the_last(biller):
    denial, appeal, today = _sent(biller)
    decided = today + dt.timedelta(days=20)
    services.appeal_decide(
        appeal=appeal,
        outcome="upheld",
        decision_date=decided,
        received_on=None,
        note="",
        actor=biller,
        today=decided,
    )
    denial.refresh_from_db()
    assert denial.status == "in_progress"
    assert "Next: second-level appeal by" in denial.events.last().message
    second = services.appeal_start(denial=denial, actor=biller, attachments=["Progress notes"], today=decided)
    assert second.level == "second" and second.deadline == decided + dt.timedelta(days=60)
    services.appeal_send(appeal=second, sent_on=decided, actor=biller, today=decided)
    services.appeal_decide(
        appeal=second,
        outcome="upheld",
        decision_date=decided,
        received_on=decided,
        note="",
        actor=biller,
        today=decided,
    )
    with pytest.raises(DomainError, match="last level"):
        services.appeal_start(denial=denial, actor=biller, attachments=["Progress notes"], today=decided)


def test_overturned_waits_for_the_money_then_the_payment_is_credited_to_the_appeal(biller):
    denial, appeal, today = _sent(biller)
    services.appeal_decide(
        appeal=appeal,
        outcome="overturned",
        decision_date=today,
        received_on=today,
        note="paid on review",
        actor=biller,
        today=today,
    )
    denial.refresh_from_db()
    assert denial.status == "waiting_on_payer"
    with pytest.raises(DomainError, match="overturned"):
        services.appeal_start(denial=denial, actor=biller, attachments=["x"], today=today)
    post(era(clp(denial.claim), trace="EFT2"), biller, name="t2.835")  # the payer pays the claim
    services.denials_from_claim_payments(claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True))
    denial.refresh_from_db()
    appeal.refresh_from_db()
    assert denial.resolution == "recovered" and appeal.recovered_amount == denial.recovered_amount > 0


def test_partly_overturned_recovery_by_hand_is_credited(biller):
    denial, appeal, today = _sent(biller)
    services.appeal_decide(
        appeal=appeal,
        outcome="partly",
        decision_date=today,
        received_on=today,
        note="",
        actor=biller,
        today=today,
    )
    services.denial_mark_recovered(
        denial=denial, actor=biller, amount=Decimal("10.00"), note="check with letter"
    )
    appeal.refresh_from_db()
    assert appeal.outcome == "partly" and appeal.recovered_amount == Decimal("10.00")
    assert Denial.objects.get().status == "resolved"


def test_decision_dates_checked(biller):
    _denial_row, appeal, today = _sent(biller)
    with pytest.raises(InvalidInputError, match="before the appeal was sent"):
        services.appeal_decide(
            appeal=appeal,
            outcome="upheld",
            decision_date=today - dt.timedelta(days=1),
            received_on=None,
            note="",
            actor=biller,
            today=today,
        )
    with pytest.raises(InvalidInputError, match="overturned, partly"):
        services.appeal_decide(
            appeal=appeal,
            outcome="won",
            decision_date=today,
            received_on=None,
            note="",
            actor=biller,
            today=today,
        )
    appeal.refresh_from_db()
    assert appeal.status == "sent"


def test_pages_draft_letter_send_decide(biller, biller_client, nurse_client):
    from django.urls import reverse

    denial = _denial(biller, "medicare")
    page = biller_client.get(reverse("denials:detail", args=[denial.public_id]))
    assert page.status_code == 200 and b"Start the redetermination" in page.content
    refused = biller_client.post(
        reverse("denials:appeal_start", args=[denial.public_id]), {"attachments": []}
    )
    assert refused.status_code == 400 and b"at least one attachment" in refused.content
    done = biller_client.post(
        reverse("denials:appeal_start", args=[denial.public_id]), {"attachments": ["Progress notes"]}
    )
    assert done.status_code == 302
    appeal = Appeal.objects.get()
    letter = biller_client.get(reverse("denials:appeal_letter", args=[appeal.public_id]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    assert nurse_client.get(reverse("denials:appeal_letter", args=[appeal.public_id])).status_code == 403
    today = dt.date.today().isoformat()
    biller_client.post(reverse("denials:appeal_send", args=[appeal.public_id]), {"sent_on": today})
    appeal.refresh_from_db()
    assert appeal.status == "sent"
    biller_client.post(
        reverse("denials:appeal_decide", args=[appeal.public_id]),
        {"outcome": "upheld", "decision_date": today, "received_on": ""},
    )
    page = biller_client.get(reverse("denials:detail", args=[denial.public_id]))
    assert b"Upheld" in page.content and b"Start the reconsideration" in page.content
