"""Payer contracts: importing a fee schedule, and the expected amount of each line that posts.

Why the expected amount is set at posting and stored on the LinePayment (not on the claim line
when the claim is built): claims may not import payments (apps import leftwards only), and the
contract that counts is the one in force on the date of service, which posting knows as well as
claim building does. Posting calls `line_payments_price` for the claim payments it posts (a
file, a hand match, an approved reversal), so every posted primary line carries what the
contract pays, how (`expected_basis`) and which schedule version said so; the preview asks
`claim_payments_expected`, which computes the same without writing.

Only primary adjudications are priced (CLP02 1 and 19): a secondary payer pays what the primary
left, a denial is the denials queue's, and a reversal takes money back.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum

from infusion_rcm.audit.services import audit_event
from infusion_rcm.common.errors import DomainError
from payments.domain.contracts import (
    ContractRate,
    Expected,
    PricedLine,
    PricingMethod,
    ReferencePrices,
    ScheduleKind,
    expected_amount,
    shortfall,
)
from payments.domain.fee_schedule_csv import parse_fee_schedule
from payments.models import Adjustment, FeeSchedule, FeeScheduleRate, LinePayment, PostingPolicy
from payments.services.common import user_or_none

PRICED_STATUSES = ("1", "19")
CHUNK = 5000
ONE_DAY = dt.timedelta(days=1)
ZERO = Decimal("0.00")


class FeeScheduleConflictError(DomainError):
    """The new version overlaps one already on file in a way the import cannot settle."""

    code = "fee_schedule.conflict"


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _lock_versions(kind: ScheduleKind, payer_id: int | None) -> None:
    """Serialize imports of one payer's (or one reference list's) versions, so two admins cannot
    both pass the overlap check. A transaction-scoped advisory lock: there may be no row to lock."""
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"fee_schedule:{kind}:{payer_id or 0}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _settle_dates(
    versions: list[FeeSchedule], start: dt.date, end: dt.date | None
) -> tuple[dt.date | None, FeeSchedule | None]:
    """The new version's end date (the day before the next version when none is given) and the
    open-ended earlier version it ends; FeeScheduleConflictError for an overlap it cannot settle."""
    to_close = None
    for other in versions:
        other_end = other.effective_to
        if other.effective_from < start and other_end is None:
            to_close = other  # the version in force until now ends the day before
            continue
        if other.effective_from > start:
            if end is None:
                end = other.effective_from - ONE_DAY
            if end >= other.effective_from:
                raise FeeScheduleConflictError(
                    f"It runs to {end}, into {other} already on file: end it before {other.effective_from}."
                )
            continue
        if other_end is not None and other_end >= start:
            raise FeeScheduleConflictError(
                f"It starts on {start}, inside {other} already on file: give a start date after "
                f"{other_end}, or end that version first."
            )
    return end, to_close


def fee_schedule_import(
    *,
    text: str,
    kind: ScheduleKind,
    payer,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    name: str = "",
    file_name: str = "",
    replace: bool = False,
    actor=None,
) -> FeeSchedule:
    """Import one fee schedule version from CSV text (payments.domain.fee_schedule_csv), whole or
    not at all: every row is checked first (FeeScheduleFileError lists each faulty line), then,
    under a lock on the payer's versions, the dates: an open-ended version in force at the start
    is ended the day before; a version already starting that day is refused unless `replace`
    (its rates are then replaced; lines priced before keep what they were priced at)."""
    kind = ScheduleKind(kind)
    if (kind == ScheduleKind.CONTRACT) != (payer is not None):
        raise FeeScheduleConflictError(
            "A payer contract needs its payer; a reference list (Medicare fee, ASP) has none."
        )
    if effective_to is not None and effective_to < effective_from:
        raise FeeScheduleConflictError(f"It ends ({effective_to}) before it starts ({effective_from}).")
    rows = parse_fee_schedule(text, kind=kind)
    payer_id = payer.pk if payer is not None else None
    label = name or (f"{payer.name} contract" if payer is not None else kind.label)
    with transaction.atomic():
        _lock_versions(kind, payer_id)
        versions = list(FeeSchedule.objects.filter(kind=kind, payer=payer).order_by("effective_from"))
        same = next((v for v in versions if v.effective_from == effective_from), None)
        if same is not None and not replace:
            raise FeeScheduleConflictError(
                f"{same} is already on file from {effective_from}: import with replace to change "
                "its rates, or give another start date."
            )
        others = [v for v in versions if v is not same]
        end, to_close = _settle_dates(others, effective_from, effective_to)
        if to_close is not None:
            to_close.effective_to = effective_from - ONE_DAY
            to_close.save(update_fields=["effective_to", "updated_at"])
        if same is not None:
            schedule = same
            schedule.rates.all().delete()
            schedule.name, schedule.effective_to = label[:100], end
            schedule.file_name, schedule.imported_by = file_name[:200], user_or_none(actor)
            schedule.save()
        else:
            schedule = FeeSchedule.objects.create(
                kind=kind,
                payer=payer,
                name=label[:100],
                effective_from=effective_from,
                effective_to=end,
                file_name=file_name[:200],
                imported_by=user_or_none(actor),
            )
        FeeScheduleRate.objects.bulk_create(
            [
                FeeScheduleRate(
                    schedule=schedule,
                    code=row.rate.code,
                    modifier=row.rate.modifier,
                    method=row.rate.method.value,
                    rate=row.rate.rate,
                    percent=row.rate.percent,
                    description=row.description,
                )
                for row in rows
            ]
        )
        audit_event(
            action="update" if same is not None else "create",
            target=schedule,
            extra={"rates": len(rows), "ended": str(to_close.pk) if to_close else ""},
            user=actor,
        )
    return schedule


# ---------------------------------------------------------------------------
# Pricing
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    pk: int
    claim_payment_id: int
    payer_id: int
    service_date: dt.date | None
    priced: PricedLine
    paid: Decimal


def _lines(claim_payment_ids: Sequence[int]) -> list[_Line]:
    """The lines to price: on a matched claim, primary adjudication; as billed (our claim line
    when matched, else what the 835 says we submitted)."""
    out: list[_Line] = []
    for start in range(0, len(claim_payment_ids), CHUNK):
        rows = (
            LinePayment.objects.filter(
                claim_payment_id__in=claim_payment_ids[start : start + CHUNK],
                claim_payment__claim__isnull=False,
                claim_payment__claim_status_code__in=PRICED_STATUSES,
                claim_payment__is_reversal=False,
            )
            .order_by("pk")
            .values_list(
                "pk",
                "claim_payment_id",
                "claim_payment__claim__payer_id",
                "claim_line_id",
                "claim_line__code",
                "claim_line__modifiers",
                "claim_line__units",
                "claim_line__charge",
                "claim_line__service_date_from",
                "procedure_code",
                "modifiers",
                "original_procedure_code",
                "original_modifiers",
                "units_paid",
                "original_units",
                "charge",
                "service_date_from",
                "claim_payment__service_date_from",
                "paid",
            )
        )
        for (
            pk,
            cp_id,
            payer_id,
            claim_line_id,
            code,
            mods,
            units,
            charge,
            date,
            paid_code,
            paid_mods,
            original_code,
            original_mods,
            units_paid,
            original_units,
            line_charge,
            line_date,
            claim_date,
            paid,
        ) in rows:
            if claim_line_id is None:
                code = original_code or paid_code
                mods = original_mods if original_code else paid_mods
                units = original_units if original_units is not None else units_paid
                charge, date = line_charge, line_date or claim_date
            out.append(
                _Line(pk, cp_id, payer_id, date, PricedLine(code, tuple(mods or ()), units, charge), paid)
            )
    return out


def _in_force(versions: Sequence[tuple[dt.date, dt.date | None, int]], day: dt.date | None) -> int | None:
    if day is None:
        return None
    for start, end, pk in versions:
        if start <= day and (end is None or day <= end):
            return pk
    return None


class _Book:
    """The fee schedules and reference prices the lines need, loaded once per call."""

    def __init__(self, lines: Sequence[_Line]):
        dates = [ln.service_date for ln in lines if ln.service_date is not None]
        self.contracts: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        self.references: dict[str, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        self.rates: dict[int, list[ContractRate]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self._prices: dict[tuple[int | None, int | None], ReferencePrices] = {}
        if not dates:
            return
        first, last = min(dates), max(dates)
        overlapping = FeeSchedule.objects.filter(effective_from__lte=last).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=first)
        )
        payer_ids = {ln.payer_id for ln in lines}
        for pk, kind, payer_id, start, end, name in overlapping.filter(
            Q(kind=ScheduleKind.CONTRACT, payer_id__in=payer_ids) | ~Q(kind=ScheduleKind.CONTRACT)
        ).values_list("pk", "kind", "payer_id", "effective_from", "effective_to", "name"):
            target = self.contracts[payer_id] if kind == ScheduleKind.CONTRACT else self.references[kind]
            target.append((start, end, pk))
            self.names[pk] = name
        contract_ids = [pk for versions in self.contracts.values() for _, _, pk in versions]
        reference_ids = [pk for versions in self.references.values() for _, _, pk in versions]
        codes = {ln.priced.code for ln in lines}
        rows = FeeScheduleRate.objects.filter(
            Q(schedule_id__in=contract_ids) | Q(schedule_id__in=reference_ids, code__in=codes)
        ).values_list("schedule_id", "code", "modifier", "method", "rate", "percent")
        for schedule_id, code, modifier, method, rate, percent in rows:
            self.rates[schedule_id].append(ContractRate(code, modifier, PricingMethod(method), rate, percent))

    def prices(self, day: dt.date | None) -> ReferencePrices:
        medicare = _in_force(self.references.get(ScheduleKind.MEDICARE_FEE, []), day)
        asp = _in_force(self.references.get(ScheduleKind.ASP, []), day)
        key = (medicare, asp)
        if key not in self._prices:
            self._prices[key] = ReferencePrices(
                medicare_fee={
                    (r.code, r.modifier): r.rate
                    for r in self.rates.get(medicare or 0, [])
                    if r.rate is not None
                },
                asp={r.code: r.rate for r in self.rates.get(asp or 0, []) if r.rate is not None},
            )
        return self._prices[key]

    def price(self, line: _Line) -> tuple[Expected | None, int | None]:
        schedule = _in_force(self.contracts.get(line.payer_id, []), line.service_date)
        if schedule is None:
            return None, None
        found = expected_amount(line.priced, self.rates.get(schedule, []), self.prices(line.service_date))
        return found, schedule


@dataclass(frozen=True, slots=True)
class _Priced:
    expected: Expected
    schedule_id: int
    schedule_name: str


def _priced(claim_payment_ids: Iterable[int]) -> tuple[list[_Line], dict[int, _Priced]]:
    """The lines of these claim payments and, for those a contract covers, its answer."""
    if not FeeSchedule.objects.filter(kind=ScheduleKind.CONTRACT).exists():
        return [], {}  # no contract on file at all: one query, the lines are never loaded
    lines = _lines(sorted(set(claim_payment_ids)))
    if not lines:
        return lines, {}
    book = _Book(lines)
    out: dict[int, _Priced] = {}
    for line in lines:
        found, schedule = book.price(line)
        if found is not None and schedule is not None:
            out[line.pk] = _Priced(found, schedule, book.names.get(schedule, ""))
    return lines, out


def _write(items: Sequence[tuple[int, Decimal | None, str, int]]) -> None:
    """(line payment id, expected, basis, schedule id): one UPDATE ... FROM (VALUES ...) per few
    thousand lines on PostgreSQL (bulk_update elsewhere)."""
    if not items:
        return
    if connection.vendor != "postgresql":
        LinePayment.objects.bulk_update(
            [LinePayment(pk=pk, expected=a, expected_basis=b, fee_schedule_id=s) for pk, a, b, s in items],
            ["expected", "expected_basis", "fee_schedule"],
        )
        return
    table = LinePayment._meta.db_table
    for start in range(0, len(items), CHUNK):
        part = items[start : start + CHUNK]
        values = ", ".join(["(%s, %s::numeric, %s, %s)"] * len(part))
        params = [v for item in part for v in item]
        sql = (
            f"UPDATE {table} AS t SET expected = v.amount, expected_basis = v.basis, "  # noqa: S608  # the table name is the model's
            f"fee_schedule_id = v.schedule FROM (VALUES {values}) AS v(id, amount, basis, schedule) "
            "WHERE t.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def line_payments_price(*, claim_payment_ids: Iterable[int]) -> int:
    """Set `expected`, `expected_basis` and `fee_schedule` on the lines of these claim payments
    from the contract in force on each line's date of service. Returns how many got an amount.
    Called inside the posting transaction; lines no contract covers stay null."""
    _, priced = _priced(claim_payment_ids)
    _write(
        [
            (pk, p.expected.amount, f"{p.schedule_name}: {p.expected.basis}"[:200], p.schedule_id)
            for pk, p in priced.items()
        ]
    )
    return sum(1 for p in priced.values() if p.expected.amount is not None)


# ---------------------------------------------------------------------------
# Underpayment (shared by the preview, the queue and the page of a remittance)
# ---------------------------------------------------------------------------


def underpayment_tolerance() -> tuple[Decimal, Decimal]:
    """(dollars, percent of expected) an admin allows before a line counts as underpaid."""
    policy = PostingPolicy.objects.filter(pk=1).first()
    if policy is None:
        meta = PostingPolicy._meta
        return (
            Decimal(meta.get_field("underpayment_tolerance").default),
            Decimal(meta.get_field("underpayment_tolerance_percent").default),
        )
    return policy.underpayment_tolerance, policy.underpayment_tolerance_percent


def patient_shares(line_ids: Iterable[int]) -> dict[int, Decimal]:
    """PR adjustments per line payment."""
    ids = list(line_ids)
    return dict(
        Adjustment.objects.filter(line_payment_id__in=ids, group="PR")
        .values("line_payment_id")
        .annotate(total=Sum("amount"))
        .values_list("line_payment_id", "total")
    )


@dataclass
class ExpectedTotals:
    """What a claim payment's lines should have brought under the contract, for the preview."""

    expected: Decimal = ZERO
    short: Decimal = ZERO
    underpaid_lines: int = 0
    priced_lines: int = 0


def claim_payments_expected(*, claim_payment_ids: Iterable[int]) -> dict[int, ExpectedTotals]:
    """Per claim payment: the contract's expected amount over its priced lines and how much the
    lines beyond the tolerance fall short, computed now and written nowhere (the preview)."""
    lines, priced = _priced(claim_payment_ids)
    shares = patient_shares(priced)
    tolerance, percent = underpayment_tolerance()
    out: dict[int, ExpectedTotals] = defaultdict(ExpectedTotals)
    for line in lines:
        found = priced.get(line.pk)
        if found is None or found.expected.amount is None:
            continue
        amount = found.expected.amount
        totals = out[line.claim_payment_id]
        totals.expected += amount
        totals.priced_lines += 1
        share = shares.get(line.pk, ZERO)
        if line.paid + share == ZERO:
            continue  # paid nothing: a denial, worked in the denials queue
        short = shortfall(
            expected=amount,
            paid=line.paid,
            patient_responsibility=share,
            tolerance=tolerance,
            percent=percent,
        )
        if short is not None:
            totals.short += short
            totals.underpaid_lines += 1
    return dict(out)
