"""Intake pages: patient search and page, create forms, eligibility, the intake queue.

Views parse forms and call services; the patient page shows coverage money, eligibility and auth
details only to roles with BILLING_VIEW (nurses see orders with an authorized yes/no).
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_event, audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from intake import forms, selectors, services
from intake.domain.types import OrderStatus
from intake.models import Coverage, EligibilityCheck, IntakeEvent, Order, Patient, PriorAuthorization

COLUMN_LABELS = {status.value: status.label for status in selectors.QUEUE_STATUSES}


def _refuse(form, exc: DomainError) -> None:
    form.add_error(None, exc.message)


def _patient(public_id) -> Patient:
    return get_object_or_404(Patient.objects.select_related("billing_provider"), public_id=public_id)


@requires(Capability.PATIENT_VIEW)
def patient_list(request):
    q = request.GET.get("q", "")
    patients = selectors.patients_visible_to(request.user, selectors.patient_list(search=q))
    page = Paginator(patients, 50).get_page(request.GET.get("page"))
    audit_list(request, Patient, [p.pk for p in page])
    return render(
        request,
        "intake/patient_list.html",
        {"page": page, "q": q, "can_work": user_has(request.user, Capability.BILLING_WORK)},
    )


@requires(Capability.BILLING_WORK)
def patient_create(request):
    form = forms.PatientForm(request.POST or None)
    duplicates: list[Patient] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm_not_duplicate")
        duplicates = selectors.patient_likely_duplicates(
            first_name=data["first_name"], last_name=data["last_name"], date_of_birth=data["date_of_birth"]
        )
        if duplicates and not confirmed:
            form.add_error(
                None, "A patient with the same name and date of birth exists: open them, or confirm below."
            )
        else:
            try:
                patient = services.patient_create(**data)
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "Patient created.")
                return redirect("intake:patient_detail", public_id=patient.public_id)
    return render(request, "intake/patient_form.html", {"form": form, "duplicates": duplicates})


@requires(Capability.PATIENT_VIEW)
def patient_detail(request, public_id):
    patient = _patient(public_id)
    audit_view(request, patient)
    can_billing = user_has(request.user, Capability.BILLING_VIEW)
    overview = selectors.patient_overview(patient=patient)
    if can_billing:
        audit_list(request, Coverage, [c.coverage.pk for c in overview.coverages])
        audit_list(request, EligibilityCheck, [c.pk for c in overview.checks])
    audit_list(request, Order, [o.order.pk for o in overview.orders])
    events = selectors.patient_events(patient) if can_billing else []
    if events:
        audit_list(request, IntakeEvent, [e.pk for e in events])
    return render(
        request,
        "intake/patient_detail.html",
        {
            "patient": patient,
            "o": overview,
            "events": events,
            "can_billing": can_billing,
            "can_work": user_has(request.user, Capability.BILLING_WORK),
        },
    )


@requires(Capability.BILLING_WORK)
def coverage_create(request, public_id):
    patient = _patient(public_id)
    form = forms.CoverageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_create(patient=patient, **form.cleaned_data)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Coverage added.")
            return redirect("intake:patient_detail", public_id=patient.public_id)
    return render(request, "intake/coverage_form.html", {"form": form, "patient": patient})


@requires(Capability.BILLING_WORK)
def order_create(request, public_id):
    patient = _patient(public_id)
    form = forms.OrderForm(request.POST or None, patient=patient)
    drugs = forms.DrugFormSet(request.POST or None, prefix="drugs")
    if request.method == "POST" and form.is_valid() and drugs.is_valid():
        rows = [d for d in drugs.cleaned_data if d.get("hcpcs")]
        try:
            services.order_create(patient=patient, drugs=rows, **form.cleaned_data)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Order created.")
            return redirect("intake:patient_detail", public_id=patient.public_id)
    return render(request, "intake/order_form.html", {"form": form, "drugs": drugs, "patient": patient})


@requires(Capability.BILLING_WORK)
def auth_create(request, public_id):
    patient = _patient(public_id)
    form = forms.AuthForm(request.POST or None, patient=patient)
    rows = forms.AuthServiceFormSet(request.POST or None, prefix="services")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        service_rows = [r for r in rows.cleaned_data if r.get("code")]
        try:
            services.auth_create(patient=patient, services=service_rows, **form.cleaned_data)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Authorization added.")
            return redirect("intake:patient_detail", public_id=patient.public_id)
    return render(request, "intake/auth_form.html", {"form": form, "rows": rows, "patient": patient})


@requires(Capability.BILLING_WORK)
def eligibility_create(request, public_id):
    """Enter a payer's answer by hand, or (button "send_270") send a 270 inquiry."""
    coverage = get_object_or_404(Coverage.objects.select_related("patient", "payer"), public_id=public_id)
    today = selectors.today()
    initial = {"checked_on": today, "service_date": today}
    sending = request.method == "POST" and "send_270" in request.POST
    form = forms.EligibilityForm(
        request.POST if request.method == "POST" and not sending else None, initial=initial
    )
    request_form = forms.Request270Form(request.POST if sending else None, initial=initial)
    if sending and request_form.is_valid():
        services.eligibility_request(
            coverage=coverage, service_date=request_form.cleaned_data["service_date"]
        )
        messages.success(request, "270 inquiry queued; the check stays pending until its 271 is imported.")
        return redirect("intake:patient_detail", public_id=coverage.patient.public_id)
    if request.method == "POST" and not sending and form.is_valid():
        try:
            services.eligibility_check_record(coverage=coverage, **form.cleaned_data)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Eligibility check recorded.")
            return redirect("intake:patient_detail", public_id=coverage.patient.public_id)
    return render(
        request,
        "intake/eligibility_form.html",
        {"form": form, "request_form": request_form, "coverage": coverage, "patient": coverage.patient},
    )


