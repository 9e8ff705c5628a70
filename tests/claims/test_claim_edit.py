"""Claim editing: lines, diagnoses and pointers, auth number, providers; every save an audited
ClaimEvent with its reason, a version check, a re-scrub; the needs-fix "Fix" links land on the
field the scrubber edit names; "Reopen to correct" opens the edit page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims import services
from claims.domain.claim_edit import ClaimChanges, LineChange
from claims.domain.claim_edit_apply import apply_changes
from claims.domain.fix_targets import FixTarget, fix_target
from claims.models import Claim, ClaimEvent
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.common.errors import InvalidInputError
from intake.models import Prescriber
from tests.claims import factories as f
from tests.conftest import client_for

db = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def built(biller, make=f.drug_with_waste, **kw) -> Claim:
    (claim,) = services.claims_build_from_charges(
        visit_ids=[make(biller, **kw).pk], enqueue_scrub=False
    ).claims
    return Claim.objects.get(pk=claim.pk)


def waste_without_quantity(user):
    """Medicare single-dose vial with waste, the JW line's NDC quantity never recorded."""
    pay = f.payer("medicare", payer_id=f"MCRX{next(f._seq):04d}")
    pat = f.patient()
    f.coverage(pat, pay)
    v = f.visit(pat, f.location(), user, diagnoses=("C34.90",))
    f.charge(v, 1, "96413", "400.00")
    f.charge(v, 2, "J9035", "3400.00", 34, ndc="50242006001", ndc_quantity="13.6", ndc_unit="ML")
    f.charge(v, 3, "J9035", "600.00", 6, modifiers=("JW",), ndc="50242006001")
    return v


@pytest.fixture
def queued(monkeypatch):
    """Scrubs queued after commit (the Celery task is replaced by a list)."""
    ids: list[int] = []
    monkeypatch.setattr("claims.tasks.claim_scrub_task.delay", ids.append)
    return ids


def lcn(claim: Claim, number: int) -> str:
    return claim.lines.get(line_number=number).line_control_number


def edit(claim, biller, *, reason="correction", version=None, values=None, lines=()):
    return services.claim_edit(
        claim=claim,
        actor=biller,
        reason=reason,
        version=version or services.claim_version(claim),
        changes=ClaimChanges(values=values or {}, lines=tuple(lines)),
    )


# -- the needs-fix claim, fixed on the field the edit names ---------------------------------------


