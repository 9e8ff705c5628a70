"""The pure posting rules (payments/domain/posting.py) and the paper EOB schema
(payments/domain/manual_eob.py), without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from infusion_rcm.common.errors import InvalidInputError
from payments.domain.manual_eob import ManualEob, to_remittance
from payments.domain.posting import (
    Adj,
    LineMatch,
    OurLine,
    PaidClaim,
    PaidLine,
    PostingCategory,
    claim_decision,
    ledger_entries,
    match_lines,
    paid_claim_of,
)
from payments.domain.x12_835 import parse_835
from tests.payments.domain.builders import CLAIM, era

DAY = dt.date(2026, 12, 1)


def line(code="J1745", mods=(), units="10", paid="80", adjs=(), control="", start=DAY, end=DAY) -> PaidLine:
    return PaidLine(control, code, tuple(mods), D(units), start, end, D(paid), tuple(adjs))


def claim(status="1", paid="80", charge="100", adjs=(), lines=(), carrier="") -> PaidClaim:
    return PaidClaim(status, D(charge), D(paid), carrier, tuple(adjs), tuple(lines))


@pytest.mark.parametrize(
    ("paid_claim", "to", "words"),
    [
        (claim("22", paid="-80"), "accepted", "reversal"),
        (claim("25", paid="0"), None, "predetermination"),
        (claim("4", paid="0", adjs=[Adj("CO", "197", D(100))]), "denied", "CO-197"),
        (claim("23", paid="0"), "denied", "no reason"),
        (claim("1", paid="0", adjs=[Adj("CO", "50", D(100))]), "denied", "paid nothing"),
        (claim("1", paid="0"), "denied", "no reason"),
        (claim("1", paid="0", adjs=[Adj("PR", "1", D(100))]), "paid", "paid 0"),
        (claim("1", adjs=[Adj("CO", "45", D(15)), Adj("PR", "2", D(5))]), "paid", "80 of 100"),
        (claim("2", adjs=[Adj("OA", "23", D(20)), Adj("CO", "45", D(0))]), "paid", "80"),
        (claim("1", adjs=[Adj("CO", "97", D(20)), Adj("CO", "97", D(0))]), "partially_paid", "CO-97"),
        (
            claim("19", adjs=[Adj("CO", "45", D(20))], carrier="MEDIGAP CO"),
            "paid",
            "crossed over to MEDIGAP CO",
        ),
        (claim("20", adjs=[Adj("CO", "45", D(20))]), "paid", "another payer"),
        (claim("21", lines=[line(adjs=[Adj("PI", "104", D(20))])]), "partially_paid", "PI-104"),
    ],
)
def test_claim_decision(paid_claim, to, words):
    decision = claim_decision(paid_claim)
    assert (decision.to.value if decision.to else None) == to
    assert words in decision.reason


OURS = [
    OurLine(1, "L1", "96413", (), D(1), DAY, DAY),
    OurLine(2, "L2", "J9263", ("JZ",), D(300), DAY, DAY),
    OurLine(3, "L3", "J9263", ("JW",), D(20), DAY, DAY),
    OurLine(4, "L4", "96415", (), D(1), DAY, DAY),
]


def test_match_by_control_number_first_then_procedure():
    paid = [
        line("J9263", control="L3"),  # names the waste line: taken by reference
        line("J9263", mods=(), units="300"),  # dropped JZ: the free J9263 line
        line("96413", mods=("59",)),  # a modifier we never sent: no match
        line("96415", start=DAY + dt.timedelta(days=3), end=DAY + dt.timedelta(days=3)),  # another day
        line("96413", start=None, end=None),  # no dates: the 96413 line
        line("J9263", control="L3"),  # L3 already taken, no other J9263 free
    ]
    assert match_lines(paid, OURS) == [
        (3, LineMatch.CONTROL_NUMBER),
        (2, LineMatch.PROCEDURE),
        (None, LineMatch.NONE),
        (None, LineMatch.NONE),
        (1, LineMatch.PROCEDURE),
        (None, LineMatch.NONE),
    ]


def test_match_prefers_exact_modifiers_and_units():
    ours = [OurLine(7, "", "J1745", ("JZ",), D(10), DAY, DAY), OurLine(8, "", "J1745", (), D(40), DAY, DAY)]
    assert match_lines([line("J1745", units="40")], ours) == [(8, LineMatch.PROCEDURE)]
    assert match_lines([line("J1745", mods=("JZ",), units="40")], ours) == [(7, LineMatch.PROCEDURE)]


def test_ledger_entries_line_claim_level_and_zeroes():
    paid_claim = claim(
        paid="79",
        charge="100",
        adjs=[Adj("CO", "253", D(1)), Adj("CO", "45", D(0))],
        lines=[
            line(paid="80", adjs=[Adj("CO", "45", D(15)), Adj("PR", "2", D(5)), Adj("OA", "23", D(0))]),
            line(paid="0", adjs=[]),
        ],
    )
    entries = [(e.category, e.amount, e.line, e.group, e.reason) for e in ledger_entries(paid_claim)]
    assert entries == [
        (PostingCategory.PAID, D(80), 0, "", ""),
        (PostingCategory.ADJUSTMENT, D(15), 0, "CO", "45"),
        (PostingCategory.PATIENT, D(5), 0, "PR", "2"),
        (PostingCategory.PAID, D(-1), None, "", ""),
        (PostingCategory.ADJUSTMENT, D(1), None, "CO", "253"),
    ]
    no_lines = ledger_entries(claim(paid="50", adjs=[Adj("CO", "45", D(50))]))
    assert [(e.category, e.amount, e.line) for e in no_lines] == [
        (PostingCategory.PAID, D(50), None),
        (PostingCategory.ADJUSTMENT, D(50), None),
    ]
    assert ledger_entries(claim(paid="0")) == []


def test_paid_claim_of_an_835_claim_uses_the_submitted_procedure():
    text = era(
        "200",
        *CLAIM[:4],
        "NM1*TT*2*CROSSOVER PLAN*****PI*X1",
        "SVC*HC:J1745*300*200**10*HC:J1745:JZ*12",
        *CLAIM[5:],
    )
    (payment,) = parse_835(text).claims
    paid = paid_claim_of(payment)
    assert paid.crossover_carrier == "CROSSOVER PLAN"
    (only,) = paid.lines
    assert (only.code, only.modifiers, only.units, only.control_number) == ("J1745", ("JZ",), D(12), "1001-1")
    (plain,) = paid_claim_of(parse_835(era("200", *CLAIM)).claims[0]).lines
    assert (plain.modifiers, plain.units, plain.date_from) == (("JZ",), D(10), DAY)


def _eob(**over):
    data = {
        "payer_name": "ACME",
        "check_number": "CHK1",
        "payment_date": "2026-12-10",
        "payment_amount": "75.00",
        "claims": [
            {
                "claim_number": "C1",
                "status": "1",
                "charge": "100.00",
                "paid": "80.00",
                "patient_last_name": "DOE",
                "member_id": "M1",
                "lines": [
                    {
                        "code": "j1745",
                        "modifiers": ["JZ"],
                        "units": "10",
                        "service_date": "2026-12-01",
                        "charge": "100.00",
                        "paid": "80.00",
                        "adjustments": [{"group": "CO", "reason": "45", "amount": "20"}],
                        "remark_codes": ["N130"],
                    }
                ],
            }
        ],
        "provider_adjustments": [{"reason": "WO", "reference": "X", "amount": "5.00"}],
    }
    data.update(over)
    return ManualEob.model_validate(data)


def test_a_paper_eob_builds_the_835_models_and_balances():
    remittance = to_remittance(
        _eob(), payee_name="RIVERSIDE", payee_npi="1234567893", provider_id="1234567893"
    )
    (payment,) = remittance.claims
    assert remittance.payment.amount == D("75.00") and remittance.trace.trace_number == "CHK1"
    assert payment.lines[0].procedure.code == "J1745" and payment.patient.identifier == "M1"
    assert remittance.provider_adjustments[0].items[0].amount == D("5.00")
    assert remittance.payer_id == "ACME"
    bare = _eob(
        provider_adjustments=[],
        payment_amount="80.00",
        claims=[{**_eob().claims[0].model_dump(), "patient_last_name": "", "member_id": ""}],
    )
    assert to_remittance(bare, payee_name="R", payee_npi="1", provider_id="1").claims[0].patient is None


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"payment_amount": "80.00"}, "transaction set paper EOB does not balance"),
        (
            {"claims": [{**_eob().claims[0].model_dump(mode="json"), "paid": "70.00"}]},
            "claim C1 does not balance",
        ),
    ],
)
def test_an_unbalanced_paper_eob_is_refused(over, message):
    with pytest.raises(InvalidInputError, match=message):
        to_remittance(_eob(**over), payee_name="R", payee_npi="1", provider_id="1")


def test_an_unbalanced_paper_line_is_refused():
    claim_data = _eob().claims[0].model_dump(mode="json")
    claim_data["lines"][0]["paid"] = "70.00"
    claim_data["paid"] = "70.00"
    claim_data["adjustments"] = [{"group": "CO", "reason": "45", "amount": "10"}]
    with pytest.raises(InvalidInputError, match="service line J1745, does not balance"):
        to_remittance(
            _eob(claims=[claim_data], payment_amount="65.00"), payee_name="R", payee_npi="1", provider_id="1"
        )


@pytest.mark.parametrize(
    "over",
    [
        {"payment_amount": 75.0},
        {"payment_amount": "75.001"},
        {"payment_amount": "abc"},
        {"payment_amount": "-1"},
        {"payment_amount": "NaN"},
    ],
)
def test_paper_eob_money_must_be_exact_text(over):
    with pytest.raises(ValidationError):
        _eob(**over)
