"""Payments reads: the ERA inbox, a remittance with everything in it, the work queues (unmatched,
held for approval), and the claims a biller may match an unmatched claim payment to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from claims.models import Claim
from payments.domain.posting import PaymentStatus
from payments.models import Adjustment, ClaimPayment, LinePayment, RemittanceFile


def remittance_file_list() -> QuerySet[RemittanceFile]:
    """The ERA inbox: newest first (the content is not loaded)."""
    return RemittanceFile.objects.defer("content").select_related("received_by")


def remittance_file_detail() -> QuerySet[RemittanceFile]:
    """Files with their remittances, claim payments, lines and adjustments, in a fixed number of queries."""
    adjustments = Adjustment.objects.order_by("pk")
    lines = LinePayment.objects.order_by("sequence").prefetch_related(
        Prefetch("adjustments", queryset=adjustments), "remarks"
    )
    payments = (
        ClaimPayment.objects.select_related("claim")
        .order_by("sequence")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch(
                "adjustments",
                queryset=adjustments.filter(line_payment__isnull=True),
                to_attr="claim_adjustments",
            ),
        )
    )
    return remittance_file_list().prefetch_related(
        "remittances__provider_adjustments",
        Prefetch("remittances__claim_payments", queryset=payments),
    )


def claim_payment_list() -> QuerySet[ClaimPayment]:
    return ClaimPayment.objects.select_related("claim", "remittance__file").order_by("-created_at", "-pk")


def unmatched_queue() -> QuerySet[ClaimPayment]:
    """Claim payments no claim of ours matched, oldest first (the partial index serves it)."""
    return claim_payment_list().filter(status=PaymentStatus.UNMATCHED).order_by("created_at", "pk")


def approval_queue() -> QuerySet[ClaimPayment]:
    """Reversals (and what waits behind them) held for a biller's approval, oldest first."""
    return claim_payment_list().filter(status=PaymentStatus.HELD).order_by("created_at", "pk")


def match_candidates(
    *, patient: str = "", service_date: dt.date | None = None, amount: Decimal | None = None, limit: int = 50
) -> QuerySet[Claim]:
    """Claims an unmatched claim payment may belong to: by patient name (last, or "last, first"),
    a date within the claim's service dates, and the charge (CLP03 = our total charge)."""
    claims = Claim.objects.select_related("patient", "payer").exclude(status__in=["void", "draft"])
    if patient:
        last, _, first = (part.strip() for part in patient.partition(","))
        claims = claims.filter(patient__last_name__icontains=last)
        if first:
            claims = claims.filter(patient__first_name__icontains=first)
    if service_date is not None:
        claims = claims.filter(Q(service_date_from__lte=service_date) & Q(service_date_to__gte=service_date))
    if amount is not None:
        claims = claims.filter(total_charge=abs(amount))
    return claims.order_by("-service_date_from", "-pk")[:limit]
