"""Intake reads: patient search, coverages in force, eligibility freshness, auth coverage, the queue."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from intake import mappers
from intake.domain.authorization import BurnDown, burn_down, find_auth_for, normalize_code
from intake.domain.coverage import (
    CoverageRank,
    EligibilityState,
    coverages_in_force,
    eligibility_is_stale,
    eligibility_state,
)
from intake.domain.types import OrderStatus
from intake.models import (
    Coverage,
    EligibilityCheck,
    IntakeAlert,
    IntakeEvent,
    Order,
    OrderDrug,
    Patient,
    PriorAuthorization,
)

_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
QUEUE_STATUSES = (
    OrderStatus.NEW,
    OrderStatus.ELIGIBILITY_VERIFIED,
    OrderStatus.AUTH_OBTAINED,
    OrderStatus.READY_TO_SCHEDULE,
    OrderStatus.SCHEDULED,
)
OPEN_ORDER_STATUSES = (*QUEUE_STATUSES, OrderStatus.ACTIVE)


def today() -> date:
    return timezone.localdate()


def _search_date(search: str) -> date | None:
    try:
        if len(search) == 10 and search[4] == "-" and search[7] == "-":
            return date.fromisoformat(search)
        match = _US_DATE.fullmatch(search)
        if match:
            month, day, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def patient_list(*, search: str = "") -> QuerySet[Patient]:
    """Patients by name (either part, or 'Last, First'), MRN or date of birth (YYYY-MM-DD or MM/DD/YYYY)."""
    qs = Patient.objects.select_related("billing_provider")
    search = search.strip()
    if search:
        query = Q(last_name__icontains=search) | Q(first_name__icontains=search) | Q(mrn__iexact=search)
        if "," in search:
            last, _, first = search.partition(",")
            query |= Q(last_name__icontains=last.strip(), first_name__icontains=first.strip())
        born = _search_date(search)
        if born is not None:
            query |= Q(date_of_birth=born)
        qs = qs.filter(query)
    return qs


def patients_visible_to(user, qs: QuerySet[Patient], *, on: date | None = None) -> QuerySet[Patient]:
    """The patients a user may list: everyone for billing roles; for a nurse (no billing view),
    only the patients on that day's schedule or with a visit that day (minimum necessary,
    45 CFR 164.502(b)). The lookups name the schedule's related names, not its models, so intake
    still imports nothing from the apps to its right."""
    from infusion_rcm.accounts.roles import Capability, user_has

    if user_has(user, Capability.BILLING_VIEW):
        return qs
    day = on or timezone.localdate()
    return qs.filter(Q(appointments__date=day) | Q(visits__date_of_service=day)).distinct()


def patient_likely_duplicates(
    *, first_name: str, last_name: str, date_of_birth: date, exclude_id: int | None = None
) -> list[Patient]:
    """Patients with the same name (case-insensitive) and date of birth: probably the same person."""
    qs = Patient.objects.filter(
        first_name__iexact=first_name.strip(),
        last_name__iexact=last_name.strip(),
        date_of_birth=date_of_birth,
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("pk"))


def coverages_in_force_for(*, patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages in force on `on`, primary first (coverage.coverages_in_force order)."""
    rows: dict[Hashable, Coverage] = {
        c.pk: c for c in Coverage.objects.filter(patient=patient).select_related("payer")
    }
    return [rows[p.id] for p in coverages_in_force((mappers.coverage_period(c) for c in rows.values()), on)]


def primary_coverage_for(*, patient: Patient, on: date) -> Coverage | None:
    return next(
        (c for c in coverages_in_force_for(patient=patient, on=on) if c.rank == CoverageRank.PRIMARY), None
    )


def latest_complete_check(coverage: Coverage) -> EligibilityCheck | None:
    return (
        EligibilityCheck.objects.filter(coverage=coverage, status=EligibilityCheck.Status.COMPLETE)
        .order_by("-checked_on", "-id")
        .first()
    )


def eligibility_stale(coverage: Coverage, last: EligibilityCheck | None, as_of: date) -> bool:
    """True when the coverage's last completed check is older than its payer's freshness window."""
    return eligibility_is_stale(
        last.checked_on if last else None, coverage.payer.eligibility_freshness_days, as_of
    )


def _auths_for(patient: Patient) -> list[PriorAuthorization]:
    return list(
        PriorAuthorization.objects.filter(patient=patient)
        .select_related("coverage")
        .prefetch_related("services")
    )


def _missing(
    auths: Iterable[PriorAuthorization], coverage_ids: set[int], codes: Iterable[str], on: date
) -> list[str]:
    domain = [mappers.authorization(a) for a in auths if a.coverage_id in coverage_ids]
    missing: list[str] = []
    for code in codes:
        wanted = normalize_code(code)
        if wanted and wanted not in missing and find_auth_for(domain, wanted, on) is None:
            missing.append(wanted)
    return missing


