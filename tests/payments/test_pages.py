"""The payments pages: ERA inbox and upload, preview then post, the remittance page with its
adjustments in words and PLB, the claim page's payments, the unmatched queue and matching by
hand, reversals to approve, paper EOB entry, the underpayment queue and its export, the admin's
fee schedule upload; billers post, managers read, nurses get 403; patient data reads audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim
from infusion_rcm.audit.models import AuditEntry
from payments import services
from payments.domain.contracts import ScheduleKind
from payments.models import ClaimPayment, FeeSchedule, Posting, PostingPolicy, RemittanceFile
from payments.reason_codes import adjustment_in_words, carc_description, rarc_description
from payments.services.contracts import fee_schedule_import
from tests.conftest import client_for
from tests.payments.helpers import accepted_claim, clp, denied, era, paid

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def claim(biller):
    return accepted_claim(biller)


def upload(client, text: str, name: str = "pay.835"):
    return client.post(reverse("payments:upload"), {"file": SimpleUploadedFile(name, text.encode())})


def receive_and_post(text: str, actor=None) -> RemittanceFile:
    file, _ = services.remittance_file_receive(text=text, file_name="posted.835", actor=actor)
    services.remittance_file_process(file=file, actor=actor)
    file.refresh_from_db()
    return file


def body(response) -> str:
    return response.content.decode()


def test_reason_codes_in_words():
    assert carc_description("45").startswith("Charge exceeds fee schedule")
    assert carc_description("co-45") == ""  # the code alone, not group-code
    assert rarc_description("n130").startswith("Consult plan benefit documents")
    assert carc_description("999") == "" and rarc_description("") == ""
    assert (
        adjustment_in_words("PR", "2", D("12.00"))
        == "PR-2 patient responsibility: Coinsurance amount (12.00)"
    )
    assert adjustment_in_words("CO", "999").endswith(": CARC 999")


# ---------------------------------------------------------------------------
# Inbox, upload, preview, post
# ---------------------------------------------------------------------------


def test_upload_previews_then_posts(claim, biller):
    client = client_for(biller)
    response = upload(client, era(clp(claim, lines=lambda i, c: denied(c) if i == 0 else paid(c))))
    file = RemittanceFile.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "payments:remittance_preview", args=[file.public_id]
    )
    assert file.status == "parsed" and not Posting.objects.exists()  # nothing posts before the preview
    preview = client.get(response.url)
    text = body(preview)
    assert "1</strong> claim payment will post" in text
    assert "Accepted → <strong>Partially paid</strong>" in text and "Post this remittance" in text
    posted = client.post(reverse("payments:remittance_post", args=[file.public_id]), follow=True)
    assert "Posted 1 claim payment." in body(posted)
    file.refresh_from_db()
    claim.refresh_from_db()
    assert file.status == "posted" and file.posted_by == biller and claim.status == "partially_paid"
    again = client.post(reverse("payments:remittance_post", args=[file.public_id]), follow=True)
    assert (
        "nothing to post" in body(again) and Posting.objects.filter(claim=claim, category="paid").count() == 3
    )
    same = upload(client, file.content)
    assert same.url == reverse("payments:remittance_detail", args=[file.public_id])
    assert RemittanceFile.objects.count() == 1


def test_a_refused_file_shows_why_and_stays_in_the_inbox(claim, biller):
    client = client_for(biller)
    text = era(clp(claim)).replace("BPR*I*", "BPR*I*1", 1)  # BPR02 no longer the claims' total
    response = upload(client, text, name="bad.835")
    file = RemittanceFile.objects.get()
    assert file.status == "failed" and response.url == reverse(
        "payments:remittance_detail", args=[file.public_id]
    )
    page = body(client.get(response.url))
    assert "Refused whole, nothing posted" in page and file.error["message"] in page
    inbox = body(client.get(reverse("payments:inbox")))
    assert "bad.835" in inbox and "Refused:" in inbox
    assert not ClaimPayment.objects.exists()


def test_empty_or_missing_upload_is_refused_with_a_message(biller):
    client = client_for(biller)
    response = client.post(
        reverse("payments:upload"), {"file": SimpleUploadedFile("e.835", b"")}, follow=True
    )
    assert "The file is empty" in body(response) or "The submitted file is empty" in body(response)
    response = client.post(reverse("payments:upload"), {}, follow=True)
    assert "This field is required" in body(response)
    garbage = client.post(
        reverse("payments:upload"), {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 \xff\xfe")}, follow=True
    )
    assert garbage.status_code == 200 and "refused" in body(garbage).lower()
    assert RemittanceFile.objects.get().status == "failed"


def test_inbox_lists_status_totals_balance_and_work(claim, biller, manager, nurse):
    receive_and_post(era(clp(claim), clp(claim, number="NOT-OURS", icn="NOT-OURS"), plb=(("L6", "-5.00"),)))
    client = client_for(manager)
    page = body(client.get(reverse("payments:inbox")))
    assert "posted.835" in page and "balanced" in page and "1 unmatched" in page
    assert "provider adjustments -5.00" in page
    assert "Upload and preview" not in page  # managers read
    assert client.post(reverse("payments:upload"), {}).status_code == 403
    assert client_for(nurse).get(reverse("payments:inbox")).status_code == 403
    entry = AuditEntry.objects.filter(action="list", object_type="payments.remittancefile").last()
    assert entry.user == manager and entry.extra["ids"] == [str(RemittanceFile.objects.get().pk)]
    filtered = body(client.get(reverse("payments:inbox"), {"status": "failed"}))
    assert "posted.835" not in filtered


def test_remittance_page_says_adjustments_remarks_and_plb_in_words(claim, manager):
    def lines(index, charge):
        if index == 3:
            return D("0.00"), [f"CAS*CO*197*{charge}", "LQ*HE*N130"]
        return paid(charge)

    other = accepted_claim(manager)
    file = receive_and_post(
        era(clp(claim, lines=lines), plb=(("L6", "-12.34"), (f"WO:{other.payer_claim_number}", "20.00")))
    )
    client = client_for(manager)
    page = body(client.get(reverse("payments:remittance_detail", args=[file.public_id])))
    assert (
        "CO-197</strong>" in page
        and "Precertification/authorization/notification/pre-treatment absent" in page
    )
    assert "PR-2</strong>" in page and "Coinsurance amount" in page and "patient responsibility" in page
    assert "N130</strong> Consult plan benefit documents" in page
    assert "L6</strong> interest owed" in page.lower() or "L6</strong>" in page
    assert "takes 20.00 back" in page and "adds to the payment" in page
    assert other.claim_number in page
    assert "processed as primary" in page and "835 file imported" in page
    assert AuditEntry.objects.filter(action="view", object_type="payments.remittancefile").exists()
    listed = AuditEntry.objects.filter(action="list", object_type="payments.claimpayment").last()
    assert listed.extra["ids"] == [str(ClaimPayment.objects.get(claim=claim).pk)]
    only_posted = body(
        client.get(reverse("payments:remittance_detail", args=[file.public_id]), {"status": "unmatched"})
    )
    assert "No claim payments unmatched" in only_posted


def test_big_file_posts_on_the_era_queue(claim, biller, monkeypatch, django_capture_on_commit_callbacks):
    from payments import views

    monkeypatch.setattr(views, "POST_NOW_LIMIT", 0)
    client = client_for(biller)
    upload(client, era(clp(claim)))
    file = RemittanceFile.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("payments:remittance_post", args=[file.public_id]), follow=True)
    assert "posting on the era queue" in body(response) and len(callbacks) == 1
    file.refresh_from_db()
    assert file.status == "parsed"


# ---------------------------------------------------------------------------
# The claim page
# ---------------------------------------------------------------------------


def test_claim_page_loads_its_payments_from_payments(claim, biller, manager, nurse):
    receive_and_post(era(clp(claim)))
    client = client_for(manager)
    detail = body(client.get(reverse("claims:claim_detail", args=[claim.public_id])))
    url = reverse("payments:claim_payments", args=[claim.public_id])
    assert f'hx-get="{url}"' in detail
    part = client.get(url, HTTP_HX_REQUEST="true")
    text = body(part)
    assert "<html" not in text and "Payments and adjustments" in text
    paid_total = sum(Posting.objects.filter(claim=claim, category="paid").values_list("amount", flat=True))
    assert f"<strong>{paid_total}</strong>" in text and "CO-45</strong>" in text
    full = body(client.get(url))
    assert "<html" in full and claim.claim_number in full
    assert client_for(nurse).get(url).status_code == 403
    assert AuditEntry.objects.filter(
        action="list", object_type="payments.claimpayment", user=manager
    ).exists()
    nothing = accepted_claim(biller)
    assert "No remittance has paid" in body(
        client.get(reverse("payments:claim_payments", args=[nothing.public_id]))
    )


# ---------------------------------------------------------------------------
# Unmatched, reversals to approve
# ---------------------------------------------------------------------------


def test_unmatched_found_by_search_and_matched_by_hand_then_posts(claim, biller, manager):
    receive_and_post(era(clp(claim, number="XYZ-1", icn="XYZ-ICN")))
    payment = ClaimPayment.objects.get()
    assert payment.status == "unmatched"
    queue = body(client_for(manager).get(reverse("payments:unmatched")))
    assert "XYZ-1" in queue and ">Find the claim</a>" not in queue
    client = client_for(biller)
    assert ">Find the claim</a>" in body(client.get(reverse("payments:unmatched")))
    url = reverse("payments:claim_payment_match", args=[payment.public_id])
    page = body(client.get(url))  # searched by the payment's own patient, date and charge
    assert claim.claim_number in page and "Match to" in page
    assert "No claim found" in body(client.get(url, {"patient": "Nobody"}))
    assert claim.claim_number in body(client.get(url, {"claim_number": claim.claim_number.lower()}))
    assert client_for(manager).get(url).status_code == 403
    done = client.post(url, {"claim": str(claim.public_id)}, follow=True)
    assert f"matched to claim {claim.claim_number} and posted" in body(done)
    payment.refresh_from_db()
    claim.refresh_from_db()
    assert payment.status == "posted" and payment.match_method == "manual" and claim.status == "paid"
    again = client.post(url, {"claim": str(claim.public_id)}, follow=True)
    assert "only an unmatched one is matched by hand" in body(again)
    assert client.get(url).status_code == 302  # nothing left to match


def test_match_without_a_claim_is_refused(claim, biller):
    receive_and_post(era(clp(claim, number="XYZ-2", icn="XYZ-ICN2")))
    payment = ClaimPayment.objects.get()
    url = reverse("payments:claim_payment_match", args=[payment.public_id])
    response = client_for(biller).post(url, {"claim": "not-a-uuid"}, follow=True)
    assert "Choose the claim" in body(response)
    payment.refresh_from_db()
    assert payment.status == "unmatched"


def test_held_reversal_approved_on_its_page(claim, biller, manager):
    PostingPolicy.objects.create(pk=1, reversal_approval_amount=D("100.00"))
    receive_and_post(era(clp(claim), trace="EFT1"))
    receive_and_post(era(clp(claim, status="22", sign=-1), clp(claim, icn="ICN-NEW"), trace="EFT2"))
    reversal = ClaimPayment.objects.get(is_reversal=True)
    page = body(client_for(manager).get(reverse("payments:held")))
    assert "takes back" in page and "100.00" in page and "Approve and post" not in page
    client = client_for(biller)
    assert "Approve and post" in body(client.get(reverse("payments:held")))
    url = reverse("payments:claim_payment_approve", args=[reversal.public_id])
    assert client_for(manager).post(url).status_code == 403
    assert client.get(url).status_code == 405
    done = client.post(url, follow=True)
    assert "approved and posted" in body(done)
    assert set(ClaimPayment.objects.values_list("status", flat=True)) == {"posted"}
    again = client.post(url, follow=True)
    assert "not held for approval" in body(again)


# ---------------------------------------------------------------------------
# Paper EOB
# ---------------------------------------------------------------------------


def eob_post(claim: Claim, **over) -> dict:
    """Form data paying `claim` like paid(): 62 % allowed, the patient owing 20 % of it."""
    data = {
        "claims": claim.claim_number,
        "payer": str(claim.payer_id),
        "check_number": "CHK 5521",
        "payment_date": "2026-12-10",
        "payment_method": "CHK",
        "c0-claim_number": claim.claim_number,
        "c0-status": "1",
        "c0-payer_claim_number": "PAPER-ICN-1",
        "action": "post",
    }
    for n, line in enumerate(claim.lines.order_by("line_number")):
        pay, cas = paid(line.charge)
        adjustments = ", ".join(f"{c.split('*')[1]}-{c.split('*')[2]} {c.split('*')[3]}" for c in cas)
        data.update(
            {
                f"c0-l{n}-code": line.code,
                f"c0-l{n}-modifiers": " ".join(line.modifiers),
                f"c0-l{n}-units": str(line.units),
                f"c0-l{n}-service_date": line.service_date_from.isoformat(),
                f"c0-l{n}-charge": str(line.charge),
                f"c0-l{n}-line_control_number": line.line_control_number,
                f"c0-l{n}-paid": str(pay),
                f"c0-l{n}-adjustments": adjustments,
            }
        )
    data.update(over)
    return data


def test_paper_eob_goes_through_the_same_posting_and_shows_its_source(claim, biller):
    client = client_for(biller)
    url = reverse("payments:manual_eob")
    assert "Claim numbers on the EOB" in body(client.get(url))
    form = body(client.get(url, {"claims": claim.claim_number}))
    first = claim.lines.order_by("line_number").first()
    assert f'value="{first.line_control_number}"' in form and f'value="{first.charge}"' in form
    response = client.post(url, eob_post(claim, **{"c0-l0-remark_codes": "N130"}), follow=True)
    file = RemittanceFile.objects.get()
    assert file.source == "paper" and file.received_by == biller and file.status == "posted"
    page = body(response)
    assert "Paper EOB entered and posted" in page and "paper EOB entered by hand by bill" in page
    assert "N130</strong>" in page
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.payer_claim_number == "PAPER-ICN-1"
    payment = ClaimPayment.objects.get()
    assert payment.paid == sum(paid(ln.charge)[0] for ln in claim.lines.all())
    assert "Paper EOB, entered by bill" in body(client.get(reverse("payments:inbox")))


def test_paper_eob_check_first_then_post(claim, biller):
    client = client_for(biller)
    response = client.post(reverse("payments:manual_eob"), eob_post(claim, action="check"))
    file = RemittanceFile.objects.get()
    assert response.url == reverse("payments:remittance_preview", args=[file.public_id])
    assert file.status == "parsed" and not Posting.objects.exists()


def test_paper_eob_that_does_not_balance_is_refused_whole(claim, biller):
    client = client_for(biller)
    url = reverse("payments:manual_eob")
    response = client.post(url, eob_post(claim, **{"c0-l0-paid": "1.00"}))
    text = body(response)
    assert response.status_code == 200 and "Not entered:" in text and claim.claim_number in text
    assert 'value="1.00"' in text  # what was typed is kept
    bad = body(client.post(url, eob_post(claim, **{"c0-l1-adjustments": "CO45 twelve"})))
    assert "Not understood: &#x27;CO45 TWELVE&#x27;" in bad
    check = body(client.post(url, eob_post(claim, payment_amount="5.00")))
    assert "Not entered:" in check and "5.00" in check
    unknown = body(client.get(url, {"claims": "NO-SUCH-CLAIM"}))
    assert "No claim NO-SUCH-CLAIM" in unknown
    plb = body(client.post(url, eob_post(claim, **{"p0-reason": "L6"})))
    assert "Give both the reason and the amount" in plb
    assert not RemittanceFile.objects.exists() and not Posting.objects.exists()


def test_paper_eob_with_interest_and_a_denied_line(claim, biller):
    data = eob_post(claim, **{"p0-reason": "L6", "p0-amount": "-3.21"})
    drug = claim.lines.order_by("line_number").last()
    data.update(
        {"c0-l3-paid": "0.00", "c0-l3-adjustments": f"CO-197 {drug.charge}", "c0-l3-remark_codes": "N54"}
    )
    client_for(biller).post(reverse("payments:manual_eob"), data)
    file = RemittanceFile.objects.get()
    assert file.status == "posted" and file.provider_adjustment_total == D("-3.21")
    claim.refresh_from_db()
    assert claim.status == "partially_paid"


# ---------------------------------------------------------------------------
# Underpayments
# ---------------------------------------------------------------------------


CONTRACT = "code,modifier,method,rate,percent\n96413,,rate,310.00,\n96415,,percent_of_charge,,62\n"


def test_underpayment_queue_page_and_export(claim, biller, manager, nurse):
    fee_schedule_import(
        text=CONTRACT,
        kind=ScheduleKind.CONTRACT,
        payer=claim.payer,
        effective_from=claim.service_date_from - dt.timedelta(days=10),
        name="Acme 2026",
    )
    receive_and_post(era(clp(claim)))
    client = client_for(manager)
    page = body(client.get(reverse("payments:underpayments")))
    assert "1 line:" in page and "short <strong>62.00</strong>" in page
    assert "Acme 2026: 310.00 per unit x 1 units" in page and claim.claim_number in page
    assert AuditEntry.objects.filter(
        action="list", object_type="payments.claimpayment", user=manager
    ).exists()
    other_payer = body(client.get(reverse("payments:underpayments"), {"service_from": "2099-01-01"}))
    assert "No underpaid line for this filter" in other_payer
    export = client.get(reverse("payments:underpayments_export"))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["claim", "patient", "payer"] and len(rows) == 2
    assert rows[1][0] == claim.claim_number and rows[1][4] == "96413" and rows[1][11] == "62.00"
    audit = AuditEntry.objects.get(action="export")
    assert audit.extra["rows"] == 1 and audit.user == manager
    PostingPolicy.objects.create(pk=1, underpayment_tolerance=D("100.00"))
    assert "0 lines" in body(client.get(reverse("payments:underpayments")))
    assert client_for(nurse).get(reverse("payments:underpayments")).status_code == 403
    assert client_for(nurse).get(reverse("payments:underpayments_export")).status_code == 403


def test_preview_shows_what_the_contract_expects(claim, biller):
    fee_schedule_import(
        text=CONTRACT, kind="contract", payer=claim.payer, effective_from=claim.service_date_from
    )
    client = client_for(biller)
    response = upload(client, era(clp(claim)))
    text = body(client.get(response.url))
    assert "short 62.00" in text


# ---------------------------------------------------------------------------
# Admin: fee schedule upload
# ---------------------------------------------------------------------------


def test_admin_imports_a_fee_schedule_and_sees_every_fault(claim, admin_user, biller):
    client = client_for(admin_user)
    url = reverse("admin:payments_feeschedule_import")
    assert "Import a fee schedule from CSV" in body(client.get(url))
    form = {"kind": "contract", "payer": claim.payer_id, "effective_from": "2026-01-01"}
    bad = client.post(
        url,
        {
            **form,
            "file": SimpleUploadedFile(
                "f.csv", b"code,modifier,method,rate,percent\n96413,,rate,x,\n96415,,nope,,5\n"
            ),
        },
    )
    text = body(bad)
    assert "line 2: rate &#x27;x&#x27; is not a number" in text and "line 3: method" in text
    assert not FeeSchedule.objects.exists()
    good = client.post(url, {**form, "file": SimpleUploadedFile("f.csv", CONTRACT.encode())}, follow=True)
    schedule = FeeSchedule.objects.get()
    assert schedule.rates.count() == 2 and schedule.imported_by == admin_user and "Imported" in body(good)
    assert 'value="96413"' in body(good)  # its rates, editable on its page
    assert "Import from CSV" in body(client.get(reverse("admin:payments_feeschedule_changelist")))
    reference = client.post(
        url, {**form, "kind": "asp", "file": SimpleUploadedFile("a.csv", b"code,modifier,amount\nJ9263,,3\n")}
    )
    assert "is for no payer" in body(reference)
    assert client_for(biller).get(url).status_code in (302, 403)


# ---------------------------------------------------------------------------
# Query-count guards: the queues and the remittance page cost the same for 1 row or many
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["payments:inbox", "payments:unmatched", "payments:underpayments", "payments:remittance_detail"],
)
def test_pages_query_count_does_not_grow_with_rows(name, biller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(biller)

    def cost() -> int:
        file = RemittanceFile.objects.order_by("-pk").first()
        url = reverse(name, args=[file.public_id]) if name == "payments:remittance_detail" else reverse(name)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def pay(n: int) -> None:
        claims = [accepted_claim(biller) for _ in range(n)]
        for c in claims:
            fee_schedule_import(
                text=CONTRACT, kind="contract", payer=c.payer, effective_from=c.service_date_from
            )
        receive_and_post(era(*[clp(c) for c in claims], clp(claims[0], number=f"STRAY-{n}", icn=f"S-{n}")))

    pay(1)
    few = cost()
    pay(3)
    assert cost() <= few
