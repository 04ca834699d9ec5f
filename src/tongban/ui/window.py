"""The counter window: login, the intake path, case search, sync, the lock screen, status bar.

`CounterWindow` is where the UI is put together: it builds the views, creates the controllers
and gives each what it needs (services, the task runner, reference data). Everything the window
knows of the application is `CounterServices`, so the desktop services and the tests' recording
fake are interchangeable. Logic lives in the controllers; session.SessionController moves
between the login page, the counter and the lock screen.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tongban.models.catalog import Catalog
from tongban.models.clock import SHANGHAI, shanghai_now, shanghai_today
from tongban.models.geography import Geography
from tongban.models.search import ItemSearch
from tongban.ui.applicant import ApplicantController, ApplicantView
from tongban.ui.cases import CasesController, CasesView
from tongban.ui.decision import DecisionView, RefuseDialog
from tongban.ui.documents import DocumentController
from tongban.ui.intake import IntakeController
from tongban.ui.item_picker import ItemPicker, ItemPickerView
from tongban.ui.lock import DEFAULT_IDLE_MINUTES, IdleWatcher, LockController, LockView
from tongban.ui.login import LoginController, LoginView
from tongban.ui.materials import MaterialsController, MaterialsModel, MaterialsView
from tongban.ui.pinyin_filter import PinyinFilter
from tongban.ui.ports import CounterServices, SyncState
from tongban.ui.processing import attach_processing
from tongban.ui.processing_ports import ProcessingServices
from tongban.ui.scanner import DEFAULT_MAX_GAP_MS, IdScanFilter
from tongban.ui.session import SessionController
from tongban.ui.start_page import demo_banner
from tongban.ui.supervisor import attach_supervisor
from tongban.ui.supervisor_ports import SupervisorServices
from tongban.ui.sync_view import SyncController, SyncView
from tongban.ui.tasks import TaskRunner

SYNC_POLL_SECONDS = 30
ALARM_COLOUR = "#b3261e"
OFFLINE_COLOUR = "#a35c00"


class CounterPage(QWidget):
    """The counter itself: the intake tab (four steps), the case search and the sync tabs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.applicant = ApplicantView()
        self.items = ItemPickerView()
        self.materials = MaterialsView()
        self.decision = DecisionView()
        self.cases = CasesView()
        self.sync = SyncView()
        self.hints = QLabel(
            self.tr(
                "F2 申请人　F3 事项　F4 材料　F5 受理　F6 一次性告知　F7 不予受理　"
                "F8 告知办理地　F9 办件查询　F10 人户分离　F11 同步　F12 下一位　Ctrl+L 锁屏"
            )
        )
        self.hints.setObjectName("hints")
        self.hints.setAccessibleName(self.tr("快捷键"))
        self.hints.setWordWrap(True)
        self.hints.setStyleSheet("color: #444444; background: #eef1f5; padding: 4px;")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self._intake_tab(), self.tr("窗口受理"))
        self.tabs.addTab(self.cases, self.tr("办件查询（F9）"))
        self.tabs.addTab(self.sync, self.tr("同步（F11）"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.hints)

    def _intake_tab(self) -> QWidget:
        item_box = QGroupBox(self.tr("② 事项（F3）"))
        QVBoxLayout(item_box).addWidget(self.items)
        materials_box = QGroupBox(self.tr("③ 材料（F4）"))
        QVBoxLayout(materials_box).addWidget(self.materials)
        decision_box = QGroupBox(self.tr("④ 决定"))
        QVBoxLayout(decision_box).addWidget(self.decision)
        right = QVBoxLayout()
        right.addWidget(item_box, 5)
        right.addWidget(materials_box, 4)
        steps = QHBoxLayout()
        steps.addWidget(self.applicant, 4)
        steps.addLayout(right, 7)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(steps, 1)
        layout.addWidget(decision_box)
        return tab

    def set_tab_order(self) -> None:
        """Tab follows the intake path: applicant, item, materials, decisions."""
        chain = [
            *self.applicant.focus_order(),
            self.items.search,
            self.items.results,
            self.materials.table,
            self.decision.accept,
            self.decision.notify,
            self.decision.refuse,
            self.decision.guide,
            self.decision.next,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)


class StatusBarView:
    """The status bar's fields (center, clerk, workstation, background sync, busy)."""

    def __init__(self, window: QMainWindow, today: Callable[[], date]) -> None:
        self._window = window
        self._today = today
        self.center = self._label("status.center", window.tr("受理中心"))
        self.clerk = self._label("status.clerk", window.tr("当前工号"))
        self.workstation = self._label("status.workstation", window.tr("工作站"))
        self.sync = self._label("status.sync", window.tr("同步状态"))
        self.sync_problems = self._label("status.syncProblems", window.tr("同步问题数"))
        self.sync_problems.setStyleSheet(f"color: {ALARM_COLOUR};")
        # Below the center's minimum program version: short here, the full notice as tooltip
        # and on the sync tab (F11).
        self.outdated = self._label("status.outdated", window.tr("程序更新提示"))
        self.outdated.setStyleSheet(f"color: {ALARM_COLOUR}; font-weight: bold;")
        self.busy = self._label("status.busy", window.tr("处理状态"))
        bar = window.statusBar()
        labels = (self.busy, self.center, self.clerk, self.workstation, self.sync)
        for label in (*labels, self.sync_problems, self.outdated):
            bar.addPermanentWidget(label)
        self.sync_problems.hide()  # shown only while there are problems
        self.outdated.hide()

    @staticmethod
    def _label(name: str, accessible: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setContentsMargins(8, 0, 8, 0)
        return label

    def show_sync(self, state: SyncState | None) -> None:
        """Online or not, events waiting, last contact; sync problems in red. None: unknown."""
        if state is None:
            self.sync.setText(self._window.tr("同步状态未知"))
            self.sync.setStyleSheet(f"color: {ALARM_COLOUR};")
            self.sync_problems.hide()
            return
        self.sync.setText(self._sync_text(state))
        self.sync.setStyleSheet(f"color: {OFFLINE_COLOUR};" if state.online is False else "")
        self.sync_problems.setText(self._window.tr("同步问题 {n}").format(n=state.problems))
        self.sync_problems.setVisible(state.problems > 0)
        self.outdated.setText(self._window.tr("程序版本过低，请通知信息技术人员更新（F11 详情）"))
        self.outdated.setToolTip(state.update_notice)
        self.outdated.setVisible(bool(state.update_notice))

    def clear_sync(self) -> None:
        self.sync.clear()
        self.sync_problems.clear()
        self.sync_problems.hide()
        self.outdated.hide()

    def _sync_text(self, state: SyncState) -> str:
        tr = self._window.tr
        connection = {True: tr("在线"), False: tr("离线"), None: tr("单机")}[state.online]
        parts = [connection, tr("待同步 {n}").format(n=state.pending)]
        if state.last_contact is not None and state.online is not None:
            parts.append(tr("最近联系 {when}").format(when=self._moment(state.last_contact)))
        return " · ".join(parts)

    def _moment(self, moment: datetime) -> str:
        local = moment.astimezone(SHANGHAI)
        # Today's time alone; an older contact with its date, so a stale one is noticed.
        return f"{local:%H:%M}" if local.date() == self._today() else f"{local:%m-%d %H:%M}"


class CounterWindow(QMainWindow):
    """The clerk's window. Construct, show, and it starts at the login page."""

    def __init__(
        self,
        services: CounterServices,
        geography: Geography,
        catalog: Catalog,
        *,
        runner: TaskRunner | None = None,
        idle_minutes: float = DEFAULT_IDLE_MINUTES,
        today: Callable[[], date] = shanghai_today,
        now: Callable[[], datetime] = shanghai_now,  # when an applicant is identified
        scan_max_gap_ms: int = DEFAULT_MAX_GAP_MS,
        sync_poll_seconds: int = SYNC_POLL_SECONDS,
        supervisor: SupervisorServices | None = None,
        processing: ProcessingServices | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("通办 · 窗口受理"))
        self.resize(1360, 760)
        self.runner = runner or TaskRunner(parent=self)
        self._build_views(today)
        self._build_controllers(services, geography, catalog, (today, now))
        self.session = SessionController(
            self,
            services=services,
            idle=IdleWatcher(idle_minutes, self),
            scanner=IdScanFilter(max_gap_ms=scan_max_gap_ms, parent=self),
            sync_poll_seconds=sync_poll_seconds,
        )
        self._add_shortcuts()
        # The supervisor's desk (Ctrl+F9), offered to supervisors only: ui/supervisor.py.
        self.supervisor = (
            None if supervisor is None else attach_supervisor(self, supervisor, today=today)
        )
        # 办件 (Ctrl+F7) and 进度查询 (Ctrl+F6): ui/processing.py.
        self.processing = None if processing is None else attach_processing(self, processing)
        # The login page's workstation name first: the index builds take a second.
        self.session.begin()
        self._prepare_indexes(catalog)

    def _build_views(self, today: Callable[[], date]) -> None:
        self.banner = demo_banner()
        self.login_view = LoginView()
        self.counter = CounterPage()
        self.lock_view = LockView()
        self.pages = QStackedWidget()
        for page in (self.login_view, self.counter, self.lock_view):
            self.pages.addWidget(page)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.status = StatusBarView(self, today)
        self.refuse_dialog = RefuseDialog(self)
        self.counter.set_tab_order()

    def _build_controllers(
        self,
        services: CounterServices,
        geography: Geography,
        catalog: Catalog,
        clock: tuple[Callable[[], date], Callable[[], datetime]],  # today, now
    ) -> None:
        c, runner = self.counter, self.runner
        today, now = clock
        self.street_names = PinyinFilter({s.code: s.name for s in geography.streets.values()})
        self.documents = DocumentController(self, services=services, runner=runner, parent=self)
        self.login = LoginController(self.login_view, services=services, runner=runner, parent=self)
        self.lock = LockController(self.lock_view, services=services, runner=runner, parent=self)
        self.applicant = ApplicantController(
            c.applicant,
            geography=geography,
            pinyin=self.street_names,
            services=services,
            runner=runner,
            today=today,
            now=now,
            parent=self,
        )
        self.items = ItemPicker(c.items, parent=self)
        self.materials = MaterialsModel(self)
        self.materials_controller = MaterialsController(c.materials, self.materials, parent=self)
        self.intake = IntakeController(
            applicant=self.applicant,
            items=self.items,
            materials=self.materials,
            materials_view=c.materials,
            decision=c.decision,
            refuse_dialog=self.refuse_dialog,
            show_document=self.documents.show_document,
            geography=geography,
            catalog=catalog,
            services=services,
            runner=runner,
            today=today,
            parent=self,
        )
        self.cases = CasesController(
            c.cases,
            services=services,
            runner=runner,
            show_document=self.documents.show_document,
            parent=self,
        )
        self.sync = SyncController(c.sync, services=services, runner=runner, parent=self)

    def _add_shortcuts(self) -> None:
        keys: dict[str, Callable[[], None]] = {
            "F2": lambda: self._on_intake_tab(self.intake.focus_applicant),
            "F3": lambda: self._on_intake_tab(self.intake.focus_item),
            "F4": lambda: self._on_intake_tab(self.intake.focus_materials),
            "F5": lambda: self._on_intake_tab(self.intake.accept),
            "F6": lambda: self._on_intake_tab(self.intake.notify),
            "F7": lambda: self._on_intake_tab(self.intake.refuse),
            "F8": lambda: self._on_intake_tab(self.intake.guide),
            "F9": self._open_cases,
            "F10": lambda: self._on_intake_tab(self.applicant.toggle_separated),
            "F11": self._open_sync,
            "F12": lambda: self._on_intake_tab(self.intake.next_applicant),
            "Ctrl+N": lambda: self._on_intake_tab(self.intake.next_applicant),
            "Ctrl+L": self.session.lock,
        }
        for key, action in keys.items():
            # Parented to the counter page: inactive while login or lock is shown.
            shortcut = QShortcut(QKeySequence(key), self.counter)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)

    def _on_intake_tab(self, action: Callable[[], None]) -> None:
        self.counter.tabs.setCurrentIndex(0)
        action()

    def _open_cases(self) -> None:
        self.counter.tabs.setCurrentWidget(self.counter.cases)
        self.cases.focus()

    def _open_sync(self) -> None:
        # Showing the tab reads the lists; pressed again on the tab, F11 reads them anew.
        if self.counter.tabs.currentWidget() is self.counter.sync:
            self.sync.refresh()
        else:
            self.counter.tabs.setCurrentWidget(self.counter.sync)
        self.sync.focus()

    def _prepare_indexes(self, catalog: Catalog) -> None:
        """Search indexes need pypinyin (slow to import): build them on the worker thread."""
        self.runner.run(lambda: ItemSearch(catalog.items), on_success=self.items.set_search)
        self.runner.run(self.street_names.prepare, on_success=lambda _: None)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.shut_down()
        self.runner.wait(5000)
        # A closed counter is finished. Widgets being destroyed still emit signals (a combo box
        # losing its model reports a new current index) that must not reach the controllers.
        for child in self.findChildren(QObject):
            child.blockSignals(True)
        super().closeEvent(event)
