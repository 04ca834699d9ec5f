"""The supervisor desk's tables: one RowsModel each, built from the intake report's parts.

Rows are the report's own frozen values (tongban.models.reports); `case_number_of` says which
case a row leads to, for the drill-down into case search (F9).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject

from tongban.models.clock import SHANGHAI
from tongban.models.reports import (
    Anomaly,
    ClerkLine,
    DeferredDue,
    IntakeReport,
    ItemLine,
    OverdueCase,
    WorkstationHealth,
)
from tongban.models.store.events import STATUS_LABELS, CaseStatus
from tongban.models.workstation_clock import offset_in_words
from tongban.ui.cases import RowsModel, readable_case_number


def _tr(text: str) -> str:
    return QCoreApplication.translate("supervisor", text)


def _minute(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(SHANGHAI):%m-%d %H:%M}"


def duration_text(seconds: float | None) -> str:
    """Time at the counter as read: 3 分 5 秒, 45 秒; "—" when not known."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    if minutes:
        return _tr("{m} 分 {s} 秒").format(m=minutes, s=rest)
    return _tr("{s} 秒").format(s=rest)


ANOMALY_KINDS = {
    "reprinted": "补打回执",
    "cancelled": "撤销",
    "refused": "不予受理",
    "outside_hours": "服务时间外受理",
    "sync_problem": "同步问题",
}
CASE_ANOMALIES = frozenset({"reprinted", "cancelled", "outside_hours"})
WORKSTATION_STATUS = {
    "active": "使用中",
    "pending": "待登记",
    "quarantined": "已隔离",
    "retired": "已停用",
}


def anomalies_of(report: IntakeReport) -> list[Anomaly]:
    every = (
        *report.refusals,
        *report.reprints,
        *report.cancellations,
        *report.outside_hours,
        *report.sync_problems,
    )
    return sorted(every, key=lambda a: a.at)


def case_number_of(row: object) -> str | None:
    """The case a row is about (for the drill-down), or None (a visit, a workstation)."""
    if isinstance(row, DeferredDue | OverdueCase):
        return row.case_number
    if isinstance(row, Anomaly) and row.kind in CASE_ANOMALIES:
        return row.reference
    return None


class ItemNames:
    """Item names as the report has them (by code), for lists that carry only the code."""

    def __init__(self) -> None:
        self._names: Mapping[str, str] = {}

    def update(self, report: IntakeReport) -> None:
        self._names = {line.item_code: line.item_name for line in report.items}

    def __call__(self, code: str) -> str:
        return self._names.get(code, code)


def items_model(parent: QObject | None = None) -> RowsModel:
    headers = [
        _tr(h) for h in ("事项", "部门", "受理", "容缺", "转出", "转入", "告知", "不予", "指引")
    ]
    return RowsModel(headers, _item_cells, parent)


def _item_cells(line: ItemLine) -> tuple[str, ...]:
    counts = (line.accepted, line.deferred, line.forwarded_out, line.received_in)
    visits = (line.notified, line.refused, line.guided)
    return (line.item_name, line.department, *(str(n) for n in (*counts, *visits)))


def clerks_model(parent: QObject | None = None) -> RowsModel:
    names = ("经办人", "受理", "一次性告知", "不予受理", "指引", "时长中位", "时长90%")
    return RowsModel([_tr(h) for h in names], _clerk_cells, parent)


def _clerk_cells(line: ClerkLine) -> tuple[str, ...]:
    counts = (line.accepted, line.notified, line.refused, line.guided)
    # Time at the counter of the clerk's visits that carry their start ("—" when none does).
    times = (line.counter_time_median_seconds, line.counter_time_p90_seconds)
    return (line.clerk, *(str(n) for n in counts), *(duration_text(t) for t in times))


def anomalies_model(names: ItemNames, parent: QObject | None = None) -> RowsModel:
    headers = [_tr(h) for h in ("类别", "时间", "受理编号/来访", "事项", "经办人", "说明")]

    def cells(row: Anomaly) -> tuple[str, ...]:
        kind = _tr(ANOMALY_KINDS.get(row.kind, row.kind))
        reference = readable_case_number(row.reference)
        item = row.item_name or (names(row.item_code) if row.item_code else "")
        return (kind, _minute(row.at), reference, item, row.clerk, row.detail)

    return RowsModel(headers, cells, parent)


def workstations_model(parent: QObject | None = None) -> RowsModel:
    headers = [
        _tr(h) for h in ("编号", "名称", "状态", "最近联系", "待同步", "程序版本", "时钟偏差")
    ]
    return RowsModel(headers, _workstation_cells, parent)


def _workstation_cells(row: WorkstationHealth) -> tuple[str, ...]:
    # "—": never reported (an older program, or not yet synced since the service learnt it).
    pending = "—" if row.pending_events is None else str(row.pending_events)
    # In words ("快 3 分 12 秒"); within a minute "正常": only a clock worth fixing stands out.
    offset = "—" if row.clock_offset_seconds is None else offset_in_words(row.clock_offset_seconds)
    return (
        f"{row.number:03d}",
        row.name,
        _tr(WORKSTATION_STATUS.get(row.status, row.status)),
        _minute(row.last_contact) or _tr("从未"),
        pending,
        row.app_version or "",
        offset,
    )


def deferred_model(names: ItemNames, parent: QObject | None = None) -> RowsModel:
    headers = [_tr(h) for h in ("受理编号", "事项", "容缺材料", "到期日", "情况")]

    def cells(row: DeferredDue) -> tuple[str, ...]:
        state = _tr("已逾期") if row.late else _tr("即将到期")
        due = row.due.isoformat()
        return (
            readable_case_number(row.case_number),
            names(row.item_code),
            row.material,
            due,
            state,
        )

    return RowsModel(headers, cells, parent)


def overdue_model(names: ItemNames, parent: QObject | None = None) -> RowsModel:
    headers = [_tr(h) for h in ("受理编号", "事项", "状态", "承诺办结", "受理中心", "办理中心")]

    def cells(row: OverdueCase) -> tuple[str, ...]:
        status = STATUS_LABELS.get(CaseStatus(row.status), row.status)
        return (
            readable_case_number(row.case_number),
            names(row.item_code),
            _tr(status),
            row.due.isoformat(),
            row.accepting_center,
            row.processing_center,
        )

    return RowsModel(headers, cells, parent)