@db
def test_jw_line_without_ndc_quantity_is_fixed_on_the_named_field_and_rescrubbed(
    biller, queued, django_capture_on_commit_callbacks
):
    claim = built(biller, waste_without_quantity)
    services.claims_scrub_many(claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == "needs_fix"
    finding = claim.edits.get(code="LINE_NDC_QUANTITY_MISSING")
    assert fix_target(finding.code, finding.line_number) == FixTarget("ndc_quantity", 3)

    with django_capture_on_commit_callbacks(execute=True):
        edit(
            claim,
            biller,
            reason="Waste from the MAR: 2.4 mL",
            lines=[LineChange(key=lcn(claim, 3), values={"ndc_quantity": Decimal("2.4"), "ndc_unit": "ML"})],
        )
    claim.refresh_from_db()
    line = claim.lines.get(line_number=3)
    assert (line.ndc_quantity, line.ndc_unit, claim.status) == (Decimal("2.400"), "ML", "draft")
    event = claim.events.last()
    assert event.reason == "Waste from the MAR: 2.4 mL" and event.actor == biller
    assert (event.from_status, event.to_status) == ("needs_fix", "draft")
    assert {"field": "lines[3].ndc_quantity", "old": "", "new": "2.4"} in event.payload["edit"]
    assert not claim.edits.exists()  # the old findings were about a claim that no longer exists
    assert queued == [claim.pk]

    services.claims_scrub_many(claim_ids=queued)
    claim.refresh_from_db()
    assert claim.status == "ready", list(claim.edits.values_list("code", flat=True))


@db
def test_lines_changed_added_removed_renumbered_totals_and_audit_names_only(biller, queued):
    claim = built(biller, f.office_sequential_concurrent)
    first, last = lcn(claim, 1), lcn(claim, 6)
    dos = claim.service_date_from
    edit(
        claim,
        biller,
        lines=[
            LineChange(key=lcn(claim, 2), remove=True),
            LineChange(
                key=first,
                values={
                    "code": "96365",
                    "modifiers": ["XU"],
                    "units": Decimal(1),
                    "charge": Decimal("375.00"),
                },
            ),
            LineChange(key=last, values={"service_date_to": dos, "charge": Decimal("95.50")}),
            LineChange(
                values={
                    "code": "J7050",
                    "units": Decimal(2),
                    "charge": Decimal("40"),
                    "service_date_from": dos,
                    "diagnosis_pointers": [2],
                }
            ),
        ],
    )
    claim.refresh_from_db()
    lines = list(claim.lines.order_by("line_number"))
    assert [ln.line_number for ln in lines] == [1, 2, 3, 4, 5, 6]
    assert [ln.code for ln in lines] == ["96365", "96367", "96368", "J1745", "J1756", "J7050"]
    assert lines[0].modifiers == ["XU"] and lines[0].charge == Decimal("375.00")
    assert lines[4].charge == Decimal("95.50")
    new = lines[5]
    assert new.line_control_number == f"{claim.claim_number}-7" and new.diagnosis_pointers == [2]
    assert new.service_date_to == dos and new.charge_line_id is None
    assert claim.total_charge == sum((ln.charge for ln in lines), Decimal(0))
    changes = {c["field"]: (c["old"], c["new"]) for c in claim.events.last().payload["edit"]}
    assert changes["lines[2]"] == ("96366 x1", "removed")
    assert changes["lines[1].charge"] == ("350", "375")
    assert changes["lines[6]"] == ("", "added J7050 x2")
    # The audit log names fields, never their values.
    entries = AuditEntry.objects.filter(object_type="claims.claimline", action="update")
    assert entries.exists()
    for entry in entries:
        assert "375" not in str(entry.changed_fields) + str(entry.extra)
    update = AuditEntry.objects.filter(object_type="claims.claim", action="update").latest("pk")
    assert "total_charge" in update.changed_fields


@db
def test_diagnoses_pointers_auth_pos_and_referring_provider(biller, queued):
    claim = built(biller, f.office_sequential_concurrent)
    other = Prescriber.objects.create(first_name="Ann", last_name="Ortho", npi="1245319599")
    edit(
        claim,
        biller,
        values={
            "diagnosis_codes": ["K50.90", "D50.9", "E86.0"],
            "prior_auth_number": "pa-12345",
            "place_of_service": "11",
            "referring_provider": other.npi,
        },
        lines=[LineChange(key=lcn(claim, 6), values={"diagnosis_pointers": [3, 1]})],
    )
    claim.refresh_from_db()
    assert claim.diagnosis_codes == ["K5090", "D509", "E860"]
    assert (claim.prior_auth_number, claim.referring_provider_id) == ("PA-12345", other.pk)
    assert claim.lines.get(line_number=6).diagnosis_pointers == [3, 1]
    # Taking a diagnosis away that a line still points at is refused, naming the line.
    with pytest.raises(InvalidInputError) as caught:
        edit(claim, biller, values={"diagnosis_codes": ["K50.90", "D50.9"]})
    assert "Line 6 points at diagnosis 3" in caught.value.extra["errors"]["diagnosis_codes"]


@db
def test_bad_values_are_refused_whole_with_a_message_per_field(biller, queued):
    claim = built(biller, f.office_sequential_concurrent)
    before = list(claim.lines.values_list("code", "units", "charge", "ndc"))
    with pytest.raises(InvalidInputError) as caught:
        edit(
            claim,
            biller,
            values={
                "diagnosis_codes": ["K50", "ZZZ"],
                "place_of_service": "1",
                "referring_provider": "1111111111",
            },
            lines=[
                LineChange(
                    key=lcn(claim, 1), values={"code": "9636", "modifiers": ["J"], "units": Decimal("1.5")}
                ),
                LineChange(
                    key=lcn(claim, 2),
                    values={"charge": Decimal("-5"), "service_date_to": dt.date(2000, 1, 1)},
                ),
                LineChange(
                    key=lcn(claim, 5), values={"ndc": "1234", "ndc_quantity": Decimal(0), "ndc_unit": "XX"}
                ),
                LineChange(key=lcn(claim, 3), values={"diagnosis_pointers": [1, 9]}),
                LineChange(key="C999-1", values={"units": Decimal(1)}),
                LineChange(values={"code": "J1745"}),
            ],
        )
    errors = caught.value.extra["errors"]
    assert set(errors) == {
        "diagnosis_codes",
        "place_of_service",
        "referring_provider",
        "lines.0.code",
        "lines.0.modifiers",
        "lines.0.units",
        "lines.1.charge",
        "lines.1.service_date_to",
        "lines.2.ndc",
        "lines.2.ndc_quantity",
        "lines.2.ndc_unit",
        "lines.3.diagnosis_pointers",
        "lines.4",
        "lines.5.units",
        "lines.5.charge",
        "lines.5.service_date_from",
    }
    assert "Diagnosis 1" in errors["diagnosis_codes"] and "K50" in errors["diagnosis_codes"]
    assert errors["lines.0.units"].startswith("Line 1: units are a whole number")
    assert "No provider with NPI 1111111111" in errors["referring_provider"]
    assert list(claim.lines.values_list("code", "units", "charge", "ndc")) == before
    assert claim.events.count() == 1 and not queued


@db
def test_reason_required_nothing_changed_and_no_lines_refused(biller, queued):
    claim = built(biller)
    with pytest.raises(InvalidInputError, match="Say why"):
        edit(claim, biller, reason="  ", values={"prior_auth_number": "X1"})
    with pytest.raises(services.ClaimEditUnchangedError):
        edit(claim, biller, values={"prior_auth_number": claim.prior_auth_number})
    with pytest.raises(InvalidInputError, match="void the claim instead"):
        edit(
            claim,
            biller,
            lines=[LineChange(key=ln.line_control_number, remove=True) for ln in claim.lines.all()],
        )


@db
def test_two_billers_do_not_overwrite_each_other(biller, make_user, queued):
    from infusion_rcm.accounts.roles import Role

    other = make_user("bea", Role.BILLER)
    claim = built(biller)
    seen = services.claim_version(claim)
    edit(claim, other, version=seen, values={"prior_auth_number": "FIRST"})
    with pytest.raises(services.ClaimEditConflictError, match="Someone changed this claim"):
        edit(claim, biller, version=seen, values={"prior_auth_number": "SECOND"})
    claim.refresh_from_db()
    assert claim.prior_auth_number == "FIRST"


@db
def test_only_claims_not_yet_filed_are_edited(biller, queued):
    claim = built(biller)
    services.claims_scrub_many(claim_ids=[claim.pk])
    services.batch_build(payer=claim.payer, validate=False)
    claim.refresh_from_db()
    with pytest.raises(services.ClaimStateError, match="pull the batch back"):
        edit(claim, biller, values={"prior_auth_number": "X1"})


@db
def test_rejected_claim_is_corrected_in_place_and_goes_back_to_draft(biller, queued):
    claim = built(biller)
    services.claims_scrub_many(claim_ids=[claim.pk])
    batch = services.batch_build(payer=claim.payer, validate=False)
    services.batch_release(batch=batch, actor=biller)
    services.claim_transition(
        claim=claim, to="rejected", actor=None, reason="277CA A7:562", status_reason="NPI invalid"
    )
    claim.refresh_from_db()
    edit(claim, biller, reason="Billing NPI fixed in settings", values={"prior_auth_number": "PA1"})
    claim.refresh_from_db()
    assert (claim.status, claim.batch_id, claim.status_reason) == ("draft", None, "")
    assert claim.events.last().from_status == "rejected"


# -- API ------------------------------------------------------------------------------------------


@db
def test_api_edit_get_then_post_and_errors(biller, manager, queued):
    claim = built(biller, waste_without_quantity)
    services.claims_scrub_many(claim_ids=[claim.pk])
    client = api(biller)
    url = f"/api/v1/claims/claims/{claim.public_id}/edit/"
    state = client.get(url).json()
    assert state["editable"] is True and len(state["lines"]) == 3
    assert AuditEntry.objects.filter(
        action="view", object_type="claims.claim", object_id=str(claim.pk)
    ).exists()
    finding = next(x for x in state["findings"] if x["code"] == "LINE_NDC_QUANTITY_MISSING")
    assert (finding["field"], finding["line_number"]) == ("ndc_quantity", 3)
    body = {
        "version": state["version"],
        "reason": "quantity from the MAR",
        "lines": [
            {
                "line_control_number": state["lines"][2]["line_control_number"],
                "ndc_quantity": "2.4",
                "ndc_unit": "ML",
            }
        ],
    }
    bad = client.post(url, {**body, "lines": [{**body["lines"][0], "ndc_unit": "XX"}]}, format="json")
    assert bad.status_code == 400 and "lines.0.ndc_unit" in bad.json()["extra"]["errors"]
    ok = client.post(url, body, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "draft"
    assert ok.json()["lines"][2]["ndc_quantity"] == "2.400"
    stale = client.post(url, {**body, "reason": "again"}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "claim.edit_conflict"
    assert api(manager).post(url, body, format="json").status_code == 403


@db
def test_api_edit_refuses_a_missing_reason_and_version(biller):
    claim = built(biller)
    response = api(biller).post(f"/api/v1/claims/claims/{claim.public_id}/edit/", {}, format="json")
    assert response.status_code == 400
    assert {"version", "reason"} <= set(response.json()["extra"])


# -- pages ----------------------------------------------------------------------------------------


@db
def test_fix_link_opens_the_edit_form_focused_on_the_named_field(
    biller, queued, django_capture_on_commit_callbacks
):
    claim = built(biller, waste_without_quantity)
    services.claims_scrub_many(claim_ids=[claim.pk])
    client = client_for(biller)
    edit_url = reverse("claims:claim_edit", args=[claim.public_id])
    focus = "lines-2-ndc_quantity"
    for page in (reverse("claims:needs_fix"), reverse("claims:claim_detail", args=[claim.public_id])):
        assert f"{edit_url}?focus={focus}#field-{focus}" in client.get(page).content.decode()
    form = client.get(edit_url, {"focus": focus}).content.decode()
    assert 'id="field-lines-2-ndc_quantity"' in form
    assert 'name="lines-2-ndc_quantity"' in form and "autofocus" in form
    assert "the NDC needs a quantity and a unit" in form.lower() or "NDC needs a quantity" in form

    data = edit_form_data(client, edit_url)
    data.update({"reason": "2.4 mL wasted per MAR", "lines-2-ndc_quantity": "2.4", "lines-2-ndc_unit": "ML"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url, data)
    assert response.status_code == 302 and response.url == reverse(
        "claims:claim_detail", args=[claim.public_id]
    )
    claim.refresh_from_db()
    assert claim.lines.get(line_number=3).ndc_quantity == Decimal("2.4") and queued == [claim.pk]


@db
def test_edit_page_shows_errors_and_keeps_the_claim(biller, queued):
    claim = built(biller)
    client = client_for(biller)
    edit_url = reverse("claims:claim_edit", args=[claim.public_id])
    data = edit_form_data(client, edit_url)
    data.update({"reason": "typo", "lines-1-units": "0", "diagnosis_codes": "C18.9, K50"})
    page = client.post(edit_url, data)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Line 2: units are a whole number" in body and "K50" in body
    assert ClaimEvent.objects.filter(claim=claim).count() == 1


@db
def test_edit_page_adds_and_removes_lines(biller, queued):
    claim = built(biller)
    client = client_for(biller)
    edit_url = reverse("claims:claim_edit", args=[claim.public_id])
    data = edit_form_data(client, edit_url)
    total = int(data["lines-TOTAL_FORMS"])
    dos = claim.service_date_from.isoformat()
    data.update(
        {
            "reason": "hydration was not given; J7050 was",
            "lines-2-remove": "on",
            f"lines-{total - 1}-code": "J7050",
            f"lines-{total - 1}-units": "1",
            f"lines-{total - 1}-charge": "40.00",
            f"lines-{total - 1}-service_date_from": dos,
            f"lines-{total - 1}-diagnosis_pointers": "1",
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(claim.lines.order_by("line_number").values_list("code", flat=True)) == [
        "96413",
        "J9035",
        "J7050",
    ]


def edit_form_data(client, url) -> dict:
    """The edit form's fields as the browser would post them untouched."""
    import re

    html = client.get(url).content.decode()
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    data.pop("csrfmiddlewaretoken", None)
    return data


@db
def test_reopen_to_correct_opens_the_edit_page(biller):
    claim = built(biller)
    services.claims_scrub_many(claim_ids=[claim.pk])
    services.batch_release(batch=services.batch_build(payer=claim.payer, validate=False), actor=biller)
    services.claim_transition(claim=claim, to="rejected", actor=None, reason="277CA", status_reason="NPI")
    client = client_for(biller)
    edit_url = reverse("claims:claim_edit", args=[claim.public_id])
    detail = client.get(reverse("claims:claim_detail", args=[claim.public_id])).content.decode()
    assert f'href="{edit_url}">Reopen to correct' in detail
    page = client.get(edit_url).content.decode()
    assert "NPI" in page and "rejected" in page.lower()
    response = client.post(reverse("claims:claim_reopen", args=[claim.public_id]))
    assert response.status_code == 302 and response.url == edit_url


# -- the demo's needs-fix claim --------------------------------------------------------------------


@db
def test_demo_needs_fix_claim_has_edits_with_fix_targets(biller):
    import io

    from claims import demo

    pay = f.payer("medicare")
    for _ in range(len(demo.PATHS)):
        f.chemo_with_hydration(biller, pay)
    demo.seed(io.StringIO())
    claim = Claim.objects.get(status="needs_fix")
    errors = list(claim.edits.filter(severity="error"))
    assert errors, "the demo's needs-fix claim must carry the scrubber edits that stopped it"
    assert all(fix_target(e.code, e.line_number) is not None for e in errors)


# -- pure: the rules of an edit ---------------------------------------------------------------------


def test_fix_targets_for_known_unknown_and_untargeted_codes():
    assert fix_target("LINE_NDC_QUANTITY_MISSING", 2) == FixTarget("ndc_quantity", 2)
    assert fix_target("CLM_NO_DIAGNOSIS") == FixTarget("diagnosis_codes")
    assert fix_target("RENDERING_PROVIDER_MISSING") == FixTarget("rendering_provider")
    assert fix_target("LINE_CHARGE_NOT_ALLOWED", 4) == FixTarget("charge", 4)
    assert fix_target("PAYER_MAX_UNITS") == FixTarget("lines")
    assert fix_target("ELIGIBILITY_NOT_VERIFIED") is None
    assert fix_target("ANYTHING", 3, field="units") == FixTarget("units", 3)
    needs = "Plan needs the supervising provider on this claim and none is set."
    assert fix_target("PAYER_PROVIDER_REQUIRED", message=needs) == FixTarget("supervising_provider")
    bad_npi = "The rendering provider NPI '1234567890' is not a valid NPI (check digit)."
    assert fix_target("NPI_INVALID", message=bad_npi) == FixTarget("rendering_provider")
    assert fix_target("NPI_INVALID", message="The billing provider NPI '1' is not a valid NPI.") is None


def test_apply_changes_on_an_institutional_claim_and_type_errors():
    from claims.domain.claim_edit import ClaimState, LineState
    from claims.domain.types import ClaimForm

    day = dt.date(2024, 5, 1)
    state = ClaimState(
        form=ClaimForm.INSTITUTIONAL,
        diagnosis_codes=("M0579",),
        prior_auth_number="",
        place_of_service="",
        providers=(("referring_provider", ""),),
        lines=(LineState("C1-1", "96365", Decimal(1), Decimal(900), day, day, revenue_code="0260"),),
    )
    after = apply_changes(
        state,
        ClaimChanges(
            values={"place_of_service": ""},
            lines=(
                LineChange(
                    values={"code": "j7050", "units": "1", "charge": "40", "service_date_from": "2024-05-01"}
                ),
            ),
        ),
    )
    assert after.lines[1].code == "J7050" and after.lines[1].diagnosis_pointers == ()
    with pytest.raises(InvalidInputError) as caught:
        apply_changes(
            state,
            ClaimChanges(
                values={"place_of_service": "11", "visit": 3, "diagnosis_codes": 5},
                lines=(
                    LineChange(
                        key="C1-1", values={"units": 1.5, "revenue_code": "26", "service_date_from": 7}
                    ),
                    LineChange(key="C1-1", values={"charge": "1"}),
                    LineChange(values={"colour": "red"}),
                ),
            ),
        )
    assert set(caught.value.extra["errors"]) == {
        "place_of_service",
        "visit",
        "diagnosis_codes",
        "lines.0.units",
        "lines.0.service_date_from",
        "lines.1",
        "lines.2.colour",
    }
    assert "(and 6 more problems)" in caught.value.message


@db
def test_rendering_and_supervising_providers_edited_and_sent_in_the_837(biller, queued):
    from tests.claims.domain.factories import assert_pyx12_clean

    claim = built(biller, f.office_sequential_concurrent)
    nurse_practitioner = Prescriber.objects.create(first_name="Rita", last_name="Render", npi="1245319599")
    physician = Prescriber.objects.create(first_name="Sam", last_name="Super", npi="1003000126")
    state = api(biller).get(f"/api/v1/claims/claims/{claim.public_id}/edit/").json()
    assert {"rendering_provider", "supervising_provider", "referring_provider"} <= set(state["providers"])
    response = api(biller).post(
        f"/api/v1/claims/claims/{claim.public_id}/edit/",
        {
            "version": state["version"],
            "reason": "the NP gave the infusion under Dr Super",
            "rendering_provider_npi": nurse_practitioner.npi,
            "supervising_provider_npi": physician.npi,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert (claim.rendering_provider_id, claim.supervising_provider_id) == (
        nurse_practitioner.pk,
        physician.pk,
    )
    changes = {c["field"]: c["new"] for c in claim.events.last().payload["edit"]}
    assert changes == {"rendering_provider": "1245319599", "supervising_provider": "1003000126"}
    page = client_for(biller).get(reverse("claims:claim_edit", args=[claim.public_id])).content.decode()
    assert 'name="rendering_provider"' in page and 'name="supervising_provider"' in page

    services.claims_scrub_many(claim_ids=[claim.pk])
    batch = services.batch_build(payer=claim.payer, actor=biller, validate=False)
    assert "NM1*82*1*RENDER*RITA****XX*1245319599~" in batch.content
    assert_pyx12_clean(batch.content)

    # Clearing a provider: an empty NPI.
    claim.refresh_from_db()
    services.batch_pull_back(batch=batch, actor=biller)
    claim.refresh_from_db()
    edit(claim, biller, values={"supervising_provider": ""})
    claim.refresh_from_db()
    assert claim.supervising_provider_id is None


def _state(form=None):
    from claims.domain.claim_edit import ClaimState, LineState
    from claims.domain.types import ClaimForm

    day = dt.date(2024, 5, 1)
    return ClaimState(
        form=form or ClaimForm.PROFESSIONAL,
        diagnosis_codes=("K5090", "D509"),
        prior_auth_number="",
        place_of_service="11",
        providers=(("referring_provider", ""),),
        lines=(
            LineState("C1-1", "96365", Decimal(1), Decimal(350), day, day, diagnosis_pointers=(1,)),
            LineState(
                "C1-2",
                "J1745",
                Decimal(40),
                Decimal(1200),
                day,
                day,
                diagnosis_pointers=(1,),
                ndc="57894003001",
                ndc_quantity=Decimal(4),
                ndc_unit="UN",
            ),
        ),
    )


@pytest.mark.parametrize(
    ("values", "lines", "key", "words"),
    [
        ({"diagnosis_codes": []}, (), "diagnosis_codes", "at least one diagnosis"),
        ({"diagnosis_codes": "K50.90; K50.90"}, (), "diagnosis_codes", "listed twice"),
        ({"diagnosis_codes": [f"C{n:02d}.9" for n in range(13)]}, (), "diagnosis_codes", "at most 12"),
        ({"diagnosis_codes": ["K50.90", 3]}, (), "diagnosis_codes", "list of ICD-10-CM codes"),
        ({"prior_auth_number": "PA 1!"}, (), "prior_auth_number", "letters, digits or hyphens"),
        ({}, (LineChange(key="C1-1", values={"ndc_quantity": Decimal(2)}),), "lines.0.ndc", "without an NDC"),
        ({}, (LineChange(key="C1-1", values={"code": 96365}),), "lines.0.code", "5 letters or digits"),
        ({}, (LineChange(key="C1-1", values={"units": "Infinity"}),), "lines.0.units", "whole number"),
        ({}, (LineChange(key="C1-1", values={"charge": ["1"]}),), "lines.0.charge", "dollars and cents"),
        ({}, (LineChange(key="C1-1", values={"modifiers": 59}),), "lines.0.modifiers", "2-character"),
        (
            {},
            (LineChange(key="C1-1", values={"diagnosis_pointers": 2}),),
            "lines.0.diagnosis_pointers",
            "numbers",
        ),
        (
            {},
            (LineChange(key="C1-2", values={"ndc_quantity": Decimal("1.2345")}),),
            "lines.0.ndc_quantity",
            "3 decimals",
        ),
    ],
)
def test_each_refusal_names_its_field(values, lines, key, words):
    with pytest.raises(InvalidInputError) as caught:
        apply_changes(_state(), ClaimChanges(values=values, lines=lines))
    assert words in caught.value.extra["errors"][key]


def test_values_parsed_from_text_and_checks_consulted():
    from claims.domain.claim_edit import EditChecks
    from claims.domain.types import ClaimForm

    after = apply_changes(
        _state(),
        ClaimChanges(
            values={"diagnosis_codes": "K50.90, D50.9, E86.0"},
            lines=(
                LineChange(
                    key="C1-1", values={"modifiers": "jw, 59", "diagnosis_pointers": "1, 3", "ndc_unit": None}
                ),
                LineChange(remove=True),  # a blank row ticked "remove": nothing to remove
                LineChange(
                    values={
                        "code": "J7050",
                        "units": 1,
                        "charge": "40",
                        "service_date_from": "2024-05-01",
                        "service_date_to": "2024-05-02",
                    }
                ),
            ),
        ),
    )
    assert after.lines[0].modifiers == ("JW", "59") and after.lines[0].diagnosis_pointers == (1, 3)
    assert after.lines[2].service_date_to == dt.date(2024, 5, 2)
    refusing = EditChecks(code=lambda code, day: f"{code} is not in force on {day}")
    with pytest.raises(InvalidInputError) as caught:
        apply_changes(
            _state(), ClaimChanges(lines=(LineChange(key="C1-1", values={"code": "96366"}),)), checks=refusing
        )
    assert caught.value.extra["errors"]["lines.0.code"] == "Line 1: 96366 is not in force on 2024-05-01"
    # Institutional: no pointers, a 4-digit revenue code; dropping a diagnosis is fine.
    institutional = _state(ClaimForm.INSTITUTIONAL)
    assert apply_changes(
        institutional, ClaimChanges(values={"diagnosis_codes": ["K50.90"]})
    ).diagnosis_codes == ("K5090",)
    with pytest.raises(InvalidInputError) as caught:
        apply_changes(
            institutional, ClaimChanges(lines=(LineChange(key="C1-1", values={"revenue_code": "26"}),))
        )
    assert "4 digits" in caught.value.extra["errors"]["lines.0.revenue_code"]
