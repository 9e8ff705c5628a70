"""Money helpers: every USD amount is a Decimal quantized to cents here, and nowhere else.

Pure module. Floats are refused outright: a float has already lost the cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_T = TypeVar("_T")


def exact_amount(value: _T) -> _T:
    """Boundary guard for amounts: pass strings, ints and Decimals through; refuse floats and bools
    (a float has already lost the cents). Used as a pydantic BeforeValidator."""
    if isinstance(value, (bool, float)):
        raise ValueError('give amounts as decimal strings or Decimals, e.g. "2.47", never a float')
    return value


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents with ROUND_HALF_UP; refuse floats, NaN and infinities."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal or a string")
    if isinstance(value, bool):
        raise TypeError("money must not be a bool")
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`; the last share absorbs the rounding remainder.

    The shares always sum to exactly `total` (Saleor-style remainder-to-last).
    """
    total = to_money(total)
    if not weights:
        raise ValueError("allocate needs at least one weight")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        shares = [ZERO] * (len(weights) - 1)
        return [*shares, total]
    shares = [to_money(total * w / weight_sum) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]
