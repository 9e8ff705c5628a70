"""Tables and charts of the dashboards, built once from the selectors' results and shown three
ways: the page (cells may link to their drill-down), the CSV export, and the monthly PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.domain.charts import Bar, BarChart, Segment, TrendPoint, bar_chart_svg, trend_svg
from reports.domain.definitions import BUCKETS
from reports.selectors import Aging, DenialGroup, DenialReport, KpiLine


@dataclass(frozen=True)
class Cell:
    value: object
    href: str = ""
    num: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, Decimal):
            return f"{self.value:,}"
        return str(self.value)


@dataclass
class Table:
    key: str
    title: str
    headers: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)
    foot: list[Cell] | None = None
    chart: str = ""  # SVG


def _cell_html(cell: Cell, tag: str = "td") -> str:
    text = escape(cell.text)
    inner = f'<a href="{escape(cell.href)}">{text}</a>' if cell.href else text
    return f'<{tag} class="num">{inner}</{tag}>' if cell.num else f"<{tag}>{inner}</{tag}>"


def table_html(table: Table, *, export_query: str | None = None) -> SafeString:
    """The table (and its chart) as HTML. Built here rather than in a template loop: the pages
    have hundreds of cells, and Django's template engine spends more on them than the queries."""
    head = "".join(
        f"<th>{escape(h)}</th>" if i == 0 else f'<th class="num">{escape(h)}</th>'
        for i, h in enumerate(table.headers)
    )
    body = "".join("<tr>" + "".join(_cell_html(c) for c in row) + "</tr>" for row in table.rows) or (
        f'<tr><td colspan="{len(table.headers)}">Nothing to show.</td></tr>'
    )
    foot = (
        "<tfoot><tr>" + "".join(_cell_html(c) for c in table.foot) + "</tr></tfoot>"
        if table.foot and table.rows
        else ""
    )
    export = ""
    if export_query is not None:
        query = f"{export_query}&export={table.key}" if export_query else f"export={table.key}"
        export = f'<a href="?{escape(query)}">Export CSV</a>'
    return mark_safe(
        f'<section class="card" id="{escape(table.key)}"><div class="table-tools"><h2>{escape(table.title)}</h2>'
        f"{export}</div>{table.chart}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table></section>"
    )


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in [*table.rows, *([table.foot] if table.foot else [])]:
        writer.writerow(["" if c.value is None else str(c.value) for c in row])
    return out.getvalue()


def money(value: Decimal, href: str = "") -> Cell:
    return Cell(value, href, num=True)


def _q(base: str, **params: object) -> str:
    return base + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


# ---- A/R aging --------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    from intake.domain.types import PayerKind

    try:
        return PayerKind(kind).label
    except ValueError:
        return kind


def aging_tables(aging: Aging, *, site: str = "") -> list[Table]:
    cells_url = reverse("reports:ar_claims")
    basis = aging.basis.value
    headers = ["Payer", "Kind", *(f"{b.label} days" for b in BUCKETS), "Total", "Open claims"]

    def link(**params: object) -> str:
        return _q(cells_url, basis=basis, site=site, **params)

    tables = []
    for part, title in (("insurance", "Insurance A/R"), ("patient", "Patient A/R")):
        table = Table(f"ar_{part}", f"{title} by payer (aged from {aging.basis.label})", headers)
        for row in aging.by_payer:
            values = getattr(row, part)
            total = sum(values.values(), Decimal("0.00"))
            if total == 0:
                continue
            table.rows.append(
                [
                    Cell(row.label),
                    Cell(_kind_label(row.kind)),
                    *(
                        money(
                            values[b.key],
                            link(payer=row.key, bucket=b.key, part=part) if values[b.key] else "",
                        )
                        for b in BUCKETS
                    ),
                    money(total, link(payer=row.key, part=part)),
                    Cell(row.claims, num=True),
                ]
            )
        tot = getattr(aging.total, part)
        table.foot = [
            Cell("Total"),
            Cell(""),
            *(money(tot[b.key], link(bucket=b.key, part=part) if tot[b.key] else "") for b in BUCKETS),
            money(sum(tot.values(), Decimal("0.00")), link(part=part)),
            Cell(""),
        ]
        tables.append(table)
    kinds = Table("ar_by_kind", "A/R by payer kind (insurance and patient)", ["Payer kind", *headers[2:]])
    for row in aging.by_kind:
        kinds.rows.append(
            [
                Cell(row.label),
                *(
                    money(
                        row.bucket_total(b.key),
                        link(kind=row.key, bucket=b.key) if row.bucket_total(b.key) else "",
                    )
                    for b in BUCKETS
                ),
                money(row.total, link(kind=row.key)),
                Cell(row.claims, num=True),
            ]
        )
    kinds.foot = [
        Cell("Total"),
        *(
            money(
                aging.total.bucket_total(b.key), link(bucket=b.key) if aging.total.bucket_total(b.key) else ""
            )
            for b in BUCKETS
        ),
        money(aging.total.total, link()),
        Cell(aging.total.claims, num=True),
    ]
    kinds.chart = bar_chart_svg(
        BarChart(
            "Open A/R by payer kind and age",
            [
                Bar(
                    row.label,
                    [
                        Segment(
                            row.bucket_total(b.key),
                            i,
                            link(kind=row.key, bucket=b.key),
                            f"{row.label}, {b.label} days: {row.bucket_total(b.key):,}",
                        )
                        for i, b in enumerate(BUCKETS)
                    ],
                    note=f"{row.total:,}",
                )
                for row in aging.by_kind
            ],
            legend=[f"{b.label} days" for b in BUCKETS],
        )
    )
    credits = Table(
        "ar_credits", "Credit balances (owed back, not in the buckets)", ["Payer", "Claims", "Credit"]
    )
    for row in aging.credits:
        credits.rows.append(
            [
                Cell(row.label),
                Cell(row.credit_claims, num=True),
                money(row.credit, link(payer=row.key, part="credit")),
            ]
        )
    credits.foot = [
        Cell("Total"),
        Cell(aging.total.credit_claims, num=True),
        money(aging.total.credit, link(part="credit")),
    ]
    return [kinds, *tables, credits]


