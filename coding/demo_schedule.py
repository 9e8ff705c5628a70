"""Demo schedule for seed_demo: today's infusion chairs and home visits for the demo orders (one
visit signed, one in progress, the others not started), and visits booked ahead whose coverage the
eligibility look-ahead must check (a Medicare patient never checked, a Blue Cross patient whose
check is stale and whose payer looks ten days ahead).

Idempotent and relative to today: a booking is found by its order and date before one is made, so
seeding twice the same day adds nothing and seeding on a later day books that day.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from coding import services
from coding.demo_visits import _document_infusions
from coding.models import Appointment
from coding.schedule import services as schedule_services
from infusion_rcm.accounts.models import User
from infusion_rcm.common.errors import DomainError
from intake.models import Order, Payer

logger = logging.getLogger(__name__)

# mrn, days from today, time, chair (blank: the patient's home), minutes
BOOKINGS = [
    ("DEMO-1013", 0, "08:30", "Chair 1", 180),  # infliximab, infusion center: in progress
    ("DEMO-1016", 0, "09:00", "Chair 2", 60),  # iron sucrose, infusion center: signed
    ("DEMO-1010", 0, "10:30", "Chair 3", 60),  # ertapenem, infusion center
    ("DEMO-1014", 0, "09:30", "Chair 1", 90),  # vedolizumab, pharmacy suite
    ("DEMO-1008", 14, "11:00", "Chair 2", 60),  # iron sucrose, from its start: ready -> scheduled
    ("DEMO-1015", 0, "13:00", "", 90),  # cefazolin at home
    ("DEMO-1001", 7, "09:00", "Chair 4", 150),  # Medicare, never checked: the job writes a 270
    ("DEMO-1002", 8, "10:00", "Chair 3", 240),  # Blue Cross, check stale: looks 10 days ahead
]
IN_PROGRESS = "DEMO-1013"
SIGNED = "DEMO-1016"
# Per-payer look-ahead (Payer.eligibility_lookahead_days): a plan slow to answer is asked earlier.
LOOKAHEAD = {"00621": 10}


def seed_schedule(*, today: dt.date) -> int:
    """Book the demo visits; returns how many bookings were made now."""
    nurse = User.objects.filter(groups__name="nurse", is_active=True).order_by("pk").first()
    if nurse is None:
        return 0
    for payer_id, days in LOOKAHEAD.items():
        Payer.objects.filter(payer_id=payer_id, eligibility_lookahead_days__lt=days).update(
            eligibility_lookahead_days=days
        )
    orders = {
        o.patient.mrn: o
        for o in Order.objects.filter(patient__mrn__in=[b[0] for b in BOOKINGS])
        .select_related("patient", "location")
        .prefetch_related("drugs")
        .order_by("pk")
    }
    booked = 0
    for mrn, days, time, chair, minutes in BOOKINGS:
        order = orders.get(mrn)
        day = today + dt.timedelta(days=days)
        if order is None or Appointment.objects.filter(order=order, date=day).exists():
            continue
        try:
            with transaction.atomic():
                appointment = schedule_services.appointment_book(
                    order=order,
                    date=day,
                    start_time=dt.time.fromisoformat(time),
                    nurse=nurse,
                    chair=chair,
                    duration_minutes=minutes,
                    as_of=today,
                )
                if mrn in (IN_PROGRESS, SIGNED) and days == 0:
                    visit = schedule_services.appointment_start(
                        appointment=appointment, actor=nurse, as_of=today
                    )
                    if mrn == SIGNED:
                        _document_infusions(visit, order)
                        services.visit_sign(visit=visit, actor=nurse)
        except DomainError as exc:
            logger.info("demo booking for order %s not made: %s", order.pk, exc.code)
            continue
        booked += 1
    return booked