@requires(Capability.BILLING_WORK)
def eligibility_import(request):
    form = forms.Import271Form(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                checks = services.eligibility_import_271(text=form.cleaned_data["text"], actor=request.user)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"271 read: {len(checks)} eligibility check(s) updated.")
            return redirect("intake:intake_queue")
    pending = list(selectors.pending_eligibility_checks()[:50])
    audit_list(request, EligibilityCheck, [c.pk for c in pending])
    return render(request, "intake/eligibility_import.html", {"form": form, "pending": pending})


@requires(Capability.BILLING_VIEW)
def intake_queue(request):
    columns = selectors.intake_queue()
    rows = [r for col in columns.values() for r in col]
    audit_list(request, Order, [r.order.pk for r in rows])
    return render(
        request,
        "intake/queue.html",
        {
            "columns": [(COLUMN_LABELS[k], k, v) for k, v in columns.items()],
            "alerts": selectors.open_alerts(),
            "can_work": user_has(request.user, Capability.BILLING_WORK),
        },
    )


@requires(Capability.BILLING_WORK)
def order_advance(request, public_id):
    order = get_object_or_404(Order.objects.select_related("patient"), public_id=public_id)
    next_status = services.NEXT_STATUS.get(cast(OrderStatus, order.status))  # StrEnum keys equal their str
    form = forms.AdvanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and next_status and form.is_valid():
        try:
            services.order_advance(
                order=order,
                to_status=next_status,
                no_auth_reason=form.cleaned_data["no_auth_reason"],
                actor=request.user,
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"Order moved to {next_status.label}.")
            return redirect("intake:intake_queue")
    audit_view(request, order)
    blockers = services.order_blockers(order=order, to_status=next_status) if next_status else []
    return render(
        request,
        "intake/order_advance.html",
        {
            "order": order,
            "row": selectors.order_row(order),
            "next_status": next_status,
            "next_label": next_status.label if next_status else "",
            "blockers": blockers,
            "form": form,
        },
    )


@requires(Capability.BILLING_WORK)
@require_POST
def alert_resolve(request, pk):
    """A biller acknowledges an alert after acting on it; it leaves the open lists."""
    if services.alerts_resolve(alert_ids=[pk]):
        messages.success(request, "Alert marked as handled.")
    back = request.POST.get("next", "")
    # Only a page of ours: `next` from a crafted form must not send the biller off-site.
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return redirect(back or "intake:intake_queue")


