"""The intake report of one center for a day or a range: plain frozen data, and its JSON form.

This is what every output is made from (PDF, CSV, XLSX, JSON, a dashboard's charts), whether the
figures came from the central store or, offline, from the workstation's own store (`partial`).
How each figure is counted is written in build.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import RootModel, TypeAdapter

from tongban.models.reports.counter_time import CounterTimeBasis
from tongban.models.reports.period import Period


class Source:
    CENTRAL = "central"  # the central store: every workstation's synced events
    LOCAL = "local"  # this workstation's store: its own events and what it had pulled


@dataclass(frozen=True)
class ItemLine:
    """One item's counts; `accepted` includes the deferred and the forwarded ones."""

    item_code: str
    item_name: str
    department: str
    accepted: int = 0
    deferred: int = 0  # of the accepted: 容缺受理
    forwarded_out: int = 0  # of the accepted: processed by another center
    received_in: int = 0  # accepted elsewhere, processed here
    notified: int = 0
    refused: int = 0
    guided: int = 0


@dataclass(frozen=True)
class ClerkLine:
    clerk: str
    accepted: int = 0
    notified: int = 0
    refused: int = 0
    guided: int = 0
    # Time at the counter of this clerk's visits that carry it (counter_time.py).
    counter_time_cases: int = 0
    counter_time_median_seconds: float | None = None
    counter_time_p90_seconds: float | None = None


@dataclass(frozen=True)
class Anomaly:
    """Something for the supervisor to look at: a reprint, a cancellation, a refusal, …"""

    kind: str  # reprinted, cancelled, refused, outside_hours, sync_problem
    reference: str  # the case number, or the visit's id for a refusal
    item_code: str
    clerk: str
    at: datetime
    detail: str = ""  # the reason given, or what happened
    # The item's name in the catalog the report was built with (an older report has none).
    item_name: str = ""


@dataclass(frozen=True)
class DeferredDue:
    """A 容缺 material still owed on an open case accepted here, due soon or already late."""

    case_number: str
    item_code: str
    material: str
    due: date
    late: bool  # the due date is before the report's last day


@dataclass(frozen=True)
class OverdueCase:
    """An undecided case past its promised date (as of the report's last day)."""

    case_number: str
    item_code: str
    status: str
    accepting_center: str
    processing_center: str
    due: date


@dataclass(frozen=True)
class WorkstationHealth:
    number: int
    name: str
    site_code: str
    status: str  # active, pending, quarantined, retired
    last_contact: datetime | None
    app_version: str | None
    # Centrally: what its outbox held when it last reported it (None: never reported).
    pending_events: int | None = None
    # The workstation's clock minus the service's (positive: fast); None: never measured.
    clock_offset_seconds: float | None = None


@dataclass(frozen=True)
class IntakeReport:
    center: str
    center_name: str
    first_day: date
    last_day: date
    prepared_at: datetime
    source: str  # Source.CENTRAL or Source.LOCAL
    partial: bool  # True: made without the central store; other workstations may be missing
    partial_reason: str
    accepted: int
    notified: int
    refused: int
    guided: int
    forwarded_out: int
    received_in: int
    deferred_accepted: int  # accepted with a 容缺 material
    by_department: dict[str, int]
    by_item: dict[str, int]
    by_mode: dict[str, int]
    by_clerk: dict[str, int]
    by_hour: dict[str, int]  # "08" … "20": accepted cases by the Shanghai hour
    by_day: dict[str, int]  # ISO date: accepted cases
    items: tuple[ItemLine, ...]
    clerks: tuple[ClerkLine, ...]
    deferred_due: tuple[DeferredDue, ...]
    overdue: tuple[OverdueCase, ...]
    reprints: tuple[Anomaly, ...]
    cancellations: tuple[Anomaly, ...]
    refusals: tuple[Anomaly, ...]
    outside_hours: tuple[Anomaly, ...]
    sync_problems: tuple[Anomaly, ...]
    workstations: tuple[WorkstationHealth, ...]
    # The fallback when no decision in the period carries `started_at` (older workstations):
    # the median gap between one decision and the next at the same workstation (gaps over 30
    # minutes left out), an upper bound of the time at the counter. None when the exact figures
    # below exist.
    decision_interval_median_seconds: float | None
    notes: tuple[str, ...] = field(default=())
    # Time at the counter, identification to decision (counter_time.py), over the decisions
    # that carry `started_at`; `counter_time_left_out` had one that cannot be right.
    counter_time_cases: int = 0
    counter_time_median_seconds: float | None = None
    counter_time_p90_seconds: float | None = None
    counter_time_left_out: int = 0

    @property
    def period(self) -> Period:
        return Period(self.first_day, self.last_day)

    @property
    def decisions(self) -> int:
        """Every visit decided at the center: 受理, 一次性告知, 不予受理, 指引."""
        return self.accepted + self.notified + self.refused + self.guided

    @property
    def counter_time_basis(self) -> str:
        """Which counter-time figures the report has (CounterTimeBasis)."""
        if self.counter_time_cases:
            return CounterTimeBasis.STARTED_AT
        if self.decision_interval_median_seconds is not None:
            return CounterTimeBasis.DECISION_INTERVAL
        return CounterTimeBasis.NONE

    @property
    def anomaly_count(self) -> int:
        return sum(
            len(group)
            for group in (
                self.reprints,
                self.cancellations,
                self.refusals,
                self.outside_hours,
                self.sync_problems,
            )
        )

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready; a day's report also has "date", a range "from" and "to", and every report
        "counter_time_basis"."""
        body: dict[str, Any] = _adapter().dump_python(self, mode="json")
        body["counter_time_basis"] = self.counter_time_basis
        if self.first_day == self.last_day:
            body["date"] = self.first_day.isoformat()
        else:
            body["from"], body["to"] = self.first_day.isoformat(), self.last_day.isoformat()
        return body

    @classmethod
    def from_json_dict(cls, body: dict[str, Any]) -> IntakeReport:
        """The report a to_json_dict() body holds; pydantic's ValidationError when it does not.
        Keys it does not know ("date", "from", "to", "counter_time_basis", a newer service's
        additions) are ignored; an older service's report lacks the counter-time figures."""
        return _adapter().validate_python(body)


class IntakeReportBody(RootModel[IntakeReport]):
    """The report as an HTTP body (GET /v1/reports/…), for clients that read pydantic models."""


@cache
def _adapter() -> TypeAdapter[IntakeReport]:
    return TypeAdapter(IntakeReport)
