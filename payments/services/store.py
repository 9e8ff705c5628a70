"""Storing read remittances as rows, set-based, with their matches (claims, lines, payers).

Called inside the parse transaction (`receive`). A file of 10,000 claims is stored with a few
queries per table: every claim number is looked up at once, every claim line of the matched
claims at once, and each table is written with one bulk insert per few thousand rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from claims.models import Claim, ClaimLine
from intake.models import Payer
from payments.domain.posting import (
    Adj,
    ClaimMatch,
    LineMatch,
    OurLine,
    PaidLine,
    PaymentStatus,
    match_lines,
    paid_line_of,
)
from payments.domain.remittance import ClaimPayment as PaidClaimPayment
from payments.domain.remittance import Remittance as ReadRemittance
from payments.models import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    RemittanceFile,
)
from payments.services.bulk import insert_rows, insert_rows_returning_ids, one_array
from payments.services.posting import _Payment, _Row

CHUNK = 5000
PAYMENT_FIELDS = [
    "public_id",
    "remittance_id",
    "sequence",
    "claim_id",
    "match_method",
    "status",
    "payer_identifier",
    "trace_number",
    "patient_control_number",
    "claim_status_code",
    "is_reversal",
    "payer_claim_number",
    "charge",
    "paid",
    "patient_responsibility",
    "filing_indicator",
    "facility_code",
    "frequency_code",
    "patient_last_name",
    "patient_first_name",
    "member_id",
    "crossover_carrier",
    "corrected_payer",
    "original_reference",
    "service_date_from",
    "service_date_to",
    "note",
    "claim_status_result",
]
LINE_FIELDS = [
    "claim_payment_id",
    "sequence",
    "claim_line_id",
    "match_method",
    "line_control_number",
    "procedure_qualifier",
    "procedure_code",
    "modifiers",
    "original_procedure_code",
    "original_modifiers",
    "revenue_code",
    "units_paid",
    "original_units",
    "service_date_from",
    "service_date_to",
    "charge",
    "paid",
    "allowed",
]
ZERO = Decimal("0.00")
PENDING = PaymentStatus.PENDING.value
# In the loops over every claim, line and adjustment an enum's value is read as `_value_` (the
# member's own attribute) rather than `.value` (a property call each time: a third of a million
# of them for a 10,000-claim file).


@dataclass
class Totals:
    remittances: int = 0
    claims: int = 0
    paid: Decimal = ZERO
    claims_paid: Decimal = ZERO
    provider_adjustments: Decimal = ZERO
    # The pending claim payments just stored, as posting reads them back (`posting._load`), so a
    # worker that reads and posts a file need not reread what it wrote.
    pending: list[_Row] = field(default_factory=list)


CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def _cents(amount: Decimal) -> Decimal:
    """A money amount as the database gives it back (numeric(12, 2))."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def _paid_line(values: tuple, adjustments: list[Adj]) -> PaidLine:
    """The PaidLine `posting._load` builds from a stored LinePayment row (LINE_FIELDS order)."""
    (_, _, _, _, control, _, code, modifiers, original_code, original_modifiers, _, units, original_units,
     start, end, _, paid, _) = values  # fmt: skip
    units = original_units if original_units is not None else units
    return PaidLine(
        control_number=control,
        code=original_code or code,
        modifiers=tuple(original_modifiers if original_code else modifiers),
        units=units.quantize(MILLI, ROUND_HALF_UP),
        date_from=start,
        date_to=end,
        paid=_cents(paid),
        adjustments=tuple(adjustments),
    )


def _stored_payment(pk: int, row: tuple) -> _Payment:
    """The _Payment `posting._payments` reads back for a stored ClaimPayment row (PAYMENT_FIELDS)."""
    return _Payment(
        pk=pk,
        public_id=row[0],
        remittance_id=row[1],
        sequence=row[2],
        claim_id=row[3],
        claim_status_code=row[9],
        is_reversal=row[10],
        payer_claim_number=row[11],
        charge=_cents(row[12]),
        paid=_cents(row[13]),
        crossover_carrier=row[21],
        status=row[5],
        patient_control_number=row[8],
    )


