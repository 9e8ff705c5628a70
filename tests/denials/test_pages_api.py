"""The work queue (filters, saved views, CSV, reassignment), the denial page and its forms, the
API (list, detail, commands, reasons, write-offs), explain_denial; roles; bad input."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from denials import services
from denials.models import Denial, DenialPolicy, SavedView
from infusion_rcm.accounts.roles import Role
from infusion_rcm.audit.models import AuditEntry
from payments.models import ClaimPayment
from tests.claims import factories as f
from tests.conftest import client_for
from tests.denials.helpers import accepted_claim, clp, deny_line, era, post

pytestmark = pytest.mark.django_db


def _make(biller, carc="4", n=1):
    made = []
    for _ in range(n):
        claim = accepted_claim(biller, f.payer(kind="commercial", name="Acme Health"))
        post(era(clp(claim, lines=deny_line(0, "CO", carc))))
        made += services.denials_from_claim_payments(
            claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
        )
    return made


@pytest.fixture
def denial(biller):
    return _make(biller)[0]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_queue_lists_in_words_and_is_audited(biller_client, denial):
    page = biller_client.get("/denials/")
    text = page.content.decode()
    assert page.status_code == 200
    assert denial.claim.claim_number in text and "CO-4" in text and "Send a corrected claim" in text
    assert AuditEntry.objects.filter(object_type="denials.denial", action="list").exists()


def test_queue_filters(biller_client, biller):
    coding = _make(biller, "4")[0]
    necessity = _make(biller, "50")[0]
    text = biller_client.get("/denials/?category=medical_necessity").content.decode()
    assert necessity.claim.claim_number in text and coding.claim.claim_number not in text
    services.denial_assign(denial=coding, user=biller, actor=biller)
    text = biller_client.get("/denials/?owner=me").content.decode()
    assert coding.claim.claim_number in text and necessity.claim.claim_number not in text
    text = biller_client.get("/denials/?owner=none").content.decode()
    assert necessity.claim.claim_number in text and coding.claim.claim_number not in text
    text = biller_client.get("/denials/?status=resolved").content.decode()
    assert "No denial for this filter" in text


def test_bad_filter_value_is_a_form_error_not_a_500(biller_client, denial):
    page = biller_client.get("/denials/?category=nonsense&due=yesterday")
    assert page.status_code == 200
    assert "Category: Select a valid choice" in page.content.decode()


def test_queue_query_count_does_not_grow(biller_client, biller):
    _make(biller)
    with CaptureQueriesContext(connection) as one:
        biller_client.get("/denials/")
    _make(biller, n=4)
    with CaptureQueriesContext(connection) as five:
        biller_client.get("/denials/")
    assert len(five) <= len(one) + 1


def test_csv_export(biller_client, biller):
    _make(biller, "4")
    _make(biller, "50")
    response = biller_client.get("/denials/export.csv?category=coding")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["denial", "claim", "patient"]
    assert len(rows) == 2 and rows[1][7] == "Coding" and rows[1][6].startswith("CO-4 ")


def test_saved_view_has_a_url_and_private_ones_stay_private(biller_client, biller, make_user):
    _make(biller, "4")
    response = biller_client.post(
        "/denials/views/", {"name": "Coding", "query": "category=coding", "shared": "on"}
    )
    view = SavedView.objects.get(name="Coding")
    assert response.status_code == 302 and response["Location"] == f"/denials/views/{view.public_id}/"
    page = biller_client.get(response["Location"])
    assert page.status_code == 200 and "Denials: Coding" in page.content.decode()
    other = client_for(make_user("ann", Role.BILLER))
    assert other.get(f"/denials/views/{view.public_id}/").status_code == 200
    private = services.saved_view_save(name="Mine", query="owner=me", owner=biller, shared=False)
    assert other.get(f"/denials/views/{private.public_id}/").status_code == 404
    assert biller_client.post("/denials/views/", {"name": "", "query": "x"}).status_code == 302


def test_bulk_reassign(biller_client, biller, make_user):
    ann = make_user("ann", Role.BILLER)
    made = _make(biller, n=2)
    response = biller_client.post(
        "/denials/reassign/", {"denial": [str(d.public_id) for d in made], "owner": ann.pk, "query": ""}
    )
    assert response.status_code == 302
    assert set(Denial.objects.values_list("owner", flat=True)) == {ann.pk}
    biller_client.post("/denials/reassign/", {"owner": ann.pk})  # nothing ticked: a message, no change


def test_denial_page_shows_claim_lines_remittance_history(biller_client, denial):
    page = biller_client.get(f"/denials/{denial.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    for expected in (
        denial.claim.claim_number,
        "The remittance",
        "History",
        "CO-4 The procedure code is inconsistent with the modifier",
        "Send a corrected claim",
        denial.claim_line.code,
    ):
        assert expected in text
    assert AuditEntry.objects.filter(
        object_type="denials.denial", action="view", object_id=str(denial.pk)
    ).exists()


def test_forms_refuse_with_a_message(biller_client, denial):
    response = biller_client.post(f"/denials/{denial.public_id}/write-off/", {"reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = biller_client.post(f"/denials/{denial.public_id}/bill-patient/", {})
    assert response.status_code == 400 and "may not be billed to the patient" in response.content.decode()
    response = biller_client.post(f"/denials/{denial.public_id}/correct/", {"reason": "x", "units": "lots"})
    assert response.status_code == 400
    denial.refresh_from_db()
    assert denial.status == "new"


def test_corrected_claim_from_the_page(biller_client, denial):
    response = biller_client.post(
        f"/denials/{denial.public_id}/correct/", {"reason": "modifier", "modifiers": "59"}
    )
    assert response.status_code == 302
    denial.refresh_from_db()
    assert denial.status == "waiting_on_payer" and denial.result_claim.frequency_code == "7"


def test_write_off_approval_page(biller_client, denial, biller, manager):
    DenialPolicy.objects.create(pk=1, write_off_approval_amount=Decimal("1.00"))
    biller_client.post(f"/denials/{denial.public_id}/write-off/", {"reason": "bundled"})
    mara = client_for(manager)
    page = mara.get("/denials/write-offs/")
    assert denial.claim.claim_number in page.content.decode()
    row = denial.write_offs.get()
    assert biller_client.post(f"/denials/write-offs/{row.pk}/", {"decision": "approve"}).status_code == 403
    assert mara.post(f"/denials/write-offs/{row.pk}/", {"decision": "approve"}).status_code == 302
    denial.refresh_from_db()
    assert denial.resolution == "written_off"


def test_roles(nurse_client, denial, manager, admin_user):
    assert nurse_client.get("/denials/").status_code == 403
    assert nurse_client.get(f"/denials/{denial.public_id}/").status_code == 403
    mara = client_for(manager)
    assert mara.get(f"/denials/{denial.public_id}/").status_code == 200
    assert (
        f"/denials/{denial.public_id}/correct/"
        not in mara.get(f"/denials/{denial.public_id}/").content.decode()
    )
    assert mara.post(f"/denials/{denial.public_id}/note/", {"text": "x"}).status_code == 403
    assert client_for(admin_user).get("/denials/").status_code == 403


# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------


def test_api_list_filter_detail(biller, denial):
    client = api(biller)
    body = client.get("/api/v1/denials/?category=coding").json()
    assert body["count"] == 1 and body["results"][0]["reason"].startswith("CO-4 ")
    assert client.get("/api/v1/denials/?category=bundling").json()["count"] == 0
    detail = client.get(f"/api/v1/denials/{denial.public_id}/").json()
    assert detail["events"][0]["kind"] == "created" and detail["next_action"] == "corrected_claim"


def test_api_commands(biller, denial):
    client = api(biller)
    url = f"/api/v1/denials/{denial.public_id}"
    assert (
        client.post(f"{url}/status/", {"status": "in_progress"}, format="json").json()["status"]
        == "in_progress"
    )
    bad = client.post(f"{url}/status/", {"status": "resolved"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "denials.resolve_by_action"
    assert client.post(f"{url}/assign/", {"owner": "nobody-here"}, format="json").status_code == 400
    assert client.post(f"{url}/note/", {"text": "called"}, format="json").status_code == 200
    bad_units = client.post(f"{url}/correct/", {"reason": "x", "line": {"units": "many"}}, format="json")
    assert bad_units.status_code == 400 and bad_units.json()["message"]
    made = client.post(
        f"{url}/correct/", {"reason": "modifier", "line": {"modifiers": ["59"]}}, format="json"
    )
    assert made.status_code == 201 and made.json()["frequency_code"] == "7"
    assert made.json()["denial"]["status"] == "waiting_on_payer"


def test_api_write_off_flow(biller, manager, denial):
    DenialPolicy.objects.create(pk=1, write_off_approval_amount=Decimal("1.00"))
    body = (
        api(biller)
        .post(f"/api/v1/denials/{denial.public_id}/write-off/", {"reason": "x"}, format="json")
        .json()
    )
    assert body["write_off"]["status"] == "pending"
    pending = api(manager).get("/api/v1/denials/write-offs/").json()
    assert len(pending) == 1
    assert (
        api(biller)
        .post(f"/api/v1/denials/write-offs/{pending[0]['id']}/approve/", {}, format="json")
        .status_code
        == 403
    )
    done = api(manager).post(f"/api/v1/denials/write-offs/{pending[0]['id']}/approve/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"


def test_api_reasons(biller, nurse):
    client = api(biller)
    found = client.get("/api/v1/denials/reasons/?group=CO&carc=197&rarc=N54").json()
    assert found["category"] == "authorization" and found["next_action"] == "request_authorization"
    assert found["rarcs"][0]["code"] == "N54" and found["sentence"]
    assert client.get("/api/v1/denials/reasons/?code=CO-50&rarc=N211").json()["next_action"] == "write_off"
    bad = client.get("/api/v1/denials/reasons/?group=XX&carc=1")
    assert bad.status_code == 400 and "group and reason code" in bad.json()["message"]
    assert client.get("/api/v1/denials/reasons/?group=CO").status_code == 400
    assert len(client.get("/api/v1/denials/reasons/").json()) > 90
    assert api(nurse).get("/api/v1/denials/reasons/?group=CO&carc=197").status_code == 403
    assert api(nurse).get("/api/v1/denials/").status_code == 403


def test_explain_denial_command():
    out = io.StringIO()
    call_command("explain_denial", "CO-197", "N54", stdout=out)
    text = out.getvalue()
    assert "Category:    Authorization" in text and "Next action: Request an authorization" in text
    out = io.StringIO()
    call_command("explain_denial", "CO-29", "--json", stdout=out)
    assert json.loads(out.getvalue())["category"] == "timely_filing"
    with pytest.raises(CommandError, match="group and reason code"):
        call_command("explain_denial", "197")
    with pytest.raises(CommandError, match="No payer"):
        call_command("explain_denial", "CO-197", "--payer", "NOPE")


def test_explain_denial_with_a_payer_refinement():
    from denials.models import ReasonRule

    payer = f.payer(kind="medicare", name="Medicare")
    ReasonRule.objects.create(
        payer=payer,
        carc="50",
        category="medical_necessity",
        next_action="write_off",
        sentence="Our MAC never overturns",
    )
    out = io.StringIO()
    call_command("explain_denial", "CO-50", "--payer", payer.payer_id, stdout=out)
    assert "Next action: Write off" in out.getvalue() and "Our MAC never overturns" in out.getvalue()


def test_medicare_part_b_page_shows_the_reopening_not_a_corrected_claim(biller_client, biller):
    claim = accepted_claim(biller, f.payer(kind="medicare", name="Medicare"))
    post(era(clp(claim, lines=deny_line(0, "CO", "4"))))
    (denial,) = services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.values_list("pk", flat=True)
    )
    text = biller_client.get(f"/denials/{denial.public_id}/").content.decode()
    assert "corrects an adjudicated claim by a reopening" in text
    assert f"/denials/{denial.public_id}/correct/" not in text
