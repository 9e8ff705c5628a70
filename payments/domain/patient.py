"""Patient payments, refunds and plans: their kinds and statuses (pure; the model columns
store these values)."""

from __future__ import annotations

import re
from enum import StrEnum

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.transitions import TransitionTable


class PaymentChannel(StrEnum):
    FRONT_DESK = "front_desk"
    MAIL = "mail"

    @property
    def label(self) -> str:
        return {"front_desk": "At the front desk", "mail": "By mail"}[self.value]


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"

    @property
    def label(self) -> str:
        return {"cash": "Cash", "check": "Check", "card": "Card"}[self.value]


class RefundStatus(StrEnum):
    REQUESTED = "requested"  # a biller asked; waits for a manager
    APPROVED = "approved"  # a manager approved: it counts on the ledger
    REJECTED = "rejected"  # a manager refused: the credit stays

    @property
    def label(self) -> str:
        return {"requested": "Waiting for a manager", "approved": "Approved", "rejected": "Rejected"}[
            self.value
        ]


REFUND_TRANSITIONS = TransitionTable.of(
    "refund",
    {RefundStatus.REQUESTED: {RefundStatus.APPROVED, RefundStatus.REJECTED}},
)


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# A card number (13 to 19 digits, spaces or dashes allowed) must never be stored: PCI DSS
# keeps primary account numbers out of systems that do not need them.
_CARD_NUMBER = re.compile(r"(?:\d[ -]?){13,19}")


def payment_reference(method: PaymentMethod, reference: str) -> str:
    """PATIENT-PAY3: a check needs its number; a card payment keeps the terminal's approval
    reference, never a card number; cash needs nothing."""
    reference = (reference or "").strip()
    if method is PaymentMethod.CHECK and not reference:
        raise InvalidInputError("A check payment needs the check number.")
    if method is PaymentMethod.CARD:
        if not reference:
            raise InvalidInputError("A card payment needs the terminal's approval reference.")
        if _CARD_NUMBER.search(reference):
            raise InvalidInputError(
                "That looks like a card number: keep only the terminal's approval reference (or the last 4 digits)."
            )
    return reference