def _chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def claims_by_number(numbers: Iterable[str]) -> dict[str, int]:
    """Our claim id for each patient control number (CLM01) we issued."""
    wanted = sorted(set(numbers))
    found: dict[str, int] = {}
    for part in _chunks(wanted):
        found.update(
            Claim.objects.filter(claim_number__in=one_array(part, "text")).values_list("claim_number", "pk")
        )
    return found


def claims_by_payer_number(numbers: Iterable[str]) -> dict[str, int]:
    """Our claim id for each payer claim number (from the 277CA or an earlier 835) we hold."""
    wanted = sorted({n for n in numbers if n})
    found: dict[str, int] = {}
    for part in _chunks(wanted):
        for number, pk in Claim.objects.filter(payer_claim_number__in=one_array(part, "text")).values_list(
            "payer_claim_number", "pk"
        ):
            found.setdefault(number, pk)
    return found


_OUR_LINES_SQL = (
    "SELECT claim_id, id, line_control_number, code, "
    "CASE WHEN jsonb_typeof(modifiers) = 'array' "
    "THEN ARRAY(SELECT jsonb_array_elements_text(modifiers)) ELSE '{{}}'::text[] END, "
    "units, service_date_from, service_date_to FROM {table} "
    "WHERE claim_id = ANY(%s::bigint[]) ORDER BY claim_id, line_number"
)


def our_lines(claim_ids: Iterable[int]) -> dict[int, list[OurLine]]:
    """The matching view of every line of these claims, in line order. On PostgreSQL one query
    per few thousand claims with the modifiers as a text array (not a JSON value decoded per line)."""
    lines: dict[int, list[OurLine]] = defaultdict(list)
    for part in _chunks(sorted(set(claim_ids))):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_OUR_LINES_SQL.format(table=ClaimLine._meta.db_table), [list(part)])
                rows = cursor.fetchall()
        else:
            rows = (
                ClaimLine.objects.filter(claim_id__in=part)
                .order_by("claim_id", "line_number")
                .values_list(
                    "claim_id",
                    "pk",
                    "line_control_number",
                    "code",
                    "modifiers",
                    "units",
                    "service_date_from",
                    "service_date_to",
                )
            )
        for claim_id, pk, control, code, modifiers, units, start, end in rows:
            lines[claim_id].append(OurLine(pk, control, code, tuple(modifiers or ()), units, start, end))
    return lines


def _key(payer: str, trace: str, claim: PaidClaimPayment) -> tuple[str, str, str, str, bool]:
    return (
        payer,
        trace,
        claim.patient_control_number,
        claim.payer_claim_control_number or "",
        claim.status._value_ == "22",
    )


def _known_keys(keys: set[tuple[str, str, str, str, bool]]) -> set[tuple[str, str, str, str, bool]]:
    """Which of these claim payments are already stored (outside `duplicate`), in any file."""
    known: set[tuple[str, str, str, str, bool]] = set()
    for payer, trace in {(k[0], k[1]) for k in keys}:
        rows = (
            ClaimPayment.objects.filter(payer_identifier=payer, trace_number=trace)
            .exclude(status=PaymentStatus.DUPLICATE)
            .values_list("patient_control_number", "payer_claim_number", "is_reversal")
        )
        known.update((payer, trace, pcn, icn, rev) for pcn, icn, rev in rows)
    return known & keys


def _party_names(claim: PaidClaimPayment) -> tuple[str, str, str]:
    party = claim.patient or claim.insured
    if party is None:
        return "", "", ""
    return (party.last_name or "")[:60], (party.first_name or "")[:35], (party.identifier or "")[:80]


