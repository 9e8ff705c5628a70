"""The denial work queue, saved views, CSV export, the denial page and its actions, and the
managers' write-offs to approve. Billers work denials, managers read them and approve
write-offs; nurses and admins get 403. Every page that shows patient data is audited."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from claims.services import claim_correction_options
from denials import selectors, services
from denials.catalog import reason_in_words
from denials.domain.types import Category, DenialStatus, NextAction
from denials.filters import DenialFilter
from denials.forms import (
    AssignForm,
    BillPatientForm,
    BulkAssignForm,
    CorrectionForm,
    NoteForm,
    ReasonForm,
    RebillForm,
    RecoveredForm,
    StatusForm,
)
from denials.models import Denial, SavedView, WriteOffRequest
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from payments.reason_codes import adjustment_in_words, rarc_description

PAGE = 50
CSV_LIMIT = 50_000


def _queue_page(request, data, view: SavedView | None = None):
    filters = DenialFilter(data, queryset=selectors.denial_queue(), request=request)
    rows = filters.qs
    page = Paginator(rows, PAGE).get_page(data.get("page"))
    audit_list(request, Denial, [d.pk for d in page])
    params = data.copy()
    params.pop("page", None)
    counts = selectors.open_counts_by_category()
    return render(
        request,
        "denials/queue.html",
        {
            "filters": filters,
            "page": page,
            "totals": selectors.queue_totals(rows),
            "query": params.urlencode(),
            "views": selectors.saved_views_for(request.user),
            "current_view": view,
            "assign_form": AssignForm(),
            "can_work": user_has(request.user, Capability.BILLING_WORK),
            "today": timezone.localdate(),
            "by_category": [(c, counts.get(c.value, 0)) for c in Category],
        },
    )


@requires(Capability.BILLING_VIEW)
def queue(request):
    return _queue_page(request, request.GET)


@requires(Capability.BILLING_VIEW)
def export_csv(request):
    filters = DenialFilter(request.GET, queryset=selectors.denial_queue(), request=request)
    rows = list(filters.qs[:CSV_LIMIT])
    audit_list(request, Denial, [d.pk for d in rows])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="denials.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "denial",
            "claim",
            "patient",
            "payer",
            "service date",
            "line",
            "reason",
            "category",
            "next action",
            "amount",
            "priority",
            "due",
            "appeal deadline",
            "corrected claim deadline",
            "status",
            "resolution",
            "owner",
        ]
    )
    for d in rows:
        writer.writerow(
            [
                d.public_id,
                d.claim.claim_number,
                str(d.claim.patient),
                d.payer.name,
                d.service_date.isoformat(),
                d.claim_line.code if d.claim_line else "claim",
                reason_in_words(d.group, d.carc),
                d.get_category_display(),
                d.get_next_action_display(),
                d.amount,
                d.priority,
                d.due_date.isoformat(),
                d.appeal_deadline.isoformat() if d.appeal_deadline else "",
                d.corrected_claim_deadline.isoformat() if d.corrected_claim_deadline else "",
                d.get_status_display(),
                d.get_resolution_display(),
                d.owner.get_username() if d.owner else "",
            ]
        )
    return response


@requires(Capability.BILLING_WORK)
@require_POST
def view_save(request):
    try:
        view = services.saved_view_save(
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
            owner=request.user,
            shared=request.POST.get("shared") == "on",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("denials:queue") + "?" + request.POST.get("query", ""))
    messages.success(
        request, f"View “{view.name}” saved: its address opens this filter for anyone who works denials."
    )
    return redirect("denials:saved_view", public_id=view.public_id)


@requires(Capability.BILLING_VIEW)
def saved_view(request, public_id):
    """A saved view's own address: the queue with its filter (and the page number asked)."""
    view = get_object_or_404(SavedView, public_id=public_id)
    if not view.shared and view.owner_id != request.user.pk:
        raise Http404
    data = QueryDict(view.query, mutable=True)
    if request.GET.get("page"):
        data["page"] = request.GET["page"]
    return _queue_page(request, data, view)


@requires(Capability.BILLING_WORK)
@require_POST
def view_delete(request, public_id):
    view = get_object_or_404(SavedView, public_id=public_id)
    try:
        services.saved_view_delete(view=view, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"View “{view.name}” deleted.")
    return redirect("denials:queue")


