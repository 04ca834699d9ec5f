"""Case search (F9): by case number, ID number or name; a case's timeline; reprinting a receipt."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tongban.models.rules import display_case_number, normalise_case_number, parse_case_number
from tongban.models.rules.case_number import CASE_NUMBER_LENGTH
from tongban.ui.ports import CaseEvent, CaseSummary, CounterServices
from tongban.ui.tables import list_table
from tongban.ui.tasks import TaskRunner

ModelIndex = QModelIndex | QPersistentModelIndex


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def readable_case_number(number: str) -> str:
    """Grouped for reading aloud when valid; as stored otherwise."""
    try:
        return display_case_number(number)
    except ValueError:
        return number


class RowsModel(QAbstractTableModel):
    """A read-only table of frozen rows, given its headers and how a row becomes cell texts."""

    def __init__(
        self,
        headers: Sequence[str],
        cells: Callable[[Any], Sequence[str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._cells = cells
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return self._cells(self._rows[index.row()])[index.column()]
        return None


def case_results_model(parent: QObject | None = None) -> RowsModel:
    headers = (
        QCoreApplication.translate("cases", "受理编号"),
        QCoreApplication.translate("cases", "事项"),
        QCoreApplication.translate("cases", "申请人"),
        QCoreApplication.translate("cases", "证件号码"),
        QCoreApplication.translate("cases", "受理时间"),
        QCoreApplication.translate("cases", "状态"),
        QCoreApplication.translate("cases", "承办中心"),
        QCoreApplication.translate("cases", "承诺办结"),
    )
    return RowsModel(headers, _case_cells, parent)


def _case_cells(case: CaseSummary) -> tuple[str, ...]:
    return (
        readable_case_number(case.case_number),
        case.item_name,
        case.applicant_name,
        case.applicant_id_masked,
        _minute(case.accepted_at),
        case.status,
        case.processing_center_name,
        case.due_date.isoformat() if case.due_date else "",
    )


def case_events_model(parent: QObject | None = None) -> RowsModel:
    headers = (
        QCoreApplication.translate("cases", "时间"),
        QCoreApplication.translate("cases", "事件"),
        QCoreApplication.translate("cases", "经办人"),
        QCoreApplication.translate("cases", "地点"),
        QCoreApplication.translate("cases", "说明"),
        QCoreApplication.translate("cases", "同步"),
    )
    return RowsModel(headers, _event_cells, parent)


def _event_cells(event: CaseEvent) -> tuple[str, ...]:
    synced = (
        QCoreApplication.translate("cases", "已同步")
        if event.synced
        else QCoreApplication.translate("cases", "待同步")
    )
    return (_minute(event.at), event.event, event.actor, event.place, event.detail, synced)


class CasesView(QWidget):
    """Search field, results, the chosen case's timeline, reprint. Builds widgets only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("cases.search")
        self.search.setAccessibleName(self.tr("办件查询"))
        self.search.setPlaceholderText(self.tr("受理编号、证件号码或姓名，回车查询"))
        self.find = QPushButton(self.tr("查询"))
        self.find.setObjectName("cases.find")
        self.results = list_table("cases.results", self.tr("查询结果"))
        self.events = list_table("cases.events", self.tr("办件经过"))
        self.reprint = QPushButton(self.tr("补打回执"))
        self.reprint.setObjectName("cases.reprint")
        self.reprint.setAccessibleName(self.tr("补打回执"))
        self.message = QLabel()
        self.message.setObjectName("cases.message")
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.find)
        split = QSplitter()
        split.setOrientation(Qt.Orientation.Vertical)
        split.addWidget(self.results)
        timeline = QWidget()
        timeline_layout = QVBoxLayout(timeline)
        timeline_layout.setContentsMargins(0, 0, 0, 0)
        timeline_layout.addWidget(QLabel(self.tr("办件经过")))
        timeline_layout.addWidget(self.events, 1)
        timeline_layout.addWidget(self.reprint, 0, Qt.AlignmentFlag.AlignRight)
        split.addWidget(timeline)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)