@requires(Capability.BILLING_WORK)
@require_POST
def coverage_end(request, public_id):
    coverage = get_object_or_404(Coverage.objects.select_related("patient"), public_id=public_id)
    form = forms.CoverageEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the end date as YYYY-MM-DD.")
    else:
        try:
            services.coverage_end(coverage=coverage, end_date=form.cleaned_data["end_date"])
            messages.success(request, "Coverage ended.")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("intake:patient_detail", public_id=coverage.patient.public_id)


def _changed_message(what: str, changed: list[str]) -> str:
    if not changed:
        return f"Nothing changed on the {what}."
    names = ", ".join(dict.fromkeys(c.split(".")[0].replace("_", " ") for c in changed))
    return f"{what.capitalize()} saved; changed: {names}."


@requires(Capability.BILLING_WORK)
def order_edit(request, public_id):
    """A biller corrects an order (drugs included); the status stays where its rules put it."""
    order = get_object_or_404(
        Order.objects.select_related("patient__billing_provider", "prescriber", "location"),
        public_id=public_id,
    )
    patient = order.patient
    post = request.POST if request.method == "POST" else None
    form = forms.OrderEditForm(post, patient=patient, initial=forms.OrderEditForm.initial_for(order))
    drugs = forms.DrugEditFormSet(post, prefix="drugs", initial=forms.drug_initial(order))
    if post is not None and form.is_valid() and drugs.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        rows = [d for d in drugs.cleaned_data if d.get("hcpcs")]
        try:
            _, changed = services.order_update(
                order=order, actor=request.user, reason=reason, drugs=rows, **data
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _changed_message("order", changed))
            return redirect("intake:patient_detail", public_id=patient.public_id)
    audit_view(request, order)
    return render(
        request,
        "intake/order_edit.html",
        {
            "form": form,
            "drugs": drugs,
            "order": order,
            "patient": patient,
            "events": selectors.order_events(order),
        },
    )


@requires(Capability.BILLING_WORK)
def auth_edit(request, public_id):
    """A biller records what the payer changed on an authorization."""
    auth = get_object_or_404(
        PriorAuthorization.objects.select_related("patient", "coverage__payer").prefetch_related("services"),
        public_id=public_id,
    )
    patient = auth.patient
    post = request.POST if request.method == "POST" else None
    initial = {
        "order": auth.order_id,
        "auth_number": auth.auth_number,
        "start_date": auth.start_date,
        "end_date": auth.end_date,
        "status": auth.status,
    }
    form = forms.AuthEditForm(post, patient=patient, initial=initial)
    rows = forms.AuthServiceEditFormSet(
        post,
        prefix="services",
        initial=[
            {"code": s.code, "authorized_units": forms.plain_number(s.authorized_units),
             "used_units": forms.plain_number(s.used_units), "unit_kind": s.unit_kind}
            for s in auth.services.all().order_by("code")
        ],
    )  # fmt: skip
    if post is not None and form.is_valid() and rows.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        service_rows = [r for r in rows.cleaned_data if r.get("code")]
        try:
            _, changed = services.auth_update(
                auth=auth, actor=request.user, reason=reason, services=service_rows, **data
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _changed_message("authorization", changed))
            return redirect("intake:patient_detail", public_id=patient.public_id)
    audit_view(request, auth)
    return render(
        request,
        "intake/auth_edit.html",
        {
            "form": form,
            "rows": rows,
            "auth": auth,
            "patient": patient,
            "events": selectors.authorization_events(auth),
        },
    )


@requires(Capability.BILLING_VIEW)
def eligibility_270_download(request, public_id):
    """The 270 file of an inquiry, for a biller who sends it through a payer portal or clearinghouse."""
    check = get_object_or_404(EligibilityCheck.objects.select_related("coverage"), public_id=public_id)
    if not check.request_270:
        messages.error(request, "This inquiry has no 270 yet: it is written on the eligibility queue.")
        return redirect("intake:patient_detail", public_id=check.coverage.patient.public_id)
    audit_event(action=AuditEntry.Action.EXPORT, target=check, user=request.user, extra={"file": "270"})
    response = HttpResponse(check.request_270, content_type="application/edi-x12; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{check.trace_number or check.public_id}.270.x12"'
    )
    return response
