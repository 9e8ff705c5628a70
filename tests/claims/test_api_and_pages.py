"""API and pages: filters shared, actions enqueue on commit, payer rules admin-only with pydantic
validation, CMS-1500 PDF, batches download, query counts on work queues."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims import documents, services
from claims.models import Claim, PayerRule
from tests.claims import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def built(biller, make=f.chemo_with_hydration, **kw) -> Claim:
    (claim,) = services.claims_build_from_charges(
        visit_ids=[make(biller, **kw).pk], enqueue_scrub=False
    ).claims
    return Claim.objects.get(pk=claim.pk)


def test_api_filters_by_status_payer_dates_amount(biller):
    a = built(biller)
    b = built(biller, f.office_sequential_concurrent)
    services.claims_scrub_many(claim_ids=[b.pk])
    client = api(biller)
    rows = client.get("/api/v1/claims/claims/", {"status": "ready"}).json()["results"]
    assert [r["claim_number"] for r in rows] == [b.claim_number]
    rows = client.get("/api/v1/claims/claims/", {"payer": str(a.payer.public_id)}).json()["results"]
    assert [r["claim_number"] for r in rows] == [a.claim_number]
    rows = client.get("/api/v1/claims/claims/", {"amount_min": "2010", "amount_max": "3000"}).json()[
        "results"
    ]
    assert a.total_charge == Decimal("2050.00") and b.total_charge == Decimal("2005.00")
    assert [r["claim_number"] for r in rows] == [a.claim_number]
    rows = client.get("/api/v1/claims/claims/", {"service_from": "2099-01-01"}).json()["results"]
    assert rows == []
    detail = client.get(f"/api/v1/claims/claims/{a.public_id}/").json()
    assert len(detail["lines"]) == 4 and detail["events"][0]["to_status"] == "draft"


def test_api_scrub_enqueues_on_commit(biller, django_capture_on_commit_callbacks, monkeypatch):
    claim = built(biller)
    queued = []
    monkeypatch.setattr("claims.tasks.claim_scrub_task.delay", lambda cid: queued.append(cid))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(biller).post(f"/api/v1/claims/claims/{claim.public_id}/scrub/")
    assert response.status_code == 202 and queued == [claim.pk]


def test_api_void_and_illegal_void_is_409(biller):
    claim = built(biller)
    client = api(biller)
    assert client.get(f"/api/v1/claims/claims/{claim.public_id}/void/").json() == {
        "status": "draft",
        "can_void": True,
    }
    assert (
        client.post(f"/api/v1/claims/claims/{claim.public_id}/void/", {"reason": "dup"}).json()["status"]
        == "void"
    )
    response = client.post(f"/api/v1/claims/claims/{claim.public_id}/void/", {"reason": "again"})
    assert response.status_code == 409 and response.json()["code"] == "state.illegal_transition"


def test_manager_reads_but_cannot_act(manager, biller):
    claim = built(biller)
    client = api(manager)
    assert client.get(f"/api/v1/claims/claims/{claim.public_id}/").status_code == 200
    assert client.post(f"/api/v1/claims/claims/{claim.public_id}/void/", {"reason": "x"}).status_code == 403


def test_api_batch_build_and_download(biller, django_capture_on_commit_callbacks, monkeypatch):
    claim = built(biller)
    services.claims_scrub_many(claim_ids=[claim.pk])
    client = api(biller)
    ready = client.get("/api/v1/claims/batches/build/").json()
    assert ready[0]["claims"] == 1 and ready[0]["payer"] == str(claim.payer.public_id)
    calls = []
    monkeypatch.setattr("claims.tasks.batch_build_task.delay", lambda *a: calls.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post("/api/v1/claims/batches/build/", {"payer": str(claim.payer.public_id)}).status_code
            == 202
        )
    assert calls == [(claim.payer.pk, None)]
    batch = services.batch_build(payer=claim.payer, actor=biller)
    body = client.get(f"/api/v1/claims/batches/{batch.public_id}/download/")
    assert body.status_code == 200 and body.content.decode().startswith("ISA*")


def test_payer_rules_api_validates_with_pydantic_and_versions(admin_user, biller):
    client = api(admin_user)
    bad = client.post(
        "/api/v1/claims/payer-rules/",
        {"config": {"kind": "max_units_per_day", "rule_id": "X", "code": "J1745"}},
        format="json",
    )
    assert bad.status_code == 400 and "units" in str(bad.json()["extra"]["config"])
    good = client.post(
        "/api/v1/claims/payer-rules/",
        {
            "config": {"kind": "max_units_per_day", "rule_id": "J1745-MAX", "code": "J1745", "units": "150"},
            "enabled": True,
        },
        format="json",
    )
    assert good.status_code == 201 and good.json()["version"] == 1 and good.json()["rule_id"] == "J1745-MAX"
    pk = good.json()["id"]
    changed = client.patch(
        f"/api/v1/claims/payer-rules/{pk}/", {"enabled": False, "note": "pause"}, format="json"
    )
    assert changed.json()["version"] == 2
    assert list(PayerRule.objects.get(pk=pk).versions.values_list("note", flat=True)) == ["pause", ""]
    assert api(biller).get("/api/v1/claims/payer-rules/").status_code == 403


def test_admin_payer_rule_page_refuses_bad_config_and_tries_against_claim(admin_user, biller):
    client = client_for(admin_user)
    add = reverse("admin:claims_payerrule_add")
    response = client.post(add, {"config": '{"kind": "ndc_required", "rule_id": "N"}', "enabled": ""})
    assert response.status_code == 200 and "code_prefixes" in response.content.decode()
    response = client.post(
        add, {"config": '{"kind": "ndc_required", "rule_id": "MCD-NDC", "code_prefixes": ["J"]}'}
    )
    assert response.status_code == 302
    rule = PayerRule.objects.get(rule_id="MCD-NDC")
    assert rule.versions.get().changed_by == admin_user
    claim = built(biller)
    claim.lines.filter(code="J9263").update(ndc="", ndc_quantity=None, ndc_unit="")
    page = client.post(
        reverse("admin:claims_payerrule_try", args=[rule.pk]), {"claim_number": claim.claim_number}
    )
    assert page.status_code == 200 and "PAYER_NDC_REQUIRED" in page.content.decode()
    assert client_for(biller).get(reverse("admin:claims_payerrule_try", args=[rule.pk])).status_code in (
        302,
        403,
    )


def test_cms1500_pdf_and_html_fields(biller):
    claim = built(biller, f.office_sequential_concurrent)
    html = documents.claim_cms1500_html(claim)
    cov = claim.coverage
    for text in (
        cov.member_id,
        claim.patient.last_name,
        claim.claim_number,
        "K5090",
        "D509",
        "PA778899",
        "N457894003001 UN4",
        f.NPI_PRESCRIBER,
        f.NPI_BILLING,
        "361234567",
        "2005.00",
        'id="icd-ind">0<',
    ):
        assert text in html, text
    assert documents.claim_cms1500_pdf(claim).startswith(b"%PDF")
    response = client_for(biller).get(reverse("claims:claim_cms1500", args=[claim.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_cms1500_refused_for_institutional(biller):
    claim = built(biller, f.hospital_outpatient)
    response = client_for(biller).get(reverse("claims:claim_cms1500", args=[claim.public_id]))
    assert response.status_code == 404


def test_pages_void_flow_and_queues(biller):
    claim = built(biller)
    Claim.objects.filter(pk=claim.pk).update(diagnosis_codes=["K50"])
    services.claims_scrub_many(claim_ids=[claim.pk])
    client = client_for(biller)
    page = client.get(reverse("claims:needs_fix")).content.decode()
    assert claim.claim_number in page
    detail = client.get(reverse("claims:claim_detail", args=[claim.public_id])).content.decode()
    assert "ICD10_INVALID" in detail and "Void" in detail
    response = client.post(reverse("claims:claim_void", args=[claim.public_id]), {"reason": "duplicate"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "void"
    listing = client.get(reverse("claims:claim_list"), {"status": "void"}).content.decode()
    assert claim.claim_number in listing


def test_work_queue_query_count_does_not_grow(biller, django_assert_max_num_queries):
    for _ in range(3):
        claim = built(biller)
        Claim.objects.filter(pk=claim.pk).update(diagnosis_codes=["K50"])
        services.claims_scrub_many(claim_ids=[claim.pk])
    client = client_for(biller)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("claims:needs_fix")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("claims:claim_list")).status_code == 200


def test_batch_pages_release(biller):
    claim = built(biller)
    services.claims_scrub_many(claim_ids=[claim.pk])
    batch = services.batch_build(payer=claim.payer, actor=biller)
    client = client_for(biller)
    assert (
        batch.file_name in client.get(reverse("claims:batch_detail", args=[batch.public_id])).content.decode()
    )
    client.post(reverse("claims:batch_release", args=[batch.public_id]))
    claim.refresh_from_db()
    assert claim.status == "submitted"
