"""The denials vocabulary: categories, next actions, statuses and resolutions (pure).

Each list is a StrEnum whose value is stored; `label` is what a page shows. The categories and
actions are the ones issue 13 names; their meaning per reason code is the catalog's
(denials/data/reason_map.csv, docs/billing-rules/denial-codes.md §5.6).
"""

from __future__ import annotations

from enum import StrEnum

from infusion_rcm.common.transitions import TransitionTable


class Category(StrEnum):
    """Why the money was not paid, as a biller groups denials to work them."""

    CONTRACTUAL = "contractual"
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    ELIGIBILITY = "eligibility"
    COORDINATION_OF_BENEFITS = "coordination_of_benefits"
    AUTHORIZATION = "authorization"
    CODING = "coding"
    MISSING_INFORMATION = "missing_information"
    MEDICAL_NECESSITY = "medical_necessity"
    NON_COVERED = "non_covered"
    TIMELY_FILING = "timely_filing"
    DUPLICATE = "duplicate"
    BUNDLING = "bundling"
    PRICING = "pricing"
    INFORMATIONAL = "informational"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    Category.CONTRACTUAL: "Contractual",
    Category.PATIENT_RESPONSIBILITY: "Patient responsibility",
    Category.ELIGIBILITY: "Eligibility",
    Category.COORDINATION_OF_BENEFITS: "Coordination of benefits",
    Category.AUTHORIZATION: "Authorization",
    Category.CODING: "Coding",
    Category.MISSING_INFORMATION: "Missing information",
    Category.MEDICAL_NECESSITY: "Medical necessity",
    Category.NON_COVERED: "Not covered",
    Category.TIMELY_FILING: "Timely filing",
    Category.DUPLICATE: "Duplicate",
    Category.BUNDLING: "Bundling",
    Category.PRICING: "Pricing",
    Category.INFORMATIONAL: "Informational",
}

# Categories an adjustment can carry on a paid line without the line being a denial: the
# contract's reduction, the patient's share, information (DEN-D1).
NOT_DENIAL_ON_PAID_LINE: frozenset[Category] = frozenset(
    {Category.CONTRACTUAL, Category.PATIENT_RESPONSIBILITY, Category.INFORMATIONAL}
)


class NextAction(StrEnum):
    """What the biller does next about a denial."""

    CORRECTED_CLAIM = "corrected_claim"
    NEW_CLAIM = "new_claim"
    APPEAL = "appeal"
    REQUEST_AUTHORIZATION = "request_authorization"
    BILL_NEXT_PAYER = "bill_next_payer"
    BILL_PATIENT = "bill_patient"
    SEND_TO_CORRECT_PAYER = "send_to_correct_payer"
    CHECK_STATUS = "check_status"
    WRITE_OFF = "write_off"
    NO_ACTION = "no_action"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    NextAction.CORRECTED_CLAIM: "Send a corrected claim",
    NextAction.NEW_CLAIM: "Send a new claim",
    NextAction.APPEAL: "Appeal",
    NextAction.REQUEST_AUTHORIZATION: "Request an authorization",
    NextAction.BILL_NEXT_PAYER: "Bill the next payer",
    NextAction.BILL_PATIENT: "Bill the patient",
    NextAction.SEND_TO_CORRECT_PAYER: "Send to the correct payer",
    NextAction.CHECK_STATUS: "Check the claim's status",
    NextAction.WRITE_OFF: "Write off",
    NextAction.NO_ACTION: "No action",
}


class DenialStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_PAYER = "waiting_on_payer"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {
            "new": "New",
            "in_progress": "In progress",
            "waiting_on_payer": "Waiting on payer",
            "resolved": "Resolved",
        }[self.value]


OPEN_STATUSES: frozenset[DenialStatus] = frozenset(
    {DenialStatus.NEW, DenialStatus.IN_PROGRESS, DenialStatus.WAITING_ON_PAYER}
)


class Resolution(StrEnum):
    """How a resolved denial ended. The first three are the issue's; `voided` is a claim the
    payer was told to cancel (frequency 8), `reversed` an adjudication the payer took back
    (CLP02 22) with nothing paid since."""

    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"
    PATIENT_BILLED = "patient_billed"
    VOIDED = "voided"
    REVERSED = "reversed"

    @property
    def label(self) -> str:
        return {
            "recovered": "Recovered",
            "written_off": "Written off",
            "patient_billed": "Patient billed",
            "voided": "Voided at the payer",
            "reversed": "Reversed by the payer",
        }[self.value]


class WriteOffStatus(StrEnum):
    PENDING = "pending"  # above the admins' amount: waits for a manager
    APPROVED = "approved"
    REFUSED = "refused"


DENIAL_TRANSITIONS = TransitionTable.of(
    "denial",
    {
        DenialStatus.NEW: {DenialStatus.IN_PROGRESS, DenialStatus.WAITING_ON_PAYER, DenialStatus.RESOLVED},
        DenialStatus.IN_PROGRESS: {DenialStatus.WAITING_ON_PAYER, DenialStatus.RESOLVED, DenialStatus.NEW},
        DenialStatus.WAITING_ON_PAYER: {DenialStatus.IN_PROGRESS, DenialStatus.RESOLVED},
        DenialStatus.RESOLVED: set(),
    },
)
