"""Coding pages and endpoints in the permission matrix (GET; POST-only views answer 405)."""

import datetime as dt

from coding.models import Administration, ChargeLine, Visit
from tests.coding.factories import covered_patient
from tests.matrix_roles import BILLER, BILLING_READ, NURSE


def _visit() -> Visit:
    from infusion_rcm.accounts.models import User

    patient, order = covered_patient()
    nurse = User.objects.filter(groups__name="nurse").first()
    return Visit.objects.create(
        patient=patient,
        order=order,
        location=order.location,
        date_of_service=dt.date(2026, 11, 2),
        documented_by=nurse,
    )


def _visit_kwargs() -> dict:
    return {"public_id": _visit().public_id}


def _administration() -> dict:
    visit = _visit()
    return {
        "pk": Administration.objects.create(
            visit=visit, route="iv_push", start=dt.time(9), stop=dt.time(9, 5)
        ).pk
    }


def _line() -> dict:
    visit = _visit()
    line = ChargeLine.objects.create(
        visit=visit,
        line_number=1,
        service_date_from=visit.date_of_service,
        service_date_to=visit.date_of_service,
        code="96365",
        units=1,
        reason="r",
        unit_price=0,
        charge=0,
    )
    return {"public_id": line.public_id}


def _appointment() -> dict:
    """A booking for today (tests/coding/test_schedule.py covers the booking rules)."""
    from django.utils import timezone

    from coding.models import Appointment
    from infusion_rcm.accounts.models import User

    patient, order = covered_patient()
    nurse = User.objects.filter(groups__name="nurse").first()
    appointment = Appointment.objects.create(
        patient=patient,
        order=order,
        location=order.location,
        date=timezone.localdate(),
        start_time=dt.time(9),
        setting="chair",
        chair="Chair 1",
        nurse=nurse,
    )
    return {"public_id": appointment.public_id}


EXPECTED = {
    # the schedule (coding/schedule/): the nurse's day, booking for billers, the eligibility look-ahead
    "coding:schedule": NURSE | BILLING_READ,
    "coding:appointment_create": BILLER,
    "coding:appointment_start": NURSE,  # POST only
    "coding:appointment_cancel": BILLER,  # POST only
    "coding:eligibility_ahead": BILLING_READ,  # POST (check now) needs BILLING_WORK
    "api:coding:appointment-list": NURSE | BILLING_READ,
    "api:coding:appointment-detail": NURSE | BILLING_READ,
    "api:coding:appointment-cancel": BILLER,  # POST only
    "coding:visit_list": NURSE,
    "coding:visit_detail": NURSE | BILLING_READ,
    "coding:administration_delete": NURSE,
    "coding:charge_review": BILLING_READ,
    "coding:charge_review_accept": BILLER,
    "coding:charge_line_override": BILLER,
    "api:coding:preview": BILLING_READ,
    "api:coding:charge-line-list": BILLING_READ,
    "api:coding:charge-line-detail": BILLING_READ,
    "api:coding:visit-list": BILLING_READ,
    "api:coding:visit-detail": BILLING_READ,
}
ARGS = {
    "coding:appointment_start": _appointment,
    "coding:appointment_cancel": _appointment,
    "api:coding:appointment-detail": _appointment,
    "api:coding:appointment-cancel": _appointment,
    "coding:visit_detail": _visit_kwargs,
    "coding:administration_delete": _administration,
    "coding:charge_review_accept": _visit_kwargs,
    "coding:charge_line_override": _line,
    "api:coding:charge-line-detail": _line,
    "api:coding:visit-detail": _visit_kwargs,
}