def auth_required_missing(*, patient: Patient, codes: Iterable[str], on: date) -> list[str]:
    """Codes (normalized, in the order given, once each) that no in-force auth of the patient covers on `on`.

    Only auths on a coverage in force on `on` count; a pended or denied auth does not.
    """
    coverage_ids = {c.pk for c in coverages_in_force_for(patient=patient, on=on)}
    return _missing(_auths_for(patient), coverage_ids, codes, on)


def order_codes(order: Order) -> list[str]:
    """The HCPCS codes of an order's drugs (drugs should be prefetched)."""
    return list(dict.fromkeys(normalize_code(d.hcpcs) for d in order.drugs.all()))


def order_check_date(order: Order, as_of: date) -> date:
    """The date an order's eligibility and auth are judged on: today, or its start when that is later."""
    return max(as_of, order.start_date)


# --- patient page and queue ------------------------------------------------------------------------


@dataclass
class CoverageRow:
    coverage: Coverage
    last_check: EligibilityCheck | None
    stale: bool  # never checked, or checked longer ago than the payer's window
    in_force: bool

    @property
    def never_checked(self) -> bool:
        return self.last_check is None


@dataclass
class OrderRow:
    order: Order
    codes: list[str]
    missing_auth: list[str]
    eligibility_stale: bool  # never checked counts: the order cannot be verified on it
    eligibility_ok: bool
    patient: Patient
    eligibility_state: EligibilityState = EligibilityState.OK

    @property
    def no_auth(self) -> bool:
        return bool(self.missing_auth) and not self.order.auth_not_required_reason

    @property
    def authorized(self) -> bool:
        return not self.no_auth


@dataclass
class AuthRow:
    auth: PriorAuthorization
    burn: list[BurnDown]
    in_force: bool


@dataclass
class PatientOverview:
    patient: Patient
    coverages: list[CoverageRow] = field(default_factory=list)
    orders: list[OrderRow] = field(default_factory=list)
    checks: list[EligibilityCheck] = field(default_factory=list)
    auths: list[AuthRow] = field(default_factory=list)
    alerts: list[IntakeAlert] = field(default_factory=list)


def _checks_by_coverage(coverage_ids: Iterable[int]) -> dict[int, EligibilityCheck]:
    latest: dict[int, EligibilityCheck] = {}
    qs = EligibilityCheck.objects.filter(
        coverage_id__in=list(coverage_ids), status=EligibilityCheck.Status.COMPLETE
    ).order_by("coverage_id", "-checked_on", "-id")
    for check in qs:
        latest.setdefault(check.coverage_id, check)
    return latest


class _PatientContext:
    """Coverages, latest checks and auths of a set of patients, loaded in a fixed number of queries."""

    def __init__(self, patient_ids: Iterable[int]):
        ids = list(set(patient_ids))
        self.coverages: dict[int, list[Coverage]] = {i: [] for i in ids}
        for c in Coverage.objects.filter(patient_id__in=ids).select_related("payer"):
            self.coverages[c.patient_id].append(c)
        self.latest = _checks_by_coverage(c.pk for cs in self.coverages.values() for c in cs)
        self.auths: dict[int, list[PriorAuthorization]] = {i: [] for i in ids}
        for a in PriorAuthorization.objects.filter(patient_id__in=ids).prefetch_related("services"):
            self.auths[a.patient_id].append(a)

    def in_force(self, patient_id: int, on: date) -> list[Coverage]:
        rows: dict[Hashable, Coverage] = {c.pk: c for c in self.coverages.get(patient_id, [])}
        return [
            rows[p.id] for p in coverages_in_force((mappers.coverage_period(c) for c in rows.values()), on)
        ]

    def order_row(self, order: Order, as_of: date) -> OrderRow:
        on = order_check_date(order, as_of)
        in_force = self.in_force(order.patient_id, on)
        codes = order_codes(order)
        missing = _missing(self.auths.get(order.patient_id, []), {c.pk for c in in_force}, codes, on)
        primary = next((c for c in in_force if c.rank == CoverageRank.PRIMARY), None)
        last = self.latest.get(primary.pk) if primary else None
        stale = primary is None or eligibility_stale(primary, last, as_of)
        ok = primary is not None and not stale and last is not None and bool(last.active)
        state = eligibility_state(
            has_coverage=primary is not None,
            last_checked=last.checked_on if last else None,
            last_active=last.active if last else None,
            freshness_days=primary.payer.eligibility_freshness_days if primary else 0,
            on=as_of,
        )
        return OrderRow(
            order=order,
            codes=codes,
            missing_auth=missing,
            eligibility_stale=stale,
            eligibility_ok=ok,
            patient=order.patient,
            eligibility_state=state,
        )


def _orders_qs() -> QuerySet[Order]:
    return Order.objects.select_related("patient", "prescriber", "location").prefetch_related(
        Prefetch("drugs", queryset=OrderDrug.objects.order_by("id"))
    )


def order_row(order: Order, *, as_of: date | None = None) -> OrderRow:
    as_of = as_of or today()
    return _PatientContext([order.patient_id]).order_row(order, as_of)


