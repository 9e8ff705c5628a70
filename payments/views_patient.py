"""Patient pages: the ledger of one patient (services, history, payments with receipts,
refunds, plan, suppressions, statements) with its forms, the list of patient balances (who owes,
credit balances, waiting on insurance), statement runs and stored statements (reprint), refunds
for managers to decide. Billers (front desk included) take payments and run statements;
managers read and decide refunds; nurses get 403. Every read of patient data is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, Role, user_has, user_roles
from infusion_rcm.audit.services import audit_event, audit_list, audit_view
from infusion_rcm.common.errors import DomainError
from intake.models import Patient
from payments.domain.patient import PlanStatus, RefundStatus
from payments.domain.statement import (
    AGING_BUCKETS,
    AGING_LABELS,
    Instalment,
    SuppressionReason,
    aging,
    plan_status,
)
from payments.forms_patient import (
    BalanceFilterForm,
    PatientPaymentForm,
    PaymentPlanForm,
    RefundDecisionForm,
    RefundRequestForm,
    StatementRunForm,
    SuppressionForm,
)
from payments.models_patient import (
    PatientPayment,
    PatientRefund,
    PaymentPlan,
    Statement,
    StatementRun,
    StatementSuppression,
)
from payments.services import patient_payments as pay
from payments.services import statements
from payments.services.patient_ledger import account, accounts, activity
from payments.services.patient_receipts import receipt_pdf

ZERO = Decimal("0.00")


def _patient(public_id) -> Patient:
    return get_object_or_404(Patient.objects.select_related("billing_provider"), public_id=public_id)


def _is_manager(user) -> bool:
    return Role.MANAGER.value in user_roles(user)


def _payment_form(acct, data=None):
    services = [
        (acct.info[s.key].claim_public_id, f"Visit of {s.date_of_service:%m/%d/%Y}", s.patient_due)
        for s in acct.balance.services
        if s.patient_due > ZERO
    ]
    return PatientPaymentForm(data, services=services)


def _ledger_context(request, patient, **forms):
    acct = account(patient)
    today = timezone.localdate()
    plan = (
        PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .prefetch_related("instalments")
        .first()
    )
    plan_rows = []
    if plan:
        paid = sum((p.amount for p in plan.payments.all()), ZERO)
        plan_rows = plan_status(
            [Instalment(i.sequence, i.due_on, i.amount) for i in plan.instalments.all()], paid, today
        )
    due_items = [(s.due_since, s.patient_due) for s in acct.balance.services if s.patient_due > ZERO]
    buckets = aging(due_items, today)
    rows = []
    for s in acct.balance.services:
        rows.append({"b": s, "info": acct.info[s.key]})
    context = {
        "patient": patient,
        "acct": acct.balance,
        "rows": rows,
        "activity": activity(patient, acct),
        "payments": PatientPayment.objects.filter(patient=patient)
        .select_related("received_by")
        .prefetch_related("applications"),
        "refunds": PatientRefund.objects.filter(patient=patient).select_related("requested_by", "decided_by"),
        "plan": plan,
        "plan_rows": plan_rows,
        "suppressions": StatementSuppression.objects.filter(patient=patient).select_related("created_by"),
        "statements": Statement.objects.filter(patient=patient).defer("pdf", "content"),
        "aging": [(AGING_LABELS[b], buckets[b]) for b in AGING_BUCKETS],
        "can_work": user_has(request.user, Capability.BILLING_WORK),
        "is_manager": _is_manager(request.user),
        "payment_form": forms.get("payment_form") or _payment_form(acct),
        "refund_form": forms.get("refund_form")
        or RefundRequestForm(initial={"amount": acct.balance.refundable or None}),
        "plan_form": forms.get("plan_form")
        or PaymentPlanForm(
            initial={"total": acct.balance.patient_due or None, "first_due": today + dt.timedelta(days=14)}
        ),
        "suppression_form": forms.get("suppression_form") or SuppressionForm(),
        "today": today,
    }
    return context, acct


@requires(Capability.BILLING_VIEW)
def ledger(request, public_id):
    patient = _patient(public_id)
    context, _ = _ledger_context(request, patient)
    audit_view(request, patient)
    return render(request, "payments/patient_ledger.html", context)


def _back(patient, anchor=""):
    response = redirect("payments:patient_ledger", public_id=patient.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@requires(Capability.BILLING_WORK)
@require_POST
def payment_create(request, public_id):
    patient = _patient(public_id)
    acct = account(patient)
    form = _payment_form(acct, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        plan = (
            PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).first()
            if data["plan"]
            else None
        )
        try:
            payment = pay.patient_payment_record(
                patient=patient,
                amount=data["amount"],
                method=data["method"],
                channel=data["channel"],
                reference=data["reference"],
                received_on=data["received_on"],
                applications=form.applications() or None,
                payer_name=data["payer_name"],
                note=data["note"],
                plan=plan,
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Payment {payment.receipt_number} of {payment.amount} recorded; the patient now owes "
                f"{payment.patient_due_after}.",
            )
            return redirect("payments:patient_payment_detail", public_id=payment.public_id)
    context, _ = _ledger_context(request, patient, payment_form=form)
    return render(request, "payments/patient_ledger.html", context, status=400)


@requires(Capability.BILLING_VIEW)
def payment_detail(request, public_id):
    payment = get_object_or_404(
        PatientPayment.objects.select_related("patient", "received_by", "plan"), public_id=public_id
    )
    audit_view(request, payment)
    applications = payment.applications.select_related("claim").order_by("claim__service_date_from")
    applied = sum((a.amount for a in applications), ZERO)
    return render(
        request,
        "payments/patient_payment.html",
        {"payment": payment, "applications": applications, "unapplied": payment.amount - applied},
    )


@requires(Capability.BILLING_VIEW)
def receipt(request, public_id):
    payment = get_object_or_404(
        PatientPayment.objects.select_related("patient__billing_provider"), public_id=public_id
    )
    pdf = receipt_pdf(payment)
    audit_event(action="export", target=payment, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt_{payment.receipt_number}.pdf"'
    return response


@requires(Capability.BILLING_WORK)
@require_POST
def credit_apply(request, public_id):
    patient = _patient(public_id)
    try:
        made = pay.patient_credit_apply(patient=patient, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{sum((a.amount for a in made), ZERO)} of credit applied to what the patient owes."
        )
    return _back(patient)


@requires(Capability.BILLING_WORK)
@require_POST
def refund_request(request, public_id):
    patient = _patient(public_id)
    form = RefundRequestForm(request.POST)
    if form.is_valid():
        try:
            pay.patient_refund_request(
                patient=patient,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Refund requested: a manager approves it on the Refunds page.")
            return _back(patient, "refunds")
    context, _ = _ledger_context(request, patient, refund_form=form)
    return render(request, "payments/patient_ledger.html", context, status=400)


@requires(Capability.BILLING_WORK)
@require_POST
def plan_create(request, public_id):
    patient = _patient(public_id)
    form = PaymentPlanForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            pay.payment_plan_create(
                patient=patient,
                total=d["total"],
                instalments=d["instalments"],
                first_due=d["first_due"],
                every_days=d["every_days"],
                note=d["note"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Payment plan set up.")
            return _back(patient, "plan")
    context, _ = _ledger_context(request, patient, plan_form=form)
    return render(request, "payments/patient_ledger.html", context, status=400)


@requires(Capability.BILLING_WORK)
@require_POST
def plan_cancel(request, public_id):
    plan = get_object_or_404(PaymentPlan, public_id=public_id)
    try:
        pay.payment_plan_cancel(plan=plan, actor=request.user)
        messages.success(request, "Payment plan cancelled.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(plan.patient, "plan")


@requires(Capability.BILLING_WORK)
@require_POST
def suppress(request, public_id):
    patient = _patient(public_id)
    form = SuppressionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            pay.statement_suppress(
                patient=patient,
                reason=d["reason"],
                note=d["note"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Statements suppressed: {SuppressionReason(d['reason']).label}.")
            return _back(patient, "statements")
    context, _ = _ledger_context(request, patient, suppression_form=form)
    return render(request, "payments/patient_ledger.html", context, status=400)


@requires(Capability.BILLING_WORK)
@require_POST
def suppression_lift(request, public_id):
    suppression = get_object_or_404(StatementSuppression, public_id=public_id)
    try:
        pay.statement_suppression_lift(suppression=suppression, actor=request.user)
        messages.success(request, "Suppression lifted: the patient gets statements again.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(suppression.patient, "statements")


@requires(Capability.BILLING_WORK)
@require_POST
def statement_now(request, public_id):
    patient = _patient(public_id)
    try:
        statement = statements.statement_create(patient=patient, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(patient, "statements")
    messages.success(request, f"Statement {statement.number} made: {statement.amount_due} due.")
    return _back(patient, "statements")


@requires(Capability.BILLING_VIEW)
def statement_pdf(request, public_id):
    statement = get_object_or_404(Statement, public_id=public_id)
    audit_event(action="export", target=statement, user=request.user)
    response = HttpResponse(bytes(statement.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement_{statement.number}.pdf"'
    return response


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


@requires(Capability.BILLING_VIEW)
def balances(request):
    form = BalanceFilterForm(request.GET or None)
    show = (form.cleaned_data.get("show") if form.is_valid() else "") or "due"
    patient_ids = set(
        Patient.objects.filter(claims__status__in=statements.BILLED_STATUSES).values_list("pk", flat=True)
    ) | set(PatientPayment.objects.values_list("patient_id", flat=True))
    accts = accounts(patient_ids)
    patients = Patient.objects.in_bulk(list(accts))
    rows: list[dict[str, Any]] = []
    for pid, acct in accts.items():
        b = acct.balance
        value = {
            "due": b.patient_due,
            "credit": b.credit if b.credit > ZERO else ZERO,
            "pending": b.insurance_pending,
        }[show]
        if value > ZERO:
            rows.append({"patient": patients[pid], "b": b})
    key = {"due": "patient_due", "credit": "credit", "pending": "insurance_pending"}[show]
    rows.sort(key=lambda r: (-getattr(r["b"], key), r["patient"].last_name))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    audit_list(request, Patient, [r["patient"].public_id for r in page])
    return render(request, "payments/patient_balances.html", {"form": form, "page": page, "show": show})


@requires(Capability.BILLING_VIEW)
def statement_runs(request):
    form = StatementRunForm(request.POST or None)
    if request.method == "POST":
        if not user_has(request.user, Capability.BILLING_WORK):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = statements.statement_run(
                    actor=request.user,
                    as_of=d["as_of"],
                    minimum=d["minimum"],
                    interval_days=d["interval_days"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"{result.run.statement_count} statements made, {result.run.total_due} due in all.",
                )
                return redirect("payments:statement_run_detail", public_id=result.run.public_id)
    runs = Paginator(StatementRun.objects.select_related("created_by"), 25).get_page(request.GET.get("page"))
    defaults = statements.run_defaults()
    return render(
        request,
        "payments/patient_statement_runs.html",
        {
            "form": form,
            "runs": runs,
            "defaults": defaults,
            "can_work": user_has(request.user, Capability.BILLING_WORK),
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(Capability.BILLING_VIEW)
def statement_run_detail(request, public_id):
    run = get_object_or_404(StatementRun, public_id=public_id)
    rows = run.statements.select_related("patient").defer("pdf", "content").order_by("patient__last_name")
    audit_list(request, Statement, [s.public_id for s in rows])
    return render(request, "payments/patient_statement_run.html", {"run": run, "rows": rows})


@requires(Capability.BILLING_VIEW)
def refunds(request):
    waiting = PatientRefund.objects.filter(status=RefundStatus.REQUESTED).select_related(
        "patient", "requested_by"
    )
    decided = PatientRefund.objects.exclude(status=RefundStatus.REQUESTED).select_related(
        "patient", "decided_by"
    )[:50]
    audit_list(request, PatientRefund, [r.public_id for r in waiting])
    return render(
        request,
        "payments/patient_refunds.html",
        {
            "waiting": waiting,
            "decided": decided,
            "is_manager": _is_manager(request.user),
            "form": RefundDecisionForm(),
        },
    )


# Managers decide (DASHBOARD_VIEW is the managers' capability, as for denials' write-offs); the
# role check runs before the method check so a biller's GET is 403, a manager's 405.
@requires(Capability.DASHBOARD_VIEW)
@require_POST
def refund_decide(request, public_id):
    refund = get_object_or_404(PatientRefund, public_id=public_id)
    if not _is_manager(request.user):
        raise PermissionDenied
    form = RefundDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
        return redirect("payments:patient_refunds")
    d = form.cleaned_data
    try:
        pay.patient_refund_decide(
            refund=refund,
            approve=d["decision"] == "approve",
            note=d["note"],
            reference=d["reference"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Refund of {refund.amount} {'approved' if d['decision'] == 'approve' else 'rejected'}."
        )
    return redirect("payments:patient_refunds")
