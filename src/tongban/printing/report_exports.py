"""The intake report (tongban.models.reports) as tables, and those tables as CSV, XLSX and PDF.

Every format is made from the same `report_tables()`, so the figures agree wherever they are read:
CSV (UTF-8 with a byte-order mark, which Excel needs to read Chinese), XLSX (openpyxl, one sheet
per table, numbers as numbers) and the printed 每日受理报表 (daily_report.py). An incomplete
report (made offline from one workstation's store) says so at the top of each.

Time at the counter is shown in minutes and seconds: the median and 90th percentile from the
applicant's identification to the decision, or, when no decision carried its start, the median
interval between decisions (an upper bound), labelled as such. The report's notes follow as a
table of their own (说明).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook

from tongban.models.catalog import Mode
from tongban.models.clock import SHANGHAI
from tongban.models.reports import Anomaly, CounterTimeBasis, IntakeReport, Source
from tongban.models.store.events import STATUS_LABELS, CaseStatus
from tongban.printing.daily_report import DailyItemRow, DailyReportData, ReportSection
from tongban.printing.labels import MODE
from tongban.printing.values import CenterOnPaper

Cell = str | int | float
ANOMALY_LABELS = {
    "reprinted": "补打回执",
    "cancelled": "撤销",
    "refused": "不予受理",
    "outside_hours": "非服务时间受理",
    "sync_problem": "同步问题",
}
WORKSTATION_STATUS = {
    "active": "正常",
    "pending": "待登记",
    "quarantined": "已隔离",
    "retired": "已停用",
}


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def partial_warning(report: IntakeReport) -> str:
    """The line every format carries when the figures are incomplete; empty otherwise."""
    if not report.partial:
        return ""
    return f"注意：本报表数据不完整（{report.partial_reason}）"


def when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def period_text(report: IntakeReport) -> str:
    if report.first_day == report.last_day:
        return report.first_day.isoformat()
    return f"{report.first_day.isoformat()} 至 {report.last_day.isoformat()}"


def duration(seconds: float | None) -> str:
    """Seconds as the supervisor reads them: 3 分 5 秒, 45 秒; empty when unknown."""
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} 分 {rest} 秒" if minutes else f"{rest} 秒"


def counter_time_rows(report: IntakeReport) -> tuple[tuple[str, Cell], ...]:
    """The time at the counter, saying what it rests on."""
    basis = report.counter_time_basis
    if basis == CounterTimeBasis.STARTED_AT:
        measured = f"自识别申请人至作出决定（{report.counter_time_cases} 件）"
        return (
            ("办理时长依据", measured),
            ("办理时长中位数", duration(report.counter_time_median_seconds)),
            ("办理时长90分位", duration(report.counter_time_p90_seconds)),
        )
    if basis == CounterTimeBasis.DECISION_INTERVAL:
        return (
            ("办理时长依据", "未记录开始时间，以相邻决定间隔估计（上限）"),
            ("决定间隔中位数", duration(report.decision_interval_median_seconds)),
        )
    return (("办理时长依据", "无可计算的办件"),)


def summary_rows(report: IntakeReport) -> tuple[tuple[str, Cell], ...]:
    return (
        ("中心", report.center_name),
        ("中心代码", report.center),
        ("报表期间", period_text(report)),
        ("数据来源", "中心库" if report.source == Source.CENTRAL else "本工作站"),
        ("数据完整性", partial_warning(report) or "完整"),
        ("受理件数", report.accepted),
        ("其中容缺受理", report.deferred_accepted),
        ("一次性告知", report.notified),
        ("不予受理", report.refused),
        ("告知办理地", report.guided),
        ("转出件数", report.forwarded_out),
        ("转入件数", report.received_in),
        ("异常事项", report.anomaly_count),
        ("容缺材料到期", len(report.deferred_due)),
        ("逾期未办结", len(report.overdue)),
        *counter_time_rows(report),
        ("制表时间", when(report.prepared_at)),
    )


def report_tables(report: IntakeReport) -> tuple[Table, ...]:
    tables = [
        Table("概要", ("项目", "数值"), summary_rows(report)),
        _items(report),
        Table("分部门", ("部门", "受理"), tuple(report.by_department.items())),
        Table(
            "分受理方式",
            ("受理方式", "受理"),
            tuple((_mode(m), n) for m, n in report.by_mode.items()),
        ),
        _clerks(report),
        Table("分时段", ("时段", "受理"), tuple((f"{h}时", n) for h, n in report.by_hour.items())),
    ]
    if report.first_day != report.last_day:
        tables.append(Table("分日", ("日期", "受理"), tuple(report.by_day.items())))
    tables += [_deferred(report), _overdue(report), _anomalies(report), _workstations(report)]
    if report.notes:
        tables.append(Table("说明", ("说明",), tuple((note,) for note in report.notes)))
    return tuple(tables)


def _clerks(report: IntakeReport) -> Table:
    header = ("工号", "受理", "一次性告知", "不予受理", "告知办理地")
    header += ("计时件数", "办理时长中位数", "办理时长90分位")
    rows = tuple(
        (
            c.clerk,
            c.accepted,
            c.notified,
            c.refused,
            c.guided,
            c.counter_time_cases,
            duration(c.counter_time_median_seconds),
            duration(c.counter_time_p90_seconds),
        )
        for c in report.clerks
    )
    return Table("分经办人", header, rows)


def _items(report: IntakeReport) -> Table:
    columns = ("accepted", "deferred", "forwarded_out", "received_in", "notified", "refused")
    columns += ("guided",)
    rows: list[tuple[Cell, ...]] = [
        (i.item_code, i.item_name, i.department, *(getattr(i, c) for c in columns))
        for i in report.items
    ]
    totals = [sum(getattr(i, c) for i in report.items) for c in columns]
    rows.append(("合计", "", "", *totals))
    header = ("事项编码", "事项名称", "部门", "受理", "其中容缺", "其中转出", "转入")
    return Table("分事项", (*header, "一次性告知", "不予受理", "告知办理地"), tuple(rows))


def _deferred(report: IntakeReport) -> Table:
    rows = tuple(
        (d.case_number, d.item_code, d.material, d.due.isoformat(), "已逾期" if d.late else "")
        for d in report.deferred_due
    )
    return Table("容缺材料到期", ("受理编号", "事项", "材料", "补交期限", "状态"), rows)


def _overdue(report: IntakeReport) -> Table:
    rows = tuple(
        (
            c.case_number,
            c.item_code,
            STATUS_LABELS.get(_status(c.status), c.status),
            c.accepting_center,
            c.processing_center,
            c.due.isoformat(),
        )
        for c in report.overdue
    )
    header = ("受理编号", "事项", "状态", "受理中心", "办理中心", "承诺办结日")
    return Table("逾期未办结", header, rows)


def _anomalies(report: IntakeReport) -> Table:
    groups: Sequence[tuple[Anomaly, ...]] = (
        report.reprints,
        report.cancellations,
        report.refusals,
        report.outside_hours,
        report.sync_problems,
    )
    rows = tuple(
        (
            ANOMALY_LABELS.get(a.kind, a.kind),
            a.reference,
            a.item_name or a.item_code,
            a.clerk,
            when(a.at),
            a.detail,
        )
        for group in groups
        for a in group
    )
    return Table("异常", ("类型", "编号", "事项", "经办人", "时间", "说明"), rows)


def _workstations(report: IntakeReport) -> Table:
    rows = tuple(
        (
            w.number,
            w.name,
            w.site_code,
            WORKSTATION_STATUS.get(w.status, w.status),
            when(w.last_contact) or "从未",
            w.app_version or "",
            "" if w.pending_events is None else w.pending_events,
            "" if w.clock_offset_seconds is None else w.clock_offset_seconds,
        )
        for w in report.workstations
    )
    header = ("编号", "名称", "受理点", "状态", "最近联系", "程序版本", "待上传", "时钟偏差（秒）")
    return Table("工作站", header, rows)


def _mode(value: str) -> str:
    try:
        return MODE[Mode(value)]
    except ValueError:
        return value or "未知"


def _status(value: str) -> CaseStatus | None:
    try:
        return CaseStatus(value)
    except ValueError:
        return None


# The formats ------------------------------------------------------------------------------------


def report_csv(report: IntakeReport) -> bytes:
    """All tables one after another, each under its title, a blank line between them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["每日受理报表" if report.first_day == report.last_day else "受理报表"])
    if report.partial:
        writer.writerow([partial_warning(report)])
    for table in report_tables(report):
        writer.writerow([])
        writer.writerow([f"【{table.title}】"])
        writer.writerow(table.header)
        writer.writerows(table.rows)
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report: IntakeReport) -> bytes:
    """One sheet per table; an incomplete report says so in the first row of every sheet."""
    book = Workbook()
    book.remove(book.active)
    warning = partial_warning(report)
    for table in report_tables(report):
        sheet = book.create_sheet(table.title)
        if warning:
            sheet.append([warning])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def daily_report_data(report: IntakeReport, *, prepared_by: str = "") -> DailyReportData:
    """The printed report's input: the item table, the summary and the further tables."""
    rows = tuple(
        DailyItemRow(
            item_code=i.item_code,
            item_name=i.item_name,
            accepted=i.accepted,
            deferred=i.deferred,
            forwarded=i.forwarded_out,
            refused=i.refused,
            informed=i.notified,
            guided=i.guided,
        )
        for i in report.items
    )
    tables = report_tables(report)
    # The period, center and time are in the title and fields; the warning is printed above.
    summary = tuple(
        (label, str(value))
        for label, value in tables[0].rows[3:-1]
        if value != "" and label != "数据完整性"
    )
    return DailyReportData(
        center=CenterOnPaper(name=report.center_name),
        day=report.first_day,
        last_day=report.last_day,
        rows=rows,
        prepared_at=report.prepared_at.astimezone(SHANGHAI),
        prepared_by=prepared_by,
        warning=partial_warning(report),
        summary=summary,
        sections=tuple(_section(t) for t in tables[2:]),
    )


def _section(table: Table) -> ReportSection:
    width = 1 / len(table.header)
    return ReportSection(
        title=table.title,
        header=table.header,
        rows=tuple(tuple(str(cell) for cell in row) for row in table.rows),
        widths=tuple(width for _ in table.header),
    )
