"""The schedule: billers book visits (chairs and home), the nurse lands on today's schedule with each
visit's state, starting a visit moves its order into treatment, and a daily beat job checks coverage
ahead of booked visits (270s written, what needs a biller listed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from coding import services as coding_services
from coding.demo_schedule import BOOKINGS
from coding.models import Administration, Appointment, Drug, Visit
from coding.schedule import services
from coding.tasks import eligibility_ahead_task
from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake.models import Coverage, EligibilityCheck, IntakeEvent, Order
from tests.coding.factories import covered_patient
from tests.conftest import client_for
from tests.intake.factories import EligibilityCheckFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
NINE = dt.time(9, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 10, 8, 0), tick=False):
        yield


def book(order, nurse, *, day=TODAY, at=NINE, chair="Chair 1", minutes=120, actor=None) -> Appointment:
    return services.appointment_book(
        order=order, date=day, start_time=at, nurse=nurse, chair=chair, duration_minutes=minutes, actor=actor
    )


@pytest.fixture
def ready_order():
    _, order = covered_patient()
    return order


# --- booking -------------------------------------------------------------------------------------


def test_booking_moves_a_ready_order_to_scheduled(ready_order, nurse, biller):
    appointment = book(ready_order, nurse, actor=biller)
    assert appointment.setting == "chair" and appointment.location_id == ready_order.location_id
    ready_order.refresh_from_db()
    assert ready_order.status == "scheduled" and ready_order.get_status_display() == "Scheduled"
    event = IntakeEvent.objects.get(order=ready_order)
    assert (event.from_status, event.to_status, event.actor) == ("ready_to_schedule", "scheduled", biller)


def test_booking_refusals(ready_order, nurse, biller):
    with pytest.raises(InvalidInputError, match="in the past"):
        book(ready_order, nurse, day=TODAY - dt.timedelta(days=1))
    Order.objects.filter(pk=ready_order.pk).update(end_date=dt.date(2026, 6, 30))
    ready_order.refresh_from_db()
    with pytest.raises(InvalidInputError, match="outside the order's dates"):
        book(ready_order, nurse, day=dt.date(2026, 7, 1))
    with pytest.raises(InvalidInputError, match="name the chair"):
        book(ready_order, nurse, chair=" ")
    with pytest.raises(InvalidInputError, match="Choose the nurse"):
        book(ready_order, biller)
    book(ready_order, nurse, at=dt.time(9), minutes=120)
    _, other = covered_patient()
    Order.objects.filter(pk=other.pk).update(location=ready_order.location)
    other.refresh_from_db()
    with pytest.raises(DomainError, match="Chair 1 is booked 09:00–11:00"):
        book(other, nurse, at=dt.time(10, 30), chair="chair 1")
    book(other, nurse, at=dt.time(11), chair="Chair 1")  # back to back is fine
    with pytest.raises(DomainError, match="already has a visit booked"):
        book(ready_order, nurse, at=dt.time(14), chair="Chair 2")
    Order.objects.filter(pk=other.pk).update(status="cancelled")
    other.refresh_from_db()
    with pytest.raises(DomainError, match="cancelled order cannot be scheduled"):
        book(other, nurse, day=TODAY + dt.timedelta(days=1))


def test_home_visits_take_no_chair(nurse):
    _, order = covered_patient(site="home")
    appointment = book(order, nurse, chair="Chair 9")
    assert (appointment.setting, appointment.chair) == ("home", "")


def test_cancelling_the_last_booking_puts_the_order_back_to_ready(ready_order, nurse):
    first = book(ready_order, nurse)
    second = book(ready_order, nurse, day=TODAY + dt.timedelta(days=7))
    services.appointment_cancel(appointment=first)
    assert Order.objects.get(pk=ready_order.pk).status == "scheduled"
    services.appointment_cancel(appointment=second)
    assert Order.objects.get(pk=ready_order.pk).status == "ready_to_schedule"


# --- the visit moves the order -------------------------------------------------------------------


def test_starting_a_booked_visit_puts_the_order_in_treatment(ready_order, nurse):
    appointment = book(ready_order, nurse)
    visit = services.appointment_start(appointment=appointment, actor=nurse)
    appointment.refresh_from_db()
    assert appointment.visit == visit and visit.status == "draft" and visit.date_of_service == TODAY
    order = Order.objects.get(pk=ready_order.pk)
    assert order.status == "active" and order.get_status_display() == "In treatment"
    moves = list(IntakeEvent.objects.filter(order=order, kind="order_status").order_by("id"))
    assert [(e.from_status, e.to_status) for e in moves] == [
        ("ready_to_schedule", "scheduled"),
        ("scheduled", "active"),
    ]
    assert moves[-1].actor == nurse and moves[-1].reason == "Its first visit started"
    # idempotent: a second tap opens the same visit and moves nothing
    assert services.appointment_start(appointment=appointment, actor=nurse) == visit
    assert IntakeEvent.objects.filter(order=order).count() == 2
    with pytest.raises(DomainError, match="has started"):
        services.appointment_cancel(appointment=appointment)


def test_a_visit_started_without_a_booking_moves_the_order_too(ready_order, nurse):
    coding_services.visit_start(
        patient=ready_order.patient, location=ready_order.location, order=ready_order, actor=nurse
    )
    assert Order.objects.get(pk=ready_order.pk).status == "active"


def test_a_visit_under_an_order_still_in_intake_leaves_its_state(nurse):
    _, order = covered_patient()
    Order.objects.filter(pk=order.pk).update(status="new")
    coding_services.visit_start(patient=order.patient, location=order.location, order=order, actor=nurse)
    assert Order.objects.get(pk=order.pk).status == "new"  # the biller still verifies it


def test_a_visit_booked_for_another_day_starts_on_that_day(ready_order, nurse):
    appointment = book(ready_order, nurse, day=TODAY + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="booked for 2026-03-11") as refused:
        services.appointment_start(appointment=appointment, actor=nurse)
    assert refused.value.code == "schedule.not_today"


# --- the nurse's day ------------------------------------------------------------------------------


@pytest.fixture
def todays_schedule(nurse):
    _, chair_order = covered_patient()
    _, started_order = covered_patient()
    _, signed_order = covered_patient()
    _, home_order = covered_patient(site="home")
    not_started = book(chair_order, nurse, at=dt.time(8, 30), chair="Chair 1")
    started = book(started_order, nurse, at=dt.time(9), chair="Chair 2", minutes=60)
    services.appointment_start(appointment=started, actor=nurse)
    signed = book(signed_order, nurse, at=dt.time(7, 30), chair="Chair 3", minutes=60)
    visit = services.appointment_start(appointment=signed, actor=nurse)
    coding_services.administration_save(
        visit=visit,
        administration=Administration(
            drug=Drug.objects.get(hcpcs="J1745"),
            route="iv_infusion",
            start=dt.time(7, 40),
            stop=dt.time(8, 30),
            dose=Decimal(400),
            dose_unit="mg",
            wasted=Decimal(0),
        ),
    )
    coding_services.visit_sign(visit=visit, actor=nurse)
    home = book(home_order, nurse, at=dt.time(13))
    return {"not_started": not_started, "in_progress": started, "signed": signed, "home": home}


def test_the_nurse_lands_on_todays_schedule(nurse, todays_schedule, django_assert_max_num_queries):
    client = client_for(nurse)
    landing = client.get("/")
    assert landing.status_code == 302 and landing["Location"] == reverse("coding:schedule")
    with django_assert_max_num_queries(20):
        r = client.get(reverse("coding:schedule"))
    body = r.content.decode()
    assert "Today · Tuesday, March 10, 2026" in body
    assert "Infusion chairs" in body and "Home visits" in body
    for appointment in todays_schedule.values():
        assert str(appointment.patient) in body
    assert body.count('data-state="not_started"') == 2  # the chair and the home visit
    assert body.count('data-state="in_progress"') == 1 and body.count('data-state="signed"') == 1
    for label in ("Not started", "In progress", "Signed", "Start visit", "Continue documenting", "Chair 2"):
        assert label in body
    assert todays_schedule["home"].patient.address_line1 in body  # where the home visit is
    assert "Book a visit" not in body  # booking is the biller's
    # the nurse's menu: her day first, no API docs
    assert ">Today</a>" in body and ">API</a>" not in body and reverse("api-docs") not in body
    # starting from the page opens the visit
    r = client.post(reverse("coding:appointment_start", args=[todays_schedule["not_started"].public_id]))
    visit = Appointment.objects.get(pk=todays_schedule["not_started"].pk).visit
    assert r.status_code == 302 and r["Location"] == reverse("coding:visit_detail", args=[visit.public_id])


def test_billers_book_from_the_schedule_and_keep_the_api_link(biller_client, nurse, ready_order):
    body = biller_client.get(reverse("coding:schedule")).content.decode()
    assert "Book a visit" in body and ">API</a>" in body and "Start visit" not in body
    url = reverse("coding:appointment_create")
    page = biller_client.get(f"{url}?order={ready_order.public_id}").content.decode()
    assert f'value="{ready_order.pk}" selected' in page
    assert f'value="{nurse.pk}" selected' in page  # the only nurse is chosen for the biller
    Order.objects.filter(pk=ready_order.pk).update(start_date=dt.date(2026, 4, 1))
    later = biller_client.get(f"{url}?order={ready_order.public_id}").content.decode()
    assert 'value="2026-04-01"' in later  # an order that starts later is booked from its first day
    Order.objects.filter(pk=ready_order.pk).update(start_date=dt.date(2026, 1, 1))
    form = {"order": ready_order.pk, "date": "2026-03-12", "start_time": "10:00", "duration_minutes": 90,
            "chair": "Chair 4", "nurse": nurse.pk, "notes": ""}  # fmt: skip
    r = biller_client.post(url, form)
    assert r.status_code == 302 and r["Location"].endswith("?day=2026-03-12")
    assert Order.objects.get(pk=ready_order.pk).status == "scheduled"
    r = biller_client.post(url, {**form, "date": "2026-03-01"})
    assert r.status_code == 200 and "in the past" in r.content.decode()
    assert biller_client.get(f"{url}?order=not-a-uuid").status_code == 200
    appointment = Appointment.objects.get(order=ready_order)
    r = biller_client.post(reverse("coding:appointment_cancel", args=[appointment.public_id]))
    assert r.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"


def test_schedule_api(api_client, nurse, biller, ready_order):
    api_client.force_authenticate(biller)
    body = {"order": str(ready_order.public_id), "date": "2026-03-10", "start_time": "09:30",
            "chair": "Chair 1", "nurse": nurse.username}  # fmt: skip
    r = api_client.post("/api/v1/coding/appointments/", body, format="json")
    assert r.status_code == 201 and r.json()["visit_state"] == "not_started"
    r = api_client.post("/api/v1/coding/appointments/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "schedule.conflict"
    r = api_client.post("/api/v1/coding/appointments/", {**body, "nurse": biller.username}, format="json")
    assert r.status_code == 400
    api_client.force_authenticate(nurse)
    rows = api_client.get("/api/v1/coding/appointments/?date=2026-03-10").json()["results"]
    assert [row["chair"] for row in rows] == ["Chair 1"]
    assert api_client.get("/api/v1/coding/appointments/?date=soon").status_code == 400
    assert api_client.post("/api/v1/coding/appointments/", body, format="json").status_code == 403


# --- eligibility ahead of visits: the beat job -----------------------------------------------------


def test_the_beat_job_writes_270s_for_booked_visits_on_a_frozen_clock(nurse):
    assert (
        settings.CELERY_BEAT_SCHEDULE["coding-eligibility-ahead"]["task"]
        == "coding.tasks.eligibility_ahead_task"
    )
    _, never = covered_patient()  # its coverage was never checked
    _, stale = covered_patient()
    EligibilityCheckFactory(
        coverage=Coverage.objects.get(patient=stale.patient), checked_on=dt.date(2026, 2, 1)
    )
    _, fresh = covered_patient()
    EligibilityCheckFactory(coverage=Coverage.objects.get(patient=fresh.patient), checked_on=TODAY)
    _, far = covered_patient()
    book(never, nurse, day=TODAY + dt.timedelta(days=2), chair="Chair 1")
    book(stale, nurse, day=TODAY + dt.timedelta(days=7), chair="Chair 2")  # 7: the payer's default window
    book(fresh, nurse, day=TODAY + dt.timedelta(days=1), chair="Chair 3")
    book(far, nurse, day=TODAY + dt.timedelta(days=9), chair="Chair 4")  # not due yet
    assert eligibility_ahead_task.apply().get() == 2
    written = EligibilityCheck.objects.filter(status="pending").select_related("coverage")
    assert {c.coverage.patient_id for c in written} == {never.patient_id, stale.patient_id}
    assert all(c.request_270.startswith("ISA") for c in written)
    # the same day again: the inquiries are out, nothing new is written
    assert eligibility_ahead_task.apply().get() == 0
    # two days later the far visit's window has opened
    with time_machine.travel(dt.datetime(2026, 3, 12, 8, 0), tick=False):
        assert eligibility_ahead_task.apply().get() == 1


def test_the_biller_sees_what_needs_attention(biller_client, nurse, manager):
    _, never = covered_patient()
    _, fresh = covered_patient()
    EligibilityCheckFactory(coverage=Coverage.objects.get(patient=fresh.patient), checked_on=TODAY)
    book(never, nurse, day=TODAY + dt.timedelta(days=3))
    book(fresh, nurse, day=TODAY + dt.timedelta(days=3), chair="Chair 2")
    url = reverse("coding:eligibility_ahead")
    body = biller_client.get(url).content.decode()
    assert body.count('data-test="attention"') == 1 and "Never checked" in body
    r = biller_client.post(url)
    assert r.status_code == 302
    body = biller_client.get(url).content.decode()
    check = EligibilityCheck.objects.get(status="pending")
    assert "270 sent, waiting for the 271" in body
    assert reverse("intake:eligibility_270_download", args=[check.public_id]) in body
    # managers read it but cannot run the job
    assert client_for(manager).post(url).status_code == 403


# --- the demo -------------------------------------------------------------------------------------


def test_seed_demo_fills_todays_schedule_idempotently():
    call_command("seed_demo", stdout=StringIO())
    count = Appointment.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Appointment.objects.count() == count == len(BOOKINGS)
    today = Appointment.objects.filter(date=TODAY)
    states = {
        ("signed" if a.visit and a.visit.status == "signed" else "in_progress" if a.visit else "not_started")
        for a in today
    }
    assert states == {"signed", "in_progress", "not_started"}
    assert {a.setting for a in today} == {"chair", "home"}
    assert Visit.objects.filter(appointments__date=TODAY).count() == 2
