"""The patient ledger, read from rows that are never edited: the claims' charges, the posted
remittances (`Posting`, `ClaimPayment`), the patient payments and their applications, and the
approved refunds. The rules are pure (payments.domain.ledger); this module loads what they need,
for one patient (the ledger page) or many at once (statement runs, the credit balance list)
with a fixed number of queries.

A *service* is a visit's claim to the first payer (`payer_sequence` P), with the claims that
replaced it (`Claim.replaces`) and the next payers' claims built from it (`Claim.prior_claim`);
its key is the first claim of that family. A crossover payer's own remittance posts on the
primary claim itself: its claim payments count for the forwarded coverage's rank (the
remittance's payer is not the claim's payer).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from claims.models import Claim, ClaimLine
from intake.models import Coverage, Patient
from payments.domain.ledger import AccountBalance, PayerStep, ServiceFacts, account_balance
from payments.domain.patient import RefundStatus
from payments.domain.posting import PaymentStatus, PostingCategory
from payments.models import ClaimPayment, Posting
from payments.models_patient import PatientPayment, PatientRefund, PaymentApplication

ZERO = Decimal("0.00")
_RANKS = {"primary": 1, "secondary": 2, "tertiary": 3}
_SEQUENCE = {"P": 1, "S": 2, "T": 3}
# Claims whose charges are on the ledger: billed to the payer (a draft can still change).
BILLED = ("submitted", "accepted", "paid", "partially_paid", "denied", "appealed", "closed", "replaced")
_FORWARDED = {"19", "20", "21"}


@dataclass
class ServiceInfo:
    """What pages and statements show of a service beside its figures."""

    key: int
    claim_public_id: str  # the current first-payer claim (its page)
    claim_number: str
    date_from: dt.date
    date_to: dt.date
    codes: list[str] = field(default_factory=list)
    payer_names: list[str] = field(default_factory=list)


@dataclass
class Account:
    """One patient's balance and the services behind it."""

    patient_id: int
    balance: AccountBalance
    info: dict[int, ServiceInfo]
    facts: dict[int, ServiceFacts]


def _root(claim_id: int, parent: dict[int, int | None]) -> int:
    seen = set()
    while parent.get(claim_id) and claim_id not in seen:
        seen.add(claim_id)
        claim_id = parent[claim_id]  # type: ignore[assignment]  # checked just above
    return claim_id


