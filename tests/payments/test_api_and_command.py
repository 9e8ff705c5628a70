"""The payments API (upload, read, preview, post, paper EOB, match, approve), import_835 and the
claim API's money fields; roles: billers post, managers read, nurses get 403."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from claims.models import Claim
from payments.models import ClaimPayment, Posting, PostingPolicy, RemittanceFile
from tests.payments.helpers import accepted_claim, clp, denied, era, paid

pytestmark = pytest.mark.django_db

BASE = "/api/v1/payments/remittances"


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def claim(biller):
    return accepted_claim(biller)


def upload(api, text: str, **extra):
    return api.post(BASE, {"file": SimpleUploadedFile("pay.835", text.encode()), **extra}, format="multipart")


def test_upload_posts_on_the_era_queue_after_commit(claim, biller, django_capture_on_commit_callbacks):
    api = client(biller)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(api, era(clp(claim)))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] and body["queued"] and body["file"]["status"] == "parsed"
    assert len(callbacks) == 1  # the posting task, enqueued once the upload committed
    file = RemittanceFile.objects.get()
    from payments.tasks import remittance_file_process_task

    assert remittance_file_process_task.run(file.pk, biller.pk) == "posted 1"
    assert remittance_file_process_task.run(file.pk, biller.pk) == "posted 0"  # idempotent
    again = upload(api, era(clp(claim), isa=file.interchange_control and int(file.interchange_control)))
    assert again.status_code == 200 and not again.json()["created"]


def test_raw_text_upload_and_read_endpoints(claim, biller, manager):
    api = client(biller)
    text = era(clp(claim, lines=lambda i, c: denied(c) if i == 0 else paid(c)))
    response = api.post(f"{BASE}?post=false", text, content_type="text/plain")
    assert response.status_code == 201, response.json()
    public_id = response.json()["file"]["public_id"]
    preview = api.get(f"{BASE}/{public_id}/preview/").json()
    assert preview["would_post"] == 1 and preview["claims"][0]["claim_status_after"] == "partially_paid"
    assert not Posting.objects.exists()
    posted = api.post(f"{BASE}/{public_id}/post/").json()
    assert posted["claims_posted"] == 1 and posted["status"] == "posted"
    assert api.post(f"{BASE}/{public_id}/post/").json()["claims_already_posted"] == 1
    reader = client(manager)
    listing = reader.get(f"{BASE}/").json()
    assert listing["results"][0]["public_id"] == public_id and listing["results"][0]["balanced"] is True
    detail = reader.get(f"{BASE}/{public_id}/").json()
    cp = detail["remittances"][0]["claim_payments"][0]
    assert cp["claim"] == str(claim.public_id) and cp["status"] == "posted"
    line = cp["lines"][0]
    assert line["claim_line"] == claim.lines.order_by("line_number").first().line_control_number
    assert line["adjustments"][0] == {
        "group": "CO",
        "group_meaning": "Contractual obligation" if False else line["adjustments"][0]["group_meaning"],
        "reason": "197",
        "amount": str(claim.lines.order_by("line_number").first().charge),
        "quantity": None,
    }
    assert reader.post(f"{BASE}/{public_id}/post/").status_code == 403


def test_a_bad_upload_is_refused_with_its_reason_and_kept_as_failed(claim, biller):
    segments, pay = clp(claim)
    response = upload(client(biller), era((segments, pay + Decimal("0.01"))))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "remittance.refused" and "does not balance" in body["message"]
    assert RemittanceFile.objects.get().status == "failed"
    assert not ClaimPayment.objects.exists()
    assert client(biller).post(BASE, {}, format="json").status_code == 400
    assert client(biller).post(BASE, "not an 835", content_type="text/plain").status_code == 400


def test_nurses_get_403_everywhere(claim, nurse):
    api = client(nurse)
    assert api.get(f"{BASE}/").status_code == 403
    assert upload(api, era(clp(claim))).status_code == 403
    assert api.get("/api/v1/payments/claim-payments/").status_code == 403


def test_paper_eob_entry_posts_through_the_same_code(claim, biller):
    lines = list(claim.lines.order_by("line_number"))
    eob_lines = []
    for line in lines:
        pay, cas = paid(line.charge)
        eob_lines.append(
            {
                "code": line.code,
                "modifiers": line.modifiers,
                "units": str(line.units),
                "service_date": line.service_date_from.isoformat(),
                "charge": str(line.charge),
                "paid": str(pay),
                "line_control_number": line.line_control_number,
                "adjustments": [
                    {"group": c.split("*")[1], "reason": c.split("*")[2], "amount": c.split("*")[3]}
                    for c in cas
                ],
            }
        )
    total_paid = sum(Decimal(x["paid"]) for x in eob_lines)
    eob = {
        "payer_name": "ACME HEALTH PLAN",
        "payer_id": "ACME01",
        "check_number": "CHK12345",
        "payment_date": "2026-12-10",
        "payment_amount": str(total_paid - Decimal("5.00")),
        "claims": [
            {
                "claim_number": claim.claim_number,
                "status": "1",
                "charge": str(claim.total_charge),
                "paid": str(total_paid),
                "payer_claim_number": "PAPER-ICN-1",
                "lines": eob_lines,
            }
        ],
        "provider_adjustments": [{"reason": "WO", "reference": "OLDCLAIM", "amount": "5.00"}],
    }
    api = client(biller)
    bad = {**eob, "payment_amount": str(total_paid)}
    response = api.post(f"{BASE}/manual/", bad, format="json")
    assert response.status_code == 400 and "does not balance" in response.json()["message"]
    assert api.post(f"{BASE}/manual/", {**eob, "claims": []}, format="json").status_code == 400
    assert api.post(f"{BASE}/manual/", {**eob, "payment_amount": 1.5}, format="json").status_code == 400
    assert not RemittanceFile.objects.exists()
    response = api.post(f"{BASE}/manual/", eob, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["received_by"], body["status"]) == ("paper", "bill", "posted")
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.payer_claim_number == "PAPER-ICN-1"
    assert Posting.objects.filter(claim=claim, category="paid").count() == len(lines)
    assert Posting.objects.filter(category="provider", amount=Decimal("5.00")).exists()
    again = api.post(f"{BASE}/manual/", eob, format="json")
    assert again.status_code == 201 and RemittanceFile.objects.count() == 1  # the same EOB posts once


def test_claim_payments_match_by_hand_and_approve(claim, biller, manager):
    PostingPolicy.objects.create(pk=1, reversal_approval_amount=Decimal("10.00"))
    api = client(biller)
    from payments import services

    file, _ = services.remittance_file_receive(
        text=era(clp(claim, number="LOST-1", icn="LOST")), file_name="u", actor=None
    )
    services.remittance_file_process(file=file, actor=None)
    unmatched = ClaimPayment.objects.get(status="unmatched")
    listing = client(manager).get("/api/v1/payments/claim-payments/?status=unmatched").json()
    assert [r["public_id"] for r in listing["results"]] == [str(unmatched.public_id)]
    url = f"/api/v1/payments/claim-payments/{unmatched.public_id}"
    candidates = api.get(f"{url}/candidates/").json()
    assert str(claim.public_id) in [c["public_id"] for c in candidates]
    assert api.get(f"{url}/candidates/?patient=nobody").json() == []
    assert client(manager).post(f"{url}/match/", {"claim": str(claim.public_id)}).status_code == 403
    matched = api.post(f"{url}/match/", {"claim": str(claim.public_id)}, format="json")
    assert matched.status_code == 200 and matched.json()["status"] == "posted"
    assert api.post(f"{url}/match/", {"claim": str(claim.public_id)}, format="json").status_code == 400
    text = era(clp(claim, status="22", sign=-1, number="LOST-1", icn="LOST"), trace="EFT9")
    file, _ = services.remittance_file_receive(text=text, file_name="r", actor=None)
    services.remittance_file_process(file=file, actor=None)
    held = ClaimPayment.objects.get(status="held")
    response = api.post(f"/api/v1/payments/claim-payments/{held.public_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "posted"
    detail = api.get(f"/api/v1/payments/claim-payments/{held.public_id}/").json()
    assert detail["is_reversal"] and detail["lines"]


def test_claim_api_shows_the_money(claim, biller, manager):
    from payments import services

    file, _ = services.remittance_file_receive(
        text=era(clp(claim, lines=lambda i, c: denied(c, "CO", "97") if i == 1 else paid(c))),
        file_name="c",
        actor=None,
    )
    services.remittance_file_process(file=file, actor=None)
    body = client(manager).get(f"/api/v1/claims/claims/{claim.public_id}/").json()
    cp = ClaimPayment.objects.get()
    money = {
        k: Decimal(body[k]) for k in ("paid_amount", "patient_responsibility", "adjustment_amount", "balance")
    }
    assert money["paid_amount"] == cp.paid
    assert (
        money["paid_amount"] + money["patient_responsibility"] + money["adjustment_amount"]
        == claim.total_charge
    )
    assert money["balance"] == money["patient_responsibility"]
    assert body["payer_claim_number"] == cp.payer_claim_number
    bundled = body["lines"][1]
    assert bundled["paid_amount"] == "0.00"
    assert bundled["adjustments"] == [
        {"group": "CO", "reason": "97", "amount": str(claim.lines.get(line_number=2).charge)}
    ]
    assert {"line_control_number", "paid_amount", "adjustments"} <= set(body["lines"][0])


def test_import_835_command(claim, biller, tmp_path, capsys):
    good = tmp_path / "good.835"
    good.write_text(era(clp(claim), plb=(("L6", "-3.21"),)))
    call_command("import_835", str(good))
    line = json.loads(capsys.readouterr().out.strip())
    assert line == {
        "file": "good.835",
        "claims_posted": 1,
        "claims_already_posted": 0,
        "unmatched": 0,
        "total_paid": str(ClaimPayment.objects.get().paid + Decimal("3.21")),
        "errors": [],
    }
    postings = Posting.objects.count()
    call_command("import_835", str(good))
    again = json.loads(capsys.readouterr().out.strip())
    assert (again["claims_posted"], again["claims_already_posted"]) == (0, 1)
    assert Posting.objects.count() == postings
    bad = tmp_path / "bad.835"
    segments, pay = clp(accepted_claim(biller))
    bad.write_text(era((segments, pay + 1)))
    with pytest.raises(CommandError, match=r"bad\.835: refused, nothing posted: .*does not balance"):
        call_command("import_835", str(bad), str(tmp_path / "missing.835"))
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert [x["file"] for x in lines] == ["bad.835", "missing.835"] and all(x["errors"] for x in lines)
    assert Posting.objects.count() == postings and ClaimPayment.objects.count() == 1
    assert Claim.objects.filter(status="accepted").count() == 1


def test_remittance_detail_and_list_queries_do_not_grow_with_claims(biller, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payments import services

    def queries_for(n: int) -> int:
        claims = [accepted_claim(biller) for _ in range(n)]
        file, _ = services.remittance_file_receive(
            text=era(*(clp(c) for c in claims)), file_name=f"q{n}", actor=None
        )
        services.remittance_file_process(file=file, actor=None)
        api = client(biller)
        with CaptureQueriesContext(connection) as detail:
            assert api.get(f"{BASE}/{file.public_id}/").status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert api.get("/api/v1/payments/claim-payments/").status_code == 200
        return len(detail), len(listing)

    one, three = queries_for(1), queries_for(3)
    assert three[0] <= one[0] + 2  # detail: a fixed number of prefetches, not one per claim
    assert three[1] <= one[1] + 2
