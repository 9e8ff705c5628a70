"""A small hand-made book of claims for the dashboards' tests, every answer worked out by hand.

Rows are written as the claims and payments services leave them (ClaimEvents for every move,
remittances with their claim payments, lines, adjustments and the Posting ledger), with the
timestamps set so each KPI has a known answer. Every moment lies within the last ten days, so a
period from the month of ten days ago to this month holds all of it, whatever today is.

    claim  payer  site  charge  story                                        balance  open A/R
    A      P1     aic   1000    clean; paid 500, CO-45 300, PR 200              200    patient 200 (0-30)
    B      P1     aic    500    rejected, corrected, accepted; line 2 denied      0    -
                                CO-197 (no auth): paid 150, CO-45 150, CO-197 200
    C      P1     aic    800    clean; paid 640 CO-45 160, then reversed and      50    patient 50 (0-30)
                                paid again: 600, CO-45 150, PR-3 50
    D      P2     aic    300    clean; overpaid: 330 paid, CO-45 20             -50    credit -50
    E      P2     home  1200    clean; submitted, not adjudicated yet          1200    insurance 1200 (91-120)
    F      P2     home   400    needs fix, then sent; denied whole (CLP02 4,       0    -
                                CO-50), appealed, reversed and paid 250, CO-45 150
    G      P1     aic    999    draft (never sent)                              999    - (unbilled)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from django.utils import timezone

from claims.models import Claim, ClaimEvent, ClaimLine
from coding.models import Visit
from intake.domain.types import SiteOfCare
from intake.models import PriorAuthorization
from payments.models import Adjustment, ClaimPayment, LinePayment, Posting, Remittance, RemittanceFile
from tests.claims import factories as f

D = Decimal
_n = count(1)


@dataclass
class Book:
    now: dt.datetime
    today: dt.date
    claims: dict[str, Claim] = field(default_factory=dict)
    p1: object = None
    p2: object = None


def _at(now: dt.datetime, days: float) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _claim(
    book: Book, key: str, *, payer, loc, charges: list[str], dos_days: int, built_days: float, visit=None
):
    pat = f.patient()
    cov = f.coverage(pat, payer)
    dos = book.today - dt.timedelta(days=dos_days)
    n = next(_n)
    claim = Claim.objects.create(
        claim_number=f"RPT{n:06d}",
        patient=pat,
        coverage=cov,
        payer=payer,
        billing_provider=f.provider(),
        location=loc,
        visit=visit,
        form="837P",
        status="draft",
        service_date_from=dos,
        service_date_to=dos,
        total_charge=sum((D(c) for c in charges), D("0.00")),
    )
    for i, charge in enumerate(charges, start=1):
        ClaimLine.objects.create(
            claim=claim,
            line_number=i,
            line_control_number=f"RPT{n:06d}L{i}",
            service_date_from=dos,
            service_date_to=dos,
            code=("96413", "J1745", "96365")[i - 1],
            units=1,
            charge=D(charge),
        )
    Claim.objects.filter(pk=claim.pk).update(created_at=_at(book.now, built_days))
    book.claims[key] = claim
    return claim


def _events(book: Book, claim: Claim, moves: list[tuple[str, str, float]]) -> None:
    """(from, to, days ago) for each move; the claim ends in the last move's status."""
    for from_status, to_status, days in moves:
        event = ClaimEvent.objects.create(claim=claim, from_status=from_status, to_status=to_status)
        ClaimEvent.objects.filter(pk=event.pk).update(created_at=_at(book.now, days))
    Claim.objects.filter(pk=claim.pk).update(status=moves[-1][1])
    claim.status = moves[-1][1]


def _sent(built: float, submitted: float) -> list[tuple[str, str, float]]:
    return [
        ("", "draft", built),
        ("draft", "ready", built),
        ("ready", "batched", submitted),
        ("batched", "submitted", submitted),
        ("submitted", "accepted", submitted),
    ]


