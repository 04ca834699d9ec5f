"""The days a report covers and the hours the counters are open, in Shanghai time.

Service hours (docs: the 2018 announcement): on working days 8:30–16:30 without a lunch break;
on weekends and public holidays 8:30–11:30, afternoons set by each center. No center's afternoon
hours are recorded anywhere yet, so an acceptance on a rest-day afternoon is listed as outside
service hours for the supervisor to look at (it may be a center that opens then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tongban.models.clock import SHANGHAI
from tongban.models.rules import WorkingCalendar

MAX_RANGE_DAYS = 366  # a range report covers at most a year


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is for people (zh_CN)."""


@dataclass(frozen=True)
class Period:
    """Shanghai calendar days `first` to `last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("结束日期不能早于开始日期")
        if self.day_count > MAX_RANGE_DAYS:
            raise PeriodError(f"报表期间最长 {MAX_RANGE_DAYS} 天")

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day)

    @property
    def day_count(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_single_day(self) -> bool:
        return self.first == self.last

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) of the period as aware UTC moments, for queries on stored times."""
        start = datetime.combine(self.first, time(0), SHANGHAI)
        end = datetime.combine(self.last + timedelta(days=1), time(0), SHANGHAI)
        return start.astimezone(UTC), end.astimezone(UTC)

    def contains(self, moment: datetime) -> bool:
        return self.first <= moment.astimezone(SHANGHAI).date() <= self.last


@dataclass(frozen=True)
class ServiceHours:
    opens: time = time(8, 30)
    closes: time = time(16, 30)
    rest_day_closes: time = time(11, 30)

    def is_open(self, moment: datetime, calendar: WorkingCalendar) -> bool:
        local = moment.astimezone(SHANGHAI)
        working = calendar.is_working_day(local.date())
        closes = self.closes if working else self.rest_day_closes
        return self.opens <= local.time() < closes
