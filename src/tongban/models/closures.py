"""日结 (the supervisor signs a center's day off): the rules both sides share, Qt-free.

When a day may be signed off, which events it locks, what a workstation reports of its outbox,
and the values that travel between the service and the workstation.

- The day is over for signing off from 16:30 Shanghai time on that day: the end of service
  hours on working days (ServiceHours.closes). Rest-day afternoons are set by each center and
  recorded nowhere, so 16:30 is used every day; an acceptance after it is an anomaly anyway.
- A workstation "has synced the day" when, at or after 16:30 of that day (the service's clock),
  it reported an outbox holding no event recorded before the day's end (midnight after it).
  Only active workstations enrolled before the day's end are asked.
- Signing off locks the day: events that would change its intake (LOCKED_KINDS in
  models/store/closed_days.py, recorded on that Shanghai day at the center) are refused by the
  central push, and by the workstation's own write path once it has heard of the sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, TypeAdapter

from tongban.models.clock import SHANGHAI
from tongban.models.reports import IntakeReport, ServiceHours

SIGN_OFF_FROM: time = ServiceHours().closes  # 16:30
OUTBOX_HEADER = "X-Tongban-Outbox"  # "<pending>;<oldest pending created_at, ISO, or empty>"
MAX_OUTBOX_HEADER = 80
RECENT_CLOSURES = timedelta(days=62)  # closures each pull carries to the workstation


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def sign_off_opens(day: date) -> datetime:
    """From when `day` may be signed off (aware, UTC)."""
    return datetime.combine(day, SIGN_OFF_FROM, SHANGHAI).astimezone(UTC)


def day_end(day: date) -> datetime:
    """The midnight after `day` in Shanghai (aware, UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI).astimezone(UTC)


def when(moment: datetime | None) -> str:
    """A moment as a supervisor reads it: Shanghai date and time to the minute."""
    return "从未" if moment is None else f"{moment.astimezone(SHANGHAI):%m-%d %H:%M}"


@dataclass(frozen=True)
class OutboxReport:
    """What a workstation says of its outbox with every request (header OUTBOX_HEADER)."""

    pending: int
    oldest_pending_at: datetime | None  # when the oldest waiting event was recorded

    def header(self) -> str:
        oldest = "" if self.oldest_pending_at is None else self.oldest_pending_at.isoformat()
        return f"{self.pending};{oldest}"

    @classmethod
    def parse(cls, text: str) -> OutboxReport | None:
        """The report a header holds; None when it cannot be read (it is then ignored)."""
        count, separator, oldest = text.strip().partition(";")
        try:
            pending = int(count)
            at = datetime.fromisoformat(oldest) if oldest else None
        except ValueError:
            return None
        if not separator or pending < 0 or (at is not None and at.tzinfo is None):
            return None
        if (pending == 0) != (at is None):
            return None
        return cls(pending, None if at is None else at.astimezone(UTC))

    def holds_events_of(self, day: date) -> bool:
        """True when an event recorded on or before `day` may still wait in the outbox."""
        return self.oldest_pending_at is not None and self.oldest_pending_at < day_end(day)


@dataclass(frozen=True)
class ClosedDay:
    """A signed-off day, as the workstation keeps it."""

    day: date
    signed_by: str
    signed_at: datetime


@dataclass(frozen=True)
class Straggler:
    """An active workstation that has not shown the center it synced the day."""

    number: int
    name: str
    last_contact: datetime | None
    pending: int | None  # as it last reported; None: it never reported its outbox
    oldest_pending_at: datetime | None
    reason: str  # zh_CN

    def line(self) -> str:
        contact = when(self.last_contact)
        return f"{self.name}（编号 {self.number:03d}，最近联系 {contact}）：{self.reason}"


@dataclass(frozen=True)
class DayClosure:
    """A day signed off: by whom, when, and the day's intake report as it was then."""

    center: str
    day: date
    signed_by: str
    signed_by_name: str
    signed_at: datetime
    workstation: str  # the workstation's name where it was signed
    report: IntakeReport

    def line(self) -> str:
        return (
            f"{self.day:%Y-%m-%d} 已日结：主管 {self.signed_by_name}（工号 {self.signed_by}），"
            f"{when(self.signed_at)}，于 {self.workstation}"
        )


@dataclass(frozen=True)
class DayStatus:
    """Whether a day is signed off, and if not, what stands in the way."""

    center: str
    day: date
    closure: DayClosure | None
    day_over: bool  # the sign-off hour (SIGN_OFF_FROM) has come
    stragglers: tuple[Straggler, ...] = ()

    @property
    def closed(self) -> bool:
        return self.closure is not None

    @property
    def can_close(self) -> bool:
        return self.closure is None and self.day_over and not self.stragglers

    def headline(self) -> str:
        """One line (summary() lists each workstation holding the day back)."""
        if self.closure is None and self.day_over and self.stragglers:
            names = "、".join(s.name for s in self.stragglers)
            count = len(self.stragglers)
            return f"{self.day:%Y-%m-%d} 尚未日结：{count} 台工作站尚未同步当日数据（{names}）"
        return self.summary()

    def summary(self) -> str:
        """One or more lines a supervisor reads (zh_CN)."""
        if self.closure is not None:
            return self.closure.line()
        if not self.day_over:
            opens = when(sign_off_opens(self.day))
            return f"{self.day:%Y-%m-%d} 尚未结束：{opens} 之后才能日结"
        if self.stragglers:
            lines = [f"以下工作站尚未同步 {self.day:%Y-%m-%d} 的数据，暂不能日结："]
            lines += [s.line() for s in self.stragglers]
            return "\n".join(lines)
        return f"{self.day:%Y-%m-%d} 尚未日结，各工作站均已同步，可以日结"

    def to_json_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = _status_adapter().dump_python(self, mode="json")
        body["closed"], body["can_close"] = self.closed, self.can_close
        return body

    @classmethod
    def from_json_dict(cls, body: dict[str, Any]) -> DayStatus:
        return _status_adapter().validate_python(body)


@cache
def _status_adapter() -> TypeAdapter[DayStatus]:
    return TypeAdapter(DayStatus)


class CloseDayRequest(BaseModel):
    """POST /v1/closures: a supervisor signs the day off (the password is checked centrally)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    center: str = Field(pattern=r"^\d{9}$")
    day: date
    clerk: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=200, repr=False)


class DayStatusBody(RootModel[DayStatus]):
    """A day's status as an HTTP body (GET and POST /v1/closures), for pydantic clients."""