@requires(Capability.BILLING_WORK)
@require_POST
def reassign(request):
    form = BulkAssignForm(request.POST)
    back = reverse("denials:queue") + "?" + request.POST.get("query", "")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    chosen = list(Denial.objects.filter(public_id__in=form.cleaned_data["denials"]))
    try:
        count = services.denials_assign_many(
            denials=chosen, user=form.cleaned_data["owner"], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        owner = form.cleaned_data["owner"]
        messages.success(
            request, f"{count} denial{'s' if count != 1 else ''} assigned to {owner or 'nobody'}."
        )
    return redirect(back)


def _denial(public_id) -> Denial:
    denial = selectors.denial_detail().filter(public_id=public_id).first()
    if denial is None:
        raise Http404
    return denial


def _remittance_lines(payment):
    out = []
    for line in payment.lines.all():
        out.append(
            {
                "line": line,
                "adjustments": [(a, adjustment_in_words(a.group, a.reason)) for a in line.adjustments.all()],
                "remarks": [(r.code, rarc_description(r.code)) for r in line.remarks.all()],
            }
        )
    return out


PRIMARY_FORMS = {
    NextAction.CORRECTED_CLAIM: "correct",
    NextAction.NEW_CLAIM: "new_claim",
    NextAction.SEND_TO_CORRECT_PAYER: "rebill",
    NextAction.BILL_NEXT_PAYER: "rebill",
    NextAction.BILL_PATIENT: "bill_patient",
    NextAction.WRITE_OFF: "write_off",
    NextAction.APPEAL: "waiting",
    NextAction.REQUEST_AUTHORIZATION: "waiting",
    NextAction.CHECK_STATUS: "waiting",
    NextAction.NO_ACTION: "write_off",
}


@requires(Capability.BILLING_VIEW)
def detail(request, public_id, forms=None):
    denial = _denial(public_id)
    audit_view(request, denial)
    audit_view(request, denial.claim)
    payment = selectors.remittance_of(denial)
    forms = forms or {}
    claim = denial.claim
    primary = PRIMARY_FORMS.get(NextAction(denial.next_action), "waiting")
    reopening = list(claim_correction_options(claim).reopening)
    if denial.status == DenialStatus.WAITING_ON_PAYER:
        primary = "waiting"
    elif primary == "correct" and reopening:
        primary = "reopening"
    context = {
        "denial": denial,
        "claim": claim,
        "claim_lines": claim.lines.order_by("line_number"),
        "payment": payment,
        "remittance_lines": _remittance_lines(payment),
        "claim_adjustments": [(a, adjustment_in_words(a.group, a.reason)) for a in payment.adjustments.all()],
        "claim_remarks": [(r.code, rarc_description(r.code)) for r in payment.remarks.all()],
        "reason_words": reason_in_words(denial.group, denial.carc),
        "rarcs": [(c, rarc_description(c)) for c in denial.rarcs],
        "events": list(denial.events.all()),
        "notes": [e for e in denial.events.all() if e.kind == "note"],
        "write_offs": list(denial.write_offs.all()),
        "can_work": user_has(request.user, Capability.BILLING_WORK) and denial.is_open,
        "can_approve": user_has(request.user, Capability.DASHBOARD_VIEW),
        "primary": primary,
        "reopening": reopening,
        "approval_amount": services.write_off_approval_amount(),
        "forms": {
            "assign": forms.get("assign") or AssignForm(initial={"owner": denial.owner}),
            "status": forms.get("status") or StatusForm(initial={"status": denial.status}),
            "note": forms.get("note") or NoteForm(),
            "correct": forms.get("correct") or CorrectionForm(),
            "void": forms.get("void") or ReasonForm(),
            "new_claim": forms.get("new_claim") or ReasonForm(),
            "rebill": forms.get("rebill") or RebillForm(denial=denial),
            "bill_patient": forms.get("bill_patient") or BillPatientForm(),
            "write_off": forms.get("write_off") or ReasonForm(),
            "recovered": forms.get("recovered") or RecoveredForm(initial={"amount": denial.amount}),
        },
        "statuses": DenialStatus,
        "page_errors": [
            str(f"{form.fields[name].label}: {error}" if name != "__all__" else error)
            for form in forms.values()
            for name, errors in form.errors.items()
            for error in errors
        ],
    }
    from denials.views_appeals import appeal_context  # it imports this module

    context.update(appeal_context(denial, forms))
    return render(request, "denials/detail.html", context, status=400 if forms else 200)


def _act(request, public_id, name, form, run, success):
    """Validate `form`, run the service, and come back to the denial page with the outcome; a
    refused form or a DomainError shows the page again with the message (400)."""
    denial = _denial(public_id)
    if form.is_valid():
        try:
            result = run(denial, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success(result))
            return redirect("denials:detail", public_id=denial.public_id)
    return detail(request, public_id, forms={name: form})


@requires(Capability.BILLING_WORK)
@require_POST
def assign(request, public_id):
    return _act(
        request,
        public_id,
        "assign",
        AssignForm(request.POST),
        lambda d, data: services.denial_assign(denial=d, user=data["owner"], actor=request.user),
        lambda d: (
            f"Assigned to {d.owner.get_full_name() or d.owner.get_username()}." if d.owner else "Unassigned."
        ),
    )


@requires(Capability.BILLING_WORK)
@require_POST
def status(request, public_id):
    return _act(
        request,
        public_id,
        "status",
        StatusForm(request.POST),
        lambda d, data: services.denial_move(
            denial=d, to=data["status"], actor=request.user, note=data["note"]
        ),
        lambda d: f"Status: {d.get_status_display().lower()}.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def note(request, public_id):
    return _act(
        request,
        public_id,
        "note",
        NoteForm(request.POST),
        lambda d, data: services.denial_note(denial=d, text=data["text"], actor=request.user),
        lambda e: "Note added.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def correct(request, public_id):
    form = CorrectionForm(request.POST)
    return _act(
        request,
        public_id,
        "correct",
        form,
        lambda d, data: services.denial_correct(
            denial=d, actor=request.user, reason=data["reason"], changes=form.changes(d)
        ),
        lambda c: f"Corrected claim {c.claim_number} (frequency 7) created as a draft; a scrub is queued.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def void(request, public_id):
    return _act(
        request,
        public_id,
        "void",
        ReasonForm(request.POST),
        lambda d, data: services.denial_void(denial=d, actor=request.user, reason=data["reason"]),
        lambda c: f"Void {c.claim_number} (frequency 8) created; the claim's denials are closed as voided.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def new_claim(request, public_id):
    return _act(
        request,
        public_id,
        "new_claim",
        ReasonForm(request.POST),
        lambda d, data: services.denial_new_claim(denial=d, actor=request.user, reason=data["reason"]),
        lambda c: f"New claim {c.claim_number} created as a draft; a scrub is queued.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def rebill(request, public_id):
    denial = _denial(public_id)
    return _act(
        request,
        public_id,
        "rebill",
        RebillForm(request.POST, denial=denial),
        lambda d, data: services.denial_new_claim(
            denial=d, actor=request.user, reason=data["reason"], coverage=data["coverage"]
        ),
        lambda c: f"Claim {c.claim_number} to {c.payer.name} created as a draft; a scrub is queued.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def bill_patient(request, public_id):
    return _act(
        request,
        public_id,
        "bill_patient",
        BillPatientForm(request.POST),
        lambda d, data: services.denial_bill_patient(denial=d, actor=request.user, note=data["note"]),
        lambda d: "Billed to the patient; the denial is resolved.",
    )


@requires(Capability.BILLING_WORK)
@require_POST
def write_off(request, public_id):
    def done(result):
        if isinstance(result, WriteOffRequest):
            return f"Write-off of {result.amount} sent to a manager for approval."
        return "Written off; the denial is resolved."

    return _act(
        request,
        public_id,
        "write_off",
        ReasonForm(request.POST),
        lambda d, data: services.denial_write_off(denial=d, actor=request.user, reason=data["reason"]),
        done,
    )


@requires(Capability.BILLING_WORK)
@require_POST
def recovered(request, public_id):
    return _act(
        request,
        public_id,
        "recovered",
        RecoveredForm(request.POST),
        lambda d, data: services.denial_mark_recovered(
            denial=d, actor=request.user, amount=data["amount"], note=data["note"]
        ),
        lambda d: f"Resolved as recovered ({d.recovered_amount}).",
    )


@requires(Capability.DASHBOARD_VIEW)
def write_offs(request):
    rows = list(selectors.write_offs_pending())
    audit_list(request, Denial, [w.denial_id for w in rows])
    return render(
        request,
        "denials/write_offs.html",
        {"rows": rows, "approval_amount": services.write_off_approval_amount()},
    )


@requires(Capability.DASHBOARD_VIEW)
@require_POST
def write_off_decide(request, pk):
    request_row = get_object_or_404(WriteOffRequest, pk=pk)
    decision = request.POST.get("decision")
    note_text = request.POST.get("note", "")
    try:
        if decision == "approve":
            services.write_off_approve(request=request_row, actor=request.user, note=note_text)
            messages.success(request, f"Write-off of {request_row.amount} approved.")
        elif decision == "refuse":
            services.write_off_refuse(request=request_row, actor=request.user, note=note_text)
            messages.success(request, "Write-off refused; the denial goes back to its biller.")
        else:
            messages.error(request, "Choose approve or refuse.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("denials:write_offs")
