import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from claims.domain.per_diem import split_per_day

D = dt.date(2026, 11, 2)


def test_a_seven_day_per_diem_becomes_seven_daily_lines():
    lines = split_per_day(D, D + dt.timedelta(days=6), Decimal(7), Decimal("1050.00"))
    assert [line.day for line in lines] == [D + dt.timedelta(days=i) for i in range(7)]
    assert {line.units for line in lines} == {Decimal(1)}
    assert {line.charge for line in lines} == {Decimal("150.00")}


def test_lines_that_are_not_one_unit_per_day_stay_a_span():
    assert split_per_day(D, D + dt.timedelta(days=6), Decimal(14), Decimal("100")) is None  # a drug, 14 vials
    assert split_per_day(D, D, Decimal(1), Decimal("100")) is None  # one day


@given(days=st.integers(2, 60), cents=st.integers(0, 10_000_000))
def test_daily_charges_add_up_to_the_span(days, cents):
    charge = Decimal(cents) / 100
    lines = split_per_day(D, D + dt.timedelta(days=days - 1), Decimal(days), charge)
    assert sum(line.charge for line in lines) == charge
    assert max(line.charge for line in lines) - min(line.charge for line in lines) <= Decimal("0.01") * days
