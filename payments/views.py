"""Remittance pages: the ERA inbox (files, status, totals, balance check, errors; the upload), a
remittance (its payments, claims, lines, adjustments in words, PLB), the preview of a file's
effect and its posting, and the payments of one claim (loaded into the claim page by htmx, so
claims never imports payments). Billers upload and post; managers read; nurses get 403."""

from __future__ import annotations

import uuid
from collections import defaultdict
from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.domain.types import ClaimStatus
from claims.models import Claim
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from infusion_rcm.common.models import enum_label
from payments import selectors, services
from payments.api.filters import RemittanceFileFilter
from payments.domain.posting import FileStatus, PaymentStatus
from payments.forms import InboxFilterForm, UploadForm
from payments.models import ClaimPayment, ProviderAdjustment, Remittance, RemittanceFile
from payments.services.contracts import claim_payments_expected

# A file this size posts while the biller waits; a larger one goes to the era queue.
POST_NOW_LIMIT = 2000
CLAIMS_PER_PAGE = 25


def _file(public_id) -> RemittanceFile:
    file = selectors.remittance_file_list().filter(public_id=public_id).first()
    if file is None:
        raise Http404
    return file


def _claim_status_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return enum_label(ClaimStatus(value))
    except ValueError:
        return value


def _work_counts(file_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ClaimPayment.objects.filter(remittance__file_id__in=file_ids)
        .values("remittance__file_id", "status")
        .annotate(n=Count("pk"))
        .values_list("remittance__file_id", "status", "n")
    )
    for file_id, status, n in rows:
        counts[file_id][status] = n
    return counts


@requires(Capability.BILLING_VIEW)
def inbox(request):
    form = InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    files = RemittanceFileFilter(
        {k: v for k, v in data.items() if v},
        queryset=selectors.remittance_file_list().prefetch_related(
            Prefetch(
                "remittances",
                queryset=Remittance.objects.order_by("sequence").only(
                    "pk", "file_id", "sequence", "payer_name", "trace_number", "payment_date"
                ),
            )
        ),
    ).qs
    page = Paginator(files, 50).get_page(request.GET.get("page"))
    audit_list(request, RemittanceFile, [f.pk for f in page])
    counts = _work_counts([f.pk for f in page])
    for file in page:
        file.work = counts.get(file.pk, {})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/inbox.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "upload_form": UploadForm(),
            "queues": _queue_counts(),
        },
    )


def _queue_counts() -> dict[str, int]:
    return {
        "unmatched": selectors.unmatched_queue().count(),
        "held": selectors.approval_queue().count(),
    }


