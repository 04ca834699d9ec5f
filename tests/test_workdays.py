from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.catalog import HolidayYear
from tongban.models.rules import Deadline, WorkingCalendar

CALENDAR = WorkingCalendar()

# An administrator's table for 2027, shaped like a State Council notice. The dates are test
# data, not the real 2027 arrangement.
TABLE_2027 = HolidayYear(
    year=2027,
    holidays=(date(2027, 1, 1),),
    workdays=(date(2027, 1, 2),),
    source="测试用表",
)


def due(start: date, days: int, calendar: WorkingCalendar = CALENDAR) -> date:
    return calendar.add_working_days(start, days).due


# --- National Day and Spring Festival with 调休 ---------------------------------------------


def test_national_day_2025():
    # 2025-10-01..08 off; Sunday 09-28 and Saturday 10-11 are working days.
    assert due(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert due(date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert due(date(2025, 9, 30), 3) == date(2025, 10, 11)  # 调休 Saturday counts
    assert due(date(2025, 9, 26), 1) == date(2025, 9, 28)  # 调休 Sunday counts


def test_national_day_2024():
    # 2024-10-01..07 off; Sunday 09-29 and Saturday 10-12 are working days.
    assert due(date(2024, 9, 27), 1) == date(2024, 9, 29)
    assert due(date(2024, 9, 29), 1) == date(2024, 9, 30)
    assert due(date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert due(date(2024, 9, 30), 5) == date(2024, 10, 12)


def test_spring_festival_2025():
    # 2025-01-28..02-04 off; Sunday 01-26 and Saturday 02-08 are working days.
    assert due(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert due(date(2025, 1, 24), 2) == date(2025, 1, 27)
    assert due(date(2025, 1, 24), 3) == date(2025, 2, 5)
    assert due(date(2025, 2, 7), 1) == date(2025, 2, 8)


def test_day_of_acceptance_is_not_counted():
    # Accepted on Monday 2025-03-03: one working day later is Tuesday.
    assert due(date(2025, 3, 3), 1) == date(2025, 3, 4)
    # Accepted on a Saturday: the first working day after it is Monday.
    assert due(date(2025, 3, 8), 1) == date(2025, 3, 10)


def test_on_the_spot_is_due_the_same_day():
    deadline = CALENDAR.add_working_days(date(2025, 10, 1), 0)
    assert deadline == Deadline(due=date(2025, 10, 1), working_days=0, estimated_years=())
    assert deadline.warning is None


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(date(2025, 1, 1), -1)


def test_is_working_day():
    assert not CALENDAR.is_working_day(date(2025, 10, 1))
    assert CALENDAR.is_working_day(date(2025, 10, 11))  # Saturday, 调休
    assert not CALENDAR.is_working_day(date(2025, 10, 12))  # plain Sunday
    assert CALENDAR.is_working_day(date(2025, 10, 13))


# --- years without bundled data ---------------------------------------------------------------


def test_crossing_into_2027_is_estimated_with_a_warning():
    assert CALENDAR.knows(2026)
    assert not CALENDAR.knows(2027)
    deadline = CALENDAR.add_working_days(date(2026, 12, 30), 3)
    # 12-31 (Thu), then plain Mon–Fri in 2027: 01-01 (Fri), 01-04 (Mon).
    assert deadline.due == date(2027, 1, 4)
    assert deadline.estimated_years == (2027,)
    assert deadline.warning == "2027 年的节假日安排未载入，按普通周末推算"


def test_a_deadline_inside_a_known_year_is_exact():
    deadline = CALENDAR.add_working_days(date(2026, 12, 1), 20)
    assert deadline.estimated_years == ()
    assert deadline.warning is None


def test_several_unknown_years_are_all_named():
    deadline = CALENDAR.add_working_days(date(2027, 12, 1), 300)
    assert deadline.estimated_years == (2027, 2028, 2029)
    assert deadline.warning == "2027、2028、2029 年的节假日安排未载入，按普通周末推算"


def test_an_administrator_table_makes_2027_exact():
    calendar = WorkingCalendar([TABLE_2027])
    assert calendar.knows(2027)
    assert not calendar.knows(2028)
    deadline = calendar.add_working_days(date(2026, 12, 30), 2)
    # 12-31, then 01-01 is a holiday and Saturday 01-02 a working day.
    assert deadline.due == date(2027, 1, 2)
    assert due(date(2026, 12, 30), 2) == date(2027, 1, 1)  # estimated without the table
    assert deadline.estimated_years == ()
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 3))  # an ordinary Sunday of 2027
    assert calendar.is_working_day(date(2027, 1, 4))


def test_an_administrator_table_overrides_the_bundled_calendar():
    table = HolidayYear(
        year=2025, holidays=(date(2025, 3, 3),), workdays=(date(2025, 10, 1),), source="测试用表"
    )
    calendar = WorkingCalendar([table])
    assert not calendar.is_working_day(date(2025, 3, 3))
    assert calendar.is_working_day(date(2025, 10, 1))
    # The table replaces the whole year: days it does not list follow plain weekdays.
    assert calendar.is_working_day(date(2025, 10, 2))


def test_duplicate_tables_for_a_year_are_refused():
    with pytest.raises(ValueError, match="2027"):
        WorkingCalendar([TABLE_2027, TABLE_2027])


def test_years_before_the_bundled_data_fall_back_to_weekdays():
    assert not CALENDAR.knows(2003)
    assert CALENDAR.is_working_day(date(2003, 10, 1))  # a Wednesday, holiday unknown
    assert not CALENDAR.is_working_day(date(2003, 10, 4))


# --- properties -------------------------------------------------------------------------------

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31))
day_counts = st.integers(min_value=0, max_value=60)
CALENDARS = st.sampled_from([CALENDAR, WorkingCalendar([TABLE_2027])])


@given(CALENDARS, starts, st.integers(min_value=1, max_value=60))
def test_due_is_a_working_day_after_start(calendar: WorkingCalendar, start: date, days: int):
    deadline = calendar.add_working_days(start, days)
    assert deadline.due > start
    assert calendar.is_working_day(deadline.due)
    assert deadline.working_days == days


@given(CALENDARS, starts, day_counts)
def test_exactly_days_working_days_are_counted(calendar: WorkingCalendar, start: date, days: int):
    deadline = calendar.add_working_days(start, days)
    span = (deadline.due - start).days
    after_start = (start + timedelta(days=offset) for offset in range(1, span + 1))
    assert sum(calendar.is_working_day(day) for day in after_start) == days


@given(CALENDARS, starts, day_counts)
def test_monotonic_in_days(calendar: WorkingCalendar, start: date, days: int):
    assert due(start, days, calendar) < due(start, days + 1, calendar)


@given(CALENDARS, starts, day_counts, day_counts)
def test_adding_in_two_steps_equals_adding_at_once(
    calendar: WorkingCalendar, start: date, first: int, second: int
):
    halfway = due(start, first, calendar)
    assert due(halfway, second, calendar) == due(start, first + second, calendar)


@given(CALENDARS, starts, day_counts)
def test_estimated_years_are_exactly_the_unknown_years_counted(
    calendar: WorkingCalendar, start: date, days: int
):
    deadline = calendar.add_working_days(start, days)
    span = range(1, (deadline.due - start).days + 1)
    years = {(start + timedelta(days=offset)).year for offset in span}
    assert deadline.estimated_years == tuple(sorted(y for y in years if not calendar.knows(y)))
    assert (deadline.warning is None) == (not deadline.estimated_years)
