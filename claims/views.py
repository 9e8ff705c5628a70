"""Biller pages: claim list (shared FilterSet), claim page, needs-fix and rejected queues, batches,
acknowledgment import. Action pages show a confirmation on GET and act on POST."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from claims import documents, selectors, services, views_edit
from claims.api.filters import ClaimFilter
from claims.domain.types import ClaimStatus
from claims.forms import AcknowledgmentForm, BatchBuildForm, ConfirmForm, ReasonForm
from claims.models import Claim, ClaimEdit, SubmissionBatch
from claims.services.secondary import next_payer_summary
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.services import audit_event, audit_list, audit_view
from infusion_rcm.common.errors import DomainError

S = ClaimStatus


def _page(request, queryset, per_page: int = 50):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    audit_list(request, Claim, [c.pk for c in page])
    return page


@requires(Capability.BILLING_VIEW)
def claim_list(request):
    filterset = ClaimFilter(request.GET or None, queryset=selectors.claim_list())
    page = _page(request, filterset.qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "claims/claim_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.status_counts(),
        },
    )


@requires(Capability.BILLING_VIEW)
def needs_fix(request):
    errors = Prefetch(
        "edits",
        queryset=ClaimEdit.objects.filter(severity="error").order_by("line_number", "pk"),
        to_attr="errors",
    )
    page = _page(request, selectors.needs_fix_queue().prefetch_related(errors))
    if user_has(request.user, Capability.BILLING_WORK):
        for claim in page:
            claim.fixes = views_edit.with_fix_links(claim, claim.errors)
    else:
        for claim in page:
            claim.fixes = [(edit, "") for edit in claim.errors]
    return render(
        request,
        "claims/queue.html",
        {
            "page": page,
            "title": "Needs fix",
            "intro": "Claims the scrubber stopped. Fix what each edit says, then scrub again.",
            "show_edits": True,
        },
    )


@requires(Capability.BILLING_VIEW)
def rejected(request):
    page = _page(request, selectors.rejected_queue())
    return render(
        request,
        "claims/queue.html",
        {
            "page": page,
            "title": "Rejected",
            "intro": "Front-end rejections (999 / 277CA): never adjudicated, so not denials. Reopen, correct and resubmit, or void.",
            "show_reason": True,
        },
    )


def _claim(public_id) -> Claim:
    try:
        return selectors.claim_detail(public_id)
    except Claim.DoesNotExist as exc:
        raise Http404 from exc


@requires(Capability.BILLING_VIEW)
def claim_detail(request, public_id):
    claim = _claim(public_id)
    audit_view(request, claim)
    can_work = user_has(request.user, Capability.BILLING_WORK)
    options = services.claim_correction_options(claim)
    actions = []
    if can_work:
        # A rejected claim is corrected on the edit page (saving reopens it as a draft).
        if options.edit:
            actions.append(
                ("Reopen to correct" if claim.status == S.REJECTED else "Edit", "claims:claim_edit")
            )
        if claim.status in services.SCRUBBABLE:
            actions.append(("Scrub", "claims:claim_scrub"))
        if options.void:
            actions.append(("Void", "claims:claim_void"))
        # Medicare Part B takes reopenings: options.reopening is shown instead of these.
        if options.replace:
            actions.append(("Create replacement", "claims:claim_replace"))
        if options.void_at_payer:
            actions.append(("Void at the payer (frequency 8)", "claims:claim_void_at_payer"))
    edits = list(claim.edits.all())
    fixes = views_edit.with_fix_links(claim, edits) if can_work and options.edit else [(e, "") for e in edits]
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "actions": actions,
            "fixes": fixes,
            "options": options,
            "professional": claim.form == "837P",
            "next_payer": next_payer_summary(claim, as_of=timezone.localdate()),
            "filing": selectors.claim_filing_deadline(claim) if claim.status in selectors.NOT_FILED else None,
        },
    )


def _confirm(request, *, title: str, message: str, form, action_url: str, button: str, cancel_url: str = ""):
    return render(
        request,
        "claims/confirm.html",
        {
            "title": title,
            "message": message,
            "form": form,
            "action_url": action_url,
            "button": button,
            "cancel_url": cancel_url,
        },
    )


def _act(request, fn, success: str, target: str):
    try:
        fn()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(target)


@requires(Capability.BILLING_WORK)
def claim_scrub(request, public_id):
    claim = get_object_or_404(Claim, public_id=public_id)
    back = reverse("claims:claim_detail", args=[claim.public_id])
    if request.method == "POST":
        if claim.status not in services.SCRUBBABLE:
            messages.error(request, f"A {claim.status} claim cannot be scrubbed.")
            return redirect(back)
        services.claim_scrub_request(claim=claim)
        messages.success(request, "Scrub queued; the edits appear here when it has run.")
        return redirect(back)
    return _confirm(
        request,
        title=f"Scrub {claim.claim_number}",
        message="Run the payer rules and built-in edits again.",
        form=ConfirmForm(),
        action_url=request.path,
        button="Scrub now",
    )


@requires(Capability.BILLING_WORK)
def claim_void(request, public_id):
    claim = get_object_or_404(Claim, public_id=public_id)
    back = reverse("claims:claim_detail", args=[claim.public_id])
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = "Claim voided."
        if claim.status == S.BATCHED and claim.batch_id:
            done += " Its batch was withdrawn and rebuilt without it: check the batch list before releasing."
        return _act(
            request,
            lambda: services.claim_void(claim=claim, actor=request.user, reason=reason),
            done,
            back,
        )
    return _confirm(
        request,
        title=f"Void {claim.claim_number}",
        message="A void cannot be undone.",
        form=form,
        action_url=request.path,
        button="Void claim",
    )


@requires(Capability.BILLING_WORK)
def claim_reopen(request, public_id):
    claim = get_object_or_404(Claim, public_id=public_id)
    back = reverse("claims:claim_detail", args=[claim.public_id])
    if request.method == "POST":
        # Reopened to be corrected: the edit page, where the correction is made.
        try:
            services.claim_resubmit_after_rejection(claim=claim, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(request, "Claim reopened as a draft: correct it here, then save to scrub it again.")
        return redirect("claims:claim_edit", public_id=claim.public_id)
    return _confirm(
        request,
        title=f"Reopen {claim.claim_number}",
        message="Back to draft, then on to the edit page to correct it and scrub again.",
        form=ConfirmForm(),
        action_url=request.path,
        button="Reopen",
    )


@requires(Capability.BILLING_VIEW)
def claim_cms1500(request, public_id):
    claim = get_object_or_404(Claim, public_id=public_id)
    try:
        pdf = documents.claim_cms1500_pdf(claim)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    audit_event(action="export", target=claim, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="CMS1500_{claim.claim_number}.pdf"'
    return response


@requires(Capability.BILLING_VIEW)
def batch_list(request):
    page = Paginator(selectors.batch_list(), 50).get_page(request.GET.get("page"))
    return render(
        request, "claims/batch_list.html", {"page": page, "ready": selectors.payers_with_ready_claims()}
    )


@requires(Capability.BILLING_VIEW)
def batch_detail(request, public_id):
    batch = get_object_or_404(selectors.batch_list(), public_id=public_id)
    claims = list(batch.claims.select_related("patient").order_by("claim_number"))
    audit_list(request, Claim, [c.pk for c in claims])
    return render(request, "claims/batch_detail.html", {"batch": batch, "claims": claims})


@requires(Capability.BILLING_VIEW)
def batch_download(request, public_id):
    batch = get_object_or_404(SubmissionBatch, public_id=public_id)
    # The file holds every claim of the batch: the export is recorded against each of them too.
    claim_ids = [str(pk) for pk in batch.claims.values_list("pk", flat=True)]
    audit_event(action="export", target=batch, user=request.user, extra={"ids": claim_ids})
    response = HttpResponse(batch.content, content_type="application/edi-x12")
    response["Content-Disposition"] = f'attachment; filename="{batch.file_name}"'
    return response


@requires(Capability.BILLING_WORK)
def batch_release(request, public_id):
    batch = get_object_or_404(SubmissionBatch, public_id=public_id)
    back = reverse("claims:batch_detail", args=[batch.public_id])
    if request.method == "POST":
        return _act(
            request,
            lambda: services.batch_release(batch=batch, actor=request.user),
            "Batch released; its claims are submitted.",
            back,
        )
    return _confirm(
        request,
        title=f"Release {batch.file_name}",
        message=f"{batch.claim_count} claims, {batch.total_charge} will be marked submitted.",
        form=ConfirmForm(),
        action_url=request.path,
        button="Release",
    )


@requires(Capability.BILLING_WORK)
def batch_pull_back(request, public_id):
    batch = get_object_or_404(SubmissionBatch, public_id=public_id)
    back = reverse("claims:batch_detail", args=[batch.public_id])
    if request.method == "POST":
        return _act(
            request,
            lambda: services.batch_pull_back(batch=batch, actor=request.user),
            "Claims pulled back to ready; the batch is withdrawn.",
            back,
        )
    return _confirm(
        request,
        title=f"Pull back {batch.file_name}",
        message="Its claims go back to ready.",
        form=ConfirmForm(),
        action_url=request.path,
        button="Pull back claims",
    )


@requires(Capability.BILLING_WORK)
def batch_build(request):
    form = BatchBuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_build_request(
                payer=form.cleaned_data["payer"], form=form.cleaned_data.get("form") or None
            )
        except KombuOperationalError:  # Redis down (tests/faults): nothing was queued or written
            messages.error(
                request,
                "The job queue is not answering, so the batch was not queued and nothing changed. "
                "Try again in a few minutes; the claims stay ready.",
            )
            return redirect("claims:batch_list")
        messages.success(request, "Batch build queued; the batch appears in the list when it is ready.")
        return redirect("claims:batch_list")
    return _confirm(
        request,
        title="Build a batch",
        message="Put a payer's ready claims into one 837 file.",
        form=form,
        action_url=request.path,
        button="Build batch",
    )


@requires(Capability.BILLING_WORK)
def acknowledgment_import(request):
    form = AcknowledgmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        text = upload.read().decode("utf-8", errors="replace")
        ack = services.acknowledgment_import(text=text, file_name=upload.name, actor=request.user)
        if ack.status == ack.Status.FAILED:
            messages.error(request, f"{upload.name} could not be applied: {ack.error}")
        else:
            messages.success(request, f"{ack.kind} applied: {len(ack.results)} results.")
        return redirect("claims:acknowledgment_import")
    acks = [
        (ack, [acknowledgment_result_text(row) for row in ack.results or []])
        for ack in selectors.acknowledgment_list()[:50]
    ]
    return render(request, "claims/acknowledgments.html", {"form": form, "acks": acks})


def acknowledgment_result_text(row: dict) -> str:
    """One result row of any kind (claim, batch set, group, level; old rows too) as one line."""
    if not isinstance(row, dict):
        return str(row)
    subject = " ".join(
        str(part)
        for part in (
            f"claim {row['claim']}" if row.get("claim") else "",
            row.get("batch") or "",
            f"set {row['set']}" if row.get("set") else "",
            f"group {row['group']}" if row.get("group") and not row.get("batch") else "",
            f"{row['level']} level" if row.get("level") else "",
            f"(reference {row['reference']})" if row.get("reference") and not row.get("batch") else "",
        )
        if part
    )
    outcome = str(row.get("outcome", ""))
    if "claims" in row:
        outcome += f" ({row['claims']} claim{'' if row['claims'] == 1 else 's'})"
    if row.get("reason"):
        outcome += f": {row['reason']}"  # the 277CA codes in words (claim_status_codes)
    return f"{subject}: {outcome}" if subject else outcome