@requires(Capability.BILLING_WORK)
@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("file", [])) or "Choose an 835 file."
        )
        return redirect("payments:inbox")
    name = form.cleaned_data["file"].name
    try:
        file, created = services.remittance_file_upload(
            text=form.text, file_name=name, actor=request.user, post=False
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        public_id = exc.extra.get("file")
        return redirect("payments:remittance_detail", public_id) if public_id else redirect("payments:inbox")
    if not created:
        messages.warning(
            request,
            f"{name} was received before ({file.get_status_display().lower()}): the same file again changes nothing.",
        )
        return redirect("payments:remittance_detail", file.public_id)
    messages.success(request, f"{name} was read and balances. Check what posting it will do, then post it.")
    return redirect("payments:remittance_preview", file.public_id)


def _claim_payment_page(request, file: RemittanceFile):
    payments = selectors.claim_payments_with_detail().filter(remittance__file=file)
    status = request.GET.get("status", "")
    if status in {s.value for s in PaymentStatus}:
        payments = payments.filter(status=status)
    page = Paginator(payments.order_by("remittance__sequence", "sequence"), CLAIMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    audit_list(request, ClaimPayment, [p.pk for p in page])
    return page, status


@requires(Capability.BILLING_VIEW)
def remittance_detail(request, public_id):
    file = _file(public_id)
    audit_view(request, file)
    page, status = _claim_payment_page(request, file)
    return render(
        request,
        "payments/remittance_detail.html",
        {
            "file": file,
            "remittances": file.remittances.order_by("sequence").select_related("payer"),
            "page": page,
            "status": status,
            "statuses": [(s.value, enum_label(s)) for s in PaymentStatus],
            "counts": _work_counts([file.pk]).get(file.pk, {}),
            "provider_adjustments": ProviderAdjustment.objects.filter(remittance__file=file)
            .select_related("remittance", "claim")
            .order_by("remittance__sequence", "sequence"),
            "content_excerpt": file.content[:4000] if file.status == FileStatus.FAILED else "",
        },
    )


@requires(Capability.BILLING_VIEW)
def remittance_preview(request, public_id):
    file = _file(public_id)
    audit_view(request, file)
    preview = services.remittance_file_preview(file=file)
    page = Paginator(preview["claims"], CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    shown = {
        p.public_id: p
        for p in ClaimPayment.objects.filter(
            public_id__in=[row["claim_payment"] for row in page]
        ).select_related("claim__patient")
    }
    audit_list(request, ClaimPayment, [p.pk for p in shown.values()])
    expected = claim_payments_expected(claim_payment_ids=[p.pk for p in shown.values()])
    rows = []
    for row in page:
        payment = shown.get(uuid.UUID(row["claim_payment"]))
        rows.append(
            {
                **row,
                "payment": payment,
                "now": _claim_status_label(row["claim_status_now"]),
                "after": _claim_status_label(row["claim_status_after"]),
                "expected": expected.get(payment.pk) if payment else None,
            }
        )
    return render(
        request,
        "payments/remittance_preview.html",
        {
            "file": file,
            "preview": preview,
            "page": page,
            "rows": rows,
            "can_post": file.status == FileStatus.PARSED,
        },
    )


@requires(Capability.BILLING_WORK)
@require_POST
def remittance_post(request, public_id):
    file = _file(public_id)
    back = reverse("payments:remittance_detail", args=[file.public_id])
    if file.status != FileStatus.PARSED:
        messages.warning(
            request, f"This file is {file.get_status_display().lower()}: there is nothing to post."
        )
        return redirect(back)
    if file.claim_count > POST_NOW_LIMIT:
        from payments.tasks import remittance_file_process_task

        transaction.on_commit(partial(remittance_file_process_task.delay, file.pk, request.user.pk))
        messages.success(
            request,
            f"{file.claim_count} claim payments are posting on the era queue: this page shows them as they post.",
        )
        return redirect(back)
    try:
        result = services.remittance_file_process(file=file, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    parts = [f"Posted {result.claims_posted} claim payment{'s' if result.claims_posted != 1 else ''}."]
    if result.unmatched:
        parts.append(f"{result.unmatched} match no claim: they wait in the unmatched queue.")
    if result.held:
        parts.append(f"{result.held} wait for a biller's approval (reversals).")
    if result.claims_already_posted:
        parts.append(f"{result.claims_already_posted} came before in another file and were not posted again.")
    messages.success(request, " ".join(parts))
    return redirect(back)


@requires(Capability.BILLING_VIEW)
def claim_payments(request, public_id):
    """The payments and adjustments of one claim: a fragment for the claim page (htmx), or a page
    of its own when opened directly."""
    claim = Claim.objects.select_related("patient", "payer").filter(public_id=public_id).first()
    if claim is None:
        raise Http404
    payments = list(selectors.claim_payments_of_claim(claim))
    audit_list(request, ClaimPayment, [p.pk for p in payments])
    context = {
        "claim": claim,
        "payments": payments,
        "totals": selectors.claim_ledger_totals(claim),
        "provider_adjustments": ProviderAdjustment.objects.filter(claim=claim).select_related("remittance"),
    }
    template = "payments/partials/_claim_payments.html" if request.htmx else "payments/claim_payments.html"
    return render(request, template, context)
