"""The money helpers: cents, no floats, allocation that always adds up."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusion_rcm.common.money import allocate, exact_amount, to_money


def test_to_money_quantizes_half_up_and_refuses_floats():
    assert to_money("2.005") == Decimal("2.01")
    assert to_money(3) == Decimal("3.00")
    with pytest.raises(TypeError):
        to_money(2.5)
    with pytest.raises(ValueError, match="finite"):
        to_money("NaN")
    with pytest.raises(ValueError):
        to_money("twelve")


def test_exact_amount_refuses_floats_and_bools():
    assert exact_amount("2.47") == "2.47"
    for bad in (2.47, True):
        with pytest.raises(ValueError, match="never a float"):
            exact_amount(bad)


@given(total=st.integers(0, 10**9), weights=st.lists(st.integers(0, 1000), min_size=1, max_size=30))
def test_allocation_parts_sum_to_the_total(total, weights):
    amount = Decimal(total) / 100
    parts = allocate(amount, [Decimal(w) for w in weights])
    assert sum(parts) == amount
    assert len(parts) == len(weights)
