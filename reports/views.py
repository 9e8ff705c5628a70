"""Managers' dashboards (DASHBOARD_VIEW): overview, A/R aging and its claims, KPIs, denial
analytics and their lines, the monthly PDF. Every table exports as CSV (`?export=<table>`).

Each read first brings the facts up to date (reports_catch_up: two index lookups when nothing
changed), so a page shows the claims' balances as the claims API computes them at that moment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list
from infusion_rcm.common.pdf import render_pdf
from reports import selectors, services
from reports.domain.definitions import BUCKET_KEYS, KPIS, AgingBasis
from reports.domain.kpis import add_months, meets_target, parse_month
from reports.engine_check import needs_postgresql
from reports.forms import AgingFilterForm, ReportFilterForm
from reports.selectors import fact_parts
from reports.tables import Cell, Table, aging_tables, denial_tables, kpi_chart, kpi_tables, table_html, to_csv

PAGE_SIZE = 100


def _export(request, tables: list[Table], name: str) -> HttpResponse | None:
    key = request.GET.get("export")
    if not key:
        return None
    for table in tables:
        if table.key == key:
            response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}-{table.key}.csv"'
            return response
    raise Http404("No such table.")


def _query(request, drop: tuple[str, ...] = ("export", "page")) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _period(request) -> tuple[ReportFilterForm, dict]:
    form = ReportFilterForm(request.GET or None, today=timezone.localdate())
    return form, form.values()


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def dashboard(request):
    """At a glance: open A/R by age, the KPIs of the last twelve months against their targets,
    and the top denial reasons."""
    services.reports_catch_up()
    today = timezone.localdate()
    last = today.replace(day=1)
    first = add_months(last, -11)
    aging = selectors.ar_aging(as_of=today, basis=AgingBasis.SERVICE)
    kpis = selectors.kpi_report(first=first, last=last, today=today)
    denials = selectors.denial_report(first=first, last=last)
    params = {"start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}"}
    tables = aging_tables(aging)
    tiles = [
        {"line": line, "meets": meets_target(line.key, line.value), "chart": kpi_chart(line)} for line in kpis
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "aging": aging,
            "ar_chart": tables[0].chart,
            "tiles": tiles,
            "denials": denials,
            "reasons": denial_tables(denials, params=params)[0],
            "first": first,
            "last": last,
        },
    )


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def ar_aging(request):
    form = AgingFilterForm(request.GET or None)
    values = form.values()
    services.reports_catch_up()
    today = timezone.localdate()
    aging = selectors.ar_aging(as_of=today, basis=values["basis"], site=values["site"])
    tables = aging_tables(aging, site=values["site"])
    exported = _export(request, tables, f"ar-aging-{today}")
    if exported:
        return exported
    return render(
        request,
        "reports/ar_aging.html",
        {"form": form, "aging": aging, "tables": tables, "query": _query(request), "today": today},
    )


class CellForm(forms.Form):
    basis = forms.ChoiceField(required=False, choices=[("", ""), *((b.value, b.value) for b in AgingBasis)])
    site = forms.CharField(required=False, max_length=8)
    payer = forms.IntegerField(required=False, min_value=1)
    kind = forms.CharField(required=False, max_length=24)
    bucket = forms.ChoiceField(required=False, choices=[("", ""), *((k, k) for k in BUCKET_KEYS)])
    part = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("insurance", "insurance"), ("patient", "patient"), ("credit", "credit")],
    )


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def ar_claims(request):
    """The claims behind one cell of the aging: each with its balance, insurance and patient parts."""
    form = CellForm(request.GET)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    page, total = None, None
    if form.is_valid():
        c = form.cleaned_data
        services.reports_catch_up()
        basis = AgingBasis(c["basis"] or AgingBasis.SERVICE)
        facts = selectors.ar_cell_facts(
            as_of=today,
            basis=basis,
            payer_id=c["payer"],
            payer_kind=c["kind"],
            bucket=c["bucket"],
            part=c["part"],
            site=c["site"],
        )
        if request.GET.get("export") == "claims":
            return _cell_csv(facts, today)
        claims, amount = selectors.ar_cell_totals(
            as_of=today,
            basis=basis,
            payer_id=c["payer"],
            payer_kind=c["kind"],
            bucket=c["bucket"],
            part=c["part"],
            site=c["site"],
        )
        # The cell's count and amount come from the aging's own sums (ArDay): no COUNT over the
        # facts of a large cell; the page of claims is one indexed range scan.
        page = Paginator(cast(Any, _Counted(facts, claims)), PAGE_SIZE).get_page(request.GET.get("page"))
        for fact in page:
            insurance, patient, credit = fact_parts(fact)
            rows.append(
                {
                    "fact": fact,
                    "status": fact.status.replace("_", " "),
                    "insurance": insurance,
                    "patient": patient,
                    "credit": credit,
                }
            )
        audit_list(request, Claim, [r["fact"].claim.public_id for r in rows])
        total = {"claims": claims, "balance": amount}
    table = Table(
        "claims",
        "Open claims",
        [
            "Claim",
            "Patient",
            "Payer",
            "Status",
            "Service",
            "First submitted",
            "Charge",
            "Balance",
            "Insurance",
            "Patient",
            "Credit",
        ],
    )
    for r in rows:
        f = r["fact"]
        table.rows.append(
            [
                Cell(
                    f.claim.claim_number,
                    reverse("claims:claim_detail", kwargs={"public_id": f.claim.public_id}),
                ),
                Cell(str(f.claim.patient)),
                Cell(f.payer.name),
                Cell(r["status"]),
                Cell(f"{f.service_date:%Y-%m-%d}"),
                Cell(f"{f.submitted_on:%Y-%m-%d}" if f.submitted_on else None),
                *(
                    Cell(v, num=True)
                    for v in (f.charge, f.balance, r["insurance"], r["patient"], r["credit"])
                ),
            ]
        )
    return render(
        request,
        "reports/ar_claims.html",
        {
            "form": form,
            "table": table_html(table),
            "page": page,
            "query": _query(request),
            "today": today,
            "total": total,
        },
    )


class _Counted:
    """A queryset whose length is already known (Paginator asks `count()`)."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def _cell_csv(facts, today: dt.date) -> HttpResponse:
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ar-claims-{today}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "claim",
            "payer",
            "status",
            "service date",
            "first submitted",
            "charge",
            "balance",
            "insurance",
            "patient",
            "credit",
        ]
    )
    for fact in facts.iterator(chunk_size=2000):
        insurance, patient, credit = fact_parts(fact)
        writer.writerow(
            [
                fact.claim.claim_number,
                fact.payer.name,
                fact.status,
                fact.service_date,
                fact.submitted_on or "",
                fact.charge,
                fact.balance,
                insurance,
                patient,
                credit,
            ]
        )
    return response


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def kpis(request):
    form, values = _period(request)
    services.reports_catch_up()
    today = timezone.localdate()
    lines = selectors.kpi_report(today=today, **values)
    summary, trend = kpi_tables(lines)
    exported = _export(request, [summary, trend], f"kpis-{values['first']:%Y-%m}-{values['last']:%Y-%m}")
    if exported:
        return exported
    charts = [
        {"line": line, "chart": kpi_chart(line), "meets": meets_target(line.key, line.value)}
        for line in lines
    ]
    return render(
        request,
        "reports/kpis.html",
        {
            "form": form,
            "values": values,
            "charts": charts,
            "summary": summary,
            "trend": trend,
            "query": _query(request),
        },
    )


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def denials(request):
    form, values = _period(request)
    services.reports_catch_up()
    report = selectors.denial_report(**values)
    params = {
        "start": f"{values['first']:%Y-%m}",
        "end": f"{values['last']:%Y-%m}",
        "site": values["site"],
        "payer": values["payer_id"] or "",
    }
    tables = denial_tables(report, params=params)
    exported = _export(request, tables, f"denials-{values['first']:%Y-%m}-{values['last']:%Y-%m}")
    if exported:
        return exported
    return render(
        request,
        "reports/denials.html",
        {"form": form, "values": values, "report": report, "tables": tables, "query": _query(request)},
    )


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def denial_lines(request):
    """The denied lines behind one bar of the denial analytics, with their claims."""
    form, values = _period(request)
    services.reports_catch_up()
    by = request.GET.get("by", "")
    if by not in ("", "payer", "carc", "category", "code", "site", "month"):
        by = ""
    rows = selectors.denial_drill(**values, by=by, key=request.GET.get("key", "")[:60])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    from denials.models import Denial

    work = dict(
        Denial.objects.filter(pk__in=[f.denial_id for f in page if f.denial_id]).values_list(
            "pk", "public_id"
        )
    )
    lines: list[dict[str, Any]] = [
        {
            "fact": f,
            "reason": selectors.carc_label(f.group, f.carc),
            "category": selectors.category_label(selectors.category_of(f.category, f.carc)),
            "denial": work.get(f.denial_id) if f.denial_id else None,
        }
        for f in page
    ]
    audit_list(request, Claim, [r["fact"].claim.public_id for r in lines])
    table = Table(
        "lines",
        "Denied lines",
        [
            "Claim",
            "Patient",
            "Payer",
            "Month",
            "Code",
            "Reason",
            "Category",
            "First remittance",
            "Denial work",
            "Denied charge",
        ],
    )
    for r in lines:
        f = r["fact"]
        table.rows.append(
            [
                Cell(
                    f.claim.claim_number,
                    reverse("claims:claim_detail", kwargs={"public_id": f.claim.public_id}),
                ),
                Cell(str(f.claim.patient)),
                Cell(f.payer.name),
                Cell(f"{f.month:%b %Y}"),
                Cell(f.code or "whole claim"),
                Cell(r["reason"]),
                Cell(r["category"]),
                Cell("yes" if f.initial else "no"),
                Cell(
                    "Open the denial" if r["denial"] else None,
                    reverse("denials:detail", kwargs={"public_id": r["denial"]}) if r["denial"] else "",
                ),
                Cell(f.amount, num=True),
            ]
        )
    return render(
        request,
        "reports/denial_lines.html",
        {
            "form": form,
            "values": values,
            "table": table_html(table),
            "page": page,
            "query": _query(request),
            "by": by,
        },
    )