def store_remittances(file: RemittanceFile, remittances: Sequence[ReadRemittance]) -> Totals:
    """Write the rows of `remittances` under `file`; return the file's totals."""
    totals = Totals(remittances=len(remittances))
    payers = dict(
        Payer.objects.filter(payer_id__in={r.payer_id for r in remittances}).values_list("payer_id", "pk")
    )
    rem_rows = []
    for sequence, rem in enumerate(remittances, start=1):
        totals.paid += rem.payment.amount
        totals.provider_adjustments += rem.provider_adjustment_total
        rem_rows.append(
            Remittance(
                file=file,
                sequence=sequence,
                payer_id=payers.get(rem.payer_id),
                payer_identifier=rem.payer_id[:80],
                payer_name=rem.payer.name[:60],
                payee_name=rem.payee.name[:60],
                payee_npi=(rem.payee.npi or "")[:10],
                payee_tin=(rem.payee.tin or "")[:20],
                transaction_control=rem.transaction_control,
                trace_number=rem.trace.trace_number[:50],
                trace_originator=(rem.trace.originating_company_id or "")[:10],
                handling_code=rem.payment.handling.value,
                credit_debit=rem.payment.credit_debit.value,
                payment_method=rem.payment.method.value,
                payment_amount=rem.payment.amount,
                payment_date=rem.payment.effective_date,
                production_date=rem.production_date,
                claim_count=len(rem.claims),
                provider_adjustment_total=rem.provider_adjustment_total,
            )
        )
    Remittance.objects.bulk_create(rem_rows)

    every = [
        (rem_row, rem, claim)
        for rem_row, rem in zip(rem_rows, remittances, strict=True)
        for claim in rem.claims
    ]
    by_number = claims_by_number(c.patient_control_number for _, _, c in every)
    by_payer_number = claims_by_payer_number(
        c.payer_claim_control_number or "" for _, _, c in every if c.patient_control_number not in by_number
    )
    keys = {_key(row.payer_identifier, row.trace_number, c) for row, _, c in every}
    seen = _known_keys(keys)
    lines_of = our_lines([*by_number.values(), *by_payer_number.values()])

    payment_rows: list[tuple] = []
    matches: list[list[tuple[int | None, LineMatch]]] = []
    for sequence, (rem_row, _rem, claim) in enumerate(every, start=1):
        totals.claims += 1
        totals.claims_paid += claim.paid
        claim_id = by_number.get(claim.patient_control_number)
        method: ClaimMatch = ClaimMatch.CLAIM_NUMBER
        if claim_id is None and claim.payer_claim_control_number:
            claim_id = by_payer_number.get(claim.payer_claim_control_number)
            method = ClaimMatch.PAYER_CLAIM_NUMBER
        key = _key(rem_row.payer_identifier, rem_row.trace_number, claim)
        note = ""
        if key in seen:
            status = PaymentStatus.DUPLICATE
            note = (
                "The same claim payment (payer, trace number, claim, payer claim number) was received before."
            )
        elif claim_id is None:
            status = PaymentStatus.UNMATCHED
            note = "No claim of ours has this patient control number or payer claim number."
        else:
            status = PaymentStatus.PENDING
        seen.add(key)
        last, first, member = _party_names(claim)
        dates = [
            d for line in claim.lines for d in (line.service_date, line.service_from, line.service_to) if d
        ]
        carrier = claim.crossover_carrier
        corrected = claim.corrected_priority_payer
        payment_rows.append(
            (
                uuid.uuid4(),
                rem_row.pk,
                sequence,
                claim_id,
                (method if claim_id else ClaimMatch.NONE)._value_,
                status._value_,
                rem_row.payer_identifier,
                rem_row.trace_number,
                claim.patient_control_number[:38],
                claim.status._value_,
                key[4],
                (claim.payer_claim_control_number or "")[:50],
                claim.charge,
                claim.paid,
                claim.patient_responsibility,
                (claim.filing_indicator or "")[:2],
                (claim.facility_code or "")[:2],
                (claim.frequency_code or "")[:1],
                last,
                first,
                member,
                ((carrier.last_name or carrier.identifier or "") if carrier else "")[:60],
                ((corrected.last_name or "") if corrected else "")[:60],
                (claim.reference("F8") or "")[:50],
                claim.statement_from or (min(dates) if dates else None),
                claim.statement_to or (max(dates) if dates else None),
                note,
                "",
            )
        )
        paid_lines = [paid_line_of(line) for line in claim.lines]
        matches.append(match_lines(paid_lines, lines_of.get(claim_id, [])) if claim_id else [])
    payment_ids = insert_rows_returning_ids(ClaimPayment, PAYMENT_FIELDS, payment_rows)

    line_rows: list[tuple] = []
    for payment_id, (_rem_row, _rem, claim), matched in zip(payment_ids, every, matches, strict=True):
        for number, line in enumerate(claim.lines):
            claim_line_id, line_method = matched[number] if matched else (None, LineMatch.NONE)
            original = line.original_procedure
            line_rows.append(
                (
                    payment_id,
                    number + 1,
                    claim_line_id,
                    line_method._value_,
                    (line.line_control_number or "")[:50],
                    line.procedure.qualifier._value_,
                    line.procedure.code[:48],
                    list(line.procedure.modifiers),
                    (original.code if original else "")[:48],
                    list(original.modifiers) if original else [],
                    (line.revenue_code or "")[:4],
                    line.units_paid,
                    line.original_units,
                    line.service_date or line.service_from,
                    line.service_to or line.service_date,
                    line.charge,
                    line.paid,
                    line.allowed,
                )
            )
    line_ids = iter(insert_rows_returning_ids(LinePayment, LINE_FIELDS, line_rows))
    line_values = iter(line_rows)
    adjustment_rows: list[tuple] = []
    remark_rows: list[tuple] = []
    for payment_id, payment_row, (_rem_row, _rem, claim) in zip(
        payment_ids, payment_rows, every, strict=True
    ):
        pending = payment_row[5] == PENDING
        claim_adjustments: list[Adj] = []
        for adj in claim.adjustments:
            group = adj.group._value_
            adjustment_rows.append((payment_id, None, group, adj.reason, adj.amount, adj.quantity))
            if pending:
                claim_adjustments.append(Adj(group, adj.reason, _cents(adj.amount)))
        for level, qualifier in ((claim.outpatient, "MOA"), (claim.inpatient, "MIA")):
            for code in level.remark_codes if level else ():
                remark_rows.append((payment_id, None, qualifier, code[:30]))
        posted_lines: list[tuple[int, int | None, PaidLine]] = []
        for line in claim.lines:
            line_id = next(line_ids)
            values = next(line_values)
            line_adjustments: list[Adj] = []
            for adj in line.adjustments:
                group = adj.group._value_
                adjustment_rows.append((payment_id, line_id, group, adj.reason, adj.amount, adj.quantity))
                if pending:
                    line_adjustments.append(Adj(group, adj.reason, _cents(adj.amount)))
            for remark in line.remarks:
                remark_rows.append((payment_id, line_id, remark.qualifier[:3], remark.value[:30]))
            if pending:
                posted_lines.append((line_id, values[2], _paid_line(values, line_adjustments)))
        if pending:
            totals.pending.append(
                _Row(_stored_payment(payment_id, payment_row), posted_lines, claim_adjustments)
            )
    insert_rows(
        Adjustment,
        ["claim_payment_id", "line_payment_id", "group", "reason", "amount", "quantity"],
        adjustment_rows,
    )
    insert_rows(RemarkCode, ["claim_payment_id", "line_payment_id", "qualifier", "code"], remark_rows)
    _store_provider_adjustments(rem_rows, remittances)
    return totals


