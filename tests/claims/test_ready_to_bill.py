"""Ready to bill -> claims: the queue, building all or chosen visits (page, API, command) on the
default queue then scrubbing, batch_claims --release, span claims for home infusion by calendar
month, and who may do what (nurse 403, manager read-only)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from claims import selectors, services
from claims.models import Claim, ClaimBuildRun, SubmissionBatch
from claims.tasks import claim_build_run_task, claim_scrub_task
from coding.models import ChargeLine, Visit
from infusion_rcm.celery import app as celery_app
from intake.domain.types import SiteOfCare
from intake.models import AuthorizedService
from tests.claims import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def queue_ids() -> list[int]:
    return list(selectors.ready_to_bill_queue().values_list("pk", flat=True))


@pytest.fixture
def run_tasks_inline(monkeypatch):
    """The build and scrub tasks run in-process when enqueued (as in embedded mode)."""
    monkeypatch.setattr(
        claim_build_run_task, "delay", lambda run_id: claim_build_run_task.apply(args=[run_id])
    )
    monkeypatch.setattr(claim_scrub_task, "delay", lambda claim_id: claim_scrub_task.apply(args=[claim_id]))


# -- the queue ---------------------------------------------------------------------------------


def test_queue_holds_reviewed_visits_not_on_a_live_claim(biller):
    ready = f.chemo_with_hydration(biller)
    pending = f.office_sequential_concurrent(biller)
    ChargeLine.objects.filter(visit=pending, line_number=2).update(status=ChargeLine.Status.PENDING_REVIEW)
    unsigned = f.chemo_with_hydration(biller)
    Visit.objects.filter(pk=unsigned.pk).update(status=Visit.Status.DRAFT)
    billed = f.drug_with_waste(biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[billed.pk], enqueue_scrub=False).claims
    assert queue_ids() == [ready.pk]

    services.claim_void(claim=claim, actor=biller, reason="built twice")  # its lines are free again
    assert sorted(queue_ids()) == sorted([ready.pk, billed.pk])


def test_queue_rows_show_patient_date_site_payer_lines_total(biller):
    visit = f.chemo_with_hydration(biller)
    (row,) = selectors.ready_to_bill_rows(selectors.ready_to_bill_queue(), as_of=f.today())
    assert row.visit == visit and row.payer == visit.patient.coverages.get().payer
    assert (row.lines, row.total, row.held_until) == (4, Decimal("2050.00"), None)
    assert row.visit.location.site_of_care == SiteOfCare.AIC


def test_queue_page_lists_rows_and_audits(biller):
    visit = f.chemo_with_hydration(biller)
    page = client_for(biller).get(reverse("claims:ready_to_bill"))
    html = page.content.decode()
    assert page.status_code == 200
    for expected in (
        str(visit.patient),
        visit.date_of_service.isoformat(),
        "Infusion center (AIC)",
        "2050.00",
    ):
        assert expected in html
    assert 'name="visit"' in html and 'data-test="build-chosen"' in html
    from infusion_rcm.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="list", object_type="coding.visit").exists()


def test_queue_page_query_count_does_not_grow_with_rows(biller, django_assert_max_num_queries):
    for _ in range(6):
        f.chemo_with_hydration(biller)
    client = client_for(biller)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("claims:ready_to_bill")).status_code == 200


# -- building ----------------------------------------------------------------------------------


def test_build_all_ready_visits_then_scrub(biller):
    a = f.chemo_with_hydration(biller)
    b = f.office_sequential_concurrent(biller)
    result = services.claims_build_ready(actor=biller, enqueue_scrub=False)
    assert sorted(c.visit_id for c in result.claims) == sorted([a.pk, b.pk]) and result.skipped == []
    assert queue_ids() == []


def test_build_chosen_visits_only_and_explain_the_others(biller):
    chosen = f.chemo_with_hydration(biller)
    other = f.office_sequential_concurrent(biller)
    pending = f.drug_with_waste(biller)
    ChargeLine.objects.filter(visit=pending).update(status=ChargeLine.Status.PENDING_REVIEW)
    billed = f.chemo_with_hydration(biller)
    (old,) = services.claims_build_from_charges(visit_ids=[billed.pk], enqueue_scrub=False).claims
    result = services.claims_build_ready(visit_ids=[chosen.pk, pending.pk, billed.pk], enqueue_scrub=False)
    assert [c.visit_id for c in result.claims] == [chosen.pk]
    reasons = dict(result.skipped)
    assert reasons[pending.pk] == "3 line(s) still waiting for charge review"
    assert reasons[billed.pk] == f"already billed on {old.claim_number}"
    assert other.pk in queue_ids()


def test_visit_without_coverage_is_skipped_with_the_reason(biller):
    visit = f.chemo_with_hydration(biller)
    visit.patient.coverages.update(end_date=visit.date_of_service - dt.timedelta(days=1))
    result = services.claims_build_ready(enqueue_scrub=False)
    assert result.claims == [] and result.skipped == [
        (visit.pk, f"no coverage in force on {visit.date_of_service.isoformat()}")
    ]


def test_page_build_queues_on_default_queue_after_commit(
    biller, django_capture_on_commit_callbacks, monkeypatch
):
    chosen = f.chemo_with_hydration(biller)
    f.office_sequential_concurrent(biller)
    queued = []
    monkeypatch.setattr(claim_build_run_task, "delay", lambda run_id: queued.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(biller).post(
            reverse("claims:ready_to_bill_build"), {"scope": "chosen", "visit": [str(chosen.public_id)]}
        )
    run = ClaimBuildRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?run={run.public_id}")
    assert queued == [run.pk] and run.status == "queued" and run.visit_ids == [chosen.pk]
    route = celery_app.amqp.router.route({}, claim_build_run_task.name)
    assert route["queue"].name == "default"
    assert not Claim.objects.exists()  # nothing is built in the request


def test_page_build_runs_then_scrubs_and_the_run_page_follows(
    biller, django_capture_on_commit_callbacks, run_tasks_inline
):
    clean = f.office_sequential_concurrent(biller)
    broken = f.chemo_with_hydration(biller)
    broken.order.diagnosis_codes = ["K50"]  # not billable to the highest specificity: needs a fix
    broken.order.save()
    client = client_for(biller)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("claims:ready_to_bill_build"), {"scope": "all"})
    run = ClaimBuildRun.objects.get()
    assert run.status == "done" and run.requested_by == biller
    statuses = dict(Claim.objects.values_list("visit_id", "status"))
    assert statuses == {clean.pk: "ready", broken.pk: "needs_fix"}
    html = client.get(reverse("claims:build_run", args=[run.public_id])).content.decode()
    assert "2 claim(s) built" in html and "1 ready for a batch" in html and "1 need a fix" in html
    partial = client.get(reverse("claims:build_run", args=[run.public_id]), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'data-status="done"' in partial.content
    assert b"hx-trigger" not in partial.content  # finished and scrubbed: no more polling


def test_page_build_refuses_nothing_ticked_and_unknown_visits(biller):
    f.chemo_with_hydration(biller)
    client = client_for(biller)
    response = client.post(reverse("claims:ready_to_bill_build"), {"scope": "chosen"}, follow=True)
    assert "Tick at least one visit" in response.content.decode()
    response = client.post(
        reverse("claims:ready_to_bill_build"), {"scope": "chosen", "visit": ["not-a-uuid"]}, follow=True
    )
    assert response.status_code == 200 and "not a visit of this list" in response.content.decode()
    response = client.post(
        reverse("claims:ready_to_bill_build"),
        {"scope": "chosen", "visit": ["00000000-0000-0000-0000-000000000001"]},
        follow=True,
    )
    assert "no longer exist" in response.content.decode()
    assert not ClaimBuildRun.objects.exists()


def test_run_executes_once(biller):
    f.chemo_with_hydration(biller)
    run = services.claim_build_request(visit_ids=None, actor=biller)
    assert services.claim_build_run_execute(run_id=run.pk) == "done"
    assert services.claim_build_run_execute(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert len(run.claim_ids) == 1 and Claim.objects.count() == 1


def test_charge_review_accept_links_to_ready_to_bill(biller):
    visit = f.chemo_with_hydration(biller)
    ChargeLine.objects.filter(visit=visit).update(status=ChargeLine.Status.PENDING_REVIEW)
    response = client_for(biller).post(
        reverse("coding:charge_review_accept", args=[visit.public_id]), follow=True
    )
    html = response.content.decode()
    assert "4 line(s) accepted for billing." in html
    assert f'href="{reverse("claims:ready_to_bill")}" data-test="to-ready-to-bill"' in html


# -- API ---------------------------------------------------------------------------------------


def test_api_lists_the_queue(biller):
    visit = f.home_per_diems(biller)
    rows = api(biller).get("/api/v1/claims/ready-to-bill/").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["visit"] == str(visit.public_id) and row["site_of_care"] == "home"
    assert row["lines"] == 6 and row["total_charge"] == "5360.00" and row["held_until"] is None
    assert row["payer_name"] == visit.patient.coverages.get().payer.name


def test_api_build_returns_the_run_to_follow(biller, django_capture_on_commit_callbacks, run_tasks_inline):
    chosen = f.chemo_with_hydration(biller)
    other = f.office_sequential_concurrent(biller)
    client = api(biller)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/claims/build/", {"visits": [str(chosen.public_id)]}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["visits"] == [str(chosen.public_id)] and body["url"].endswith(
        f"/api/v1/claims/build/{body['public_id']}/"
    )
    followed = client.get(body["url"]).json()
    assert followed["status"] == "done" and followed["skipped"] == []
    (claim,) = followed["claims"]
    assert Claim.objects.get(public_id=claim["public_id"]).visit_id == chosen.pk
    assert claim["status"] == "ready"
    assert other.pk in queue_ids()
    assert client.get("/api/v1/claims/build/").json()["results"][0]["public_id"] == body["public_id"]


def test_api_build_all_when_no_visits_named(biller, django_capture_on_commit_callbacks, monkeypatch):
    f.chemo_with_hydration(biller)
    queued = []
    monkeypatch.setattr(claim_build_run_task, "delay", lambda run_id: queued.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(biller).post("/api/v1/claims/build/", {}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert response.json()["visits"] is None and len(queued) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"visits": []}, "Name at least one visit"),
        ({"visits": ["00000000-0000-0000-0000-000000000009"]}, "No such visit"),
        ({"visits": ["nope"]}, "valid UUID"),
        ({"visits": "all"}, "list"),
        (["a"], "dictionary"),
    ],
)
def test_api_build_rejects_bad_input_whole(biller, body, message):
    f.chemo_with_hydration(biller)
    response = api(biller).post("/api/v1/claims/build/", body, format="json")
    assert response.status_code == 400 and message in str(response.json())
    assert not ClaimBuildRun.objects.exists()


# -- commands ----------------------------------------------------------------------------------


def test_build_claims_command_all_and_chosen(biller):
    a = f.chemo_with_hydration(biller)
    b = f.office_sequential_concurrent(biller)
    out = io.StringIO()
    call_command("build_claims", "--visit", str(a.pk), "--scrub-now", stdout=out)
    (claim,) = Claim.objects.filter(visit=a)
    assert f"built {claim.claim_number}: visit {a.pk}" in out.getvalue()
    assert "1 claim(s) built, 0 visit(s) skipped." in out.getvalue()
    out = io.StringIO()
    call_command("build_claims", "--visit", str(a.pk), str(b.public_id), "--scrub-now", stdout=out)
    assert f"skipped visit {a.pk}: already billed on {claim.claim_number}" in out.getvalue()
    assert Claim.objects.filter(visit=b, status="ready").exists()
    f.drug_with_waste(biller)
    out = io.StringIO()
    call_command("build_claims", stdout=out)
    assert "1 claim(s) built" in out.getvalue() and "(scrub queued)" in out.getvalue()


def test_build_claims_command_refuses_unknown_visits(biller):
    f.chemo_with_hydration(biller)
    with pytest.raises(CommandError, match="No visit 999999"):
        call_command("build_claims", "--visit", "999999")
    with pytest.raises(CommandError, match="neither a visit number"):
        call_command("build_claims", "--visit", "abc")
    assert not Claim.objects.exists()


def test_batch_claims_release_submits_validated_batches(biller, tmp_path):
    visits = [f.chemo_with_hydration(biller), f.office_sequential_concurrent(biller)]
    services.claims_build_ready(visit_ids=[v.pk for v in visits], enqueue_scrub=False)
    services.claims_scrub_many(claim_ids=list(Claim.objects.values_list("pk", flat=True)))
    out = io.StringIO()
    call_command("batch_claims", "--out", str(tmp_path), "--release", stdout=out)
    batches = list(SubmissionBatch.objects.all())
    assert len(batches) == 2 and {b.status for b in batches} == {"released"}
    assert set(Claim.objects.values_list("status", flat=True)) == {"submitted"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(b.file_name for b in batches)
    assert "Released: 2 claim(s) submitted." in out.getvalue()


def test_batch_claims_without_release_leaves_batches_waiting(biller, tmp_path):
    (claim,) = services.claims_build_ready(
        visit_ids=[f.chemo_with_hydration(biller).pk], enqueue_scrub=False
    ).claims
    services.claims_scrub_many(claim_ids=[claim.pk])
    call_command("batch_claims", "--out", str(tmp_path), stdout=io.StringIO())
    assert SubmissionBatch.objects.get().status == "ready"
    assert Claim.objects.get().status == "batched"
    with pytest.raises(CommandError, match="drop --no-validate"):
        call_command("batch_claims", "--out", str(tmp_path), "--release", "--no-validate")


# -- span claims -------------------------------------------------------------------------------


def _home_course(biller, payer, days: list[dt.date]) -> list[Visit]:
    """One patient's weekly home visits (7 days of per diems each) under one coverage."""
    first = f.home_per_diems(biller, payer)
    AuthorizedService.objects.filter(authorization__patient=first.patient).update(authorized_units=31)
    Visit.objects.filter(pk=first.pk).update(date_of_service=days[0])
    for line in ChargeLine.objects.filter(visit=first):
        length = line.service_date_to - line.service_date_from
        line.service_date_from, line.service_date_to = days[0], days[0] + length
        line.save()
    visits = [Visit.objects.get(pk=first.pk)]
    for day in days[1:]:
        visit = Visit.objects.create(
            patient=first.patient,
            order=first.order,
            location=first.location,
            date_of_service=day,
            documented_by=biller,
            signed_by=biller,
            signed_at=first.signed_at,
            status=Visit.Status.SIGNED,
        )
        f.charge(visit, 1, "S9502", "1400.00", 7, days=7)
        f.charge(visit, 2, "99601", "250.00")
        visits.append(visit)
    return visits


