"""The processing views' tables: the center's lists, an opened case's materials and scans, and a
status look-up's timeline. Item models only (no widgets), tested without a window.

Overdue cases and supplements past their due date are flagged in words in their own column
(已超期, 补正超期), in red as well: the colour is never the only sign.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QColor

from tongban.ui.cases import ModelIndex, RowsModel, readable_case_number
from tongban.ui.ports import CaseEvent
from tongban.ui.processing_ports import ScanLine, StatusLine, WorkItem

ALARM_COLOUR = "#b3261e"


def _t(text: str) -> str:
    return QCoreApplication.translate("processing", text)


def day_text(day: date | None) -> str:
    return day.isoformat() if day else _t("即办")


def minute_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def flags_text(item: WorkItem) -> str:
    """已超期 / 补正超期 (with the dates), or what the case waits for; "" when nothing."""
    flags = []
    if item.overdue:
        flags.append(_t("已超期（承诺 {day}）").format(day=day_text(item.due)))
    if item.supplement_overdue and item.supplement_due:
        flags.append(_t("补正超期（限 {day}）").format(day=item.supplement_due.isoformat()))
    elif item.supplement_due:
        flags.append(_t("待补正至 {day}").format(day=item.supplement_due.isoformat()))
    return "；".join(flags)


def alarmed(item: WorkItem) -> bool:
    return item.overdue or item.supplement_overdue


class TippedRowsModel(RowsModel):
    """RowsModel whose cells tell their whole text as a tooltip (a narrow column elides it)."""

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.ToolTipRole:
            return super().data(index, Qt.ItemDataRole.DisplayRole) or None
        return super().data(index, role)


class FlaggedRowsModel(TippedRowsModel):
    """TippedRowsModel whose flagged rows show their flag column in red."""

    def __init__(
        self,
        headers: Sequence[str],
        cells: Callable[[Any], Sequence[str]],
        *,
        flagged: Callable[[Any], bool],
        flag_column: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(headers, cells, parent)
        self._flagged = flagged
        self._flag_column = flag_column

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and index.column() == self._flag_column
            and self._flagged(self.row_at(index.row()))
        ):
            return QColor(ALARM_COLOUR)
        return super().data(index, role)


def inbox_model(parent: QObject | None = None) -> FlaggedRowsModel:
    headers = (
        _t("受理编号"),
        _t("事项"),
        _t("申请人"),
        _t("证件号码"),
        _t("受理中心"),
        _t("状态"),
        _t("承诺办结"),
        _t("提醒"),
    )
    return FlaggedRowsModel(headers, _inbox_cells, flagged=alarmed, flag_column=7, parent=parent)


def _inbox_cells(item: WorkItem) -> tuple[str, ...]:
    return (
        readable_case_number(item.case_number),
        item.item_name,
        item.applicant_name_masked,
        item.applicant_id_masked,
        item.accepting_center_name,
        item.status_label,
        day_text(item.due),
        flags_text(item),
    )


def elsewhere_model(parent: QObject | None = None) -> FlaggedRowsModel:
    headers = (
        _t("受理编号"),
        _t("事项"),
        _t("申请人"),
        _t("办理中心"),
        _t("状态"),
        _t("承诺办结"),
        _t("提醒"),
    )
    return FlaggedRowsModel(
        headers, _elsewhere_cells, flagged=alarmed, flag_column=6, parent=parent
    )


def _elsewhere_cells(item: WorkItem) -> tuple[str, ...]:
    return (
        readable_case_number(item.case_number),
        item.item_name,
        item.applicant_name_masked,
        item.processing_center_name,
        item.status_label,
        day_text(item.due),
        flags_text(item),
    )


def timeline_model(parent: QObject | None = None) -> TippedRowsModel:
    """An opened case's events, oldest first, as case search (F9) shows them."""
    headers = (_t("时间"), _t("事件"), _t("经办人"), _t("地点"), _t("说明"), _t("同步"))
    return TippedRowsModel(headers, _event_cells, parent)


def _event_cells(event: CaseEvent) -> tuple[str, ...]:
    synced = _t("已同步") if event.synced else _t("待同步")
    return (minute_text(event.at), event.event, event.actor, event.place, event.detail, synced)


TIMELINE_DETAIL_COLUMN = 4


def materials_model(parent: QObject | None = None) -> RowsModel:
    return TippedRowsModel((_t("材料"), _t("收取情况")), lambda m: (m.name, m.received), parent)


def scans_model(parent: QObject | None = None) -> RowsModel:
    headers = (_t("材料"), _t("文件"), _t("大小"), _t("扫描时间"), _t("位置"))
    return TippedRowsModel(headers, _scan_cells, parent)


def _scan_cells(scan: ScanLine) -> tuple[str, ...]:
    where = _t("本机") if scan.here else _t("打开时从中心取回")
    return (scan.material, scan.file_name, scan.size_text, minute_text(scan.attached_at), where)


def status_events_model(parent: QObject | None = None) -> RowsModel:
    headers = (_t("时间"), _t("事件"), _t("中心"))
    return TippedRowsModel(headers, _status_cells, parent)


def _status_cells(line: StatusLine) -> tuple[str, ...]:
    return (minute_text(line.at), line.event, line.center_name or _t("（未知）"))
