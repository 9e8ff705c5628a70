"""The pure rules of the patient side (no database): PATIENT-LED1..3, PAY1..3, STM1..3."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from infusion_rcm.common.errors import InvalidInputError
from payments.domain.ledger import (
    Due,
    PayerStep,
    ServiceFacts,
    ServiceState,
    account_balance,
    apply_oldest_first,
    check_applications,
    positive_amount,
    service_balance,
)
from payments.domain.patient import PaymentMethod, payment_reference
from payments.domain.statement import (
    Candidate,
    Instalment,
    Skip,
    aging,
    dunning_level,
    plan_instalments,
    plan_status,
    statement_selection,
)

DOS = dt.date(2026, 3, 2)
PRIMARY = PayerStep(1, "Medicare", True, D("800.00"), D("200.00"), dt.date(2026, 3, 20), reasons=("CO-45",))


def facts(*steps, in_force=(1,), applied="0.00"):
    return ServiceFacts(1, DOS, "96413", D("1500.00"), tuple(steps), tuple(in_force), D(applied))


@pytest.mark.parametrize(
    ("service", "state", "pending", "due"),
    [
        (facts(), ServiceState.INSURANCE_PENDING, "1500.00", "0.00"),  # nobody adjudicated
        (facts(PayerStep(1, "Medicare", False)), ServiceState.INSURANCE_PENDING, "1500.00", "0.00"),
        (facts(PRIMARY), ServiceState.PATIENT_DUE, "0.00", "200.00"),  # LED1: no next payer
        (facts(PRIMARY, in_force=(1, 2)), ServiceState.INSURANCE_PENDING, "200.00", "0.00"),  # LED2
        (
            facts(PRIMARY, PayerStep(2, "Medigap", False), in_force=(1, 2)),
            ServiceState.INSURANCE_PENDING,
            "200.00",
            "0.00",
        ),
        (
            facts(PayerStep(1, "Medicare", True, D("800"), D("200"), DOS, forwarded_to="AARP")),
            ServiceState.INSURANCE_PENDING,
            "200.00",
            "0.00",
        ),
        (
            facts(PRIMARY, PayerStep(2, "Medigap", True, D("160.00"), D("40.00"), DOS), in_force=(1, 2)),
            ServiceState.PATIENT_DUE,
            "0.00",
            "40.00",
        ),
        (facts(PRIMARY, applied="200.00"), ServiceState.SETTLED, "0.00", "0.00"),
    ],
)
def test_who_owes(service, state, pending, due):
    b = service_balance(service)
    assert (b.state, b.insurance_pending, b.patient_due) == (state, D(pending), D(due))
    # the identity, per service
    assert (
        b.charge - b.insurance_paid - b.adjusted - b.patient_paid
        == b.insurance_pending + b.patient_due - b.credit
    )


def test_secondary_adjustment_is_what_it_took_off_what_was_left():
    b = service_balance(
        facts(PRIMARY, PayerStep(2, "Medigap", True, D("150.00"), D("20.00"), DOS), in_force=(1, 2))
    )
    assert [p.adjusted for p in b.payers] == [D("500.00"), D("30.00")]
    assert b.adjusted == D("530.00") and b.insurance_paid == D("950.00")


def test_credit_when_the_share_falls_after_the_patient_paid():
    b = service_balance(
        facts(
            PRIMARY,
            PayerStep(2, "Medigap", True, D("200.00"), D("0.00"), DOS),
            in_force=(1, 2),
            applied="50.00",
        )
    )
    assert (b.patient_due, b.credit) == (D("0.00"), D("50.00"))
    acct = account_balance(
        [
            facts(
                PRIMARY,
                PayerStep(2, "Medigap", True, D("200.00"), D("0.00"), DOS),
                in_force=(1, 2),
                applied="50.00",
            )
        ],
        payments_total=D("80.00"),
        refunds_total=D("0"),
    )
    assert (acct.unapplied, acct.credit, acct.refundable, acct.balance) == (
        D("30.00"),
        D("80.00"),
        D("80.00"),
        D("-80.00"),
    )


def test_oldest_first_and_rest_on_account():
    dues = [Due(2, dt.date(2026, 4, 1), D("30.00")), Due(1, dt.date(2026, 3, 1), D("50.00"))]
    got = apply_oldest_first(D("60.00"), dues)
    assert got.applied == ((1, D("50.00")), (2, D("10.00"))) and got.unapplied == D("0.00")
    assert apply_oldest_first(D("100.00"), dues).unapplied == D("20.00")


def test_chosen_applications_refused_whole_with_every_problem():
    with pytest.raises(InvalidInputError) as err:
        check_applications(D("10.00"), [(1, D("60.00")), (9, D("1.00")), (1, D("1.00"))], {1: D("50.00")})
    problems = err.value.extra["problems"]
    assert len(problems) == 4  # over the due, unknown, twice, more than the payment
    ok = check_applications(D("70.00"), [(1, D("50.00"))], {1: D("50.00")})
    assert ok.unapplied == D("20.00")


@pytest.mark.parametrize("value", ["0", "-1", "1.005", "abc", 1.5])
def test_amounts(value):
    with pytest.raises(InvalidInputError):
        positive_amount(value)


def test_payment_reference():
    assert payment_reference(PaymentMethod.CASH, "") == ""
    assert (
        payment_reference(PaymentMethod.CARD, "APPROVAL 123456 ending 4242") == "APPROVAL 123456 ending 4242"
    )
    for method, ref in (
        (PaymentMethod.CHECK, ""),
        (PaymentMethod.CARD, ""),
        (PaymentMethod.CARD, "4242-4242-4242-4242"),
    ):
        with pytest.raises(InvalidInputError):
            payment_reference(method, ref)


@pytest.mark.parametrize(
    ("due", "last", "suppressed", "expected"),
    [
        ("25.00", None, False, None),
        ("4.99", None, False, Skip.BELOW_MINIMUM),
        ("5.00", None, False, None),  # at least the minimum
        ("0.00", None, False, Skip.BELOW_MINIMUM),
        ("25.00", dt.date(2026, 5, 10), False, Skip.RECENT_STATEMENT),
        ("25.00", dt.date(2026, 4, 2), False, None),  # 28 days ago exactly
        ("25.00", None, True, Skip.SUPPRESSED),
    ],
)
def test_selection(due, last, suppressed, expected):
    got = statement_selection(
        Candidate(1, D(due), last, suppressed),
        minimum=D("5.00"),
        interval_days=28,
        as_of=dt.date(2026, 4, 30),
    )
    assert got == expected


@pytest.mark.parametrize(
    ("days", "sent", "level"),
    [(0, 0, 1), (45, 0, 1), (45, 1, 2), (95, 1, 2), (95, 3, 4), (65, 5, 3), (200, 9, 4)],
)
def test_dunning(days, sent, level):
    assert int(dunning_level(oldest_due_days=days, statements_sent=sent)) == level


def test_aging_buckets():
    as_of = dt.date(2026, 6, 30)
    got = aging(
        [
            (as_of, D("1")),
            (as_of - dt.timedelta(days=31), D("2")),
            (as_of - dt.timedelta(days=91), D("3")),
            (as_of - dt.timedelta(days=200), D("4")),
            (None, D("5")),
        ],
        as_of,
    )
    assert got == {
        "current": D("6"),
        "31_60": D("2"),
        "61_90": D("0.00"),
        "91_120": D("3"),
        "over_120": D("4"),
    }


def test_plan_instalments_and_status():
    inst = plan_instalments(total=D("100.00"), count=3, first_due=dt.date(2026, 1, 1))
    assert [i.amount for i in inst] == [D("33.33"), D("33.33"), D("33.34")]
    assert inst[2].due_on == dt.date(2026, 3, 2)
    states = plan_status(
        [Instalment(i.sequence, i.due_on, i.amount) for i in inst], D("40.00"), dt.date(2026, 2, 15)
    )
    assert [s.status for s in states] == ["paid", "overdue", "due"]
    assert states[1].paid == D("6.67")