def test_monthly_span_payer_gets_one_claim_per_patient_and_month(biller):
    payer = f.payer("commercial", claim_span="month")
    month = (f.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month: closed
    march = _home_course(biller, payer, [month, month + dt.timedelta(days=7), month + dt.timedelta(days=14)])
    clinic = f.chemo_with_hydration(biller, payer)  # not home: a claim of its own
    result = services.claims_build_ready(enqueue_scrub=False)
    assert result.skipped == []
    span = Claim.objects.get(visit=march[0])
    assert {c.visit_id for c in result.claims} == {march[0].pk, clinic.pk}
    lines = list(span.lines.order_by("line_number"))
    assert [ln.line_number for ln in lines] == list(range(1, 11))  # 6 + 2 + 2 lines
    assert {ln.charge_line.visit_id for ln in lines} == {v.pk for v in march}
    assert span.service_date_from == month and span.service_date_to == month + dt.timedelta(days=20)
    assert span.total_charge == Decimal("5360.00") + 2 * Decimal("1650.00")
    assert all(
        ln.diagnosis_pointers and max(ln.diagnosis_pointers) <= len(span.diagnosis_codes) for ln in lines
    )
    services.claims_scrub_many(claim_ids=[span.pk])
    span.refresh_from_db()
    assert span.status == "ready", list(span.edits.values_list("code", "message"))
    batch = services.batch_build(payer=payer, form="837P")
    assert batch.validated and batch.validation_errors == []
    assert batch.content.count("CLM*") == 1 and batch.content.count("LX*") == 10


def test_open_month_home_visits_wait_for_the_month_end(biller):
    payer = f.payer("commercial", claim_span="month")
    today = f.today()
    (visit,) = _home_course(biller, payer, [today])
    result = services.claims_build_ready(enqueue_scrub=False)
    assert result.claims == []
    ((skipped_id, reason),) = result.skipped
    assert skipped_id == visit.pk and "bills home infusion by calendar month" in reason
    (row,) = selectors.ready_to_bill_rows(selectors.ready_to_bill_queue(), as_of=today)
    assert row.held_until is not None and row.held_until.month == today.month
    html = client_for(biller).get(reverse("claims:ready_to_bill")).content.decode()
    assert "bills home infusion by month" in html and " disabled" in html


def test_per_visit_payer_keeps_one_claim_per_home_visit(biller):
    payer = f.payer("commercial")
    month = (f.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    visits = _home_course(biller, payer, [month, month + dt.timedelta(days=7)])
    result = services.claims_build_ready(enqueue_scrub=False)
    assert sorted(c.visit_id for c in result.claims) == sorted(v.pk for v in visits)


def test_span_claims_are_one_per_month(biller):
    payer = f.payer("commercial", claim_span="month")
    last = f.today().replace(day=1) - dt.timedelta(days=1)
    before = (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    visits = _home_course(biller, payer, [before, last.replace(day=1)])
    result = services.claims_build_ready(enqueue_scrub=False)
    assert sorted(c.visit_id for c in result.claims) == sorted(v.pk for v in visits)


# -- who may do what ---------------------------------------------------------------------------


def test_nurse_gets_403_everywhere(nurse, biller):
    visit = f.chemo_with_hydration(biller)
    run = services.claim_build_request(visit_ids=[visit.pk], actor=biller)
    client = client_for(nurse)
    assert client.get(reverse("claims:ready_to_bill")).status_code == 403
    assert client.post(reverse("claims:ready_to_bill_build"), {"scope": "all"}).status_code == 403
    assert client.get(reverse("claims:build_run", args=[run.public_id])).status_code == 403
    nurse_api = api(nurse)
    assert nurse_api.get("/api/v1/claims/ready-to-bill/").status_code == 403
    assert nurse_api.post("/api/v1/claims/build/", {}, format="json").status_code == 403
    assert nurse_api.get(f"/api/v1/claims/build/{run.public_id}/").status_code == 403


def test_manager_reads_but_cannot_build(manager, biller):
    visit = f.chemo_with_hydration(biller)
    run = services.claim_build_request(visit_ids=[visit.pk], actor=biller)
    client = client_for(manager)
    page = client.get(reverse("claims:ready_to_bill"))
    assert page.status_code == 200 and str(visit.patient) in page.content.decode()
    assert b'data-test="build-chosen"' not in page.content and b'name="visit"' not in page.content
    assert client.post(reverse("claims:ready_to_bill_build"), {"scope": "all"}).status_code == 403
    assert client.get(reverse("claims:build_run", args=[run.public_id])).status_code == 200
    manager_api = api(manager)
    assert manager_api.get("/api/v1/claims/ready-to-bill/").status_code == 200
    assert manager_api.get(f"/api/v1/claims/build/{run.public_id}/").status_code == 200
    assert manager_api.post("/api/v1/claims/build/", {}, format="json").status_code == 403
    assert ClaimBuildRun.objects.count() == 1 and not Claim.objects.exists()
