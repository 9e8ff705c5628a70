"""Deadlines of a denial: to appeal, and to send a corrected claim (DEN-T1..DEN-T5).

Pure. Counted from the date of the remittance notice (the 835's payment date) or the date of
service, per payer kind, unless an admin set the payer's own terms (PayerDenialTerms):

- DEN-T1 Medicare fee-for-service: redetermination within 120 days of receiving the initial
  determination, receipt presumed 5 days after the notice's date (42 CFR 405.942(a)); a
  corrected Part B claim is a reopening, within one year of the initial determination
  (42 CFR 405.980(b)(1)); a Part A (837I) adjustment only inside the filing limit (TF-1).
- DEN-T2 Medicare Advantage: reconsideration of a payment denial within 65 days of the notice
  (42 CFR 422.582(b)); corrected claims inside the plan's filing limit.
- DEN-T3 Medicaid: state rules; 90 days from the notice unless the payer's terms say otherwise;
  corrected claims inside the filing limit (TF-3).
- DEN-T4 Commercial and other: the contract; 180 days from the notice (the ERISA minimum for a
  claimant's internal appeal, 29 CFR 2560.503-1(h)(3)(i), which many contracts repeat), and
  corrected claims 180 days from the remittance (TF-2 examples) unless the payer's terms say
  otherwise.
- DEN-T5 the due date of a denial is the deadline of its next action: the appeal deadline for an
  appeal or an authorization to obtain, the corrected-claim deadline for a corrected or new
  claim or a claim to another payer, and a follow-up 30 days after the notice for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from denials.domain.types import NextAction

FOLLOW_UP_DAYS = 30
MEDICARE_RECEIPT_DAYS = 5


@dataclass(frozen=True, slots=True)
class PayerTerms:
    """Days to appeal and to correct, counted from the notice; None: the kind's default."""

    appeal_days: int | None = None
    corrected_claim_days: int | None = None


@dataclass(frozen=True, slots=True)
class Deadlines:
    appeal: date | None
    corrected_claim: date | None
    basis: str  # in words, for the denial page


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February -> 28 February (TF-1)
        return day.replace(year=day.year + 1, day=28)


def deadlines(
    *,
    payer_kind: str,
    form: str,
    notice: date,
    service_date: date,
    timely_filing_days: int,
    terms: PayerTerms = PayerTerms(),
) -> Deadlines:
    """DEN-T1..DEN-T4."""
    filing_limit = service_date + timedelta(days=timely_filing_days)
    if payer_kind == "medicare":
        appeal = notice + timedelta(days=MEDICARE_RECEIPT_DAYS + 120)
        if form == "837I":
            corrected, basis = (
                filing_limit,
                "redetermination 120 days after receipt; adjustment within the filing limit",
            )
        else:
            corrected, basis = (
                _add_year(notice),
                "redetermination 120 days after receipt; reopening within a year",
            )
    elif payer_kind == "medicare_advantage":
        appeal, corrected = notice + timedelta(days=65), filing_limit
        basis = "reconsideration 65 days after the notice; corrected claim within the filing limit"
    elif payer_kind == "medicaid":
        appeal, corrected = notice + timedelta(days=90), filing_limit
        basis = "appeal 90 days after the notice; corrected claim within the filing limit"
    else:
        appeal, corrected = notice + timedelta(days=180), notice + timedelta(days=180)
        basis = "appeal and corrected claim 180 days after the notice"
    if terms.appeal_days is not None:
        appeal = notice + timedelta(days=terms.appeal_days)
        basis = f"the payer's terms: appeal {terms.appeal_days} days after the notice"
    if terms.corrected_claim_days is not None:
        corrected = notice + timedelta(days=terms.corrected_claim_days)
        basis += f"; corrected claim {terms.corrected_claim_days} days after the notice"
    return Deadlines(appeal=appeal, corrected_claim=corrected, basis=basis)


APPEAL_ACTIONS = frozenset({NextAction.APPEAL, NextAction.REQUEST_AUTHORIZATION})
CLAIM_ACTIONS = frozenset(
    {
        NextAction.CORRECTED_CLAIM,
        NextAction.NEW_CLAIM,
        NextAction.SEND_TO_CORRECT_PAYER,
        NextAction.BILL_NEXT_PAYER,
    }
)


def due_date(action: NextAction, found: Deadlines, *, notice: date) -> date:
    """DEN-T5."""
    if action in APPEAL_ACTIONS and found.appeal:
        return found.appeal
    if action in CLAIM_ACTIONS and found.corrected_claim:
        return found.corrected_claim
    return notice + timedelta(days=FOLLOW_UP_DAYS)