def accounts(patient_ids: Iterable[int]) -> dict[int, Account]:
    """The accounts of these patients (every one, even with nothing on it)."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    claims = {
        row["pk"]: row
        for row in Claim.objects.filter(patient_id__in=ids)
        .exclude(status="void")
        .values(
            "pk",
            "public_id",
            "claim_number",
            "patient_id",
            "payer_id",
            "payer__name",
            "payer_sequence",
            "prior_claim_id",
            "replaces_id",
            "forwarded_to",
            "forwarded_coverage__rank",
            "forwarded_coverage__payer_id",
            "forwarded_coverage__payer__name",
            "service_date_from",
            "service_date_to",
            "total_charge",
            "status",
        )
    }
    # the family of each claim: replacements and next-payer claims lead back to the first claim
    parent: dict[int, int | None] = {
        pk: (row["replaces_id"] or row["prior_claim_id"]) for pk, row in claims.items()
    }
    key_of = {pk: _root(pk, parent) for pk in claims}
    members: dict[int, list[int]] = defaultdict(list)
    for pk, key in key_of.items():
        members[key].append(pk)
    # the current first-payer claim of a family: the latest billed, not replaced
    current: dict[int, int] = {}
    for key, pks in members.items():
        firsts = [p for p in pks if claims[p]["payer_sequence"] == "P" and claims[p]["status"] in BILLED]
        live = [p for p in firsts if claims[p]["status"] != "replaced"] or firsts
        if live:
            current[key] = max(live)
    claim_ids = list(claims)
    lines: dict[int, list[str]] = defaultdict(list)
    for claim_id, code, mods in (
        ClaimLine.objects.filter(claim_id__in=list(current.values()))
        .order_by("claim_id", "line_number")
        .values_list("claim_id", "code", "modifiers")
    ):
        lines[claim_id].append(code + ("-" + "-".join(mods) if mods else ""))
    # posted claim payments and what they posted
    payments = {
        row["pk"]: row
        for row in ClaimPayment.objects.filter(claim_id__in=claim_ids, status=PaymentStatus.POSTED).values(
            "pk",
            "claim_id",
            "is_reversal",
            "reversal_of_id",
            "claim_status_code",
            "crossover_carrier",
            "remittance__payer_id",
            "remittance__payer_name",
            "remittance__payment_date",
        )
    }
    reversed_ids = {
        p["reversal_of_id"] for p in payments.values() if p["is_reversal"] and p["reversal_of_id"]
    }
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for cp_id, category, total in (
        Posting.objects.filter(claim_payment_id__in=list(payments))
        .values("claim_payment_id", "category")
        .annotate(total=Sum("amount"))
        .values_list("claim_payment_id", "category", "total")
    ):
        sums[cp_id][category] = total
    reasons: dict[int, set[str]] = defaultdict(set)
    for cp_id, group, reason in (
        Posting.objects.filter(claim_payment_id__in=list(payments), category=PostingCategory.ADJUSTMENT)
        .exclude(reason="23")
        .values_list("claim_payment_id", "group", "reason")
        .distinct()
    ):
        reasons[cp_id].add(f"{group}-{reason}")
    coverages: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cov in Coverage.objects.filter(patient_id__in=ids).values(
        "patient_id", "rank", "effective_date", "end_date"
    ):
        coverages[cov["patient_id"]].append(dict(cov))
    applied: dict[int, Decimal] = dict(
        PaymentApplication.objects.filter(claim_id__in=list(members))
        .values("claim_id")
        .annotate(total=Sum("amount"))
        .values_list("claim_id", "total")
    )
    paid_by_patient = dict(
        PatientPayment.objects.filter(patient_id__in=ids)
        .values("patient_id")
        .annotate(total=Sum("amount"))
        .values_list("patient_id", "total")
    )
    refunded = dict(
        PatientRefund.objects.filter(patient_id__in=ids, status=RefundStatus.APPROVED)
        .values("patient_id")
        .annotate(total=Sum("amount"))
        .values_list("patient_id", "total")
    )
    # steps per family and rank
    by_claim_payments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cp_row in payments.values():
        by_claim_payments[cp_row["claim_id"]].append(dict(cp_row))
    facts_by_patient: dict[int, dict[int, ServiceFacts]] = defaultdict(dict)
    info_by_patient: dict[int, dict[int, ServiceInfo]] = defaultdict(dict)
    for key, pks in members.items():
        head = current.get(key)
        if head is None:
            continue  # never billed to the first payer: not on the ledger yet
        first = claims[head]
        steps: dict[int, dict] = {}
        for pk in pks:
            claim = claims[pk]
            rank = _SEQUENCE.get(claim["payer_sequence"], 1)
            step = steps.setdefault(
                rank,
                {
                    "name": claim["payer__name"],
                    "adjudicated": False,
                    "paid": ZERO,
                    "pr": ZERO,
                    "on": None,
                    "forwarded": "",
                    "reasons": set(),
                },
            )
            if claim["payer_sequence"] == "P" and claim["status"] not in BILLED:
                continue
            for cp in by_claim_payments.get(pk, []):
                cp_rank = rank
                if (
                    claim["forwarded_coverage__payer_id"]
                    and cp["remittance__payer_id"]
                    and cp["remittance__payer_id"] != claim["payer_id"]
                ):
                    # the crossover payer's own remittance on the forwarded claim
                    cp_rank = _RANKS.get(claim["forwarded_coverage__rank"], rank + 1)
                    steps.setdefault(
                        cp_rank,
                        {
                            "name": claim["forwarded_coverage__payer__name"],
                            "adjudicated": False,
                            "paid": ZERO,
                            "pr": ZERO,
                            "on": None,
                            "forwarded": "",
                            "reasons": set(),
                        },
                    )
                target = steps[cp_rank]
                money = sums.get(cp["pk"], {})
                target["paid"] += money.get(PostingCategory.PAID, ZERO)
                target["pr"] += money.get(PostingCategory.PATIENT, ZERO)
                target["reasons"] |= reasons.get(cp["pk"], set())
                standing = (
                    not cp["is_reversal"] and cp["pk"] not in reversed_ids and cp["claim_status_code"] != "25"
                )
                if standing:
                    target["adjudicated"] = True
                    day = cp["remittance__payment_date"]
                    target["on"] = max(filter(None, [target["on"], day]), default=None)
                    if cp["claim_status_code"] in _FORWARDED:
                        target["forwarded"] = (
                            cp["crossover_carrier"] or claim["forwarded_to"] or "the next payer"
                        )
            if claim["forwarded_to"] and not steps[rank]["forwarded"]:
                steps[rank]["forwarded"] = claim["forwarded_to"]
        # a crossover whose payer has answered is no longer waiting on the forward
        for rank, step in steps.items():
            if step["forwarded"] and any(r > rank and s["adjudicated"] for r, s in steps.items()):
                step["forwarded"] = ""
        patient_id = first["patient_id"]
        dos = first["service_date_from"]
        in_force = tuple(
            sorted(
                {
                    _RANKS[c["rank"]]
                    for c in coverages.get(patient_id, [])
                    if c["effective_date"] <= dos and (c["end_date"] is None or dos <= c["end_date"])
                }
            )
        )
        codes = lines.get(head, [])
        facts_by_patient[patient_id][key] = ServiceFacts(
            key=key,
            date_of_service=dos,
            description=", ".join(codes),
            charge=first["total_charge"],
            steps=tuple(
                PayerStep(
                    rank=rank,
                    payer_name=s["name"],
                    adjudicated=s["adjudicated"],
                    paid=s["paid"],
                    patient_responsibility=s["pr"],
                    adjudicated_on=s["on"],
                    forwarded_to=s["forwarded"],
                    reasons=tuple(sorted(s["reasons"])),
                )
                for rank, s in sorted(steps.items())
            ),
            ranks_in_force=in_force,
            patient_applied=applied.get(key, ZERO),
        )
        info_by_patient[patient_id][key] = ServiceInfo(
            key=key,
            claim_public_id=str(first["public_id"]),
            claim_number=first["claim_number"],
            date_from=dos,
            date_to=first["service_date_to"],
            codes=codes,
            payer_names=[s["name"] for _, s in sorted(steps.items())],
        )
    out = {}
    for patient_id in ids:
        facts = facts_by_patient.get(patient_id, {})
        out[patient_id] = Account(
            patient_id=patient_id,
            balance=account_balance(
                list(facts.values()),
                payments_total=paid_by_patient.get(patient_id, ZERO),
                refunds_total=refunded.get(patient_id, ZERO),
            ),
            info=info_by_patient.get(patient_id, {}),
            facts=facts,
        )
    return out


def account(patient: Patient) -> Account:
    return accounts([patient.pk])[patient.pk]


@dataclass(frozen=True)
class Activity:
    """One line of the ledger's history, oldest first, with the balance after it."""

    on: dt.date
    kind: str  # charge, insurance payment, adjustment, patient payment, refund
    text: str
    amount: Decimal  # what it adds to the balance (a payment is negative)
    balance: Decimal = ZERO


