"""The biller's queues of claim payments that could not post by themselves: unmatched ones
(search for the claim by patient, date, amount or number, match it by hand, and it posts) and
reversals held above the admins' approval amount (approve, and they post)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from claims.models import Claim
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from payments import selectors, services
from payments.domain.posting import FileStatus, PaymentStatus
from payments.forms import MatchForm, MatchSearchForm
from payments.models import ClaimPayment
from payments.services.common import reversal_approval_amount


def _payment(public_id) -> ClaimPayment:
    payment = (
        selectors.claim_payments_with_detail()
        .select_related("remittance__payer")
        .filter(public_id=public_id)
        .first()
    )
    if payment is None:
        raise Http404
    return payment


@requires(Capability.BILLING_VIEW)
def unmatched(request):
    page = Paginator(selectors.unmatched_queue().select_related("remittance"), 50).get_page(
        request.GET.get("page")
    )
    audit_list(request, ClaimPayment, [p.pk for p in page])
    return render(request, "payments/unmatched.html", {"page": page})


def _candidates(payment: ClaimPayment, form: MatchSearchForm):
    if not form.is_valid():
        return []
    data = form.cleaned_data
    if data.get("claim_number"):
        return list(
            Claim.objects.select_related("patient", "payer").filter(
                claim_number__iexact=data["claim_number"].strip()
            )
        )
    if not any(data.get(k) not in (None, "") for k in ("patient", "service_date", "amount")):
        return []
    return list(
        selectors.match_candidates(
            patient=data.get("patient") or "",
            service_date=data.get("service_date"),
            amount=data.get("amount"),
        )
    )


@requires(Capability.BILLING_WORK)
def match(request, public_id):
    payment = _payment(public_id)
    if request.method == "POST":
        return _match(request, payment)
    if payment.status != PaymentStatus.UNMATCHED:
        messages.info(
            request, f"This claim payment is {payment.get_status_display().lower()}: nothing to match."
        )
        return redirect("payments:remittance_detail", payment.remittance.file.public_id)
    audit_view(request, payment)
    initial = {
        "patient": ", ".join(n for n in (payment.patient_last_name, payment.patient_first_name) if n),
        "service_date": payment.service_date_from,
        "amount": abs(payment.charge),
    }
    form = MatchSearchForm(request.GET if request.GET else initial)
    candidates = _candidates(payment, form)
    audit_list(request, Claim, [c.pk for c in candidates])
    return render(
        request,
        "payments/match.html",
        {
            "payment": payment,
            "form": form,
            "candidates": candidates,
            "posts_now": payment.remittance.file.status == FileStatus.POSTED,
        },
    )


def _match(request, payment: ClaimPayment):
    form = MatchForm(request.POST)
    claim = Claim.objects.filter(public_id=form.cleaned_data["claim"]).first() if form.is_valid() else None
    if claim is None:
        messages.error(request, "Choose the claim this payment is for from the list.")
        return redirect("payments:claim_payment_match", payment.public_id)
    try:
        matched = services.claim_payment_match(claim_payment=payment, claim=claim, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("payments:unmatched")
    what = {
        PaymentStatus.POSTED: "and posted",
        PaymentStatus.HELD: "; it waits for approval (a reversal)",
    }.get(PaymentStatus(matched.status), "; it posts with its file")
    messages.success(
        request, f"{payment.patient_control_number} matched to claim {claim.claim_number} {what}."
    )
    return redirect("payments:unmatched")


@requires(Capability.BILLING_VIEW)
def held(request):
    page = Paginator(selectors.approval_queue().select_related("remittance"), 50).get_page(
        request.GET.get("page")
    )
    audit_list(request, ClaimPayment, [p.pk for p in page])
    return render(request, "payments/held.html", {"page": page, "threshold": reversal_approval_amount()})


@requires(Capability.BILLING_WORK)
@require_POST
def approve(request, public_id):
    payment = _payment(public_id)
    try:
        services.claim_payment_approve(claim_payment=payment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        claim = payment.claim.claim_number if payment.claim else payment.patient_control_number
        messages.success(
            request, f"Reversal of claim {claim} approved and posted, with what waited behind it."
        )
    return redirect("payments:held")
