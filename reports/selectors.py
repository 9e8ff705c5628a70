"""Reports' reads: A/R aging (live, from ClaimFact), its drill-down, the KPIs by month (KpiMonth
and the A/R snapshots) and denial analytics (DenialFact). Pages, CSV, PDF and API share these.

The split of a balance is defined once here (`_SPLIT`) and used by the live aging and the daily
snapshot: a credit balance (balance < 0) is shown apart; otherwise the patient's part is the
patient responsibility posted (never more than the balance) and the rest is the insurer's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from intake.models import Payer
from payments.reason_codes import carc_description, group_meaning
from reports.domain.definitions import (
    BUCKET_KEYS,
    BUCKETS,
    KPIS,
    OVER_90,
    AgingBasis,
    DenialCategory,
    denial_category,
)
from reports.domain.kpis import Sums, add_months, days_in_ar, measure_value, months_between, percent
from reports.domain.kpis import total as total_sums
from reports.models import ArDay, ArSnapshot, ClaimFact, DenialFact, DenialMonth, KpiMonth

ZERO = Decimal("0.00")

# insurance, patient, credit parts of one fact row (see the module docstring)
_PATIENT = "LEAST(GREATEST(f.patient_responsibility, 0), f.balance)"
SPLIT_SQL = (
    f"CASE WHEN f.balance > 0 THEN f.balance - {_PATIENT} ELSE 0 END",
    f"CASE WHEN f.balance > 0 THEN {_PATIENT} ELSE 0 END",
    "CASE WHEN f.balance < 0 THEN f.balance ELSE 0 END",
)


def bucket_sql(day: str) -> str:
    """CASE giving the bucket key of a balance dated `day` (an SQL expression), aged to %(as_of)s."""
    age = f"(%(as_of)s::date - {day})"
    whens = " ".join(f"WHEN {age} <= {b.high} THEN '{b.key}'" for b in BUCKETS if b.high is not None)
    return f"CASE {whens} ELSE '{BUCKETS[-1].key}' END"


# Open A/R: the partial index report_fact_open_ar holds exactly these rows.
OPEN_AR = "f.in_ar AND f.balance <> 0"


@dataclass
class AgingRow:
    key: str  # payer id or payer kind
    label: str
    kind: str = ""
    insurance: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))
    patient: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))
    credit: Decimal = ZERO
    credit_claims: int = 0
    claims: int = 0

    @property
    def insurance_total(self) -> Decimal:
        return sum(self.insurance.values(), ZERO)

    @property
    def patient_total(self) -> Decimal:
        return sum(self.patient.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.insurance_total + self.patient_total

    def bucket_total(self, key: str) -> Decimal:
        return self.insurance[key] + self.patient[key]

    def add(
        self, bucket: str, insurance: Decimal, patient: Decimal, credit: Decimal, debit: int, credits: int
    ):
        self.insurance[bucket] += insurance
        self.patient[bucket] += patient
        self.credit += credit
        self.claims += debit
        self.credit_claims += credits


@dataclass
class Aging:
    as_of: dt.date
    basis: AgingBasis
    by_payer: list[AgingRow]
    by_kind: list[AgingRow]
    total: AgingRow

    @property
    def credits(self) -> list[AgingRow]:
        return [r for r in self.by_payer if r.credit_claims]


def ar_aging(*, as_of: dt.date, basis: AgingBasis, site: str = "") -> Aging:
    """Open balances by payer and payer kind × bucket, insurance apart from patient, credits apart."""
    sql = f"""
        SELECT d.payer_id, d.payer_kind, {bucket_sql("d.day")} AS bucket,
               sum(d.insurance), sum(d.patient), sum(d.credit), sum(d.debit_claims), sum(d.credit_claims)
        FROM reports_arday d
        WHERE d.basis = %(basis)s {"AND d.site_of_care = %(site)s" if site else ""}
        GROUP BY 1, 2, 3
    """  # noqa: S608 - SQL from constants; values are bound parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "site": site, "basis": basis.value})
        rows = cursor.fetchall()
    names = dict(Payer.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "name"))
    payers: dict[int, AgingRow] = {}
    kinds: dict[str, AgingRow] = {}
    total = AgingRow("total", "Total")
    from intake.domain.types import PayerKind

    for payer_id, kind, bucket, ins, pat, cred, debit, credits in rows:
        row = payers.setdefault(payer_id, AgingRow(str(payer_id), names.get(payer_id, "?"), kind))
        kind_label = PayerKind(kind).label if kind in PayerKind.__members__.values() else kind
        kind_row = kinds.setdefault(kind, AgingRow(kind, kind_label, kind))
        for target in (row, kind_row, total):
            target.add(bucket, ins, pat, cred, debit, credits)
    return Aging(
        as_of=as_of,
        basis=basis,
        by_payer=sorted(payers.values(), key=lambda r: (-r.total, r.label)),
        by_kind=sorted(kinds.values(), key=lambda r: (-r.total, r.label)),
        total=total,
    )


def ar_cell_facts(
    *,
    as_of: dt.date,
    basis: AgingBasis,
    payer_id: int | None = None,
    payer_kind: str = "",
    bucket: str = "",
    part: str = "",
    site: str = "",
) -> QuerySet[ClaimFact]:
    """The open claims behind one cell of the aging (or a row, a column, the credits)."""
    facts = ClaimFact.objects.filter(in_ar=True).exclude(balance=0)
    if payer_id is not None:
        facts = facts.filter(payer_id=payer_id)
    if payer_kind:
        facts = facts.filter(payer_kind=payer_kind)
    if site:
        facts = facts.filter(site_of_care=site)
    if part == "credit":
        facts = facts.filter(balance__lt=0)
    elif part in ("insurance", "patient", ""):
        facts = facts.filter(balance__gt=0)
        if part == "patient":
            facts = facts.filter(patient_responsibility__gt=0)
        elif part == "insurance":
            facts = facts.filter(balance__gt=Greatest(F("patient_responsibility"), Value(ZERO)))
    facts = facts.annotate(
        basis_day=F("service_date")
        if basis == AgingBasis.SERVICE
        else Coalesce("submitted_on", "service_date")
    )
    if bucket:
        (b,) = [x for x in BUCKETS if x.key == bucket]
        facts = facts.filter(basis_day__lte=as_of - dt.timedelta(days=b.low))
        if b.high is not None:
            facts = facts.filter(basis_day__gte=as_of - dt.timedelta(days=b.high))
    return facts.select_related("claim__patient", "payer").order_by("basis_day", "claim_id")


def ar_cell_totals(
    *,
    as_of: dt.date,
    basis: AgingBasis,
    payer_id: int | None = None,
    payer_kind: str = "",
    bucket: str = "",
    part: str = "",
    site: str = "",
) -> tuple[int, Decimal]:
    """How many claims a cell holds and their amount (from ArDay, the figures the aging shows)."""
    rows = ArDay.objects.filter(basis=basis.value)
    if payer_id is not None:
        rows = rows.filter(payer_id=payer_id)
    if payer_kind:
        rows = rows.filter(payer_kind=payer_kind)
    if site:
        rows = rows.filter(site_of_care=site)
    if bucket:
        (b,) = [x for x in BUCKETS if x.key == bucket]
        rows = rows.filter(day__lte=as_of - dt.timedelta(days=b.low))
        if b.high is not None:
            rows = rows.filter(day__gte=as_of - dt.timedelta(days=b.high))
    count_field, amounts = {
        "insurance": ("insurance_claims", ("insurance",)),
        "patient": ("patient_claims", ("patient",)),
        "credit": ("credit_claims", ("credit",)),
    }.get(part, ("debit_claims", ("insurance", "patient")))
    totals = rows.aggregate(n=Sum(count_field), **{a: Sum(a) for a in amounts})
    return totals["n"] or 0, sum((totals[a] or ZERO for a in amounts), ZERO)


def fact_parts(fact: ClaimFact) -> tuple[Decimal, Decimal, Decimal]:
    """The insurance, patient and credit parts of one claim (the rule of SPLIT_SQL)."""
    if fact.balance < 0:
        return ZERO, ZERO, fact.balance
    patient = min(max(fact.patient_responsibility, ZERO), fact.balance)
    return fact.balance - patient, patient, ZERO


# ---- KPIs -------------------------------------------------------------------------------------


@dataclass
class KpiLine:
    key: str
    name: str
    unit: str
    definition: str
    target: Decimal | None
    better: str
    source: str
    value: Decimal | None
    months: list[tuple[dt.date, Decimal | None]]
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _kpi_sums(
    *, first: dt.date, last: dt.date, site: str, payer_id: int | None
) -> dict[str, dict[dt.date, Sums]]:
    rows = KpiMonth.objects.filter(month__gte=first, month__lte=last)
    if site:
        rows = rows.filter(site_of_care=site)
    if payer_id is not None:
        rows = rows.filter(payer_id=payer_id)
    out: dict[str, dict[dt.date, Sums]] = defaultdict(dict)
    for measure, month, num, den in (
        rows.values("measure", "month")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
        .values_list("measure", "month", "n", "d")
    ):
        out[measure][month] = Sums(num, den)
    return out


def _ar_at_month_ends(
    *, months: list[dt.date], today: dt.date, site: str, payer_id: int | None
) -> dict[dt.date, tuple[Decimal, Decimal, Decimal]]:
    """(net A/R, debit A/R, debit A/R over 90 days) at each month's end: the month's last
    snapshot (by date of service), today's live A/R for the current month."""
    out: dict[dt.date, tuple[Decimal, Decimal, Decimal]] = {}
    snaps = ArSnapshot.objects.filter(
        basis=AgingBasis.SERVICE, day__gte=months[0], day__lt=add_months(months[-1], 1)
    )
    if site:
        snaps = snaps.filter(site_of_care=site)
    if payer_id is not None:
        snaps = snaps.filter(payer_id=payer_id)
    last_days: dict[dt.date, dt.date] = {}
    for day in snaps.values_list("day", flat=True).distinct():
        month = day.replace(day=1)
        if day > last_days.get(month, dt.date.min):
            last_days[month] = day
    if last_days:
        totals: dict[dt.date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
        for day, bucket, ins, pat, cred in (
            snaps.filter(day__in=list(last_days.values()))
            .values("day", "bucket")
            .annotate(i=Sum("insurance"), p=Sum("patient"), c=Sum("credit"))
            .values_list("day", "bucket", "i", "p", "c")
        ):
            t = totals[day]
            t[0] += ins + pat + cred
            t[1] += ins + pat
            if bucket in OVER_90:
                t[2] += ins + pat
        for month, day in last_days.items():
            out[month] = tuple(totals[day])  # type: ignore[assignment]
    current = today.replace(day=1)
    if months[0] <= current <= months[-1]:
        aging = ar_aging(as_of=today, basis=AgingBasis.SERVICE, site=site)
        rows = [r for r in aging.by_payer if payer_id is None or r.key == str(payer_id)]
        net = sum((r.total + r.credit for r in rows), ZERO)
        debit = sum((r.total for r in rows), ZERO)
        over = sum((r.bucket_total(k) for r in rows for k in OVER_90), ZERO)
        out[current] = (net, debit, over)
    return out


def kpi_report(
    *, first: dt.date, last: dt.date, today: dt.date, site: str = "", payer_id: int | None = None
) -> list[KpiLine]:
    """Every KPI over the months first..last (firsts of months), with its value each month."""
    months = months_between(first, last)
    sums = _kpi_sums(first=add_months(first, -2), last=last, site=site, payer_id=payer_id)
    charges = {m: s.numerator for m, s in sums.get("charges", {}).items()}
    ar = _ar_at_month_ends(months=months, today=today, site=site, payer_id=payer_id)
    lines = []
    for kpi in KPIS:
        monthly: list[tuple[dt.date, Decimal | None]] = []
        value: Decimal | None = None
        num = den = None
        if kpi.key == "days_in_ar":
            for m in months:
                monthly.append((m, days_in_ar(ar[m][0], charges, m) if m in ar else None))
            value = next((v for _, v in reversed(monthly) if v is not None), None)
        elif kpi.key == "ar_over_90":
            for m in months:
                monthly.append((m, percent(ar[m][2], ar[m][1]) if m in ar else None))
            value = next((v for _, v in reversed(monthly) if v is not None), None)
        elif kpi.key == "auth_first_dose" and payer_id is not None:
            monthly = [(m, None) for m in months]
        else:
            per_month = sums.get(kpi.key, {})
            period = Sums()
            for m in months:
                s = per_month.get(m)
                monthly.append((m, measure_value(kpi.key, s) if s else None))
                if s:
                    period = period + s
            value = measure_value(kpi.key, period)
            num, den = period.numerator, period.denominator
        lines.append(
            KpiLine(
                key=kpi.key,
                name=kpi.name,
                unit=kpi.unit,
                definition=kpi.definition,
                target=kpi.target,
                better=kpi.better.value,
                source=kpi.source,
                value=value,
                months=monthly,
                numerator=num,
                denominator=den,
            )
        )
    return lines


# ---- Denials ----------------------------------------------------------------------------------


@dataclass
class DenialGroup:
    key: str
    label: str
    count: int
    amount: Decimal


@dataclass
class DenialReport:
    total_count: int
    total_amount: Decimal
    by_payer: list[DenialGroup]
    by_category: list[DenialGroup]
    by_carc: list[DenialGroup]
    by_code: list[DenialGroup]
    by_site: list[DenialGroup]
    by_month: list[DenialGroup]
    appealed: int
    overturned: int

    @property
    def overturn_rate(self) -> Decimal | None:
        return percent(Decimal(self.overturned), Decimal(self.appealed))

    @property
    def top_reasons(self) -> list[DenialGroup]:
        return self.by_carc[:10]


def denial_facts(
    *, first: dt.date, last: dt.date, site: str = "", payer_id: int | None = None, initial_only: bool = False
) -> QuerySet[DenialFact]:
    rows = DenialFact.objects.filter(month__gte=first, month__lte=last)
    if site:
        rows = rows.filter(site_of_care=site)
    if payer_id is not None:
        rows = rows.filter(payer_id=payer_id)
    if initial_only:
        rows = rows.filter(initial=True)
    return rows


def _groups(rows: Iterable[tuple[str, int, Decimal]], label) -> list[DenialGroup]:
    out = [DenialGroup(str(k), label(k), c, a) for k, c, a in rows]
    return sorted(out, key=lambda g: (-g.amount, g.label))


def carc_label(group: str, carc: str) -> str:
    words = carc_description(carc)
    head = f"{group}-{carc}" if carc else f"{group} (no reason code)"
    return f"{head} {words}" if words else head


def category_of(category: str, carc: str) -> str:
    """The denials app's category when it classified the line, else the CARC grouping."""
    return category or denial_category(carc).value


def category_label(key: str) -> str:
    from denials.domain.types import Category

    for enum in (Category, DenialCategory):
        try:
            return enum(key).label
        except ValueError:
            continue
    return key.replace("_", " ").capitalize()


def _appeal_outcomes(*, first: dt.date, last: dt.date, site: str, payer_id: int | None) -> Sums | None:
    """Appeals decided (denials app) of the denials noticed in the period: overturned (wholly or
    partly) over decided. None when no appeal was decided."""
    from denials.models_appeals import Appeal

    appeals = Appeal.objects.exclude(outcome="").filter(
        denial__notice_date__gte=first, denial__notice_date__lt=add_months(last, 1)
    )
    if site:
        appeals = appeals.filter(denial__claim__location__site_of_care=site)
    if payer_id is not None:
        appeals = appeals.filter(denial__payer_id=payer_id)
    counts = appeals.aggregate(
        decided=Count("pk"), won=Count("pk", filter=Q(outcome__in=["overturned", "partly"]))
    )
    if not counts["decided"]:
        return None
    return Sums(Decimal(counts["won"]), Decimal(counts["decided"]))


def denial_report(
    *, first: dt.date, last: dt.date, site: str = "", payer_id: int | None = None
) -> DenialReport:
    """Denied lines posted in first..last by payer, category, CARC, code, site and month (from
    the monthly sums); the appeal overturn rate of the claims first denied in the period."""
    rows = DenialMonth.objects.filter(month__gte=first, month__lte=last)
    if site:
        rows = rows.filter(site_of_care=site)
    if payer_id is not None:
        rows = rows.filter(payer_id=payer_id)
    reasons = rows.filter(dimension="reason")

    def agg(queryset, *fields: str):
        return queryset.values(*fields).annotate(n=Sum("lines"), a=Sum("amount")).order_by()

    from intake.domain.types import SiteOfCare

    names = dict(Payer.objects.values_list("pk", "name"))
    by_payer = _groups(
        ((r["payer_id"], r["n"], r["a"]) for r in agg(reasons, "payer_id")), lambda k: names.get(int(k), "?")
    )
    carcs = list(agg(reasons, "key"))
    by_carc = _groups(((r["key"], r["n"], r["a"]) for r in carcs), lambda k: carc_label(*k.split("-", 1)))
    categories: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for r in agg(reasons, "key", "category"):
        c = category_of(r["category"], r["key"].split("-", 1)[-1])
        categories[c][0] += r["n"]
        categories[c][1] += r["a"]
    by_category = _groups(((k, v[0], v[1]) for k, v in categories.items()), category_label)
    by_code = _groups(
        ((r["key"], r["n"], r["a"]) for r in agg(rows.filter(dimension="code"), "key")),
        lambda k: k or "whole claim",
    )
    by_site = _groups(
        ((r["site_of_care"], r["n"], r["a"]) for r in agg(reasons, "site_of_care")),
        lambda k: SiteOfCare(k).label if k in SiteOfCare.__members__.values() else k,
    )
    by_month = sorted(
        (
            DenialGroup(r["month"].isoformat(), f"{r['month']:%b %Y}", r["n"], r["a"])
            for r in agg(reasons, "month")
        ),
        key=lambda g: g.key,
    )
    appeal = _appeal_outcomes(first=first, last=last, site=site, payer_id=payer_id)
    if appeal is None:  # no appeal decided in the denials app: the claims' history (paid after an appeal)
        overturn = _kpi_sums(first=first, last=last, site=site, payer_id=payer_id).get("appeal_overturn", {})
        appeal = total_sums(overturn.values())
    return DenialReport(
        total_count=sum(g.count for g in by_payer),
        total_amount=sum((g.amount for g in by_payer), ZERO),
        by_payer=by_payer,
        by_category=by_category,
        by_carc=by_carc,
        by_code=by_code,
        by_site=by_site,
        by_month=by_month,
        appealed=int(appeal.denominator),
        overturned=int(appeal.numerator),
    )


def denial_drill(
    *,
    first: dt.date,
    last: dt.date,
    site: str = "",
    payer_id: int | None = None,
    by: str = "",
    key: str = "",
) -> QuerySet[DenialFact]:
    """The denied lines behind one bar: `by` payer, category, carc, code, site or month."""
    rows = denial_facts(first=first, last=last, site=site, payer_id=payer_id)
    if by == "payer" and key.isdigit():
        rows = rows.filter(payer_id=int(key))
    elif by == "carc" and "-" in key:
        group, carc = key.split("-", 1)
        rows = rows.filter(group=group, carc=carc)
    elif by == "category":
        carcs = {c for c in rows.values_list("carc", flat=True).distinct() if denial_category(c).value == key}
        rows = rows.filter(Q(category=key) | Q(category="", carc__in=carcs))
    elif by == "code":
        rows = rows.filter(code=key)
    elif by == "site":
        rows = rows.filter(site_of_care=key)
    elif by == "month":
        try:
            rows = rows.filter(month=dt.date.fromisoformat(key))
        except ValueError:
            rows = rows.none()
    return rows.select_related("claim__patient", "payer").order_by("-month", "-amount", "pk")


def group_words(group: str) -> str:
    return group_meaning(group)
