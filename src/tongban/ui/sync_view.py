"""The sync tab (F11): every event still waiting for the central store, and the sync problems.

The status bar only counts them; here the clerk (or the administrator called over) sees which
cases they are and why: an own event the center refused (来源 中心拒收), or an event pulled from
the center that this workstation's store refused or could not apply (来源 本机未采用). The lists
are read when the tab is shown and on the refresh button, and dropped when it is hidden (logout,
lock), so the next clerk never sees an old list.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tongban.ui.cases import RowsModel, readable_case_number
from tongban.ui.ports import CounterServices, PendingEventRow, SyncProblemRow, SyncState
from tongban.ui.tables import list_table
from tongban.ui.tasks import TaskRunner

SyncDetails = tuple[Sequence[PendingEventRow], Sequence[SyncProblemRow]]


def _tr(text: str) -> str:
    return QCoreApplication.translate("sync", text)


def pending_model(parent: QObject | None = None) -> RowsModel:
    headers = (_tr("时间"), _tr("事件"), _tr("受理编号/来访"), _tr("经办人"))
    return RowsModel(headers, _pending_cells, parent)


def _pending_cells(row: PendingEventRow) -> tuple[str, ...]:
    return (_second(row), row.event, readable_case_number(row.case_or_visit), row.clerk)


def problems_model(parent: QObject | None = None) -> RowsModel:
    headers = (_tr("时间"), _tr("事件"), _tr("受理编号/来访"), _tr("原因"), _tr("来源"))
    return RowsModel(headers, _problem_cells, parent)


def _problem_cells(row: SyncProblemRow) -> tuple[str, ...]:
    origin = _tr("本机未采用") if row.pulled else _tr("中心拒收")
    case = readable_case_number(row.case_or_visit)
    return (_second(row), row.event, case, row.reason, origin)


def _second(row: PendingEventRow | SyncProblemRow) -> str:
    # To the second: several events of one case are often recorded within the same minute.
    return row.at.strftime("%Y-%m-%d %H:%M:%S")


class SyncView(QWidget):
    """Two tables (waiting events, problems), their headings and a refresh button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending_title = QLabel()
        self.pending_title.setObjectName("sync.pendingTitle")
        self.pending = list_table("sync.pending", self.tr("待同步事件"))
        self.problems_title = QLabel()
        self.problems_title.setObjectName("sync.problemsTitle")
        self.problems = list_table("sync.problems", self.tr("同步问题"))
        self.refresh = QPushButton(self.tr("刷新"))
        self.refresh.setObjectName("sync.refresh")
        self.refresh.setAccessibleName(self.tr("刷新同步情况"))
        self.message = QLabel()
        self.message.setObjectName("sync.message")
        self.message.setAccessibleName(self.tr("同步情况提示"))
        self.message.setWordWrap(True)
        # The center's minimum program version is above this one (ports.SyncState.update_notice).
        self.outdated = QLabel()
        self.outdated.setObjectName("sync.outdated")
        self.outdated.setAccessibleName(self.tr("程序更新提示"))
        self.outdated.setWordWrap(True)
        self.outdated.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.outdated.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.refresh)
        split = QSplitter()
        split.addWidget(self._section(self.pending_title, self.pending))
        split.addWidget(self._section(self.problems_title, self.problems))
        layout = QVBoxLayout(self)
        layout.addWidget(self.outdated)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.show_counts(0, 0)

    def show_update_notice(self, notice: str) -> None:
        self.outdated.setText(notice)
        self.outdated.setVisible(bool(notice))

    def show_counts(self, pending: int, problems: int) -> None:
        self.pending_title.setText(self.tr("待同步事件 {n}").format(n=pending))
        self.problems_title.setText(self.tr("同步问题 {n}").format(n=problems))

    @staticmethod
    def _section(title: QLabel, table: QTableView) -> QWidget:
        section = QWidget()
        layout = QVBoxLayout(section)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(table, 1)
        return section


class SyncController(QObject):
    """Reads the lists through the runner when the tab is shown or refreshed."""

    def __init__(
        self,
        view: SyncView,
        *,
        services: CounterServices,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self.pending = pending_model(self)
        self.problems = problems_model(self)
        self._asked = 0  # answers to older requests (or requests before a hide) are dropped
        view.pending.setModel(self.pending)
        view.problems.setModel(self.problems)
        view.refresh.clicked.connect(self.refresh)
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show:
            self.refresh()
        elif watched is self.view and event.type() == QEvent.Type.Hide:
            self.clear()
        return False

    def focus(self) -> None:
        self.view.pending.setFocus()

    def refresh(self) -> None:
        self._asked += 1
        asked = self._asked
        self.view.message.setText(self.tr("正在读取…"))
        self._runner.run(
            self._services.sync_details,
            on_success=lambda details: self._show(asked, details),
            on_failure=lambda message: self._failed(asked, message),
        )
        self._runner.run(
            self._services.sync_state,
            on_success=lambda state: self._show_update_notice(asked, state),
            on_failure=lambda _message: None,  # the lists' own failure says enough
        )

    def clear(self) -> None:
        self._asked += 1
        self.pending.set_rows([])
        self.problems.set_rows([])
        self.view.show_counts(0, 0)
        self.view.message.clear()
        self.view.show_update_notice("")

    def _show(self, asked: int, details: SyncDetails) -> None:
        if asked != self._asked:
            return
        pending, problems = details
        self.pending.set_rows(pending)
        self.problems.set_rows(problems)
        self.view.show_counts(len(pending), len(problems))
        if problems:
            self.view.message.setText(self.tr("有同步问题，请联系管理员处理"))
        elif pending:
            self.view.message.setText(self.tr("以上事件尚未同步到中心"))
        else:
            self.view.message.setText(self.tr("所有事件均已同步"))

    def _show_update_notice(self, asked: int, state: SyncState) -> None:
        if asked == self._asked:
            self.view.show_update_notice(state.update_notice)

    def _failed(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self.view.message.setText(message)
