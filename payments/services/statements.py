"""Patient statements: one for a patient on demand, or a run over every patient who should get
one (PATIENT-STM1), each with its dunning level (PATIENT-STM2) and aging (PATIENT-STM3).

A statement is made once and kept: `content` is the snapshot of every figure printed (the
practice, the patient, each service with what insurance paid and what the patient owes, the
aging, the plan, how to pay) and `pdf` the document rendered from it, so a reprint is the same
paper the patient received, whatever was posted since. Insurance-pending services are listed
apart and never counted in the amount due.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coding.models import CodeSetEntry, Drug
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.pdf import render_html, render_pdf
from intake.models import BillingProvider, Patient
from payments.domain.ledger import ServiceState
from payments.domain.patient import PlanStatus
from payments.domain.statement import (
    AGING_BUCKETS,
    AGING_LABELS,
    Candidate,
    DunningLevel,
    Instalment,
    Skip,
    aging,
    dunning_level,
    oldest_days,
    plan_status,
    statement_selection,
)
from payments.models_patient import PaymentPlan, Statement, StatementRun, StatementSettings
from payments.services.patient_ledger import BILLED as BILLED_STATUSES
from payments.services.patient_ledger import Account, accounts
from payments.services.patient_payments import suppressed_patient_ids

logger = logging.getLogger(__name__)
TEMPLATE = "pdf/patient_statement.html"
ZERO = Decimal("0.00")
DEFAULT_MINIMUM = Decimal("5.00")
DEFAULT_INTERVAL_DAYS = 28
DEFAULT_DUE_DAYS = 21


@dataclass(frozen=True)
class Settings:
    phone: str
    payable_to: str
    how_to_pay: str
    minimum: Decimal
    interval_days: int
    due_in_days: int


def settings_for(provider: BillingProvider) -> Settings:
    row = StatementSettings.objects.filter(billing_provider=provider).first()
    if row is None:
        return Settings("", provider.name, "", DEFAULT_MINIMUM, DEFAULT_INTERVAL_DAYS, DEFAULT_DUE_DAYS)
    return Settings(
        row.billing_phone,
        row.payable_to or provider.name,
        row.how_to_pay,
        row.minimum_balance,
        row.interval_days,
        row.due_in_days,
    )


def _describe(codes: list[str], as_of: dt.date) -> list[str]:
    """Each code with words a patient can read (drug catalog, code set)."""
    bare = {c.split("-")[0] for c in codes}
    words = dict(Drug.objects.filter(hcpcs__in=bare).values_list("hcpcs", "description"))
    for code, text in (
        CodeSetEntry.objects.filter(code__in=bare, effective_from__lte=as_of)
        .order_by("code", "effective_from")
        .values_list("code", "description")
    ):
        words.setdefault(code, text)
    return [f"{c} {words.get(c.split('-')[0], '')}".strip() for c in codes]


def _lines(place) -> list[str]:
    """An address as printed: the blank second line left out."""
    last = f"{place.city}, {place.state} {place.zip_code[:5]}"
    return [line for line in (place.address_line1, place.address_line2, last) if line]


def _s(value: Decimal) -> str:
    return f"{value:.2f}"


def _statements_sent(patient: Patient, since: dt.date | None) -> int:
    if since is None:
        return 0
    return Statement.objects.filter(patient=patient, statement_date__gte=since, amount_due__gt=0).count()


def statement_content(patient: Patient, acct: Account, *, as_of: dt.date) -> dict:
    """Every figure the statement prints, as JSON (amounts as strings)."""
    provider = patient.billing_provider
    conf = settings_for(provider)
    balance = acct.balance
    due_items = [(s.due_since, s.patient_due) for s in balance.services if s.patient_due > ZERO]
    since = min((d for d, _ in due_items if d), default=None)
    level = dunning_level(
        oldest_due_days=oldest_days(due_items, as_of), statements_sent=_statements_sent(patient, since)
    )
    buckets = aging(due_items, as_of)
    services: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for s in balance.services:
        info = acct.info[s.key]
        row: dict[str, Any] = {
            "date": info.date_from.isoformat(),
            "date_to": info.date_to.isoformat(),
            "claim_number": info.claim_number,
            "lines": _describe(info.codes, as_of),
            "charge": _s(s.charge),
            "insurance_paid": _s(s.insurance_paid),
            "adjusted": _s(s.adjusted),
            "patient_paid": _s(s.patient_paid),
            "you_owe": _s(s.patient_due),
            "pending": _s(s.insurance_pending),
            "waiting_on": s.waiting_on,
            "payers": [
                {"name": p.payer_name, "paid": _s(p.paid), "adjudicated": p.adjudicated} for p in s.payers
            ],
        }
        if s.state is ServiceState.INSURANCE_PENDING:
            pending.append(row)
        elif s.patient_due > ZERO or s.patient_paid > ZERO:
            services.append(row)
    plan = (
        PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .prefetch_related("instalments")
        .first()
    )
    plan_block = None
    # money on account (a copay taken early) comes off what is asked for
    amount_due = balance.patient_due - min(max(balance.unapplied, ZERO), balance.patient_due)
    if plan is not None:
        paid = sum((p.amount for p in plan.payments.all()), ZERO)
        states = plan_status(
            [Instalment(i.sequence, i.due_on, i.amount) for i in plan.instalments.all()], paid, as_of
        )
        horizon = as_of + dt.timedelta(days=conf.due_in_days)
        owed_now = sum(
            (
                st.instalment.amount - st.paid
                for st in states
                if st.status != "paid" and st.instalment.due_on <= horizon
            ),
            ZERO,
        )
        plan_block = {
            "total": _s(plan.total),
            "paid": _s(paid),
            "instalments": [
                {
                    "n": st.instalment.sequence,
                    "due_on": st.instalment.due_on.isoformat(),
                    "amount": _s(st.instalment.amount),
                    "status": st.status,
                }
                for st in states
            ],
            "due_now": _s(min(owed_now, amount_due)),
        }
        amount_due = min(owed_now, amount_due)
    due_date = as_of + dt.timedelta(days=conf.due_in_days)
    return {
        "statement_date": as_of.isoformat(),
        "due_date": due_date.isoformat(),
        "practice": {
            "name": provider.name,
            "address": _lines(provider),
            "phone": conf.phone,
            "npi": provider.npi,
            "payable_to": conf.payable_to,
            "how_to_pay": conf.how_to_pay,
        },
        "patient": {
            "name": f"{patient.first_name} {patient.last_name}",
            "account": patient.mrn,
            "guarantor": patient.guarantor_name,
            "address": _lines(patient),
        },
        "dunning": {"level": int(level), "label": level.label, "message": level.message},
        "services": services,
        "pending": pending,
        "totals": {
            "charges": _s(sum((Decimal(r["charge"]) for r in services), ZERO)),
            "insurance_paid": _s(sum((Decimal(r["insurance_paid"]) for r in services), ZERO)),
            "adjusted": _s(sum((Decimal(r["adjusted"]) for r in services), ZERO)),
            "patient_paid": _s(sum((Decimal(r["patient_paid"]) for r in services), ZERO)),
            "patient_due": _s(balance.patient_due),
            "insurance_pending": _s(balance.insurance_pending),
            "credit": _s(balance.unapplied if balance.unapplied > ZERO else ZERO),
            "amount_due": _s(max(amount_due, ZERO)),
        },
        "aging": [{"bucket": AGING_LABELS[b], "amount": _s(buckets[b])} for b in AGING_BUCKETS],
        "plan": plan_block,
    }


def statement_render(content: dict, *, number: str) -> bytes:
    return render_pdf(TEMPLATE, {"s": content, "number": number})


def statement_html(content: dict, *, number: str) -> str:
    return render_html(TEMPLATE, {"s": content, "number": number})


def _create(patient: Patient, acct: Account, *, as_of: dt.date, run: StatementRun | None, actor) -> Statement:
    content = statement_content(patient, acct, as_of=as_of)
    totals = content["totals"]
    statement = Statement(
        run=run,
        patient=patient,
        statement_date=as_of,
        due_date=dt.date.fromisoformat(content["due_date"]),
        amount_due=Decimal(totals["amount_due"]),
        patient_due=Decimal(totals["patient_due"]),
        insurance_pending=Decimal(totals["insurance_pending"]),
        credit=Decimal(totals["credit"]),
        dunning_level=content["dunning"]["level"],
        content=content,
        pdf=b"",
        pdf_sha256="",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # the number printed is the row's id: take it from the sequence before rendering
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Statement._meta.db_table])
        statement.pk = cursor.fetchone()[0]
    pdf = statement_render(content, number=statement.number)
    statement.pdf = pdf
    statement.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    # _Immutable refuses a save with a pk: insert explicitly
    statement.save_base(force_insert=True)  # post_save audits it (PatientDataModel)
    return statement


def statement_create(*, patient: Patient, actor, as_of: dt.date | None = None) -> Statement:
    """One statement now, for a patient who owes (a biller's reprint of the account, outside a run)."""
    day = as_of or timezone.localdate()
    with transaction.atomic():
        locked = (
            Patient.objects.select_for_update(no_key=True)
            .select_related("billing_provider")
            .get(pk=patient.pk)
        )
        acct = accounts([locked.pk])[locked.pk]
        if acct.balance.patient_due <= ZERO:
            raise InvalidInputError("This patient owes nothing now: there is nothing to put on a statement.")
        return _create(locked, acct, as_of=day, run=None, actor=actor)


@dataclass
class RunResult:
    run: StatementRun
    statements: list[Statement] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def statement_run(
    *,
    actor,
    as_of: dt.date | None = None,
    minimum: Decimal | None = None,
    interval_days: int | None = None,
    patient_ids=None,
) -> RunResult:
    """PATIENT-STM1 over every patient (or the ones given): a statement for each who owes at
    least `minimum`, had none in `interval_days`, and is not suppressed. Defaults come from the
    first billing provider's statement settings."""
    day = as_of or timezone.localdate()
    if minimum is not None and minimum < ZERO:
        raise InvalidInputError("The minimum balance cannot be negative.")
    if interval_days is not None and interval_days < 0:
        raise InvalidInputError("The days between statements cannot be negative.")
    conf = run_defaults()
    minimum = conf.minimum if minimum is None else minimum
    interval = conf.interval_days if interval_days is None else interval_days
    with transaction.atomic():
        run = StatementRun.objects.create(
            run_on=day,
            minimum_balance=minimum,
            interval_days=interval,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        ids = (
            list(patient_ids)
            if patient_ids is not None
            else list(Patient.objects.values_list("pk", flat=True))
        )
        result = RunResult(run, skipped={s.value: 0 for s in Skip})
        suppressed = suppressed_patient_ids(ids, day)
        last = dict(
            Statement.objects.filter(patient_id__in=ids)
            .values("patient_id")
            .annotate(last=Max("statement_date"))
            .values_list("patient_id", "last")
        )
        chunk = 500
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            accts = accounts(part)
            chosen = []
            for pid in part:
                skip = statement_selection(
                    Candidate(pid, accts[pid].balance.patient_due, last.get(pid), pid in suppressed),
                    minimum=minimum,
                    interval_days=interval,
                    as_of=day,
                )
                if skip is None:
                    chosen.append(pid)
                else:
                    result.skipped[skip.value] += 1
            patients = (
                Patient.objects.select_for_update(no_key=True)
                .select_related("billing_provider")
                .in_bulk(chosen)
            )
            for pid in chosen:
                result.statements.append(_create(patients[pid], accts[pid], as_of=day, run=run, actor=actor))
        run.statement_count = len(result.statements)
        run.total_due = sum((s.amount_due for s in result.statements), ZERO)
        run.skipped = result.skipped
        run.save()
    logger.info("statement run %s: %d statements", run.public_id, run.statement_count)
    return result


def run_defaults() -> Settings:
    """The run's minimum and days when not given: the first billing provider's settings."""
    provider = BillingProvider.objects.order_by("pk").first()
    if provider is None:
        return Settings("", "", "", DEFAULT_MINIMUM, DEFAULT_INTERVAL_DAYS, DEFAULT_DUE_DAYS)
    return settings_for(provider)


__all__ = ["BILLED_STATUSES", "RunResult", "run_defaults", "statement_create", "statement_run"]


def dunning_label(level: int) -> str:
    return DunningLevel(level).label
