"""Denials reads: the queue with its joins, one denial with everything its page shows."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from denials.domain.types import OPEN_STATUSES
from denials.models import Denial, DenialEvent, SavedView, WriteOffRequest
from payments.models import Adjustment, ClaimPayment, LinePayment, RemarkCode


def denial_queue() -> QuerySet[Denial]:
    return Denial.objects.select_related("claim__patient", "payer", "owner", "claim_line", "claim_payment")


def denial_detail() -> QuerySet[Denial]:
    return (
        denial_queue()
        .select_related("claim__coverage", "claim_payment__remittance__file", "line_payment", "result_claim")
        .prefetch_related(
            Prefetch(
                "events", queryset=DenialEvent.objects.select_related("actor").order_by("created_at", "pk")
            ),
            Prefetch(
                "write_offs", queryset=WriteOffRequest.objects.select_related("requested_by", "decided_by")
            ),
        )
    )


def remittance_of(denial: Denial) -> ClaimPayment:
    """The claim payment the denial came from, with its lines, adjustments and remarks."""
    return (
        ClaimPayment.objects.select_related("remittance__file")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=LinePayment.objects.select_related("claim_line").prefetch_related(
                    "adjustments", "remarks"
                ),
            ),
            Prefetch("adjustments", queryset=Adjustment.objects.filter(line_payment__isnull=True)),
            Prefetch("remarks", queryset=RemarkCode.objects.filter(line_payment__isnull=True)),
        )
        .get(pk=denial.claim_payment_id)
    )


def queue_totals(queryset: QuerySet[Denial]) -> dict:
    return queryset.aggregate(n=Count("pk"), amount=Sum("amount"))


def open_counts_by_category() -> dict[str, int]:
    rows = (
        Denial.objects.filter(status__in=[s.value for s in OPEN_STATUSES])
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return dict(rows)


def saved_views_for(user) -> QuerySet[SavedView]:
    return SavedView.objects.filter(Q(shared=True) | Q(owner=user)).select_related("owner")


def write_offs_pending() -> QuerySet[WriteOffRequest]:
    return WriteOffRequest.objects.filter(status="pending").select_related(
        "denial__claim__patient", "denial__payer", "requested_by"
    )
