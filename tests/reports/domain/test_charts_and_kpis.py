"""Pure: KPI arithmetic, buckets, denial categories and the SVG charts (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reports.domain.charts import Bar, BarChart, Segment, TrendPoint, bar_chart_svg, trend_svg
from reports.domain.definitions import KPIS, DenialCategory, bucket_of, denial_category
from reports.domain.kpis import (
    Sums,
    add_months,
    days_in_ar,
    measure_value,
    meets_target,
    parse_month,
    percent,
)

D = Decimal


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (-3, "0_30"),
        (0, "0_30"),
        (30, "0_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "91_120"),
        (120, "91_120"),
        (121, "over_120"),
        (999, "over_120"),
    ],
)
def test_buckets_edges(age, bucket):
    assert bucket_of(age) == bucket


def test_ratios_and_averages():
    assert percent(D(4), D(6)) == D("66.7")
    assert percent(D(1), D(0)) is None
    assert measure_value("clean_claim", Sums(D(19), D(20))) == D("95.0")
    assert measure_value("charge_lag", Sums(D(10), D(6))) == D("1.7")
    with pytest.raises(ValueError):
        measure_value("charges", Sums())


def test_days_in_ar_uses_three_months_of_charges():
    charges = {date(2026, 9, 1): D("30000"), date(2026, 10, 1): D("31000"), date(2026, 11, 1): D("30000")}
    # 91 000 over 30 + 31 + 30 = 91 days: 1 000 a day; 35 000 of A/R is 35 days
    assert days_in_ar(D("35000"), charges, date(2026, 11, 1)) == D("35.0")
    assert days_in_ar(D("1"), {}, date(2026, 11, 1)) is None


def test_targets_and_months():
    assert meets_target("clean_claim", D("95.0")) is True
    assert meets_target("denial_count", D("5.1")) is False
    assert meets_target("days_in_ar", None) is None
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert parse_month("2026-13") is None and parse_month("11/2026") is None and parse_month("") is None
    assert all(k.definition and k.source for k in KPIS)


def test_denial_categories():
    assert denial_category("197") == DenialCategory.AUTHORIZATION
    assert denial_category("29") == DenialCategory.TIMELY_FILING
    assert denial_category("50") == DenialCategory.MEDICAL_NECESSITY
    assert denial_category("ZZZ") == DenialCategory.OTHER


def test_bar_chart_links_escapes_and_scales():
    svg = bar_chart_svg(
        BarChart(
            "A/R <by> kind",
            [
                Bar("Medicare & co", [Segment(D("100"), 0, "/r?a=1&b=2"), Segment(D("50"), 1)], "150.00"),
                Bar("Commercial", [Segment(D("-5"), 0)]),
            ],
            legend=["0–30", "31–60"],
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "A/R &lt;by&gt; kind" in svg and "Medicare &amp; co" in svg
    assert '<a href="/r?a=1&amp;b=2">' in svg
    assert svg.count("<rect") == 2 + 2  # two legend swatches, two positive segments (the credit is not drawn)
    assert "Nothing to show." in bar_chart_svg(BarChart("empty", []))


def test_trend_leaves_gaps_and_draws_the_target():
    svg = trend_svg(
        "Clean", [TrendPoint("Oct 2026", D("96")), TrendPoint("Nov 2026", None)], unit="%", target=D("95")
    )
    assert svg.count("<rect") == 1
    assert "stroke-dasharray" in svg and "target 95%" in svg
