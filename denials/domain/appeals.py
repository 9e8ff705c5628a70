"""Appeal levels, their deadlines, outcomes and the letter's argument per category (DEN-AP1..5).

Pure. A denial is appealed level by level; each level's deadline counts from the decision the
appeal answers (the remittance notice for the first level, the previous level's decision after):

- DEN-AP1 Medicare fee-for-service: redetermination by the contractor within 120 days of
  receiving the initial determination (42 CFR 405.942(a)); reconsideration by the QIC within 180
  days of receiving the redetermination (42 CFR 405.962(a)); a hearing by an ALJ within 60 days
  of receiving the reconsideration (42 CFR 405.1014(b)). Receipt is presumed 5 days after the
  notice's date (42 CFR 405.942(a), 405.962(a), 405.1002(a)).
- DEN-AP2 Medicare Advantage: the plan's reconsideration within 65 days of the notice
  (42 CFR 422.582(b)); an upheld reconsideration goes to the independent review entity by
  itself, and its decision can go to an ALJ within 60 days of receipt (42 CFR 422.602(b)).
- DEN-AP3 Medicaid, commercial and other payers: a first-level appeal by the denial's appeal
  deadline (DEN-T3, DEN-T4 or the payer's terms) and a second level within 60 days of the first
  level's decision (the contract decides; 60 days is the app's assumption).
- DEN-AP4 outcomes: overturned (the payer pays the claim as billed), partly overturned (pays
  part), upheld (the next level may be appealed, if there is one and its deadline has not
  passed). Money arrives by remittance and resolves the denial as recovered (DEN-R1).
- DEN-AP5 the letter: the argument per category, the claim's facts and the attachments listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from denials.domain.types import Category

RECEIPT_DAYS = 5


class AppealLevel(StrEnum):
    REDETERMINATION = "redetermination"
    RECONSIDERATION = "reconsideration"
    ALJ = "alj"
    PLAN_RECONSIDERATION = "plan_reconsideration"
    IRE_ALJ = "ire_alj"
    FIRST = "first"
    SECOND = "second"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    AppealLevel.REDETERMINATION: "Redetermination (Medicare contractor)",
    AppealLevel.RECONSIDERATION: "Reconsideration (Qualified Independent Contractor)",
    AppealLevel.ALJ: "Hearing before an Administrative Law Judge",
    AppealLevel.PLAN_RECONSIDERATION: "Reconsideration by the plan",
    AppealLevel.IRE_ALJ: "Hearing before an Administrative Law Judge (after the IRE)",
    AppealLevel.FIRST: "First-level appeal",
    AppealLevel.SECOND: "Second-level appeal",
}

# Each payer kind's levels in order, with the days after the answered decision's receipt (or
# notice) and whether the 5-day receipt presumption applies. The first level's deadline is the
# denial's own appeal deadline (DEN-T1..T4), so its days are informational.
_LADDERS: dict[str, tuple[tuple[AppealLevel, int, bool], ...]] = {
    "medicare": (
        (AppealLevel.REDETERMINATION, 120, True),
        (AppealLevel.RECONSIDERATION, 180, True),
        (AppealLevel.ALJ, 60, True),
    ),
    "medicare_advantage": (
        (AppealLevel.PLAN_RECONSIDERATION, 65, False),
        (AppealLevel.IRE_ALJ, 60, True),
    ),
}
_DEFAULT_LADDER: tuple[tuple[AppealLevel, int, bool], ...] = (
    (AppealLevel.FIRST, 180, False),
    (AppealLevel.SECOND, 60, False),
)


def ladder(payer_kind: str) -> tuple[AppealLevel, ...]:
    """The levels of this payer kind, first to last (DEN-AP1..AP3)."""
    return tuple(level for level, _, _ in _LADDERS.get(payer_kind, _DEFAULT_LADDER))


class Outcome(StrEnum):
    OVERTURNED = "overturned"
    PARTLY = "partly"
    UPHELD = "upheld"

    @property
    def label(self) -> str:
        return {"overturned": "Overturned", "partly": "Partly overturned", "upheld": "Upheld"}[self.value]


@dataclass(frozen=True, slots=True)
class NextLevel:
    level: AppealLevel
    deadline: date
    basis: str  # in words


class NoFurtherLevel(Exception):
    """The payer kind has no level after this one."""


def first_level(payer_kind: str, *, denial_appeal_deadline: date) -> NextLevel:
    """The first level: its deadline is the denial's appeal deadline (DEN-T1..T4)."""
    level, _, _ = _LADDERS.get(payer_kind, _DEFAULT_LADDER)[0]
    return NextLevel(level, denial_appeal_deadline, "the denial's appeal deadline")


