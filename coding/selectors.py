"""Coding reads: the nurse's day, a visit with its documentation, the charge review queue."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from coding.models import ChargeLine, Drug, Visit
from intake.domain.types import OrderStatus
from intake.models import Order


def visits_on(*, day: dt.date) -> QuerySet[Visit]:
    return Visit.objects.filter(date_of_service=day).select_related("patient", "location", "order")


def orders_to_visit(*, day: dt.date) -> QuerySet[Order]:
    """Orders a nurse may start a visit under today: ready or active, in their date span."""
    return (
        Order.objects.filter(
            status__in=[OrderStatus.READY_TO_SCHEDULE, OrderStatus.ACTIVE], start_date__lte=day
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("patient", "location")
        .order_by("patient__last_name", "patient__first_name")
    )


def visit_get(*, public_id) -> Visit:
    return (
        Visit.objects.select_related("patient", "location", "order", "documented_by", "signed_by")
        .prefetch_related(
            "administrations__drug",
            "home_therapies__drug",
            "nursing_visits",
            "addenda__author",
            Prefetch("charge_lines", queryset=ChargeLine.objects.order_by("line_number")),
        )
        .get(public_id=public_id)
    )


def charge_review_queue() -> QuerySet[Visit]:
    """Signed visits with charge lines waiting for a biller, oldest first."""
    return (
        Visit.objects.filter(charge_lines__status=ChargeLine.Status.PENDING_REVIEW)
        .annotate(
            pending=Count("charge_lines", filter=Q(charge_lines__status=ChargeLine.Status.PENDING_REVIEW))
        )
        .select_related("patient", "location")
        .prefetch_related(Prefetch("charge_lines", queryset=ChargeLine.objects.order_by("line_number")))
        .order_by("date_of_service", "id")
    )


def order_drugs(*, order: Order | None) -> QuerySet[Drug]:
    """Drugs a nurse may pick: those of the order (all active drugs when there is no order)."""
    drugs = Drug.objects.filter(active=True)
    if order is not None:
        drugs = drugs.filter(hcpcs__in=order.drugs.values_list("hcpcs", flat=True))
    return drugs.order_by("hcpcs")


def overlapping_administrations(visit: Visit) -> set[int]:
    """Ids of administrations that overlap another on the same IV site: they will code as concurrent."""
    by_site: dict[tuple[str, int], list] = {}
    for a in visit.administrations.all():
        if a.stop is not None:
            by_site.setdefault((a.iv_site, a.encounter), []).append(a)
    overlapping: set[int] = set()
    for items in by_site.values():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a.start < b.stop and b.start < a.stop:
                    overlapping.update({a.pk, b.pk})
    return overlapping


def code_set_calendar():
    """The dated code sets plus the active drug catalog, for "is this code in force on that day"."""
    from coding.domain.code_sets import CodeSetCalendar
    from coding.models import CodeSetEntry

    return CodeSetCalendar.of(
        CodeSetEntry.objects.values_list("code", "effective_from", "effective_to"),
        always=Drug.objects.filter(active=True).values_list("hcpcs", flat=True),
    )