def order_rows(orders: Iterable[Order], *, as_of: date | None = None) -> list[OrderRow]:
    """Flags for many orders (drugs prefetched) in a fixed number of queries."""
    as_of = as_of or today()
    orders = list(orders)
    ctx = _PatientContext(o.patient_id for o in orders)
    return [ctx.order_row(o, as_of) for o in orders]


def patient_overview(*, patient: Patient, as_of: date | None = None) -> PatientOverview:
    """Everything the patient page shows, with stale-eligibility and no-auth flags computed."""
    as_of = as_of or today()
    ctx = _PatientContext([patient.pk])
    in_force_ids = {c.pk for c in ctx.in_force(patient.pk, as_of)}
    overview = PatientOverview(patient=patient)
    for c in sorted(
        ctx.coverages[patient.pk], key=lambda c: (c.pk not in in_force_ids, CoverageRank(c.rank).order)
    ):
        last = ctx.latest.get(c.pk)
        overview.coverages.append(
            CoverageRow(
                coverage=c,
                last_check=last,
                stale=c.pk in in_force_ids and eligibility_stale(c, last, as_of),
                in_force=c.pk in in_force_ids,
            )
        )
    overview.orders = [ctx.order_row(o, as_of) for o in _orders_qs().filter(patient=patient)]
    overview.checks = list(
        EligibilityCheck.objects.filter(coverage__patient=patient).select_related("coverage__payer")
    )
    for a in (
        PriorAuthorization.objects.filter(patient=patient)
        .select_related("coverage__payer")
        .prefetch_related("services")
    ):
        domain = mappers.authorization(a)
        overview.auths.append(AuthRow(auth=a, burn=burn_down(domain), in_force=domain.in_force(as_of)))
    overview.alerts = list(IntakeAlert.objects.filter(patient=patient, resolved=False)[:20])
    return overview


def intake_queue(*, as_of: date | None = None) -> dict[str, list[OrderRow]]:
    """Open orders by queue column (new -> ready to schedule), each with its flags. Fixed query count."""
    as_of = as_of or today()
    orders = list(_orders_qs().filter(status__in=QUEUE_STATUSES).order_by("start_date", "id"))
    ctx = _PatientContext(o.patient_id for o in orders)
    columns: dict[str, list[OrderRow]] = {s.value: [] for s in QUEUE_STATUSES}
    for o in orders:
        columns[o.status].append(ctx.order_row(o, as_of))
    return columns


def order_events(order: Order) -> QuerySet[IntakeEvent]:
    return IntakeEvent.objects.filter(order=order).select_related("actor")


def authorization_events(auth: PriorAuthorization) -> QuerySet[IntakeEvent]:
    return IntakeEvent.objects.filter(authorization=auth).select_related("actor")


def patient_events(patient: Patient, *, limit: int = 50) -> list[IntakeEvent]:
    """The latest changes to a patient's orders and authorizations, newest first."""
    return list(
        IntakeEvent.objects.filter(patient=patient).select_related("actor", "order", "authorization")[:limit]
    )


def exportable_270s(*, include_answered: bool = False) -> QuerySet[EligibilityCheck]:
    """Checks whose 270 is written: those still waiting for their 271 unless `include_answered`."""
    qs = EligibilityCheck.objects.exclude(request_270="").select_related(
        "coverage__payer", "coverage__patient"
    )
    if not include_answered:
        qs = qs.filter(status=EligibilityCheck.Status.PENDING)
    return qs.order_by("id")


def open_alerts(*, limit: int = 50) -> list[IntakeAlert]:
    return list(
        IntakeAlert.objects.filter(resolved=False).select_related("patient", "authorization", "order")[:limit]
    )


# --- API querysets --------------------------------------------------------------------------------


def coverage_list(*, patient_public_id: str | None = None) -> QuerySet[Coverage]:
    qs = Coverage.objects.select_related("patient", "payer").order_by("patient_id", "effective_date", "id")
    if patient_public_id:
        qs = qs.filter(patient__public_id=patient_public_id)
    return qs


def order_list(*, patient_public_id: str | None = None, status: str | None = None) -> QuerySet[Order]:
    qs = _orders_qs()
    if patient_public_id:
        qs = qs.filter(patient__public_id=patient_public_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def eligibility_check_list(*, patient_public_id: str | None = None) -> QuerySet[EligibilityCheck]:
    qs = EligibilityCheck.objects.select_related("coverage__patient", "coverage__payer")
    if patient_public_id:
        qs = qs.filter(coverage__patient__public_id=patient_public_id)
    return qs


def pending_eligibility_checks() -> QuerySet[EligibilityCheck]:
    return eligibility_check_list().filter(status=EligibilityCheck.Status.PENDING)


def authorization_list(*, patient_public_id: str | None = None) -> QuerySet[PriorAuthorization]:
    qs = PriorAuthorization.objects.select_related("patient", "coverage__payer", "order").prefetch_related(
        "services"
    )
    if patient_public_id:
        qs = qs.filter(patient__public_id=patient_public_id)
    return qs