def next_level(payer_kind: str, current: AppealLevel, *, decision_date: date) -> NextLevel:
    """The level after `current` and its deadline, counted from the date on the decision of
    `current` (plus the receipt presumption where the rule has one). NoFurtherLevel after the
    last."""
    steps = _LADDERS.get(payer_kind, _DEFAULT_LADDER)
    levels = [s[0] for s in steps]
    if current not in levels:
        raise ValueError(f"{current} is not a level of {payer_kind} appeals")
    index = levels.index(current) + 1
    if index >= len(steps):
        raise NoFurtherLevel(current)
    level, days, receipt = steps[index]
    start = decision_date + timedelta(days=RECEIPT_DAYS if receipt else 0)
    words = (
        f"{days} days after receipt of the decision (presumed 5 days after its date)"
        if receipt
        else (f"{days} days after the decision")
    )
    return NextLevel(level, start + timedelta(days=days), words)


# DEN-AP5: what the letter argues, per category. A placeholder in braces is filled from the
# claim's facts by the letter's template context (`code`, `payer`, `auth`).
_ARGUMENTS: dict[Category, str] = {
    Category.AUTHORIZATION: (
        "The service was authorized before it was given{auth}. The authorization and the order "
        "are enclosed; we ask that the claim be paid as billed."
    ),
    Category.MEDICAL_NECESSITY: (
        "The therapy was medically necessary for the diagnoses on the claim. The physician's "
        "order, the progress notes and the infusion records that document the need are enclosed."
    ),
    Category.CODING: (
        "The codes billed describe the service given, as the enclosed administration records "
        "show (start and stop times, drug, dose and route)."
    ),
    Category.BUNDLING: (
        "The services billed were separate and distinct; the modifiers on the claim identify "
        "them and the enclosed records document each one."
    ),
    Category.NON_COVERED: (
        "The service is covered for this patient's condition under the plan's terms; the "
        "records enclosed show why it was needed."
    ),
    Category.ELIGIBILITY: (
        "The patient was covered on the date of service; the eligibility response we received "
        "before the service is enclosed."
    ),
    Category.COORDINATION_OF_BENEFITS: (
        "Your plan is the patient's primary (or only) coverage for this date of service; the "
        "coordination-of-benefits information is enclosed."
    ),
    Category.TIMELY_FILING: (
        "The claim was filed within your filing limit; the enclosed acceptance reports (999 and "
        "277CA) prove the date it was received."
    ),
    Category.DUPLICATE: (
        "This claim is not a duplicate: it bills a different date, service or unit than the "
        "claim it was compared with, as the enclosed records show."
    ),
    Category.PRICING: (
        "The amount allowed does not match the fee schedule or contract that applies; we ask "
        "that the claim be repriced."
    ),
    Category.MISSING_INFORMATION: (
        "The information requested is enclosed; we ask that the claim be processed with it."
    ),
}
_DEFAULT_ARGUMENT = (
    "We believe the claim was denied in error and ask that it be reconsidered with the enclosed records."
)

# The documents a biller usually encloses, per category (the form preselects them).
_ATTACHMENTS: dict[Category, tuple[str, ...]] = {
    Category.AUTHORIZATION: ("Prior authorization approval", "Physician's order"),
    Category.MEDICAL_NECESSITY: ("Physician's order", "Progress notes", "Infusion administration record"),
    Category.CODING: ("Infusion administration record",),
    Category.BUNDLING: ("Infusion administration record",),
    Category.NON_COVERED: ("Physician's order", "Progress notes"),
    Category.ELIGIBILITY: ("Eligibility response (271)",),
    Category.COORDINATION_OF_BENEFITS: ("Coordination-of-benefits information",),
    Category.TIMELY_FILING: ("Acceptance report (999)", "Claim acknowledgment (277CA)"),
    Category.DUPLICATE: ("Infusion administration record",),
    Category.MISSING_INFORMATION: ("The information requested",),
}
ATTACHMENT_CHOICES: tuple[str, ...] = (
    "Copy of the claim",
    "Remittance advice",
    "Physician's order",
    "Prior authorization approval",
    "Progress notes",
    "Infusion administration record",
    "Eligibility response (271)",
    "Coordination-of-benefits information",
    "Acceptance report (999)",
    "Claim acknowledgment (277CA)",
    "The information requested",
)


def argument(category: Category, *, auth: str = "") -> str:
    text = _ARGUMENTS.get(category, _DEFAULT_ARGUMENT)
    return text.format(auth=f" (authorization {auth})" if auth else "")


def default_attachments(category: Category) -> tuple[str, ...]:
    return ("Copy of the claim", "Remittance advice", *_ATTACHMENTS.get(category, ()))
