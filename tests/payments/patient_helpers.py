"""Patients with posted remittances, for the ledger, payment and statement tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from claims.models import Claim, ClaimLine
from payments import services
from tests.claims import factories as f
from tests.payments.helpers import accepted_claim, clp, era

_trace = count(1)
_isa = count(8101)
CENT = Decimal("0.01")


def post(text: str, actor=None):
    file, _ = services.remittance_file_receive(text=text, file_name=f"p{next(_trace)}.835", actor=actor)
    return services.remittance_file_process(file=file, actor=actor)


def medicare(deductible: Decimal, line: int = 0):
    """Medicare pays 80 % of the allowed (62 % of charge) after the deductible on line `line`."""

    def plan(index, charge):
        allowed = (charge * Decimal("0.62")).quantize(CENT)
        ded = min(deductible, allowed) if index == line else Decimal("0.00")
        coins = ((allowed - ded) * Decimal("0.20")).quantize(CENT)
        pay = allowed - ded - coins
        cas = [f"CAS*CO*45*{charge - allowed}"]
        if ded:
            cas.append(f"CAS*PR*1*{ded}")
        cas.append(f"CAS*PR*2*{coins}")
        return pay, cas

    return plan


def expected_pr(claim: Claim, deductible: Decimal, line: int = 0) -> Decimal:
    plan = medicare(deductible, line)
    total = Decimal("0.00")
    for index, cl in enumerate(claim.lines.order_by("line_number")):
        pay, _ = plan(index, cl.charge)
        allowed = (cl.charge * Decimal("0.62")).quantize(CENT)
        total += allowed - pay
    return total


def primary_paid(user, *, deductible=Decimal("240.00"), claim=None) -> Claim:
    claim = claim or accepted_claim(user)
    post(era(clp(claim, lines=medicare(deductible)), trace=f"EFT{next(_trace)}", isa=next(_isa)), user)
    claim.refresh_from_db()
    return claim


def secondary_claim(primary: Claim, payer) -> Claim:
    """The next payer's claim of `primary` as the next-payer builder makes it (lines copied)."""
    from intake.models import Coverage

    coverage = Coverage.objects.filter(patient=primary.patient, rank="secondary").first()
    second = Claim.objects.create(
        claim_number=f"{primary.claim_number}S"[:20],
        patient=primary.patient,
        coverage=coverage,
        payer=payer,
        billing_provider=primary.billing_provider,
        location=primary.location,
        visit=primary.visit,
        form=primary.form,
        status="accepted",
        payer_claim_number=f"SEC{primary.pk:08d}",
        service_date_from=primary.service_date_from,
        service_date_to=primary.service_date_to,
        total_charge=primary.total_charge,
        diagnosis_codes=primary.diagnosis_codes,
        payer_sequence="S",
        prior_claim=primary,
    )
    for line in primary.lines.order_by("line_number"):
        ClaimLine.objects.create(
            claim=second,
            line_number=line.line_number,
            line_control_number=f"{line.line_control_number}S",
            service_date_from=line.service_date_from,
            service_date_to=line.service_date_to,
            code=line.code,
            modifiers=line.modifiers,
            units=line.units,
            charge=line.charge,
            diagnosis_pointers=line.diagnosis_pointers,
        )
    return second


def add_secondary(claim: Claim, kind: str = "commercial"):
    pay = f.payer(kind, name="Medigap Plan F")
    f.coverage(claim.patient, pay, rank="secondary")
    return pay


def days_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=n)
