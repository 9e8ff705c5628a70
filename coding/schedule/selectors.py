"""Schedule reads: a day's bookings with the state of their visit, and the booked visits ahead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet

from coding.models import Appointment, Visit
from intake.domain.types import OrderStatus
from intake.eligibility_outlook import (
    EligibilityOutlook,
    UpcomingVisit,
    eligibility_outlook,
    lookahead_days_max,
)
from intake.models import Order

VISIT_STATES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "signed": "Signed",
}


@dataclass(frozen=True)
class ScheduleRow:
    appointment: Appointment

    @property
    def state(self) -> str:
        visit = self.appointment.visit
        if visit is None:
            return "not_started"
        return "signed" if visit.status == Visit.Status.SIGNED else "in_progress"

    @property
    def state_label(self) -> str:
        return VISIT_STATES[self.state]

    @property
    def end_time(self) -> dt.time:
        start = self.appointment.start_time
        minutes = start.hour * 60 + start.minute + self.appointment.duration_minutes
        return dt.time(minutes // 60 % 24, minutes % 60)


def _booked() -> QuerySet[Appointment]:
    return Appointment.objects.filter(status=Appointment.Status.SCHEDULED).select_related(
        "patient", "order", "location", "nurse", "visit"
    )


def schedule_day(*, day: dt.date, nurse=None) -> list[ScheduleRow]:
    """The day's bookings in time order (one query), optionally one nurse's."""
    qs = _booked().filter(date=day).order_by("start_time", "setting", "chair", "id")
    if nurse is not None:
        qs = qs.filter(nurse=nurse)
    return [ScheduleRow(a) for a in qs]


def unscheduled_visits(*, day: dt.date) -> QuerySet[Visit]:
    """The day's visits nobody booked (walk-ins), so the nurse's page lists every chart of the day."""
    booked = Appointment.objects.filter(visit=OuterRef("pk"))
    return (
        Visit.objects.filter(date_of_service=day)
        .exclude(Exists(booked))
        .select_related("patient", "location", "order")
        .order_by("created_at")
    )


def appointment_get(*, public_id) -> Appointment:
    return Appointment.objects.select_related("patient", "order", "location", "nurse", "visit").get(
        public_id=public_id
    )


def upcoming_for_order(order: Order, *, as_of: dt.date) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        order=order, status=Appointment.Status.SCHEDULED, visit__isnull=True, date__gte=as_of
    )


def upcoming_appointments(*, as_of: dt.date, days: int | None = None) -> QuerySet[Appointment]:
    """Booked visits not started yet, from today to `days` ahead (default: the longest payer window)."""
    days = lookahead_days_max() if days is None else days
    return (
        _booked()
        .filter(date__gte=as_of, date__lte=as_of + timedelta(days=days), visit__isnull=True)
        .order_by("date", "start_time", "id")
    )


def _upcoming(appointment: Appointment) -> UpcomingVisit:
    return UpcomingVisit(
        patient_id=appointment.patient_id,
        service_date=appointment.date,
        reference=f"appointment:{appointment.public_id}",
    )


def upcoming_visits(*, as_of: dt.date) -> list[UpcomingVisit]:
    return [_upcoming(a) for a in upcoming_appointments(as_of=as_of)]


def eligibility_ahead_rows(*, as_of: dt.date) -> list[tuple[Appointment, EligibilityOutlook]]:
    """Booked visits inside their payer's look-ahead window, each with its eligibility outlook."""
    appointments = list(upcoming_appointments(as_of=as_of))
    outlooks = eligibility_outlook(visits=[_upcoming(a) for a in appointments], as_of=as_of)
    return [(a, o) for a, o in zip(appointments, outlooks, strict=True) if o.due]


def bookable_orders() -> QuerySet[Order]:
    """Orders a biller may book a visit under: every open order, patient A-Z."""
    return (
        Order.objects.exclude(status__in=[OrderStatus.COMPLETED, OrderStatus.CANCELLED])
        .select_related("patient", "location")
        .order_by("patient__last_name", "patient__first_name", "start_date")
    )