# ---- KPIs -------------------------------------------------------------------------------------


def _fmt(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value}%" if unit == "%" else f"{value} days"


def kpi_tables(lines: Sequence[KpiLine]) -> tuple[Table, Table]:
    """The summary (one row per KPI) and the month-by-month table; each line's trend SVG."""
    summary = Table("kpis", "KPIs over the period", ["KPI", "Value", "Target", "Meets target", "Definition"])
    months = [m for m, _ in lines[0].months] if lines else []
    trend = Table("kpi_trend", "KPIs by month", ["KPI", *(f"{m:%b %Y}" for m in months)])
    for line in lines:
        target = (
            None
            if line.target is None
            else f"{'≥' if line.better == 'higher' else '≤'} {_fmt(line.target, line.unit)}"
        )
        meets = None
        if line.value is not None and line.target is not None:
            meets = (
                "yes"
                if (line.value >= line.target if line.better == "higher" else line.value <= line.target)
                else "no"
            )
        summary.rows.append(
            [
                Cell(line.name),
                Cell(_fmt(line.value, line.unit)),
                Cell(target),
                Cell(meets),
                Cell(line.definition),
            ]
        )
        trend.rows.append([Cell(line.name), *(Cell(v, num=True) for _, v in line.months)])
    return summary, trend


def kpi_chart(line: KpiLine) -> str:
    return trend_svg(
        line.name,
        [TrendPoint(f"{m:%b %Y}", v) for m, v in line.months],
        unit="%" if line.unit == "%" else "d",
        target=line.target,
    )


# ---- Denials ----------------------------------------------------------------------------------


def denial_tables(report: DenialReport, *, params: dict) -> list[Table]:
    drill = reverse("reports:denial_lines")
    tables = []
    for key, title, groups in (
        ("carc", "Top denial reasons by dollars", report.top_reasons),
        ("category", "Denials by category", report.by_category),
        ("payer", "Denials by payer", report.by_payer),
        ("code", "Denials by code (CPT / HCPCS)", report.by_code[:20]),
        ("site", "Denials by site of care", report.by_site),
        ("month", "Denials by month", report.by_month),
    ):
        table = Table(f"denials_{key}", title, ["", "Lines", "Denied charges"])
        for g in groups:
            href = _q(drill, by=key, key=g.key, **params)
            table.rows.append([Cell(g.label, href), Cell(g.count, num=True), money(g.amount, href)])
        table.foot = [
            Cell("Total"),
            Cell(sum(g.count for g in groups), num=True),
            money(sum((g.amount for g in groups), Decimal("0.00"))),
        ]
        table.chart = _denial_chart(title, groups, key=key, drill=drill, params=params)
        tables.append(table)
    return tables


def _denial_chart(title: str, groups: Sequence[DenialGroup], *, key: str, drill: str, params: dict) -> str:
    bars = [
        Bar(
            g.label[:34],
            [Segment(g.amount, 0, _q(drill, by=key, key=g.key, **params), f"{g.label}: {g.amount:,}")],
            f"{g.amount:,}",
        )
        for g in groups[:12]
    ]
    return bar_chart_svg(BarChart(title, bars, label_width=260))
