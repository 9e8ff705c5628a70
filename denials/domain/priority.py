"""Priority of a denial: amount x closeness of the deadline x chance of recovery (DEN-P1).

Pure. priority = amount × closeness × chance, in dollars (two places): what working this denial
today is worth, so the queue sorts the biggest, most urgent, most recoverable first.

- closeness = 30 / (30 + days left) while the due date is ahead or today (1.0 on the day, 0.5
  with 30 days left, 0.25 with 90); 0.1 once it has passed (most of the chance is gone, the
  denial still needs a decision);
- chance of recovery by category: the project's estimate [L] below, to be replaced by the
  office's own overturn history (the appeals work).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from denials.domain.types import Category

RECOVERY_CHANCE: dict[Category, Decimal] = {
    Category.CODING: Decimal("0.80"),
    Category.MISSING_INFORMATION: Decimal("0.80"),
    Category.COORDINATION_OF_BENEFITS: Decimal("0.75"),
    Category.ELIGIBILITY: Decimal("0.60"),
    Category.PATIENT_RESPONSIBILITY: Decimal("0.60"),
    Category.AUTHORIZATION: Decimal("0.50"),
    Category.PRICING: Decimal("0.50"),
    Category.MEDICAL_NECESSITY: Decimal("0.45"),
    Category.BUNDLING: Decimal("0.30"),
    Category.NON_COVERED: Decimal("0.20"),
    Category.DUPLICATE: Decimal("0.10"),
    Category.TIMELY_FILING: Decimal("0.10"),
    Category.CONTRACTUAL: Decimal("0.05"),
    Category.INFORMATIONAL: Decimal("0.00"),
}
WINDOW = Decimal(30)
OVERDUE = Decimal("0.10")
CENT = Decimal("0.01")


def closeness(due: date, today: date) -> Decimal:
    left = (due - today).days
    if left < 0:
        return OVERDUE
    return WINDOW / (WINDOW + Decimal(left))


def priority(*, amount: Decimal, category: Category, due: date, today: date) -> Decimal:
    """DEN-P1."""
    value = amount * closeness(due, today) * RECOVERY_CHANCE[category]
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
