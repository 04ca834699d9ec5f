"""What the supervisor's desk (ui/supervisor.py) needs from the application.

tongban.desktop implements `SupervisorServices` for the logged-in supervisor; the values that
cross are the Qt-free domain types of tongban.models (the intake report, a day's 日结 status).
As with ui.ports.CounterServices, every method may be slow (the central service, the store)
and is called through tasks.TaskRunner; a refusal the supervisor should read is
ui.ports.ServiceError with a short Chinese message.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from tongban.models.closures import DayStatus
from tongban.models.reports import IntakeReport

EXPORT_FORMATS = ("pdf", "csv", "xlsx")


class SupervisorServices(Protocol):
    def intake_report(self, first: date, last: date) -> IntakeReport:
        """The center's intake for the days `first` to `last`: from the central store, or from
        this workstation's own store when it cannot be reached (marked partial)."""
        ...

    def day_status(self, day: date) -> DayStatus:
        """Whether `day` is signed off (日结), and if not, what stands in the way."""
        ...

    def close_day(self, day: date, password: str) -> DayStatus:
        """Sign `day` off as the logged-in supervisor, whose password is asked again. The
        answer has the closure, or the workstations that have not synced the day."""
        ...

    def export_report(self, report: IntakeReport, format_name: str, path: Path) -> None:
        """Write the report to `path` as one of EXPORT_FORMATS."""
        ...
