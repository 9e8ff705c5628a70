"""The underpayment queue: posted lines paid (with the patient's share) below what the payer's
contract says, beyond the tolerance an admin set; as a page and as a CSV export."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_event, audit_list
from payments import selectors
from payments.forms import UnderpaymentFilterForm
from payments.models import ClaimPayment
from payments.services.contracts import underpayment_tolerance

CSV_COLUMNS = [
    "claim",
    "patient",
    "payer",
    "service_date",
    "code",
    "modifiers",
    "units",
    "charge",
    "expected",
    "paid",
    "patient_responsibility",
    "short",
    "basis",
    "trace_number",
    "payment_date",
]


def _queue(request):
    form = UnderpaymentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    tolerance, percent = underpayment_tolerance()
    payer = data.get("payer")
    lines = selectors.underpayment_queue(
        tolerance=tolerance,
        percent=percent,
        payer_id=payer.pk if payer else None,
        service_from=data.get("service_from"),
        service_to=data.get("service_to"),
    )
    return form, lines, (tolerance, percent)


@requires(Capability.BILLING_VIEW)
def underpayments(request):
    form, lines, (tolerance, percent) = _queue(request)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    audit_list(request, ClaimPayment, sorted({ln.claim_payment_id for ln in page}))
    # Summed here: Django cannot aggregate over these annotations (a Subquery among them).
    figures = list(lines.values_list("short", "expected"))
    totals = {
        "n": len(figures),
        "short": sum((s for s, _ in figures), Decimal("0.00")),
        "expected": sum((e for _, e in figures), Decimal("0.00")),
    }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/underpayments.html",
        {
            "form": form,
            "page": page,
            "totals": totals,
            "tolerance": tolerance,
            "percent": percent,
            "query": query.urlencode(),
        },
    )


@requires(Capability.BILLING_VIEW)
def underpayments_export(request):
    _form, lines, _tolerance = _queue(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="underpayments-{timezone.localdate():%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    ids = []
    for line in lines.iterator(chunk_size=2000):
        payment = line.claim_payment
        claim = payment.claim
        ids.append(payment.pk)
        writer.writerow(
            [
                claim.claim_number if claim else payment.patient_control_number,
                str(claim.patient) if claim else f"{payment.patient_last_name}, {payment.patient_first_name}",
                claim.payer.name if claim else payment.remittance.payer_name,
                line.service_date or "",
                line.claim_line.code if line.claim_line else line.procedure_code,
                " ".join(line.claim_line.modifiers if line.claim_line else line.modifiers),
                line.claim_line.units if line.claim_line else line.units_paid,
                line.charge,
                line.expected,
                line.paid,
                line.patient_share,
                line.short,
                line.expected_basis,
                payment.trace_number,
                payment.remittance.payment_date,
            ]
        )
    audit_event(
        action=AuditEntry.Action.EXPORT,
        object_type="payments.claimpayment",
        extra={"ids": [str(i) for i in sorted(set(ids))][:1000], "rows": len(ids), "what": "underpayments"},
        user=request.user,
    )
    return response