def activity(patient: Patient, acct: Account | None = None) -> list[Activity]:
    """The ledger's history: charges, each payer's payment and adjustment per service, patient
    payments, approved refunds; with the running balance (its last line is the balance)."""
    acct = acct or account(patient)
    rows: list[Activity] = []
    for service in acct.balance.services:
        info = acct.info[service.key]
        label = f"visit of {info.date_from:%m/%d/%Y} ({', '.join(info.codes)})"
        rows.append(Activity(service.date_of_service, "charge", f"Charge: {label}", service.charge))
        for payer in service.payers:
            if not payer.adjudicated:
                continue
            on = payer.adjudicated_on or service.date_of_service
            if payer.paid:
                rows.append(
                    Activity(on, "insurance payment", f"{payer.payer_name} paid, {label}", -payer.paid)
                )
            if payer.adjusted:
                why = f" ({', '.join(payer.reasons)})" if payer.reasons else ""
                rows.append(
                    Activity(
                        on, "adjustment", f"{payer.payer_name} adjustment{why}, {label}", -payer.adjusted
                    )
                )
    for payment in PatientPayment.objects.filter(patient=patient).order_by("received_on", "pk"):
        rows.append(
            Activity(
                payment.received_on,
                "patient payment",
                f"Patient payment {payment.receipt_number} ({payment.get_method_display().lower()})",
                -payment.amount,
            )
        )
    for refund in PatientRefund.objects.filter(patient=patient, status=RefundStatus.APPROVED).order_by("pk"):
        on = refund.decided_at.date() if refund.decided_at else refund.created_at.date()
        rows.append(Activity(on, "refund", f"Refund of credit balance: {refund.reason}", refund.amount))
    order = {"charge": 0, "insurance payment": 1, "adjustment": 2, "patient payment": 3, "refund": 4}
    rows.sort(key=lambda r: (r.on, order[r.kind]))
    running = ZERO
    out = []
    for row in rows:
        running += row.amount
        out.append(Activity(row.on, row.kind, row.text, row.amount, running))
    return out