def _era(
    book: Book,
    claim: Claim,
    *,
    clp02: str,
    lines: list[tuple[str, list[tuple[str, str, str]]]],
    payment_days: int,
    received_days: float,
    posted_days: float,
    reversal_of: ClaimPayment | None = None,
) -> ClaimPayment:
    """One remittance paying `claim`: per claim line (paid, [(group, CARC, amount)]), posted to the
    ledger as payments.domain.posting.ledger_entries does (paid, PR as patient responsibility,
    other groups as adjustments). A reversal negates the original's postings."""
    n = next(_n)
    sign = -1 if reversal_of else 1
    file = RemittanceFile.objects.create(checksum=f"{n:064d}", content="ISA*...", status="posted")
    RemittanceFile.objects.filter(pk=file.pk).update(created_at=_at(book.now, received_days))
    remittance = Remittance.objects.create(
        file=file,
        sequence=1,
        payer=claim.payer,
        payer_identifier=claim.payer.payer_id,
        payer_name=claim.payer.name,
        trace_number=f"TRN{n}",
        handling_code="I",
        credit_debit="C",
        payment_method="ACH",
        payment_amount=D("0.00"),
        payment_date=book.today - dt.timedelta(days=payment_days),
    )
    paid_total = sum((D(p) for p, _ in lines), D("0.00")) * sign
    payment = ClaimPayment.objects.create(
        remittance=remittance,
        sequence=1,
        claim=claim,
        status="posted",
        payer_identifier=claim.payer.payer_id,
        trace_number=f"TRN{n}",
        patient_control_number=claim.claim_number,
        claim_status_code="22" if reversal_of else clp02,
        is_reversal=reversal_of is not None,
        payer_claim_number=f"ICN{n}",
        charge=claim.total_charge * sign,
        paid=paid_total,
        reversal_of=reversal_of,
        posted_at=_at(book.now, posted_days),
    )
    if reversal_of is not None:
        for row in Posting.objects.filter(claim_payment=reversal_of):
            Posting.objects.create(
                remittance=remittance,
                claim_payment=payment,
                claim=claim,
                claim_line=row.claim_line,
                category=row.category,
                group=row.group,
                reason=row.reason,
                amount=-row.amount,
                reverses=row,
            )
        return payment
    for seq, (claim_line, (paid, adjustments)) in enumerate(
        zip(claim.lines.order_by("line_number"), lines, strict=True), start=1
    ):
        line = LinePayment.objects.create(
            claim_payment=payment,
            sequence=seq,
            claim_line=claim_line,
            procedure_qualifier="HC",
            procedure_code=claim_line.code,
            units_paid=claim_line.units,
            charge=claim_line.charge,
            paid=D(paid),
        )
        if D(paid):
            Posting.objects.create(
                remittance=remittance,
                claim_payment=payment,
                line_payment=line,
                claim=claim,
                claim_line=claim_line,
                category="paid",
                amount=D(paid),
            )
        for group, reason, amount in adjustments:
            Adjustment.objects.create(
                claim_payment=payment, line_payment=line, group=group, reason=reason, amount=D(amount)
            )
            Posting.objects.create(
                remittance=remittance,
                claim_payment=payment,
                line_payment=line,
                claim=claim,
                claim_line=claim_line,
                category="patient_responsibility" if group == "PR" else "adjustment",
                group=group,
                reason=reason,
                amount=D(amount),
            )
    return payment


