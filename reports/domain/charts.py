"""Server-rendered SVG charts: horizontal bars (optionally stacked) and a monthly trend.

Written here rather than vendoring a chart library: the pages and the printed PDF (WeasyPrint
draws inline SVG) get the same picture with no JavaScript, the charts are plain text the tests can
read, and each chart sits next to its table (docs/conventions.md section 9). Pure; coordinates are
computed in Decimal and written with one decimal place. Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

ZERO = Decimal("0")
# Colours readable in print and by the common colour-vision deficiencies (Okabe-Ito palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")


def _n(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


@dataclass(frozen=True)
class Segment:
    value: Decimal
    series: int = 0  # index into the legend / palette
    href: str = ""
    title: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]
    note: str = ""  # printed after the bar (the formatted total)

    @property
    def total(self) -> Decimal:
        return sum((s.value for s in self.segments if s.value > ZERO), ZERO)


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: Sequence[Bar]
    legend: Sequence[str] = field(default_factory=tuple)
    width: int = 720
    label_width: int = 200
    bar_height: int = 22


def bar_chart_svg(chart: BarChart) -> str:
    """Horizontal bars, each a stack of segments (negative values are not drawn: credits are
    shown in their own table). A segment with `href` is a link (drill-down)."""
    legend_height = 22 if chart.legend else 0
    top = 28 + legend_height
    height = top + max(len(chart.bars), 1) * (chart.bar_height + 6) + 10
    plot = Decimal(chart.width - chart.label_width - 110)
    largest = max((b.total for b in chart.bars), default=ZERO)
    scale = plot / largest if largest > ZERO else ZERO
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {chart.width} {height}"'
        f' width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(chart.title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(chart.title)}</text>',
    ]
    x = Decimal(0)
    for index, name in enumerate(chart.legend):
        colour = PALETTE[index % len(PALETTE)]
        out.append(f'<rect x="{_n(x)}" y="26" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{_n(x + 16)}" y="36" font-size="12">{escape(name)}</text>')
        x += Decimal(24 + 7 * len(name))
    if not chart.bars:
        out.append(f'<text x="0" y="{top + 16}" font-size="12">Nothing to show.</text>')
    for row, bar in enumerate(chart.bars):
        y = Decimal(top + row * (chart.bar_height + 6))
        out.append(
            f'<text x="{chart.label_width - 6}" y="{_n(y + Decimal(chart.bar_height) * Decimal("0.7"))}"'
            f' font-size="12" text-anchor="end">{escape(bar.label)}</text>'
        )
        x = Decimal(chart.label_width)
        for segment in bar.segments:
            if segment.value <= ZERO:
                continue
            w = segment.value * scale
            colour = PALETTE[segment.series % len(PALETTE)]
            rect = (
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, Decimal("0.5")))}"'
                f' height="{chart.bar_height}" fill="{colour}">'
                f"<title>{escape(segment.title or bar.label)}</title></rect>"
            )
            out.append(f'<a href="{escape(segment.href)}">{rect}</a>' if segment.href else rect)
            x += w
        if bar.note:
            out.append(
                f'<text x="{_n(x + 6)}" y="{_n(y + Decimal(chart.bar_height) * Decimal("0.7"))}"'
                f' font-size="12">{escape(bar.note)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class TrendPoint:
    label: str  # e.g. "Nov 2026"
    value: Decimal | None  # None: no data that month (a gap)
    href: str = ""


def trend_svg(
    title: str,
    points: Sequence[TrendPoint],
    *,
    unit: str = "",
    target: Decimal | None = None,
    width: int = 360,
    height: int = 150,
) -> str:
    """Monthly columns with the target as a dashed line; months without data are left empty."""
    left, right, top, bottom = 44, 8, 24, 30
    plot_w = Decimal(width - left - right)
    plot_h = Decimal(height - top - bottom)
    values = [p.value for p in points if p.value is not None]
    ceiling = max([*values, target or ZERO, Decimal(1)])
    ceiling = ceiling * Decimal("1.1")
    step = plot_w / Decimal(max(len(points), 1))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" role="img" viewBox="0 0 {width} {height}"'
        f' width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="9" text-anchor="end">{_n(ceiling)}{escape(unit)}</text>',
        f'<text x="{left - 4}" y="{_n(top + plot_h)}" font-size="9" text-anchor="end">0</text>',
    ]
    for index, point in enumerate(points):
        x = Decimal(left) + step * index
        if point.value is not None:
            h = plot_h * point.value / ceiling if point.value > ZERO else ZERO
            rect = (
                f'<rect x="{_n(x + step * Decimal("0.15"))}" y="{_n(top + plot_h - h)}"'
                f' width="{_n(step * Decimal("0.7"))}" height="{_n(h)}" fill="{PALETTE[0]}">'
                f"<title>{escape(point.label)}: {point.value}{escape(unit)}</title></rect>"
            )
            out.append(f'<a href="{escape(point.href)}">{rect}</a>' if point.href else rect)
        if len(points) <= 13 or index % 3 == 0:
            out.append(
                f'<text x="{_n(x + step / 2)}" y="{height - bottom + 12}" font-size="8"'
                f' text-anchor="middle">{escape(point.label[:3])}</text>'
            )
    if points:
        out.append(
            f'<text x="{left}" y="{height - 4}" font-size="8">{escape(points[0].label)}</text>'
            f'<text x="{width - right}" y="{height - 4}" font-size="8" text-anchor="end">'
            f"{escape(points[-1].label)}</text>"
        )
    if target is not None:
        y = Decimal(top) + plot_h - plot_h * target / ceiling
        out.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" stroke="#D55E00"'
            f' stroke-dasharray="4 3"><title>target {target}{escape(unit)}</title></line>'
        )
    out.append("</svg>")
    return "".join(out)
