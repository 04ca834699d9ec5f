"""The supervisor's desk (Ctrl+F9, shown to a logged-in supervisor only): the center's intake for a
day or a range, its anomalies, the workstations' health, 容缺 coming due and overdue cases, the
exports, and 日结.

`SupervisorView` builds widgets only; `SupervisorController` asks SupervisorServices (on the
worker thread), fills the figures, charts and tables, opens a case in case search (F9) from any
row that names one, and runs the sign-off dialog. `attach_supervisor` adds both to the counter
window: the tab appears when a supervisor logs in and goes, emptied, when the session ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tongban.models.catalog import Mode
from tongban.models.clock import SHANGHAI
from tongban.models.closures import DayStatus
from tongban.models.reports import CounterTimeBasis, IntakeReport
from tongban.ui.cases import RowsModel
from tongban.ui.ports import SessionInfo
from tongban.ui.supervisor_charts import HourChart, ShareChart
from tongban.ui.supervisor_ports import EXPORT_FORMATS, SupervisorServices
from tongban.ui.supervisor_signoff import SignOffDialog
from tongban.ui.supervisor_tables import (
    ItemNames,
    anomalies_model,
    anomalies_of,
    case_number_of,
    clerks_model,
    deferred_model,
    duration_text,
    items_model,
    overdue_model,
    workstations_model,
)
from tongban.ui.tables import list_table
from tongban.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from tongban.ui.window import CounterWindow

SHORTCUT = "Ctrl+F9"
EXPORT_KEYS = ("Alt+P", "Alt+C", "Alt+X")  # PDF, CSV, XLSX
FIGURES = (
    ("accepted", "受理"),
    ("notified", "一次性告知"),
    ("refused", "不予受理"),
    ("guided", "告知办理地"),
    ("forwarded_out", "转出"),
    ("received_in", "转入"),
    ("deferred_accepted", "容缺受理"),
    ("anomalies", "异常"),
    ("counter_median", "窗口时长（中位）"),
    ("counter_p90", "窗口时长（90%）"),
)
BASIS_HINTS = {
    CounterTimeBasis.STARTED_AT: "自识别申请人至作出决定，按记录了开始时间的 {n} 件计",
    CounterTimeBasis.DECISION_INTERVAL: "未记录开始时间：以同一工作站相邻决定的间隔估计（上限）",
    CounterTimeBasis.NONE: "本期没有可计算的办件",
}
MODE_NAMES = {Mode.DIRECT: "直接受理", Mode.SEPARATED: "收受分离", Mode.HOME_DISTRICT: "属地受理"}
PARTIAL_STYLE = "background: #fff1d6; color: #7a4100; padding: 6px; font-weight: bold;"
FIGURE_STYLE = "background: #eef1f5; padding: 4px 10px;"
# Asks where to save an export: (parent, suggested path) -> the chosen path, None when cancelled.
ChooseFile = Callable[[QWidget, Path], Path | None]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class SupervisorView(QWidget):
    """The desk's widgets: period, exports, 日结, banner, figures, charts, tables."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisor")
        self.first = self._date_edit("supervisor.first", self.tr("开始日期"))
        self.last = self._date_edit("supervisor.last", self.tr("结束日期"))
        self.show_report = self._button("supervisor.show", self.tr("查询"), "Alt+Q")
        self.exports = {
            name: self._button(f"supervisor.export.{name}", self.tr("导出 ") + name.upper(), key)
            for name, key in zip(EXPORT_FORMATS, EXPORT_KEYS, strict=True)
        }
        self.close_day = self._button("supervisor.closeDay", self.tr("日结…"), "Alt+J")
        self.partial = self._label("supervisor.partial", self.tr("部分数据提示"))
        self.partial.setStyleSheet(PARTIAL_STYLE)
        self.partial.setVisible(False)
        self.closure = self._label("supervisor.closure", self.tr("日结情况"))
        self.message = self._label("supervisor.message", self.tr("提示"))
        self.message.setWordWrap(False)
        self.notes = self._label("supervisor.notes", self.tr("报表说明"))
        self.notes.setStyleSheet("color: #444444;")
        self.notes.setVisible(False)
        self.figures = {key: self._figure(key, label) for key, label in FIGURES}
        self.hours = HourChart()
        self.share = ShareChart()
        self.share_by = QComboBox()
        self.share_by.setObjectName("supervisor.shareBy")
        self.share_by.setAccessibleName(self.tr("构成图分类"))
        self.share_by.addItems([self.tr("按部门"), self.tr("按受理方式")])
        self.items = list_table("supervisor.items", self.tr("分事项"))
        self.clerks = list_table("supervisor.clerks", self.tr("分经办人"))
        self.lists = QTabWidget()
        self.lists.setObjectName("supervisor.lists")
        self.anomalies = list_table("supervisor.anomalies", self.tr("异常"))
        self.workstations = list_table("supervisor.workstations", self.tr("工作站"))
        self.deferred = list_table("supervisor.deferred", self.tr("容缺材料到期"))
        self.overdue = list_table("supervisor.overdue", self.tr("超期未办结"))
        for table in (self.anomalies, self.deferred, self.overdue, self.workstations):
            self.lists.addTab(table, table.accessibleName())
        self._lay_out()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        for widget in (QLabel(self.tr("日期")), self.first, QLabel(self.tr("至")), self.last):
            bar.addWidget(widget)
        bar.addWidget(self.show_report)
        bar.addStretch(1)
        for button in (*self.exports.values(), self.close_day):
            bar.addWidget(button)
        figures = QGridLayout()
        for column, label in enumerate(self.figures.values()):
            figures.addWidget(label, 0, column)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.hours)
        share = QWidget()
        share_layout = QVBoxLayout(share)
        share_layout.setContentsMargins(0, 0, 0, 0)
        share_layout.addWidget(self.share_by)
        share_layout.addWidget(self.share, 1)
        charts.addWidget(share)
        charts.addWidget(self.items)
        charts.addWidget(self.clerks)
        charts.setSizes([400, 270, 420, 250])
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(charts)
        body.addWidget(self.lists)
        body.setSizes([300, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.partial)
        top = QHBoxLayout()
        top.addWidget(self.closure, 1)
        top.addWidget(self.message)
        layout.addLayout(top)
        layout.addLayout(figures)
        layout.addWidget(self.notes)
        layout.addWidget(body, 1)

    def _date_edit(self, name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        return edit

    def _button(self, name: str, text: str, key: str) -> QPushButton:
        """A button with its own key, active anywhere on the desk (shown in its text)."""
        button = QPushButton(f"{text}（{key}）")
        button.setObjectName(name)
        button.setAccessibleName(text)
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.click)
        return button

    @staticmethod
    def _label(name: str, accessible: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        return label

    def _figure(self, key: str, caption: str) -> QLabel:
        label = self._label(f"supervisor.figure.{key}", self.tr(caption))
        label.setStyleSheet(FIGURE_STYLE)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def show_figure(self, key: str, value: str) -> None:
        caption = self.tr(dict(FIGURES)[key])
        label = self.figures[key]
        label.setText(f"{caption}<br><b style='font-size: 15pt'>{value}</b>")
        label.setAccessibleDescription(value)  # the figure alone, for screen readers and tests


@dataclass
class _Shown:
    """What the desk shows now (None before the first answer)."""

    report: IntakeReport | None = None
    status: DayStatus | None = None


class SupervisorController(QObject):
    case_requested = Signal(str)  # a case number to open in case search (F9)

    def __init__(
        self,
        view: SupervisorView,
        *,
        services: SupervisorServices,
        runner: TaskRunner,
        today: Callable[[], date],
        choose_file: ChooseFile | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self._today = today
        self._choose_file = choose_file or _save_dialog
        self._shown = _Shown()
        self._asked = 0
        self._signer = ""
        self.names = ItemNames()
        self.items = items_model(self)
        self.clerks = clerks_model(self)
        self.anomalies = anomalies_model(self.names, self)
        self.workstations = workstations_model(self)
        self.deferred = deferred_model(self.names, self)
        self.overdue = overdue_model(self.names, self)
        self.dialog = SignOffDialog(view)
        self._wire()
        self.clear()

    def _wire(self) -> None:
        v = self.view
        pairs = (
            (v.items, self.items),
            (v.clerks, self.clerks),
            (v.anomalies, self.anomalies),
            (v.workstations, self.workstations),
            (v.deferred, self.deferred),
            (v.overdue, self.overdue),
        )
        for table, model in pairs:
            table.setModel(model)
        for table, model in pairs[2:]:
            table.activated.connect(lambda index, m=model: self._open_row(m, index.row()))
        v.show_report.clicked.connect(self.load)
        for edit in (v.first, v.last):
            edit.installEventFilter(self)
        for name, button in v.exports.items():
            button.clicked.connect(lambda _=False, n=name: self.export(n))
        v.close_day.clicked.connect(self.open_sign_off)
        v.share_by.currentIndexChanged.connect(lambda _i: self._draw_share())
        self.dialog.submitted.connect(self._sign)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in either date field shows the report (keyboard first, no mouse needed).
        if event.type() == QEvent.Type.KeyPress and event.key() in (  # type: ignore[attr-defined]
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self.load()
            return True
        return super().eventFilter(watched, event)

    # The period and the report ------------------------------------------------------------------

    def focus(self) -> None:
        """Shown (Ctrl+F9): today's report on first showing, the focus on the first date."""
        if self._shown.report is None:
            self.load()
        self.view.first.setFocus()

    def set_signer(self, session: SessionInfo) -> None:
        self._signer = f"{session.clerk_name}（工号 {session.clerk_number}）"

    def clear(self) -> None:
        """Nothing of the last session stays: the next person starts from today."""
        self._shown = _Shown()
        self._asked += 1
        today = _qdate(self._today())
        self.view.first.setDate(today)
        self.view.last.setDate(today)
        for model in (
            self.items,
            self.clerks,
            self.anomalies,
            self.workstations,
            self.deferred,
            self.overdue,
        ):
            model.set_rows([])
        for key, _caption in FIGURES:
            self.view.show_figure(key, "—")
        self.view.hours.set_counts({})
        self.view.share.set_counts("", {})
        self.view.partial.setVisible(False)
        self.view.notes.clear()
        self.view.notes.setVisible(False)
        self.view.closure.clear()
        self.view.message.clear()
        self.dialog.reject()

    def period(self) -> tuple[date, date]:
        return _day(self.view.first.date()), _day(self.view.last.date())

    def load(self) -> None:
        first, last = self.period()
        if last < first:
            self.view.message.setText(self.tr("结束日期不能早于开始日期"))
            return
        self._asked += 1
        asked = self._asked
        self.view.message.setText(self.tr("正在统计…"))
        self._runner.run(
            lambda: self._services.intake_report(first, last),
            on_success=lambda report: self._report_came(asked, report),
            on_failure=self.view.message.setText,
        )
        if first == last:
            self._ask_status(first, asked)
        else:
            self._shown.status = None
            self.view.closure.setText(self.tr("日结按单日进行：请选择一天"))

    def _report_came(self, asked: int, report: IntakeReport) -> None:
        if asked != self._asked:
            return  # the supervisor has asked for another period since
        self._shown.report = report
        self.names.update(report)
        self.view.message.setText(
            self.tr("统计时间 {at}").format(
                at=f"{report.prepared_at.astimezone(SHANGHAI):%m-%d %H:%M}"
            )
        )
        self.view.partial.setText(
            self.tr("部分数据（离线）：{reason}").format(reason=report.partial_reason)
        )
        self.view.partial.setVisible(report.partial)
        self.view.notes.setText("\n".join(report.notes))
        self.view.notes.setVisible(bool(report.notes))
        self._show_figures(report)
        self.view.hours.set_counts(report.by_hour)
        self._draw_share()
        self.items.set_rows(report.items)
        self.clerks.set_rows(report.clerks)
        self.anomalies.set_rows(anomalies_of(report))
        self.workstations.set_rows(report.workstations)
        self.deferred.set_rows(report.deferred_due)
        self.overdue.set_rows(report.overdue)
        self._name_lists(report)

    def _show_figures(self, report: IntakeReport) -> None:
        for key, _caption in FIGURES[:7]:
            self.view.show_figure(key, str(getattr(report, key)))
        self.view.show_figure("anomalies", str(report.anomaly_count))
        self._show_counter_time(report)

    def _show_counter_time(self, report: IntakeReport) -> None:
        """Identification to decision; or, when no case carries its start, the interval between
        decisions, marked as an upper bound (≤)."""
        basis = report.counter_time_basis
        if basis == CounterTimeBasis.DECISION_INTERVAL:
            median = "≤ " + duration_text(report.decision_interval_median_seconds)
            p90 = "—"
        else:
            median = duration_text(report.counter_time_median_seconds)
            p90 = duration_text(report.counter_time_p90_seconds)
        self.view.show_figure("counter_median", median)
        self.view.show_figure("counter_p90", p90)
        hint = self.tr(BASIS_HINTS[basis]).format(n=report.counter_time_cases)
        for key in ("counter_median", "counter_p90"):
            self.view.figures[key].setToolTip(hint)

    def _draw_share(self) -> None:
        report = self._shown.report
        if report is None:
            return
        if self.view.share_by.currentIndex() == 0:
            self.view.share.set_counts(self.tr("按部门"), report.by_department)
            return
        modes = {
            self.tr(MODE_NAMES.get(Mode(m), m)) if m else self.tr("未指明"): n
            for m, n in report.by_mode.items()
        }
        self.view.share.set_counts(self.tr("按受理方式"), modes)

    def _name_lists(self, report: IntakeReport) -> None:
        counts = (
            (self.view.anomalies, report.anomaly_count),
            (self.view.deferred, len(report.deferred_due)),
            (self.view.overdue, len(report.overdue)),
            (self.view.workstations, len(report.workstations)),
        )
        for index, (table, count) in enumerate(counts):
            self.view.lists.setTabText(index, f"{table.accessibleName()} {count}")

    def _open_row(self, model: RowsModel, row: int) -> None:
        if row < 0:
            return
        number = case_number_of(model.row_at(row))
        if number is None:
            self.view.message.setText(self.tr("此行不是办件（来访记录或工作站），没有办件可打开"))
            return
        self.case_requested.emit(number)

    # 日结 ---------------------------------------------------------------------------------------

    def _ask_status(self, day: date, asked: int) -> None:
        self.view.closure.setText(self.tr("正在查询日结情况…"))
        self._runner.run(
            lambda: self._services.day_status(day),
            on_success=lambda status: self._status_came(asked, status),
            on_failure=lambda message: self._status_unknown(asked, message),
        )

    def _status_came(self, asked: int, status: DayStatus) -> None:
        if asked == self._asked:
            self._shown.status = status
            self.view.closure.setText(status.headline())
            self.view.closure.setToolTip(status.summary())

    def _status_unknown(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self._shown.status = None
            self.view.closure.setText(self.tr("日结情况未知：{m}").format(m=message))

    def open_sign_off(self) -> None:
        first, last = self.period()
        if first != last:
            self.view.message.setText(self.tr("日结按单日进行：请把开始和结束日期设为同一天"))
            return
        status = self._shown.status
        if status is not None and status.closure is not None:
            self.view.message.setText(status.closure.line())
            return
        self.dialog.open_for(first, self._signer)

    def _sign(self, password: str) -> None:
        day = self.period()[0]
        self._runner.run(
            lambda: self._services.close_day(day, password),
            on_success=self._signed,
            on_failure=self.dialog.show_refusal,
        )

    def _signed(self, status: DayStatus) -> None:
        if status.closure is None:
            self.dialog.show_stragglers(status)
            return
        self.dialog.accept()
        self._shown.status = status
        self.view.closure.setText(status.summary())
        self.view.message.setText(self.tr("已日结：当日受理已锁定，统计数已报送中心"))

    # Exports ------------------------------------------------------------------------------------

    def export(self, format_name: str) -> None:
        report = self._shown.report
        if report is None:
            self.view.message.setText(self.tr("请先查询报表"))
            return
        path = self._choose_file(self.view, _suggested_path(report, format_name))
        if path is None:
            return
        self._runner.run(
            lambda: self._services.export_report(report, format_name, path),
            on_success=lambda _: self.view.message.setText(
                self.tr("已导出：{path}").format(path=str(path))
            ),
            on_failure=self.view.message.setText,
        )


def _suggested_path(report: IntakeReport, format_name: str) -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    days = f"{report.first_day}" + (
        "" if report.first_day == report.last_day else f"_{report.last_day}"
    )
    return Path(folder or Path.home()) / f"受理报表_{report.center}_{days}.{format_name}"


def _save_dialog(parent: QWidget, suggested: Path) -> Path | None:
    kind = suggested.suffix.lstrip(".").upper()
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, parent.tr("导出报表"), str(suggested), f"{kind} (*{suggested.suffix})"
    )
    return Path(chosen) if chosen else None


# Wiring into the counter window ---------------------------------------------------------------


def attach_supervisor(
    window: CounterWindow,
    services: SupervisorServices,
    *,
    today: Callable[[], date],
    choose_file: ChooseFile | None = None,
) -> SupervisorController:
    """The desk as a tab of the counter page, for supervisors: Ctrl+F9 opens it."""
    view = SupervisorView()
    controller = SupervisorController(
        view,
        services=services,
        runner=window.runner,
        today=today,
        choose_file=choose_file,
        parent=window,
    )
    tabs = window.counter.tabs
    title = view.tr("主管（{key}）").format(key=SHORTCUT)

    def logged_in(session: SessionInfo) -> None:
        if session.supervisor and tabs.indexOf(view) < 0:
            controller.set_signer(session)
            tabs.addTab(view, title)

    def ended(_message: str = "") -> None:
        controller.clear()
        if tabs.indexOf(view) >= 0:
            tabs.removeTab(tabs.indexOf(view))

    def open_desk() -> None:
        if tabs.indexOf(view) >= 0:
            tabs.setCurrentWidget(view)
            controller.focus()

    def open_case(number: str) -> None:
        tabs.setCurrentWidget(window.counter.cases)
        window.counter.cases.search.setText(number)
        window.cases.search()

    window.login.logged_in.connect(logged_in)
    window.lock.session_ended.connect(ended)
    # Locked (idle or Ctrl+L): the sign-off dialog must not stay over the lock page.
    window.pages.currentChanged.connect(
        lambda _i: (
            controller.dialog.reject()
            if window.pages.currentWidget() is not window.counter
            else None
        )
    )
    controller.case_requested.connect(open_case)
    shortcut = QShortcut(QKeySequence(SHORTCUT), window.counter)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    shortcut.activated.connect(open_desk)
    return controller
