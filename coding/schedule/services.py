"""Schedule writes: book a visit, cancel it, start it (which opens the day's visit), and the
eligibility look-ahead over booked visits."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from coding import services as coding_services
from coding.models import Appointment, Visit
from coding.schedule import selectors
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake import services as intake_services
from intake.domain.types import OrderStatus, SiteOfCare
from intake.models import Order, ServiceLocation

logger = logging.getLogger(__name__)
CLOSED_ORDER = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)


class ScheduleConflictError(DomainError):
    code = "schedule.conflict"


class AppointmentStateError(DomainError):
    code = "schedule.state"


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def appointment_book(
    *,
    order: Order,
    date: dt.date,
    start_time: dt.time,
    nurse,
    actor=None,
    chair: str = "",
    duration_minutes: int = 120,
    notes: str = "",
    as_of: dt.date | None = None,
) -> Appointment:
    """Book a visit under an order at the order's site: in a chair (named) or at the patient's home.

    Refuses a closed order, a past date, a date outside the order's span, a chair already taken at
    that time, a second booking of the order that day, and a nurse who does not document visits. A
    ready order becomes scheduled. The site's row is locked while the chair is checked, so two
    billers booking the same chair at once cannot both succeed.
    """
    as_of = as_of or timezone.localdate()
    if order.status in CLOSED_ORDER:
        raise AppointmentStateError(
            f"A {OrderStatus(order.status).label.lower()} order cannot be scheduled.",
            code="schedule.order_closed",
        )
    if date < as_of:
        raise InvalidInputError(
            f"{date.isoformat()} is in the past: book today or later.", code="schedule.past"
        )
    if date < order.start_date or (order.end_date is not None and date > order.end_date):
        span = f"{order.start_date.isoformat()} to {order.end_date.isoformat() if order.end_date else 'open'}"
        raise InvalidInputError(
            f"{date.isoformat()} is outside the order's dates ({span}).", code="schedule.outside_order"
        )
    if not (5 <= duration_minutes <= 24 * 60):
        raise InvalidInputError("A visit lasts between 5 minutes and 24 hours.", code="schedule.duration")
    if _minutes(start_time) + duration_minutes > 24 * 60:
        raise InvalidInputError("The visit would run past midnight: start earlier or shorten it.")
    if nurse is None or not nurse.is_active or not user_has(nurse, Capability.VISIT_DOCUMENT):
        raise InvalidInputError("Choose the nurse who gives the visit.", code="schedule.nurse")
    home = order.location.site_of_care == SiteOfCare.HOME
    chair = "" if home else (chair or "").strip()[:20]
    if not home and not chair:
        raise InvalidInputError(
            f"{order.location.name} infuses in chairs: name the chair (e.g. Chair 3).", code="schedule.chair"
        )
    with transaction.atomic():
        ServiceLocation.objects.select_for_update().get(pk=order.location_id)
        if Appointment.objects.filter(order=order, date=date, status=Appointment.Status.SCHEDULED).exists():
            raise ScheduleConflictError(f"This order already has a visit booked on {date.isoformat()}.")
        if not home:
            _chair_free(order.location_id, date, chair, start_time, duration_minutes)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    patient_id=order.patient_id,
                    order=order,
                    location_id=order.location_id,
                    date=date,
                    start_time=start_time,
                    duration_minutes=duration_minutes,
                    setting=Appointment.Setting.HOME if home else Appointment.Setting.CHAIR,
                    chair=chair,
                    nurse=nurse,
                    notes=(notes or "").strip()[:200],
                    booked_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:  # the per-order-and-day constraint, under a race
            raise ScheduleConflictError(
                f"This order already has a visit booked on {date.isoformat()}."
            ) from exc
        intake_services.order_scheduled(order=order, actor=actor)
    logger.info("appointment %s booked for order %s", appointment.pk, order.pk)
    return appointment


def _chair_free(location_id: int, date: dt.date, chair: str, start: dt.time, minutes: int) -> None:
    begin, end = _minutes(start), _minutes(start) + minutes
    for other in Appointment.objects.filter(
        location_id=location_id, date=date, chair__iexact=chair, status=Appointment.Status.SCHEDULED
    ):
        other_begin = _minutes(other.start_time)
        other_end = other_begin + other.duration_minutes
        if begin < other_end and other_begin < end:
            until = dt.time(other_end // 60 % 24, other_end % 60)
            raise ScheduleConflictError(
                f"{other.chair} is booked {other.start_time:%H:%M}–{until:%H:%M} that day: choose another "
                "chair or time."
            )


def appointment_cancel(*, appointment: Appointment, actor=None) -> Appointment:
    """Take a booking off the schedule before its visit starts; an order left with no upcoming
    booking goes back to ready to schedule."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().select_related("order").get(pk=appointment.pk)
        if locked.status == Appointment.Status.CANCELLED:
            return locked
        if locked.visit_id is not None:
            raise AppointmentStateError("The visit has started: it cannot be cancelled, document or sign it.")
        locked.status = Appointment.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        if not selectors.upcoming_for_order(locked.order, as_of=timezone.localdate()).exists():
            intake_services.order_unscheduled(order=locked.order, actor=actor)
    return locked


def appointment_start(*, appointment: Appointment, actor, as_of: dt.date | None = None) -> Visit:
    """The nurse starts a booked visit: the day's visit opens (or the open one is reused) and is
    linked to the booking; the order moves into treatment (coding.services.visit_start). Idempotent."""
    as_of = as_of or timezone.localdate()
    locked = Appointment.objects.select_related("order", "patient", "location", "visit").get(
        pk=appointment.pk
    )
    if locked.status != Appointment.Status.SCHEDULED:
        raise AppointmentStateError("This booking was cancelled.")
    if locked.visit is not None:
        return locked.visit
    if locked.date != as_of:
        raise AppointmentStateError(
            f"This visit is booked for {locked.date.isoformat()}: it can be started on that day.",
            code="schedule.not_today",
        )
    with transaction.atomic():
        visit = coding_services.visit_start(
            patient=locked.patient,
            location=locked.location,
            order=locked.order,
            actor=actor,
            date_of_service=locked.date,
        )
        updated = Appointment.objects.filter(pk=locked.pk, visit__isnull=True).update(
            visit=visit, updated_at=timezone.now()
        )
        if not updated:  # a second tap got there first: use its visit
            visit = Appointment.objects.select_related("visit").get(pk=locked.pk).visit or visit
    return visit


def schedule_eligibility_check(*, as_of: dt.date | None = None) -> intake_services.EligibilityAheadRun:
    """The daily look-ahead: booked visits in the next days (up to the longest payer window) go to
    intake, which writes the 270s the coverages need."""
    as_of = as_of or timezone.localdate()
    return intake_services.eligibility_ahead(visits=selectors.upcoming_visits(as_of=as_of), as_of=as_of)
