"""Patient statements, decided without a database: who gets one in a run, the dunning level, the
aging of what the patient owes, and where a payment plan stands.

Pure (standard library). Rules (docs/billing-rules/patient-statements.md):

- PATIENT-STM1 a statement run takes every patient whose patient-due balance is at least the
  run's minimum, who was not sent a statement in the last N days, and whose statements are not
  suppressed on the run date; insurance-pending amounts never count toward the minimum;
- PATIENT-STM2 the dunning level rises with the age of the oldest amount owed (30, 60, 90 days)
  but never more than one level per statement sent: a patient is never sent a final notice as
  the first statement;
- PATIENT-STM3 aging counts each amount from the day it became the patient's (the last payer's
  adjudication), in 30-day buckets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import IntEnum, StrEnum

ZERO = Decimal("0.00")


class SuppressionReason(StrEnum):
    """Why a patient gets no statements."""

    HARDSHIP = "hardship"
    COLLECTIONS = "collections"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    DISPUTE = "dispute"
    APPEAL = "appeal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "hardship": "Financial hardship",
            "collections": "Placed with a collection agency",
            "bankruptcy": "Bankruptcy",
            "deceased": "Patient deceased (estate)",
            "dispute": "Balance disputed by the patient",
            "appeal": "Insurance appeal in progress",
            "other": "Other (see note)",
        }[self.value]


class DunningLevel(IntEnum):
    STATEMENT = 1
    REMINDER = 2
    SECOND_NOTICE = 3
    FINAL_NOTICE = 4

    @property
    def label(self) -> str:
        return {
            1: "Statement",
            2: "Reminder: past due",
            3: "Second notice",
            4: "Final notice",
        }[int(self)]

    @property
    def message(self) -> str:
        return {
            1: "This is a statement of the amount you owe after your insurance paid.",
            2: "Our records show this balance is past due. Please pay it or call us to talk about it.",
            3: "This balance is more than 60 days past due. Please pay it now or call us to set up a payment plan.",
            4: (
                "Final notice: this balance is more than 90 days past due. Please pay it or call us "
                "within 30 days to arrange a payment plan or tell us about financial hardship."
            ),
        }[int(self)]


DUNNING_DAYS = (
    (90, DunningLevel.FINAL_NOTICE),
    (60, DunningLevel.SECOND_NOTICE),
    (30, DunningLevel.REMINDER),
)


def dunning_level(*, oldest_due_days: int, statements_sent: int) -> DunningLevel:
    """PATIENT-STM2. `statements_sent`: statements already sent for the open balance."""
    by_age = DunningLevel.STATEMENT
    for days, level in DUNNING_DAYS:
        if oldest_due_days >= days:
            by_age = level
            break
    return DunningLevel(min(int(by_age), statements_sent + 1, int(DunningLevel.FINAL_NOTICE)))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A patient as a run sees it."""

    patient_id: int
    patient_due: Decimal
    last_statement_on: date | None
    suppressed: bool


class Skip(StrEnum):
    BELOW_MINIMUM = "below_minimum"
    RECENT_STATEMENT = "recent_statement"
    SUPPRESSED = "suppressed"


def statement_selection(
    candidate: Candidate, *, minimum: Decimal, interval_days: int, as_of: date
) -> Skip | None:
    """PATIENT-STM1: None when the patient gets a statement, else why not (first reason)."""
    if candidate.patient_due <= ZERO or candidate.patient_due < minimum:
        return Skip.BELOW_MINIMUM
    if candidate.suppressed:
        return Skip.SUPPRESSED
    if candidate.last_statement_on is not None and (as_of - candidate.last_statement_on).days < interval_days:
        return Skip.RECENT_STATEMENT
    return None


AGING_BUCKETS = ("current", "31_60", "61_90", "91_120", "over_120")
AGING_LABELS = {
    "current": "0-30 days",
    "31_60": "31-60 days",
    "61_90": "61-90 days",
    "91_120": "91-120 days",
    "over_120": "Over 120 days",
}


def aging(items: Sequence[tuple[date | None, Decimal]], as_of: date) -> dict[str, Decimal]:
    """PATIENT-STM3: (due since, amount) summed into buckets; an unknown date counts as current."""
    out = dict.fromkeys(AGING_BUCKETS, ZERO)
    for since, amount in items:
        days = (as_of - since).days if since else 0
        if days <= 30:
            key = "current"
        elif days <= 60:
            key = "31_60"
        elif days <= 90:
            key = "61_90"
        elif days <= 120:
            key = "91_120"
        else:
            key = "over_120"
        out[key] += amount
    return out


def oldest_days(items: Sequence[tuple[date | None, Decimal]], as_of: date) -> int:
    days = [(as_of - since).days for since, amount in items if since and amount > ZERO]
    return max(days) if days else 0


# ---------------------------------------------------------------------------
# Payment plans
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instalment:
    sequence: int
    due_on: date
    amount: Decimal


def plan_instalments(
    *, total: Decimal, count: int, first_due: date, every_days: int = 30
) -> list[Instalment]:
    """Equal instalments, the last one taking the cents left (PATIENT-PAY2)."""
    if count < 1:
        raise ValueError("a plan has at least one instalment")
    share = (total / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    out = [Instalment(i + 1, first_due + timedelta(days=every_days * i), share) for i in range(count - 1)]
    out.append(
        Instalment(count, first_due + timedelta(days=every_days * (count - 1)), total - share * (count - 1))
    )
    return out


@dataclass(frozen=True, slots=True)
class InstalmentState:
    instalment: Instalment
    paid: Decimal
    status: str  # paid, part paid, due, overdue, upcoming


def plan_status(instalments: Sequence[Instalment], paid_total: Decimal, as_of: date) -> list[InstalmentState]:
    """PATIENT-PAY2: plan payments cover instalments in order."""
    left = paid_total
    out = []
    for inst in sorted(instalments, key=lambda i: i.sequence):
        take = min(left, inst.amount) if left > ZERO else ZERO
        left -= take
        if take == inst.amount:
            status = "paid"
        elif inst.due_on < as_of:
            status = "overdue"
        elif take > ZERO:
            status = "part paid"
        elif (inst.due_on - as_of).days <= 30:
            status = "due"
        else:
            status = "upcoming"
        out.append(InstalmentState(inst, take, status))
    return out
