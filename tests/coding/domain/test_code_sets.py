import datetime as dt

from coding.domain.code_sets import CodeSetCalendar

CAL = CodeSetCalendar.of(
    [("S9500", dt.date(2026, 1, 1), None), ("96379", dt.date(2026, 1, 1), dt.date(2026, 6, 30))],
    always={"J1745"},
)


def test_a_code_is_in_force_between_its_dates():
    assert CAL.codes_on(dt.date(2026, 3, 1)) == {"S9500", "96379", "J1745"}
    assert CAL.codes_on(dt.date(2026, 6, 30)) == {"S9500", "96379", "J1745"}
    assert CAL.codes_on(dt.date(2026, 7, 1)) == {"S9500", "J1745"}  # discontinued
    assert CAL.codes_on(dt.date(2025, 12, 31)) == {"J1745"}  # not yet effective


def test_an_empty_calendar_is_falsy():
    assert not CodeSetCalendar.of([], always={"J1745"})
    assert CAL
