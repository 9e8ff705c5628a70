"""The schedule pages: the nurse's day (her landing page), booking and cancelling for billers,
starting a booked visit, and the eligibility look-ahead over booked visits."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from coding import services as coding_services
from coding.models import Appointment, Visit
from coding.schedule import forms, selectors, services
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from intake.models import EligibilityCheck, Order


def _day(request) -> dt.date:
    raw = request.GET.get("day", "")
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        messages.error(request, f"{raw!r} is not a date (YYYY-MM-DD): showing today.")
        return timezone.localdate()


def _appointment(public_id) -> Appointment:
    try:
        return selectors.appointment_get(public_id=public_id)
    except Appointment.DoesNotExist:
        raise Http404 from None


@requires(Capability.VISIT_DOCUMENT, Capability.BILLING_VIEW)
def schedule(request):
    """A day's bookings, chairs and home visits, each with the state of its visit."""
    day = _day(request)
    mine = request.GET.get("mine") == "1" and user_has(request.user, Capability.VISIT_DOCUMENT)
    rows = selectors.schedule_day(day=day, nurse=request.user if mine else None)
    walk_ins = list(selectors.unscheduled_visits(day=day))
    audit_list(request, Appointment, [r.appointment.pk for r in rows])
    if walk_ins:
        audit_list(request, Visit, [v.pk for v in walk_ins])
    today = timezone.localdate()
    return render(
        request,
        "coding/schedule/day.html",
        {
            "day": day,
            "is_today": day == today,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "chairs": [r for r in rows if r.appointment.setting == Appointment.Setting.CHAIR],
            "homes": [r for r in rows if r.appointment.setting == Appointment.Setting.HOME],
            "walk_ins": walk_ins,
            "mine": mine,
            "can_document": user_has(request.user, Capability.VISIT_DOCUMENT),
            "can_book": user_has(request.user, Capability.BILLING_WORK),
            "can_billing": user_has(request.user, Capability.BILLING_VIEW),
        },
    )


@requires(Capability.BILLING_WORK)
def appointment_create(request):
    initial: dict = {"date": request.GET.get("day") or timezone.localdate(), "start_time": "09:00"}
    order_id = request.GET.get("order")
    if order_id:
        try:
            order = Order.objects.filter(public_id=order_id).first()
        except ValidationError:
            order = None
            messages.error(request, "That order link is not valid: choose the order below.")
        if order is not None:
            initial["order"] = order.pk
            # an order that starts later is booked from its first day on
            initial["date"] = max(timezone.localdate(), order.start_date)
    nurse_ids = list(forms.nurses().values_list("pk", flat=True)[:2])
    if len(nurse_ids) == 1:
        initial["nurse"] = nurse_ids[0]
    form = forms.AppointmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_book(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Visit booked for {appointment.patient} on {appointment.date:%Y-%m-%d} at "
                f"{appointment.start_time:%H:%M}.",
            )
            return redirect(f"{reverse('coding:schedule')}?day={appointment.date.isoformat()}")
    return render(request, "coding/schedule/appointment_form.html", {"form": form})


@requires(Capability.VISIT_DOCUMENT)
@require_POST
def appointment_start(request, public_id):
    appointment = _appointment(public_id)
    try:
        visit = services.appointment_start(appointment=appointment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('coding:schedule')}?day={appointment.date.isoformat()}")
    for finding in coding_services.visit_gate(visit=visit):
        messages.warning(request, finding.message)  # POC-*: said now, kept on the visit for the biller
    return redirect("coding:visit_detail", public_id=visit.public_id)


@requires(Capability.BILLING_WORK)
@require_POST
def appointment_cancel(request, public_id):
    appointment = _appointment(public_id)
    audit_view(request, appointment)
    try:
        services.appointment_cancel(appointment=appointment, actor=request.user)
        messages.success(
            request, f"Booking of {appointment.patient} at {appointment.start_time:%H:%M} cancelled."
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('coding:schedule')}?day={appointment.date.isoformat()}")


@requires(Capability.BILLING_VIEW)
def eligibility_ahead(request):
    """Booked visits in their payer's look-ahead window whose coverage needs a biller; "Check now"
    runs the daily job at once (it writes the missing 270s)."""
    today = timezone.localdate()
    if request.method == "POST":
        if not user_has(request.user, Capability.BILLING_WORK):
            return render(request, "errors/403.html", status=403)
        run = services.schedule_eligibility_check(as_of=today)
        messages.success(
            request,
            f"Eligibility look-ahead: {len(run.written)} 270 inquiry(ies) written; "
            f"{len(run.attention)} visit(s) need attention.",
        )
        return redirect("coding:eligibility_ahead")
    rows = selectors.eligibility_ahead_rows(as_of=today)
    audit_list(request, Appointment, [a.pk for a, _ in rows])
    checks = [c for _, o in rows for c in (o.last_check, o.open_check) if c is not None]
    if checks:
        audit_list(request, EligibilityCheck, [c.pk for c in checks])
    return render(
        request,
        "coding/schedule/eligibility_ahead.html",
        {
            "attention": [(a, o) for a, o in rows if o.needs_attention],
            "ready": [(a, o) for a, o in rows if not o.needs_attention],
            "can_work": user_has(request.user, Capability.BILLING_WORK),
            "today": today,
        },
    )
