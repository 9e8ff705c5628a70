"""Documenting, signing and coding a visit; charge review and overrides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from coding import services
from coding.models import Administration, ChargeLine, ChargeMasterEntry, Drug, Visit
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.common.errors import DomainError
from intake.models import AuthorizedService, AuthUsage, PriorAuthorization
from tests.coding.factories import covered_patient

pytestmark = pytest.mark.django_db
DOS = dt.date(2026, 11, 2)


def start_visit(order, nurse) -> Visit:
    return services.visit_start(
        patient=order.patient, location=order.location, order=order, actor=nurse, date_of_service=DOS
    )


def add_admin(visit, hcpcs, start, stop, dose, unit="mg", wasted="0", site="A", route="iv_infusion"):
    drug = Drug.objects.get(hcpcs=hcpcs) if hcpcs else None
    return services.administration_save(
        visit=visit,
        administration=Administration(
            drug=drug,
            route=route,
            start=dt.time.fromisoformat(start),
            stop=dt.time.fromisoformat(stop),
            dose=Decimal(dose) if dose else None,
            dose_unit=unit if dose else "",
            wasted=Decimal(wasted) if dose else None,
            iv_site=site,
        ),
    )


def test_signing_codes_the_visit_and_prices_lines(nurse):
    _, order = covered_patient(payer_kind="medicare")
    ChargeMasterEntry.objects.update_or_create(
        code="96365",
        modifier="",
        effective_from=dt.date(2026, 1, 1),
        defaults={"unit_price": Decimal("350.00")},
    )
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "11:45", "400")
    services.visit_sign(visit=visit, actor=nurse)
    visit.refresh_from_db()
    assert visit.status == "signed"
    lines = {(line.code, tuple(line.modifiers), line.units): line for line in visit.charge_lines.all()}
    assert ("96365", (), 1) in lines
    assert ("96366", (), 2) in lines  # 2 h 45 min: first hour + 2 additional hours (>30 min past)
    assert ("J1745", ("JZ",), 40) in lines  # 400 mg / 10 mg, Medicare single-dose, nothing wasted
    assert lines[("96365", (), 1)].charge == Decimal("350.00")
    assert all(line.reason for line in lines.values())
    assert all(line.status == ChargeLine.Status.PENDING_REVIEW for line in lines.values())


def test_signed_visit_is_locked(nurse):
    _, order = covered_patient()
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "10:00", "300")
    services.visit_sign(visit=visit, actor=nurse)
    with pytest.raises(DomainError, match="locked"):
        add_admin(visit, "J1745", "12:00", "13:00", "100")
    addendum = services.visit_addendum_add(
        visit=visit, actor=nurse, text="Patient reported mild headache at 11:00."
    )
    assert AuditEntry.objects.filter(
        object_type="coding.visitaddendum", object_id=str(addendum.pk), action="create"
    ).exists()


def test_a_coding_error_refuses_the_signature_and_changes_nothing(nurse):
    _, order = covered_patient()
    visit = start_visit(order, nurse)
    # a stop before start can only come from bad data (forms refuse it); it must not code
    Administration.objects.create(
        visit=visit,
        drug=Drug.objects.get(hcpcs="J1745"),
        route="iv_infusion",
        start=dt.time(10, 0),
        stop=dt.time(9, 0),
        dose=Decimal("100"),
        dose_unit="mg",
    )
    with pytest.raises(DomainError, match=r"administrations\[0\]\.stop"):
        services.visit_sign(visit=visit, actor=nurse)
    visit.refresh_from_db()
    assert visit.status == "draft"
    assert not ChargeLine.objects.exists()


def test_no_coverage_refuses_signing(nurse):
    patient, order = covered_patient()
    patient.coverages.update(end_date=dt.date(2025, 12, 31))
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "10:00", "300")
    with pytest.raises(DomainError, match="no coverage in force"):
        services.visit_sign(visit=visit, actor=nurse)


def test_coded_units_draw_down_the_prior_authorization(nurse):
    patient, order = covered_patient()
    auth = PriorAuthorization.objects.create(
        patient=patient,
        coverage=patient.coverages.get(),
        auth_number="PA-1",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2027, 3, 31),
    )
    service = AuthorizedService.objects.create(
        authorization=auth, code="J1745", authorized_units=Decimal("200")
    )
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "11:00", "400")
    services.visit_sign(visit=visit, actor=nurse)
    service.refresh_from_db()
    assert service.used_units == Decimal("40")
    assert AuthUsage.objects.filter(service=service, source=f"visit:{visit.public_id}").count() == 1


def test_biller_override_keeps_the_engine_line(nurse, biller):
    _, order = covered_patient()
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "10:00", "300")
    services.visit_sign(visit=visit, actor=nurse)
    line = visit.charge_lines.get(code="J1745")
    with pytest.raises(DomainError, match="reason"):
        services.charge_line_override(
            line=line, actor=biller, code="J1745", modifiers=[], units=31, reason=" "
        )
    services.charge_line_override(
        line=line, actor=biller, code="J1745", modifiers=[], units=31, reason="Vial overfill documented"
    )
    line.refresh_from_db()
    assert (line.code, line.units) == ("J1745", 30)
    assert (line.billed_code, line.billed_units, line.status) == ("J1745", 31, "reviewed")


def test_review_accepts_pending_lines(nurse, biller):
    _, order = covered_patient()
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "10:00", "300")
    services.visit_sign(visit=visit, actor=nurse)
    assert services.charge_lines_review(visit=visit, actor=biller) == visit.charge_lines.count()
    assert set(visit.charge_lines.values_list("status", flat=True)) == {"reviewed"}


def test_nurse_documents_through_the_page(nurse_client, nurse):
    _, order = covered_patient()
    response = nurse_client.post(reverse("coding:visit_list"), {"order": order.public_id})
    visit = Visit.objects.get(order=order)
    assert response.status_code == 302
    url = reverse("coding:visit_detail", args=[visit.public_id])
    bad = nurse_client.post(
        url,
        {
            "action": "administration",
            "drug": Drug.objects.get(hcpcs="J1745").pk,
            "route": "iv_infusion",
            "access_site": "antecubital",
            "access_side": "right",
            "access_device": "peripheral_iv",
            "encounter": 1,
            "start": "10:00",
            "stop": "09:00",
            "dose": "400",
            "dose_unit": "mg",
            "wasted": "0",
        },
    )
    assert bad.status_code == 400
    assert "stop time must be after the start time" in bad.content.decode()
    assert not visit.administrations.exists()
    nurse_client.post(
        url,
        {
            "action": "administration",
            "drug": Drug.objects.get(hcpcs="J1745").pk,
            "route": "iv_infusion",
            "access_site": "antecubital",
            "access_side": "right",
            "access_device": "peripheral_iv",
            "encounter": 1,
            "start": "09:00",
            "stop": "11:45",
            "dose": "600",
            "dose_unit": "mg",
            "wasted": "0",
        },
        follow=True,
    )
    assert visit.administrations.count() == 1
    page = nurse_client.post(url, {"action": "sign"}, follow=True).content.decode()
    assert "signed" in page
    assert "J1745" in page
    assert "charge-lines" not in page  # nurses see no coded money


def test_dose_far_from_the_order_is_flagged(nurse_client):
    _, order = covered_patient()
    nurse_client.post(reverse("coding:visit_list"), {"order": order.public_id})
    visit = Visit.objects.get(order=order)
    url = reverse("coding:visit_detail", args=[visit.public_id])
    page = nurse_client.post(
        url,
        {
            "action": "administration",
            "drug": Drug.objects.get(hcpcs="J1745").pk,
            "route": "iv_infusion",
            "access_site": "antecubital",
            "access_side": "right",
            "access_device": "peripheral_iv",
            "encounter": 1,
            "start": "09:00",
            "stop": "10:00",
            "dose": "800",
            "dose_unit": "mg",
            "wasted": "0",
        },
        follow=True,
    )
    assert "differs from the ordered 400" in page.content.decode()


def test_overlapping_infusions_are_shown_as_concurrent(nurse, nurse_client):
    _, order = covered_patient(drugs=(("J1745", "400", "mg"), ("J2405", "4", "mg")))
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "11:00", "400")
    add_admin(visit, "J2405", "09:30", "10:00", "4")
    page = nurse_client.get(reverse("coding:visit_detail", args=[visit.public_id])).content.decode()
    assert page.count(">concurrent<") == 2


def test_charge_review_page_lists_pending_lines(nurse, biller_client):
    _, order = covered_patient()
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "10:00", "300")
    services.visit_sign(visit=visit, actor=nurse)
    page = biller_client.get(reverse("coding:charge_review")).content.decode()
    assert "96365" in page and "J1745" in page
    biller_client.post(reverse("coding:charge_review_accept", args=[visit.public_id]))
    assert not ChargeLine.objects.filter(status="pending_review").exists()


def test_ndc_is_checked_against_the_catalog_and_reported_in_vials(nurse, nurse_client):
    _, order = covered_patient(payer_kind="medicaid")
    visit = start_visit(order, nurse)
    url = reverse("coding:visit_detail", args=[visit.public_id])
    form = {
        "action": "administration",
        "drug": Drug.objects.get(hcpcs="J1745").pk,
        "route": "iv_infusion",
        "access_site": "antecubital",
        "access_side": "right",
        "access_device": "peripheral_iv",
        "encounter": 1,
        "start": "09:00",
        "stop": "11:00",
        "dose": "350",
        "dose_unit": "mg",
        "wasted": "50",
    }
    wrong = nurse_client.post(url, {**form, "ndc": "50242-0060-01"})  # Avastin's package, not infliximab's
    assert wrong.status_code == 400
    assert "not a package of J1745" in wrong.content.decode()
    nurse_client.post(url, {**form, "ndc": "57894-0030-01"})
    assert visit.administrations.get().ndc == "57894003001"
    services.visit_sign(visit=visit, actor=nurse)
    drug_line = visit.charge_lines.get(code="J1745")
    # 350 mg given + 50 mg discarded = four 100 mg vials opened
    assert (drug_line.ndc, drug_line.ndc_quantity, drug_line.ndc_unit) == ("57894003001", Decimal("4"), "UN")


def test_home_per_diem_lines_span_the_therapy_days(nurse):
    from coding.models import HomeTherapyDay, NursingVisitEntry

    _, order = covered_patient(payer_kind="commercial", site="home", drugs=(("J0696", "2", "g"),))
    visit = start_visit(order, nurse)
    services.home_therapy_save(
        visit=visit,
        therapy=HomeTherapyDay(
            therapy="anti_infective",
            drug=Drug.objects.get(hcpcs="J0696"),
            frequency_hours=24,
            dose=Decimal("2"),
            dose_unit="g",
            days=7,
        ),
    )
    services.nursing_visit_save(visit=visit, entry=NursingVisitEntry(start=dt.time(10), stop=dt.time(11, 30)))
    services.visit_sign(visit=visit, actor=nurse)
    lines = {line.code: line for line in visit.charge_lines.all()}
    assert lines["S9500"].units == 7
    assert (lines["S9500"].service_date_from, lines["S9500"].service_date_to) == (
        DOS,
        DOS + dt.timedelta(days=6),
    )
    assert lines["J0696"].service_date_to == DOS + dt.timedelta(days=6)
    assert lines["99601"].service_date_to == DOS


def test_an_exhausted_auth_does_not_block_signing_but_raises_an_alert(nurse):
    from intake.models import IntakeAlert

    patient, order = covered_patient()
    auth = PriorAuthorization.objects.create(
        patient=patient,
        coverage=patient.coverages.get(),
        auth_number="PA-2",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2027, 3, 31),
    )
    service = AuthorizedService.objects.create(
        authorization=auth, code="J1745", authorized_units=Decimal("30")
    )
    visit = start_visit(order, nurse)
    add_admin(visit, "J1745", "09:00", "11:00", "400")  # 40 units, only 30 authorized
    services.visit_sign(visit=visit, actor=nurse)
    visit.refresh_from_db()
    assert visit.status == "signed"
    service.refresh_from_db()
    assert service.used_units == 0  # nothing drawn beyond the authorization
    alert = IntakeAlert.objects.get(kind="auth_exhausted:J1745", patient=patient)
    assert "exceed the authorization" in alert.message