def _store_provider_adjustments(
    rem_rows: Sequence[Remittance], remittances: Sequence[ReadRemittance]
) -> None:
    items = [
        (rem_row, plb, item)
        for rem_row, rem in zip(rem_rows, remittances, strict=True)
        for plb in rem.provider_adjustments
        for item in plb.items
    ]
    if not items:
        return
    # A recoupment's reference usually names the claim: the payer claim number, sometimes our
    # claim number, sometimes followed by more (e.g. "ICN123 PATIENTACCT"): try the first word.
    words = {(item.reference or "").split(" ")[0] for _, _, item in items} - {""}
    by_number = claims_by_number(words)
    by_payer_number = claims_by_payer_number(words - set(by_number))
    ProviderAdjustment.objects.bulk_create(
        [
            ProviderAdjustment(
                remittance=rem_row,
                sequence=sequence,
                provider_identifier=plb.provider_id[:50],
                fiscal_period_date=plb.fiscal_period_date,
                reason=item.reason.value,
                reference=(item.reference or "")[:50],
                amount=item.amount,
                claim_id=by_number.get(word) or by_payer_number.get(word),
            )
            for sequence, (rem_row, plb, item) in enumerate(items, start=1)
            for word in [(item.reference or "").split(" ")[0]]
        ]
    )
