"""Nurse documentation (tablet) and the biller's charge review."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from coding import selectors, services, visit_page
from coding.forms import (
    AddendumForm,
    ChargeOverrideForm,
    EvaluationForm,
    VisitProvidersForm,
    VitalsForm,
)
from coding.models import Administration, ChargeLine, Visit
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from intake import selectors as intake_selectors
from intake.models import Order


@requires(Capability.VISIT_DOCUMENT)
def visit_list(request):
    """Today's visits and the orders a nurse can start a visit under."""
    today = timezone.localdate()
    if request.method == "POST":
        order = _posted_order(request)
        if order is None:
            messages.error(request, "Choose one of the orders listed to start a visit.")
            return redirect("coding:visit_list")
        visit = services.visit_start(
            patient=order.patient, location=order.location, order=order, actor=request.user
        )
        for finding in services.visit_gate(visit=visit):
            # POC-*: said to the nurse now; kept on the visit for the biller
            messages.warning(request, finding.message)
        return redirect("coding:visit_detail", public_id=visit.public_id)
    visits = list(selectors.visits_on(day=today))
    orders = intake_selectors.order_rows(selectors.orders_to_visit(day=today), as_of=today)
    audit_list(request, Visit, [v.pk for v in visits])
    return render(request, "coding/visit_list.html", {"visits": visits, "orders": orders, "today": today})


def _posted_order(request) -> Order | None:
    """The order named in the form, or None when it is missing, malformed or unknown (never a 500)."""
    try:
        public_id = uuid.UUID(request.POST.get("order", ""))
    except ValueError:
        return None
    return Order.objects.select_related("patient", "location").filter(public_id=public_id).first()


def _visit_context(request, visit: Visit, **forms) -> dict:
    editing = visit_page.edit_ids(request)
    return {
        "visit": visit,
        **editing,
        **visit_page.review_context(visit),
        "vitals_before_rows": visit_page.vitals_rows(visit.vitals_before),
        "vitals_after_rows": visit_page.vitals_rows(visit.vitals_after),
        "overlapping": selectors.overlapping_administrations(visit),
        "admin_form": forms.get("admin_form") or visit_page.administration_form(visit, pk=editing["editing"]),
        "vitals_form": forms.get("vitals_form") or VitalsForm(initial=visit.vitals_before),
        "vitals_after_form": VitalsForm(initial=visit.vitals_after, prefix="after"),
        "evaluation_form": forms.get("evaluation_form")
        or EvaluationForm(
            initial={
                "evaluation_code": visit.evaluation_code,
                "evaluation_separately_identifiable": visit.evaluation_separately_identifiable,
            }
        ),
        "providers_form": forms.get("providers_form") or VisitProvidersForm(instance=visit),
        "home_form": forms.get("home_form")
        or visit_page.home_therapy_form(visit, pk=editing["editing_therapy"]),
        "nursing_form": forms.get("nursing_form")
        or visit_page.nursing_form(visit, pk=editing["editing_nursing"]),
        "addendum_form": AddendumForm(),
        "is_home": visit.location.site_of_care == "home",
        "can_see_charges": user_has(request.user, Capability.BILLING_VIEW),
    }


@requires(Capability.VISIT_DOCUMENT, Capability.BILLING_VIEW)
def visit_detail(request, public_id):
    try:
        visit = selectors.visit_get(public_id=public_id)
    except Visit.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        if not user_has(request.user, Capability.VISIT_DOCUMENT):
            return render(request, "errors/403.html", status=403)
        return _document(request, visit)
    audit_view(request, visit)
    return render(request, "coding/visit_detail.html", _visit_context(request, visit))