def build(user) -> Book:
    now = timezone.now()
    book = Book(now=now, today=timezone.localdate())
    p1 = book.p1 = f.payer("commercial", name="Lakeshore Commercial")
    p2 = book.p2 = f.payer("medicare", name="Medicare Part B")
    aic = f.location(SiteOfCare.AIC)
    home = f.location(SiteOfCare.HOME, pos="12")

    # A: clean, paid with patient responsibility; from a visit signed 2 days before the claim was
    # built; its order had an authorization in force, recorded before the first dose.
    pat_a = f.patient()
    visit_a = f.visit(pat_a, aic, user, dos=book.today - dt.timedelta(days=3))
    Visit.objects.filter(pk=visit_a.pk).update(signed_at=_at(now, 7))
    auth = PriorAuthorization.objects.create(
        patient=pat_a,
        coverage=f.coverage(pat_a, p1),
        order=visit_a.order,
        auth_number="AUTH1",
        start_date=book.today - dt.timedelta(days=30),
        end_date=book.today + dt.timedelta(days=30),
    )
    PriorAuthorization.objects.filter(pk=auth.pk).update(created_at=_at(now, 9))
    a = _claim(
        book, "A", payer=p1, loc=aic, charges=["600.00", "400.00"], dos_days=3, built_days=5, visit=visit_a
    )
    _events(book, a, [*_sent(5, 4), ("accepted", "paid", 2)])
    _era(
        book,
        a,
        clp02="1",
        lines=[
            ("300.00", [("CO", "45", "180.00"), ("PR", "2", "120.00")]),
            ("200.00", [("CO", "45", "120.00"), ("PR", "1", "80.00")]),
        ],
        payment_days=2,
        received_days=2,
        posted_days=1,
    )

    # B: rejected by the payer's front end, corrected and sent again, then line 2 denied (CO-197).
    # From a visit signed 4 days before the build; its order had no authorization.
    pat_b = f.patient()
    visit_b = f.visit(pat_b, aic, user, dos=book.today - dt.timedelta(days=8))
    Visit.objects.filter(pk=visit_b.pk).update(signed_at=_at(now, 10))
    b = _claim(
        book, "B", payer=p1, loc=aic, charges=["300.00", "200.00"], dos_days=8, built_days=6, visit=visit_b
    )
    _events(
        book,
        b,
        [
            ("", "draft", 6),
            ("draft", "ready", 6),
            ("ready", "batched", 4),
            ("batched", "submitted", 4),
            ("submitted", "rejected", 4),
            ("rejected", "draft", 3.5),
            ("draft", "ready", 3.5),
            ("ready", "batched", 3),
            ("batched", "submitted", 3),
            ("submitted", "accepted", 3),
            ("accepted", "partially_paid", 2),
        ],
    )
    _era(
        book,
        b,
        clp02="1",
        lines=[("150.00", [("CO", "45", "150.00")]), ("0.00", [("CO", "197", "200.00")])],
        payment_days=2,
        received_days=2,
        posted_days=1,
    )

    # C: clean and paid; the payer reversed the payment and paid again with a patient share.
    c = _claim(book, "C", payer=p1, loc=aic, charges=["800.00"], dos_days=9, built_days=7)
    _events(book, c, [*_sent(7, 6), ("accepted", "paid", 5)])
    first = _era(
        book,
        c,
        clp02="1",
        lines=[("640.00", [("CO", "45", "160.00")])],
        payment_days=5,
        received_days=5,
        posted_days=4,
    )
    _era(book, c, clp02="22", lines=[], payment_days=2, received_days=2, posted_days=1, reversal_of=first)
    _era(
        book,
        c,
        clp02="1",
        lines=[("600.00", [("CO", "45", "150.00"), ("PR", "3", "50.00")])],
        payment_days=2,
        received_days=2,
        posted_days=1,
    )

    # D: clean, overpaid: a credit balance of 50.00. Its remittance waited 3 days to be posted.
    d = _claim(book, "D", payer=p2, loc=aic, charges=["300.00"], dos_days=45, built_days=8)
    _events(book, d, [*_sent(8, 7), ("accepted", "paid", 5)])
    _era(
        book,
        d,
        clp02="1",
        lines=[("330.00", [("CO", "45", "20.00")])],
        payment_days=5,
        received_days=5,
        posted_days=2,
    )

    # E: clean, sent 3 days after it was built, not adjudicated yet; 100 days after its service.
    e = _claim(book, "E", payer=p2, loc=home, charges=["1200.00"], dos_days=100, built_days=9)
    _events(book, e, _sent(9, 6))

    # F: failed the scrubber (needs fix), then sent; denied whole (CLP02 4, CO-50), appealed; the
    # payer reversed the denial and paid 250.00 with CO-45 150.00.
    fc = _claim(book, "F", payer=p2, loc=home, charges=["400.00"], dos_days=30, built_days=8)
    _events(
        book,
        fc,
        [
            ("", "draft", 8),
            ("draft", "needs_fix", 8),
            ("needs_fix", "ready", 7),
            ("ready", "batched", 6),
            ("batched", "submitted", 6),
            ("submitted", "accepted", 6),
            ("accepted", "denied", 5),
            ("denied", "appealed", 4),
            ("appealed", "paid", 1),
        ],
    )
    denial = _era(
        book,
        fc,
        clp02="4",
        lines=[("0.00", [("CO", "50", "400.00")])],
        payment_days=5,
        received_days=5,
        posted_days=4,
    )
    _era(book, fc, clp02="22", lines=[], payment_days=1, received_days=1, posted_days=0.5, reversal_of=denial)
    _era(
        book,
        fc,
        clp02="1",
        lines=[("250.00", [("CO", "45", "150.00")])],
        payment_days=1,
        received_days=1,
        posted_days=0.5,
    )

    # G: a draft, never sent: unbilled, not A/R.
    g = _claim(book, "G", payer=p1, loc=aic, charges=["999.00"], dos_days=2, built_days=1)
    _events(book, g, [("", "draft", 1)])
    return book
