"""Payments reads: the ERA inbox, a remittance with everything in it, the work queues (unmatched,
held for approval), and the claims a biller may match an unmatched claim payment to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from claims.models import Claim
from payments.domain.posting import PaymentStatus, PostingCategory
from payments.models import Adjustment, ClaimPayment, LinePayment, Posting, RemarkCode, RemittanceFile


def remittance_file_list() -> QuerySet[RemittanceFile]:
    """The ERA inbox: newest first (the content is not loaded)."""
    return RemittanceFile.objects.defer("content").select_related("received_by")


def remittance_file_detail() -> QuerySet[RemittanceFile]:
    """Files with their remittances, claim payments, lines and adjustments, in a fixed number of queries."""
    adjustments = Adjustment.objects.order_by("pk")
    lines = (
        LinePayment.objects.select_related("claim_line")
        .order_by("sequence")
        .prefetch_related(Prefetch("adjustments", queryset=adjustments), "remarks")
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


def claim_payments_with_detail() -> QuerySet[ClaimPayment]:
    """Claim payments with their remittance and file, lines, adjustments (claim level apart, as
    `claim_adjustments`) and remark codes (claim level as `claim_remarks`): the remittance page
    and the claim page, a fixed number of queries per page."""
    adjustments = Adjustment.objects.order_by("pk")
    lines = (
        LinePayment.objects.order_by("sequence")
        .select_related("claim_line", "fee_schedule")
        .prefetch_related(Prefetch("adjustments", queryset=adjustments), "remarks")
    )
    return ClaimPayment.objects.select_related(
        "remittance__file", "claim__patient", "reversal_of"
    ).prefetch_related(
        Prefetch("lines", queryset=lines),
        Prefetch(
            "adjustments",
            queryset=adjustments.filter(line_payment__isnull=True),
            to_attr="claim_adjustments",
        ),
        Prefetch(
            "remarks",
            queryset=RemarkCode.objects.filter(line_payment__isnull=True).order_by("pk"),
            to_attr="claim_remarks",
        ),
    )


def claim_payments_of_claim(claim: Claim) -> QuerySet[ClaimPayment]:
    """What payers said about one claim (the claim page), oldest first; duplicates (never
    posted) left out."""
    return (
        claim_payments_with_detail()
        .filter(claim=claim)
        .exclude(status=PaymentStatus.DUPLICATE)
        .order_by("remittance__payment_date", "created_at", "pk")
    )


def claim_ledger_totals(claim: Claim) -> dict[str, Decimal]:
    """The claim's money from the posting ledger, as the claim API computes it: paid, patient
    responsibility, adjustments and the balance still to collect."""
    sums = dict(
        Posting.objects.filter(claim=claim)
        .values("category")
        .annotate(total=Sum("amount"))
        .values_list("category", "total")
    )
    zero = Decimal("0.00")
    paid = sums.get(PostingCategory.PAID, zero)
    patient = sums.get(PostingCategory.PATIENT, zero)
    adjustment = sums.get(PostingCategory.ADJUSTMENT, zero)
    return {
        "charge": claim.total_charge,
        "paid": paid,
        "patient_responsibility": patient,
        "adjustment": adjustment,
        "balance": claim.total_charge - paid - adjustment,
    }


def underpayment_queue(
    *,
    tolerance: Decimal,
    percent: Decimal,
    payer_id: int | None = None,
    service_from: dt.date | None = None,
    service_to: dt.date | None = None,
) -> QuerySet[LinePayment]:
    """Posted lines that payer paid plus patient responsibility leave short of the contract's
    expected amount by more than `tolerance` dollars and more than `percent` of the expected,
    largest shortfall first. Lines paid nothing (denials, worked in the denials queue) and claim
    payments since reversed are left out."""
    money = DecimalField(max_digits=12, decimal_places=2)
    patient = Subquery(
        Adjustment.objects.filter(line_payment=OuterRef("pk"), group="PR")
        .values("line_payment")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=money,
    )
    lines = (
        LinePayment.objects.filter(
            expected__isnull=False,
            claim_payment__status=PaymentStatus.POSTED,
            claim_payment__reversals__isnull=True,
        )
        .annotate(patient_share=Coalesce(patient, Value(Decimal("0.00")), output_field=money))
        .annotate(received=ExpressionWrapper(F("paid") + F("patient_share"), output_field=money))
        .annotate(short=ExpressionWrapper(F("expected") - F("received"), output_field=money))
        .annotate(
            allowed_gap=Greatest(
                Value(tolerance, output_field=money),
                ExpressionWrapper(F("expected") * Value(percent) / Value(Decimal(100)), output_field=money),
                output_field=money,
            )
        )
        .filter(received__gt=0, short__gt=F("allowed_gap"))
        .annotate(service_date=Coalesce("service_date_from", "claim_payment__service_date_from"))
    )
    if payer_id is not None:
        lines = lines.filter(claim_payment__claim__payer_id=payer_id)
    if service_from is not None:
        lines = lines.filter(service_date__gte=service_from)
    if service_to is not None:
        lines = lines.filter(service_date__lte=service_to)
    return lines.select_related(
        "claim_payment__claim__patient",
        "claim_payment__claim__payer",
        "claim_payment__remittance__file",
        "claim_line",
        "fee_schedule",
    ).order_by("-short", "pk")