def _document(request, visit: Visit):
    """One POST endpoint per visit; `action` says which part of the documentation changes."""
    action = request.POST.get("action")
    forms: dict = {}
    try:
        if action == "administration":
            form = visit_page.administration_form(visit, request.POST, pk=request.POST.get("row"))
            if form.is_valid():
                services.administration_save(visit=visit, administration=form.save(commit=False))
                if form.dose_warning:
                    messages.warning(request, form.dose_warning)
                messages.success(request, "Administration recorded.")
            else:
                forms["admin_form"] = form
        elif action == "vitals":
            before, after = VitalsForm(request.POST), VitalsForm(request.POST, prefix="after")
            if before.is_valid() and after.is_valid():
                services.visit_vitals_save(
                    visit=visit, before=_plain(before.cleaned_data), after=_plain(after.cleaned_data)
                )
                messages.success(request, "Vitals saved.")
            else:
                forms["vitals_form"] = before
        elif action == "evaluation":
            form = EvaluationForm(request.POST)
            if form.is_valid():
                services.visit_evaluation_save(visit=visit, **form.cleaned_data)
            else:
                forms["evaluation_form"] = form
        elif action == "providers":
            form = VisitProvidersForm(request.POST, instance=visit)
            if form.is_valid():
                services.visit_providers_save(
                    visit=visit,
                    rendering_provider=form.cleaned_data["rendering_provider"],
                    supervising_provider=form.cleaned_data["supervising_provider"],
                )
                messages.success(request, "Practitioners saved.")
            else:
                forms["providers_form"] = form
        elif action == "home_therapy":
            form = visit_page.home_therapy_form(visit, request.POST, pk=request.POST.get("row"))
            if form.is_valid():
                services.home_therapy_save(visit=visit, therapy=form.save(commit=False))
                messages.success(request, "Therapy recorded.")
            else:
                forms["home_form"] = form
        elif action == "nursing":
            form = visit_page.nursing_form(visit, request.POST, pk=request.POST.get("row"))
            if form.is_valid():
                services.nursing_visit_save(visit=visit, entry=form.save(commit=False))
                messages.success(request, "Nursing visit recorded.")
            else:
                forms["nursing_form"] = form
        elif action in ("home_therapy_delete", "nursing_delete"):
            _remove_row(request, visit, action)
        elif action == "sign":
            services.visit_sign(visit=visit, actor=request.user)
            messages.success(request, "Visit signed and sent to charge review.")
        elif action == "addendum":
            form = AddendumForm(request.POST)
            if form.is_valid():
                services.visit_addendum_add(visit=visit, actor=request.user, text=form.cleaned_data["text"])
                messages.success(request, "Addendum added.")
        else:
            messages.error(request, "Unknown action.")
    except DomainError as exc:
        messages.error(request, exc.message)
    if forms:
        visit = selectors.visit_get(public_id=visit.public_id)
        return render(
            request, "coding/visit_detail.html", _visit_context(request, visit, **forms), status=400
        )
    return redirect("coding:visit_detail", public_id=visit.public_id)


def _remove_row(request, visit: Visit, action: str) -> None:
    wanted = request.POST.get("row")
    if action == "home_therapy_delete":
        therapy = next((r for r in visit.home_therapies.all() if str(r.pk) == wanted), None)
        if therapy is not None:
            services.home_therapy_delete(therapy=therapy)
            messages.success(request, "Therapy removed.")
            return
    else:
        entry = next((r for r in visit.nursing_visits.all() if str(r.pk) == wanted), None)
        if entry is not None:
            services.nursing_visit_delete(entry=entry)
            messages.success(request, "Nursing visit removed.")
            return
    messages.error(request, "That row is not part of this visit (it may already be removed).")


def _plain(data: dict) -> dict:
    return {k: str(v) for k, v in data.items() if v not in (None, "")}


@requires(Capability.VISIT_DOCUMENT)
@require_POST
def administration_delete(request, pk):
    administration = get_object_or_404(Administration.objects.select_related("visit"), pk=pk)
    try:
        services.administration_delete(administration=administration)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("coding:visit_detail", public_id=administration.visit.public_id)


@requires(Capability.BILLING_VIEW)
def charge_review(request):
    visits = list(selectors.charge_review_queue()[:100])
    audit_list(request, Visit, [v.pk for v in visits])
    return render(
        request,
        "coding/charge_review.html",
        {
            "visits": visits,
            "can_work": user_has(request.user, Capability.BILLING_WORK),
            "override_forms": {
                line.pk: ChargeOverrideForm.for_line(line) for v in visits for line in v.charge_lines.all()
            },
        },
    )


@requires(Capability.BILLING_WORK)
@require_POST
def charge_review_accept(request, public_id):
    visit = get_object_or_404(Visit, public_id=public_id)
    count = services.charge_lines_review(visit=visit, actor=request.user)
    messages.success(
        request,
        format_html(
            '{} line(s) accepted for billing. <a href="{}" data-test="to-ready-to-bill">Ready to bill</a>',
            count,
            reverse("claims:ready_to_bill"),
        ),
    )
    return redirect("coding:charge_review")


@requires(Capability.BILLING_WORK)
@require_POST
def charge_line_override(request, public_id):
    line = get_object_or_404(ChargeLine, public_id=public_id)
    form = ChargeOverrideForm.for_line(line, data=request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, f"Override not saved. {errors}")
        return redirect("coding:charge_review")
    try:
        services.charge_line_override(line=line, actor=request.user, **form.cleaned_data)
        messages.success(request, f"Line {line.line_number} overridden.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("coding:charge_review")
