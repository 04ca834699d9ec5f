"""The supervisor's desk behind the window (ui.supervisor_ports.SupervisorServices).

Only a logged-in supervisor of this workstation's center gets answers: the counter's session
says who is logged in (Counter.signed_in). Reports come from reports.Reports (central first,
this store when offline), 日结 from closures.DayClosures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tongban.desktop.output_files import OutputError, write_output
from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.closures import DayClosures
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError
from tongban.desktop.services.passwords import Passwords
from tongban.desktop.services.reports import Reports
from tongban.models.closures import DayStatus
from tongban.models.reports import IntakeReport
from tongban.models.store.clerks import ClerkRole

EXPORT_FORMATS = ("pdf", "csv", "xlsx", "json")


class SupervisorDesk:
    def __init__(
        self,
        context: CounterContext,
        signed_in: Callable[[], Actor],
        *,
        reports: Reports | None = None,
        closures: DayClosures | None = None,
        passwords: Passwords | None = None,
    ) -> None:
        self._signed_in = signed_in
        self._reports = reports or Reports(context)
        self._closures = closures or DayClosures(context, passwords=passwords)

    def intake_report(self, first: date, last: date) -> IntakeReport:
        self._supervisor()
        return self._reports.intake(first, last)

    def day_status(self, day: date) -> DayStatus:
        self._supervisor()
        return self._closures.status(day)

    def close_day(self, day: date, password: str) -> DayStatus:
        actor = self._supervisor()
        return self._closures.close(day, actor.number, password, channel=actor.channel)

    def export_report(self, report: IntakeReport, format_name: str, path: Path) -> None:
        self._supervisor()
        content = report_bytes(report, format_name)
        try:
            write_output(path, content)
        except OutputError as error:
            raise ServiceError(str(error)) from None

    def _supervisor(self) -> Actor:
        actor = self._signed_in()
        if actor.role is not ClerkRole.SUPERVISOR:
            raise ServiceError("只有中心主管可以使用主管工作台")
        return actor


def report_bytes(report: IntakeReport, format_name: str) -> bytes:
    """The report in one of EXPORT_FORMATS (the same documents as `tongban report`)."""
    # Imported here: ReportLab and openpyxl are needed only when something is exported.
    from tongban.desktop.paperwork import DocumentKind, render_document
    from tongban.printing.report_exports import daily_report_data, report_csv, report_xlsx

    if format_name == "json":
        text = json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")
    if format_name == "csv":
        return report_csv(report)
    if format_name == "xlsx":
        return report_xlsx(report)
    if format_name == "pdf":
        data = daily_report_data(report)
        return render_document(DocumentKind.DAILY_REPORT, data, allow_missing_glyphs=True)
    raise ServiceError(f"不支持的导出格式：{format_name}")
