"""Deadlines (DEN-T1..T5) and priority (DEN-P1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from denials.domain.deadlines import PayerTerms, deadlines, due_date
from denials.domain.priority import priority
from denials.domain.types import Category, NextAction

NOTICE = date(2026, 3, 2)
DOS = date(2026, 2, 1)


def test_medicare_redetermination_120_days_after_presumed_receipt_and_reopening_a_year():
    found = deadlines(
        payer_kind="medicare", form="837P", notice=NOTICE, service_date=DOS, timely_filing_days=365
    )
    assert found.appeal == date(2026, 7, 5)  # notice + 5 days receipt + 120
    assert found.corrected_claim == date(2027, 3, 2)


def test_medicare_part_a_corrects_within_the_filing_limit():
    found = deadlines(
        payer_kind="medicare", form="837I", notice=NOTICE, service_date=DOS, timely_filing_days=365
    )
    assert found.corrected_claim == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("kind", "appeal_days"),
    [("medicare_advantage", 65), ("medicaid", 90), ("commercial", 180), ("other", 180)],
)
def test_other_kinds(kind, appeal_days):
    found = deadlines(payer_kind=kind, form="837P", notice=NOTICE, service_date=DOS, timely_filing_days=90)
    assert (found.appeal - NOTICE).days == appeal_days


def test_payer_terms_win():
    found = deadlines(
        payer_kind="commercial",
        form="837P",
        notice=NOTICE,
        service_date=DOS,
        timely_filing_days=90,
        terms=PayerTerms(60, 30),
    )
    assert (found.appeal - NOTICE).days == 60 and (found.corrected_claim - NOTICE).days == 30


def test_due_date_follows_the_action():
    found = deadlines(
        payer_kind="commercial", form="837P", notice=NOTICE, service_date=DOS, timely_filing_days=90
    )
    assert due_date(NextAction.APPEAL, found, notice=NOTICE) == found.appeal
    assert due_date(NextAction.CORRECTED_CLAIM, found, notice=NOTICE) == found.corrected_claim
    assert (due_date(NextAction.WRITE_OFF, found, notice=NOTICE) - NOTICE).days == 30


def test_priority_formula():
    today = date(2026, 3, 1)
    # 1000 at stake, due in 30 days (closeness 0.5), coding (0.80): 400.00
    assert priority(
        amount=Decimal("1000.00"), category=Category.CODING, due=date(2026, 3, 31), today=today
    ) == Decimal("400.00")
    # due today: closeness 1
    assert priority(amount=Decimal("1000.00"), category=Category.CODING, due=today, today=today) == Decimal(
        "800.00"
    )
    # overdue: 0.1
    assert priority(
        amount=Decimal("1000.00"), category=Category.CODING, due=date(2026, 2, 1), today=today
    ) == Decimal("80.00")
    # the closer deadline and the likelier recovery sort first
    near = priority(
        amount=Decimal("500.00"), category=Category.AUTHORIZATION, due=date(2026, 3, 5), today=today
    )
    far = priority(
        amount=Decimal("500.00"), category=Category.AUTHORIZATION, due=date(2026, 6, 5), today=today
    )
    assert near > far
