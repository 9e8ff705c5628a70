"""Coding reads: the nurse's day, a visit with its documentation, the charge review queue."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from coding.models import ChargeLine, Drug, Visit, VisitFinding
from intake.domain.types import OrderStatus
from intake.models import Order


def visits_on(*, day: dt.date) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(date_of_service=day)
        .select_related("patient", "location", "order")
        .prefetch_related(Prefetch("findings", queryset=VisitFinding.objects.filter(severity="warning")))
    )


def orders_to_visit(*, day: dt.date) -> QuerySet[Order]:
    """Orders a nurse may start a visit under today: ready, scheduled or in treatment, in their span."""
    return (
        Order.objects.filter(
            status__in=[OrderStatus.READY_TO_SCHEDULE, OrderStatus.SCHEDULED, OrderStatus.ACTIVE],
            start_date__lte=day,
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
            Prefetch("findings", queryset=VisitFinding.objects.order_by("-severity", "id")),
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
        .prefetch_related(
            Prefetch("charge_lines", queryset=ChargeLine.objects.order_by("line_number")),
            Prefetch("findings", queryset=VisitFinding.objects.order_by("-severity", "id")),
        )
        .order_by("date_of_service", "id")
    )


def documentation_drugs() -> list[Drug]:
    """Every drug a nurse may record: the whole active catalog (premeds and fluids included)."""
    return list(Drug.objects.filter(active=True).order_by("hcpcs"))


def ordered_codes(*, order: Order | None) -> list[str]:
    """The order's HCPCS codes in the order's sequence: offered first in the drug lists."""
    if order is None:
        return []
    return list(dict.fromkeys(order.drugs.order_by("id").values_list("hcpcs", flat=True)))


def visit_findings(visit: Visit) -> list:
    """The visit's stored findings, warnings first (the rows they concern loaded)."""
    return list(visit.findings.select_related("administration__drug").order_by("-severity", "id"))


def overlapping_administrations(visit: Visit) -> set[int]:
    """Ids of administrations that overlap another on the same IV site: they will code as concurrent."""
    by_site: dict[tuple[str, int], list] = {}
    for a in visit.administrations.all():
        if a.stop is not None:
            # ADM-I3: the access identity, as the engine compares it
            by_site.setdefault((a.access_label or a.iv_site, a.encounter), []).append(a)
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


def findings_by_visit(visit_ids) -> dict[int, list[tuple[str, str, str]]]:
    """Stored warnings of signed visits as (rule id, HCPCS, message), for the claim scrubber."""
    out: dict[int, list[tuple[str, str, str]]] = {}
    rows = VisitFinding.objects.filter(visit_id__in=list(visit_ids), severity=VisitFinding.Severity.WARNING)
    for visit_id, rule_id, code, message in rows.order_by("id").values_list(
        "visit_id", "rule_id", "code", "message"
    ):
        out.setdefault(visit_id, []).append((rule_id, code, message))
    return out
