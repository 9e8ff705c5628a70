"""Issue 10 item 1: structured documentation on the nurse's visit page.

Each test is one fault the issue lists, driven through the page as a nurse would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from coding import services
from coding.models import Administration, Drug, HomeTherapyDay, NursingVisitEntry, Visit
from tests.coding.factories import covered_patient

pytestmark = pytest.mark.django_db
R_AC = {"access_site": "antecubital", "access_side": "right", "access_device": "peripheral_iv"}


def _visit(nurse, **kw) -> Visit:
    _, order = covered_patient(**kw)
    return services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)


def _post(client, visit, **data):
    return client.post(reverse("coding:visit_detail", args=[visit.public_id]), data, follow=True)


def _admin(client, visit, hcpcs, start, stop, dose="", unit="", wasted="", **extra):
    drug = Drug.objects.get(hcpcs=hcpcs).pk if hcpcs else ""
    data = {"action": "administration", "drug": drug, "route": "iv_infusion", "encounter": 1}
    data.update(start=start, stop=stop, dose=dose, dose_unit=unit, wasted=wasted, **R_AC)
    data.update(extra)
    return _post(client, visit, **data)


def _lines(visit) -> set:
    return {(line.code, tuple(line.modifiers), line.units) for line in visit.charge_lines.all()}


def test_one_vein_picked_from_lists_codes_hydration_as_96361_not_a_second_initial(nurse, nurse_client):
    """Typed "R AC" then "R antecubital" coded 96360-XS; the lists make one access one identity."""
    visit = _visit(nurse)
    _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0")
    page = _admin(nurse_client, visit, "", "10:05", "11:10")
    assert page.status_code == 200 and visit.administrations.count() == 2
    services.visit_sign(visit=visit, actor=nurse)
    lines = _lines(visit)
    assert ("96361", (), 1) in lines
    assert not any(code == "96360" for code, _, _ in lines)


def test_the_next_administration_keeps_the_last_access(nurse, nurse_client):
    visit = _visit(nurse)
    _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0")
    page = nurse_client.get(reverse("coding:visit_detail", args=[visit.public_id])).content.decode()
    assert '<option value="antecubital" selected>' in page
    assert "right antecubital peripheral IV" in page


def test_an_access_that_is_not_on_the_lists_is_refused(nurse, nurse_client):
    visit = _visit(nurse)
    page = _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0", access_site="R AC")
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()
    page = _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0", access_site="")
    assert page.status_code == 400 and "Pick the site, the side and the device" in page.content.decode()
    blank = dict.fromkeys(R_AC, "")
    page = _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0", **blank)
    assert page.status_code == 400 and "Pick the IV access" in page.content.decode()
    assert visit.administrations.count() == 0


def test_premeds_and_fluids_are_offered_after_the_orders_drugs_with_their_own_units(nurse, nurse_client):
    visit = _visit(nurse)
    page = nurse_client.get(reverse("coding:visit_detail", args=[visit.public_id])).content.decode()
    ordered, premeds, fluids = (
        page.index('label="On the order"'),
        page.index('label="Premeds and other drugs"'),
        page.index('label="Fluids (billed as the fluid supply)"'),
    )
    assert ordered < premeds < fluids
    assert page.index("J1745 infliximab", ordered) < premeds
    assert premeds < page.index("J1200 diphenhydramine") < fluids
    assert page.index("J7050 normal saline 250 cc") > fluids
    assert f'value="{Drug.objects.get(hcpcs="J7050").pk}" data-unit="mL"' in page
    _admin(nurse_client, visit, "J1200", "08:40", "08:45", "25", "mg", "25", route="iv_push")
    page = _admin(nurse_client, visit, "J7050", "09:00", "10:00", "250", "mg")
    assert page.status_code == 400 and "J7050 is billed per mL: give the dose in mL." in page.content.decode()
    _admin(nurse_client, visit, "J7050", "09:00", "10:00", "250", "mL")
    _admin(nurse_client, visit, "J1745", "10:00", "12:00", "400", "mg", "0")
    services.visit_sign(visit=visit, actor=nurse)
    codes = {code for code, _, _ in _lines(visit)}
    assert {"J1200", "J7050", "J1745", "96365", "96375"} <= codes


def test_an_administration_row_is_editable_until_signing(nurse, nurse_client):
    visit = _visit(nurse)
    _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0")
    row = visit.administrations.get()
    form = nurse_client.get(reverse("coding:visit_detail", args=[visit.public_id]) + f"?edit={row.pk}")
    assert "Change the administration" in form.content.decode()
    _admin(nurse_client, visit, "J1745", "09:00", "11:30", "500", "mg", "0", row=row.pk)
    row.refresh_from_db()
    assert (row.stop, row.dose) == (dt.time(11, 30), Decimal("500"))
    assert visit.administrations.count() == 1


def test_a_row_of_another_visit_cannot_be_edited_through_this_one(nurse, nurse_client):
    visit, other = _visit(nurse), _visit(nurse)
    _admin(nurse_client, other, "J1745", "09:00", "10:00", "400", "mg", "0")
    theirs = other.administrations.get()
    _admin(nurse_client, visit, "J1745", "09:00", "11:30", "500", "mg", "0", row=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.dose == Decimal("400") and visit.administrations.count() == 1


def test_home_therapy_is_chosen_from_the_per_diem_families_with_its_drug(nurse, nurse_client):
    visit = _visit(nurse, site="home", drugs=(("J0690", "1", "g"),))
    cefazolin = Drug.objects.get(hcpcs="J0690")
    page = _post(nurse_client, visit, action="home_therapy", therapy="Cefazolin IV", drug=cefazolin.pk)
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()
    assert "Anti-infective (antibiotic, antiviral, antifungal)" in page.content.decode()
    data = {"action": "home_therapy", "therapy": "anti_infective", "drug": cefazolin.pk}
    data["frequency_hours"] = 8
    data.update(dose="1", dose_unit="g", days=7, start_day=1, position=1)
    _post(nurse_client, visit, **data)
    _post(nurse_client, visit, action="nursing", start="10:00", stop="11:30")
    therapy = visit.home_therapies.get()
    assert (therapy.therapy, therapy.drug) == ("anti_infective", cefazolin)
    result = services.visit_code_preview(visit=visit)
    assert "S9502" in {line.code for line in result.lines}  # anti-infective every 8 hours


def test_therapy_and_nursing_rows_can_be_changed_and_removed(nurse, nurse_client):
    visit = _visit(nurse, site="home", drugs=(("J0690", "1", "g"),))
    therapy = HomeTherapyDay.objects.create(visit=visit, therapy="hydration", days=3, volume_ml_per_day=1000)
    entry = NursingVisitEntry.objects.create(visit=visit, start=dt.time(10), stop=dt.time(11))
    _post(nurse_client, visit, action="nursing", row=entry.pk, start="10:00", stop="12:15")
    entry.refresh_from_db()
    assert entry.stop == dt.time(12, 15)
    data = {"action": "home_therapy", "row": therapy.pk, "therapy": "hydration", "volume_ml_per_day": "2000"}
    _post(nurse_client, visit, **data, days=5, start_day=1, position=1)
    therapy.refresh_from_db()
    assert (therapy.days, therapy.volume_ml_per_day) == (5, Decimal("2000"))
    _post(nurse_client, visit, action="home_therapy_delete", row=therapy.pk)
    page = _post(nurse_client, visit, action="nursing_delete", row=entry.pk)
    assert "Nursing visit removed." in page.content.decode()
    assert not visit.home_therapies.exists() and not visit.nursing_visits.exists()


def test_start_visit_twice_opens_the_same_draft(nurse, nurse_client):
    _, order = covered_patient()
    for _ in range(2):
        nurse_client.post(reverse("coding:visit_list"), {"order": order.public_id})
    assert Visit.objects.filter(patient=order.patient, status="draft").count() == 1


def test_the_database_refuses_a_second_draft_for_the_patient_and_day(nurse):
    visit = _visit(nurse)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            patient=visit.patient,
            location=visit.location,
            date_of_service=visit.date_of_service,
            documented_by=nurse,
        )


def test_a_new_visit_after_signing_the_same_day_is_flagged_for_xe(nurse):
    first = _visit(nurse)
    services.administration_save(
        visit=first,
        administration=Administration(
            route="iv_push",
            start=dt.time(9),
            stop=dt.time(9, 5),
            **{"access_site": "hand", "access_side": "left", "access_device": "peripheral_iv"},
        ),
    )
    services.visit_sign(visit=first, actor=nurse)
    second = services.visit_start(
        patient=first.patient, location=first.location, order=first.order, actor=nurse
    )
    assert second.pk != first.pk
    findings, _ = services.visit_findings_preview(visit=second)
    assert "ADM-I3" in {f.rule_id for f in findings}


def test_small_things_waste_zero_vitals_labels_plain_doses(nurse, nurse_client):
    visit = _visit(nurse)
    _admin(nurse_client, visit, "J1745", "09:00", "10:00", "400", "mg", "0")
    _post(nurse_client, visit, action="vitals", blood_pressure="120/80", pulse="72", spo2="98")
    services.visit_sign(visit=visit, actor=nurse)
    page = nurse_client.get(reverse("coding:visit_detail", args=[visit.public_id])).content.decode()
    assert "400 mg" in page and "400.000" not in page
    assert "wasted 0" in page
    assert "Blood pressure 120/80; Pulse 72; SpO₂ % 98" in page
    assert "blood_pressure" not in page
