"""Billers edit orders and prior authorizations: every change is an audited event naming the
changed fields; the order's state rules hold; an auth's used units never go below its draw-downs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake import services
from intake.domain.authorization import AuthUnitsError
from intake.models import AuthorizedService, IntakeEvent, Order, OrderDrug, PriorAuthorization
from tests.intake.factories import (
    CoverageFactory,
    EligibilityCheckFactory,
    OrderFactory,
    PrescriberFactory,
    PriorAuthorizationFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/intake"
DRUG = {"hcpcs": "J1745", "dose": "400", "dose_unit": "mg", "frequency": "every 8 weeks"}


@pytest.fixture
def covered_order(frozen_today):
    cov = CoverageFactory()
    EligibilityCheckFactory(coverage=cov, checked_on=frozen_today)
    PriorAuthorizationFactory(coverage=cov, services=[("J1745", 100, 0)])
    return OrderFactory(patient=cov.patient, start_date=frozen_today)


# --- orders --------------------------------------------------------------------------------------


def test_order_edit_records_an_event_with_the_changed_fields(covered_order, biller):
    order, changed = services.order_update(
        order=covered_order,
        actor=biller,
        reason="Referral corrected by the prescriber's office",
        therapy="Infliximab-dyyb for Crohn's disease",
        diagnosis_codes=["k50.90", "K50.10"],
        notes=covered_order.notes,  # unchanged: not reported
    )
    assert changed == ["therapy", "diagnosis_codes"]
    assert order.diagnosis_codes == ["K50.90", "K50.10"]
    event = IntakeEvent.objects.get(order=order)
    assert event.kind == "order_edited" and event.actor == biller
    assert event.changed_fields == ["diagnosis_codes", "therapy"]
    assert event.reason == "Referral corrected by the prescriber's office"
    audit = AuditEntry.objects.filter(
        action="update", object_type="intake.order", object_id=str(order.pk)
    ).get()
    assert sorted(audit.changed_fields) == ["diagnosis_codes", "therapy"]
    # the audit log holds field names, never the values
    assert "Infliximab-dyyb" not in str(audit.extra) and "K50.10" not in str(audit.changed_fields)


def test_order_edit_with_no_change_writes_nothing(covered_order):
    _, changed = services.order_update(order=covered_order, therapy=covered_order.therapy, drugs=[DRUG])
    assert changed == []
    assert not IntakeEvent.objects.exists()


def test_order_edit_replaces_the_drugs(covered_order):
    _, changed = services.order_update(order=covered_order, drugs=[{**DRUG, "dose": "500"}])
    assert changed == ["drugs"]
    assert list(OrderDrug.objects.filter(order=covered_order).values_list("dose", flat=True)) == [
        Decimal("500")
    ]


def test_order_edit_refusals_change_nothing(covered_order):
    with pytest.raises(InvalidInputError, match="not a billable code"):
        services.order_update(order=covered_order, diagnosis_codes=["K50"])
    with pytest.raises(InvalidInputError, match="before its start date"):
        services.order_update(order=covered_order, end_date=covered_order.start_date - dt.timedelta(days=1))
    with pytest.raises(InvalidInputError, match="at least one drug"):
        services.order_update(order=covered_order, drugs=[])
    covered_order.refresh_from_db()
    assert covered_order.diagnosis_codes == ["K50.90"] and covered_order.end_date is None
    assert not IntakeEvent.objects.exists()


def test_order_edit_keeps_the_state_rules(covered_order, frozen_today):
    services.order_advance(order=covered_order, to_status="eligibility_verified")
    services.order_advance(order=covered_order, to_status="auth_obtained")
    # J2350 has no auth: an order that is auth obtained cannot take it
    with pytest.raises(DomainError, match=r"no prior authorization in force .* covers J2350") as refused:
        services.order_update(order=covered_order, drugs=[{**DRUG, "hcpcs": "J2350"}])
    assert refused.value.code == "order.state_rules"
    # the status is not an editable field and stays where its rules put it
    with pytest.raises(TypeError):
        services.order_update(order=covered_order, status="active")  # type: ignore[call-arg]
    covered_order.refresh_from_db()
    assert covered_order.status == "auth_obtained"
    assert list(covered_order.drugs.values_list("hcpcs", flat=True)) == ["J1745"]


def test_a_closed_order_cannot_be_edited(frozen_today):
    order = OrderFactory(status="cancelled")
    with pytest.raises(DomainError, match="cancelled order cannot be edited"):
        services.order_update(order=order, therapy="x")


def test_order_status_moves_are_events(covered_order, biller):
    services.order_advance(order=covered_order, to_status="eligibility_verified", actor=biller)
    event = IntakeEvent.objects.get(order=covered_order)
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "order_status",
        "new",
        "eligibility_verified",
        biller,
    )
    assert event.to_status_label == "Eligibility verified"


def test_order_edit_page(biller_client, covered_order):
    url = reverse("intake:order_edit", args=[covered_order.public_id])
    body = biller_client.get(url).content.decode()
    assert "K50.90" in body and 'value="J1745"' in body and 'value="400"' in body
    form = {
        "prescriber": covered_order.prescriber_id, "location": covered_order.location_id,
        "therapy": "Infliximab, corrected", "diagnosis_codes": "K50.90", "start_date": covered_order.start_date,
        "end_date": "", "notes": "", "reason": "typo",
        "drugs-TOTAL_FORMS": 2, "drugs-INITIAL_FORMS": 1, "drugs-MIN_NUM_FORMS": 0, "drugs-MAX_NUM_FORMS": 10,
        "drugs-0-hcpcs": "J1745", "drugs-0-dose": "400", "drugs-0-dose_unit": "mg", "drugs-0-frequency": "every 8 weeks",
    }  # fmt: skip
    r = biller_client.post(url, form)
    assert r.status_code == 302
    assert Order.objects.get(pk=covered_order.pk).therapy == "Infliximab, corrected"
    page = biller_client.get(reverse("intake:patient_detail", args=[covered_order.patient.public_id]))
    assert "Order edited" in page.content.decode() and "typo" in page.content.decode()
    # a refusal is shown on the form, not a 500
    r = biller_client.post(url, {**form, "diagnosis_codes": "K50"})
    assert r.status_code == 200 and "not a billable code" in r.content.decode()


def test_order_edit_api(api_client, biller, nurse, covered_order):
    api_client.force_authenticate(nurse)
    url = f"{BASE}/orders/{covered_order.public_id}/edit/"
    assert api_client.post(url, {"therapy": "x"}, format="json").status_code == 403
    api_client.force_authenticate(biller)
    assert api_client.post(url, {"reason": "only a reason"}, format="json").status_code == 400
    r = api_client.post(
        url,
        {"end_date": "2026-09-30", "prescriber_npi": PrescriberFactory().npi, "reason": "r"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["end_date"] == "2026-09-30"
    history = api_client.get(f"{BASE}/orders/{covered_order.public_id}/history/").json()
    assert history[0]["kind"] == "order_edited" and history[0]["changed_fields"] == ["end_date"]
    r = api_client.post(url, {"diagnosis_codes": ["ZZZ"]}, format="json")
    assert r.status_code == 400 and r.json()["code"].startswith("icd10")


# --- authorizations ------------------------------------------------------------------------------


@pytest.fixture
def drawn_auth(frozen_today):
    auth = PriorAuthorizationFactory(services=[("J1745", 100, 0), ("96365", 12, 0)])
    services.auth_draw_down(
        patient=auth.patient,
        code="J1745",
        units=Decimal(40),
        service_date=dt.date(2026, 3, 2),
        source="visit:a",
    )
    return auth


def _services(auth: PriorAuthorization) -> dict:
    return {
        s.code: (s.authorized_units, s.used_units)
        for s in AuthorizedService.objects.filter(authorization=auth)
    }


def test_auth_edit_records_the_changed_fields(drawn_auth, biller):
    before = AuditEntry.objects.filter(action="update", object_type="intake.authorizedservice").count()
    auth, changed = services.auth_update(
        auth=drawn_auth,
        actor=biller,
        reason="Payer extended the auth by phone",
        end_date=dt.date(2026, 9, 30),
        services=[
            {"code": "J1745", "authorized_units": "150"},  # used units kept (40 drawn)
            {"code": "96365", "authorized_units": "12", "used_units": "3"},
        ],
    )
    assert changed == ["end_date", "services.J1745.authorized_units", "services.96365.used_units"]
    assert _services(auth) == {"J1745": (Decimal(150), Decimal(40)), "96365": (Decimal(12), Decimal(3))}
    event = IntakeEvent.objects.get(authorization=auth)
    assert event.kind == "auth_edited" and event.actor == biller and event.reason.startswith("Payer")
    assert AuditEntry.objects.filter(action="update", object_type="intake.priorauthorization").exists()
    rows = AuditEntry.objects.filter(action="update", object_type="intake.authorizedservice").order_by("id")
    assert sorted(f for e in rows[before:] for f in e.changed_fields) == ["authorized_units", "used_units"]


def test_used_units_cannot_go_below_the_draw_downs(drawn_auth):
    with pytest.raises(AuthUnitsError, match=r"drew 40 units .* cannot be set below that") as refused:
        services.auth_update(
            auth=drawn_auth,
            services=[
                {"code": "J1745", "authorized_units": 100, "used_units": 39},
                {"code": "96365", "authorized_units": 12},
            ],
        )
    assert refused.value.code == "auth.units"
    assert _services(drawn_auth)["J1745"] == (Decimal(100), Decimal(40))
    # exactly what was drawn is fine
    _, changed = services.auth_update(
        auth=drawn_auth,
        services=[
            {"code": "J1745", "authorized_units": 100, "used_units": 40},
            {"code": "96365", "authorized_units": 12},
        ],
    )
    assert changed == []


def test_a_drawn_code_stays_and_the_span_keeps_its_draw_downs(drawn_auth):
    with pytest.raises(AuthUnitsError, match="J1745 cannot be removed"):
        services.auth_update(auth=drawn_auth, services=[{"code": "96365", "authorized_units": 12}])
    with pytest.raises(InvalidInputError, match="2026-03-02 drew from this authorization"):
        services.auth_update(auth=drawn_auth, start_date=dt.date(2026, 3, 5))
    # a code nothing drew from may go
    _, changed = services.auth_update(auth=drawn_auth, services=[{"code": "J1745", "authorized_units": 100}])
    assert changed == ["services.96365"]
    assert set(_services(drawn_auth)) == {"J1745"}


def test_auth_edit_refusals(drawn_auth):
    other = PriorAuthorizationFactory(coverage=drawn_auth.coverage, auth_number="PA-OTHER")
    with pytest.raises(DomainError, match="already on file"):
        services.auth_update(auth=drawn_auth, auth_number="pa-other")
    with pytest.raises(InvalidInputError, match="approved, modified, pended or denied"):
        services.auth_update(auth=drawn_auth, status="maybe")
    with pytest.raises(InvalidInputError, match="another patient"):
        services.auth_update(auth=drawn_auth, order=OrderFactory())
    assert other.auth_number == "PA-OTHER"


def test_auth_edit_page_and_api(biller_client, api_client, biller, drawn_auth):
    url = reverse("intake:auth_edit", args=[drawn_auth.public_id])
    body = biller_client.get(url).content.decode()
    assert drawn_auth.auth_number in body and "Used" in body
    assert 'value="100"' in body and 'value="40"' in body and "E+" not in body  # 100.000 shown as 100
    form = {
        "order": "", "auth_number": drawn_auth.auth_number, "start_date": "2026-01-01", "end_date": "2026-06-30",
        "status": "approved", "reason": "",
        "services-TOTAL_FORMS": 2, "services-INITIAL_FORMS": 2, "services-MIN_NUM_FORMS": 0, "services-MAX_NUM_FORMS": 10,
        "services-0-code": "J1745", "services-0-authorized_units": "100", "services-0-used_units": "10",
        "services-0-unit_kind": "units",
        "services-1-code": "96365", "services-1-authorized_units": "12", "services-1-used_units": "0",
        "services-1-unit_kind": "units",
    }  # fmt: skip
    r = biller_client.post(url, form)
    assert r.status_code == 200 and "cannot be set below that" in r.content.decode()
    r = biller_client.post(url, {**form, "services-0-used_units": "45"})
    assert r.status_code == 302
    assert _services(drawn_auth)["J1745"] == (Decimal(100), Decimal(45))
    page = biller_client.get(reverse("intake:patient_detail", args=[drawn_auth.patient.public_id]))
    assert "Authorization edited" in page.content.decode() and "J1745 used units" in page.content.decode()
    api_client.force_authenticate(biller)
    r = api_client.post(
        f"{BASE}/authorizations/{drawn_auth.public_id}/edit/", {"status": "modified"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "modified"
    history = api_client.get(f"{BASE}/authorizations/{drawn_auth.public_id}/history/").json()
    assert [h["changed_fields"] for h in history] == [["status"], ["services.J1745.used_units"]]
    r = api_client.post(
        f"{BASE}/authorizations/{drawn_auth.public_id}/edit/",
        {"services": [{"code": "J1745", "authorized_units": "100", "used_units": "1"}]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "auth.units"
