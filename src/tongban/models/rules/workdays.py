"""Deadlines counted in working days, following China's public holidays and 调休 weekends.

Which calendar decides a day, in order:
1. an administrator's HolidayYear table for that year (from the catalog), when there is one;
2. the bundled `chinesecalendar` package (the State Council's notices, 2004 to its last year);
3. otherwise plain Monday–Friday, and the deadline says so (`estimated_years`, `warning`), because a
   promised completion date must not look exact when the holidays are not known.

Counting follows 民法典 art. 201: the day of acceptance is not counted, so N working days after
`start` is the N-th working day after it; 0 working days (即办件) is due on the day itself.

Stopping the clock (补正, 行政许可法 art. 45: the time the applicant takes to supply materials is
not counted): a wait from the day the supplement was requested to the day it arrived costs the
working days after the request up to and including the day of arrival (`working_days_after`).
The center worked on the day it asked; counting resumes the day after the materials came, as the
day of acceptance is not counted either. `extended_due` moves the promised date by that many
working days for every wait; a wait over a weekend or on one day costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from tongban.models.catalog.schema import HolidayYear


@dataclass(frozen=True)
class Deadline:
    due: date
    working_days: int
    # Years counted with plain weekends because no holiday data was available; when non-empty
    # the caller shows `warning` next to the date.
    estimated_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str | None:
        if not self.estimated_years:
            return None
        years = "、".join(str(year) for year in self.estimated_years)
        return f"{years} 年的节假日安排未载入，按普通周末推算"


@dataclass(frozen=True)
class _YearTable:
    holidays: frozenset[date]
    workdays: frozenset[date]


class WorkingCalendar:
    """Working days for the counter; holiday tables from the catalog override the bundled data."""

    def __init__(self, holiday_tables: Sequence[HolidayYear] = ()) -> None:
        self._tables: dict[int, _YearTable] = {}
        for table in holiday_tables:
            if table.year in self._tables:
                raise ValueError(f"{table.year} 年的节假日安排重复")
            self._tables[table.year] = _YearTable(
                holidays=frozenset(table.holidays), workdays=frozenset(table.workdays)
            )

    def knows(self, year: int) -> bool:
        """Whether the holidays of `year` are known (a table or the bundled calendar)."""
        return year in self._tables or _bundled_calendar_covers(year)

    def is_working_day(self, day: date) -> bool:
        table = self._tables.get(day.year)
        if table is not None:
            if day in table.workdays:
                return True
            if day in table.holidays:
                return False
            return _is_weekday(day)
        if _bundled_calendar_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        return _is_weekday(day)

    def add_working_days(self, start: date, days: int) -> Deadline:
        """The `days`-th working day after `start` (the day of acceptance is not counted)."""
        if days < 0:
            raise ValueError("工作日天数不能为负数")
        day = start
        counted = 0
        unknown_years: set[int] = set()
        while counted < days:
            day += timedelta(days=1)
            if not self.knows(day.year):
                unknown_years.add(day.year)
            if self.is_working_day(day):
                counted += 1
        return Deadline(due=day, working_days=days, estimated_years=tuple(sorted(unknown_years)))

    def working_days_after(self, start: date, end: date) -> int:
        """How many working days d there are with start < d <= end (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def extended_due(self, due: date, waits: Iterable[tuple[date, date]]) -> date:
        """The promised date moved on by the working days of every (requested, supplied) wait."""
        stopped = sum(self.working_days_after(start, end) for start, end in waits)
        return self.add_working_days(due, stopped).due if stopped else due


def _is_weekday(day: date) -> bool:
    return day.weekday() < 5


@cache
def _bundled_calendar_covers(year: int) -> bool:
    # chinesecalendar raises NotImplementedError for a year it has no notice for.
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True