@requires(Capability.DASHBOARD_VIEW)
@needs_postgresql
def monthly_report(request):
    """The month's report as a PDF (?month=YYYY-MM; default: the last full month)."""
    today = timezone.localdate()
    default = add_months(today.replace(day=1), -1)
    raw = request.GET.get("month", "")
    month = parse_month(raw) if raw else default
    if month is None:
        return render(
            request,
            "reports/monthly_error.html",
            {"message": "Write the month as YYYY-MM (for example 2026-11)."},
            status=400,
        )
    services.reports_catch_up()
    first = add_months(month, -11)
    lines = selectors.kpi_report(first=first, last=month, today=today)
    summary, _trend = kpi_tables(lines)
    aging = selectors.ar_aging(as_of=today, basis=AgingBasis.SERVICE)
    report = selectors.denial_report(first=month, last=month)
    context = {
        "month": month,
        "today": today,
        "summary": summary,
        "month_values": [(line, dict(line.months).get(month)) for line in lines],
        "charts": [kpi_chart(line) for line in lines],
        # WeasyPrint lays out table cells slowly (seconds per hundred rows on this machine): the
        # PDF keeps the summaries; the pages and their CSV have every row.
        "aging_tables": aging_tables(aging)[:1],
        "aging": aging,
        "denial_tables": denial_tables(report, params={})[:1],
        "report": report,
        "kpis": KPIS,
    }
    pdf = render_pdf("reports/monthly.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="monthly-report-{month:%Y-%m}.pdf"'
    return response