# Shows a document: (title, summary, pdf or None). The window passes its DocumentController's.
ShowDocument = Callable[..., None]


class CasesController(QObject):
    def __init__(
        self,
        view: CasesView,
        *,
        services: CounterServices,
        runner: TaskRunner,
        show_document: ShowDocument,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self._show_document = show_document
        self.results = case_results_model(self)
        self.events = case_events_model(self)
        self._asked = 0  # answers to older questions are dropped
        view.results.setModel(self.results)
        view.events.setModel(self.events)
        view.search.returnPressed.connect(self.search)
        view.find.clicked.connect(self.search)
        view.results.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._case_chosen(current.row())
        )
        view.reprint.clicked.connect(self.reprint)
        view.reprint.setEnabled(False)

    def focus(self) -> None:
        self.view.search.setFocus()
        self.view.search.selectAll()

    def clear(self) -> None:
        self.view.search.clear()
        self.view.message.clear()
        self.results.set_rows([])
        self.events.set_rows([])
        self.view.reprint.setEnabled(False)

    def search(self) -> None:
        query = self.view.search.text().strip()
        problem = self._query_problem(query)
        if problem:
            self.view.message.setText(problem)
            return
        self._asked += 1
        asked = self._asked
        self.view.message.setText(self.tr("正在查询…"))
        self._runner.run(
            lambda: self._services.search_cases(query),
            on_success=lambda rows: self._found(asked, rows),
            on_failure=self.view.message.setText,
        )

    def _query_problem(self, query: str) -> str | None:
        if not query:
            return self.tr("请输入受理编号、证件号码或姓名")
        number = normalise_case_number(query)
        if len(number) == CASE_NUMBER_LENGTH and number[:-1].isdigit():
            try:
                parse_case_number(number)
            except ValueError as error:
                return str(error)
        return None

    def _found(self, asked: int, rows: Sequence[CaseSummary]) -> None:
        if asked != self._asked:
            return
        self.results.set_rows(rows)
        self.events.set_rows([])
        self.view.reprint.setEnabled(False)
        if rows:
            self.view.message.setText(self.tr("找到 {n} 件").format(n=len(rows)))
            self.view.results.setCurrentIndex(self.results.index(0, 0))
            self.view.results.setFocus()
        else:
            self.view.message.setText(self.tr("没有找到相符的办件"))

    def _case_chosen(self, row: int) -> None:
        if row < 0:
            return
        number = self._case_at(row).case_number
        self.view.reprint.setEnabled(True)
        self._runner.run(
            lambda: self._services.case_events(number),
            on_success=lambda events: self._show_events(number, events),
            on_failure=self.view.message.setText,
        )

    def _show_events(self, number: str, events: Sequence[CaseEvent]) -> None:
        if self._current_case_number() == number:
            self.events.set_rows(events)

    def _current_case_number(self) -> str | None:
        row = self.view.results.currentIndex().row()
        return self._case_at(row).case_number if row >= 0 else None

    def _case_at(self, row: int) -> CaseSummary:
        case = self.results.row_at(row)
        assert isinstance(case, CaseSummary)
        return case

    def reprint(self) -> None:
        number = self._current_case_number()
        if number is None:
            return
        self._runner.run(
            lambda: self._services.receipt(number),
            on_success=lambda pdf: self._show_receipt(number, pdf),
            on_failure=self.view.message.setText,
        )

    def _show_receipt(self, number: str, pdf: bytes | None) -> None:
        summary = self.tr("受理编号：{number}").format(number=readable_case_number(number))
        if pdf is None:
            summary += "\n" + self.tr("该办件没有可补打的回执")
        self._show_document(title=self.tr("受理回执（补打）"), summary=summary, pdf=pdf)
