"""The days a report covers and the hours the counters are open, in Shanghai time.

Service hours (docs: the 2018 announcement): on working days 8:30–16:30 without a lunch break;
on weekends and public holidays 8:30–11:30, afternoons set by each center. A working day is one
of the working calendar (models/rules/workdays.py: chinesecalendar and the administrator's
tables), so an adjusted working weekend (调休) keeps working-day hours. A center's rest-day
afternoon is its `rest_day_afternoon` in centers.yaml (models/geography.py); while it is not
recorded, an acceptance on a rest-day afternoon is listed as outside service hours for the
supervisor to look at (the center may open then), and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tongban.models.clock import SHANGHAI
from tongban.models.geography import Geography, shanghai
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
    # The center's own afternoon on weekends and public holidays: (from, to); None: not recorded.
    rest_day_afternoon: tuple[time, time] | None = None

    def is_open(self, moment: datetime, calendar: WorkingCalendar) -> bool:
        local = moment.astimezone(SHANGHAI)
        at = local.time()
        if calendar.is_working_day(local.date()):
            return self.opens <= at < self.closes
        if self.opens <= at < self.rest_day_closes:
            return True
        afternoon = self.rest_day_afternoon
        return afternoon is not None and afternoon[0] <= at < afternoon[1]

    def unrecorded_afternoon(self, moment: datetime, calendar: WorkingCalendar) -> bool:
        """A rest-day afternoon moment whose hours this center has not recorded."""
        local = moment.astimezone(SHANGHAI)
        return (
            self.rest_day_afternoon is None
            and not calendar.is_working_day(local.date())
            and local.time() >= self.rest_day_closes
        )


def center_hours(center_code: str, geography: Geography | None = None) -> ServiceHours:
    """The service hours of a center (the bundled reference data unless told otherwise); an
    unknown center gets the common hours, its rest-day afternoon not recorded."""
    centers = (geography or shanghai()).centers
    center = centers.get(center_code)
    return ServiceHours(rest_day_afternoon=center.rest_day_afternoon if center else None)
