"""Moving between the login page, the counter and the lock screen, and the status bar.

The counter window owns one SessionController. It reacts to a login (fills the status bar, starts
the idle timer, the ID scanner and the sync count), to idleness and Ctrl+L (covers the counter
with the lock page), to unlocking and to the end of a session (back to the login page, the
half-finished intake dropped).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from tongban.ui.lock import IdleWatcher
from tongban.ui.ports import CounterServices, SessionInfo, WorkstationInfo
from tongban.ui.scanner import IdScanFilter

if TYPE_CHECKING:
    from tongban.ui.window import CounterWindow


class SessionController(QObject):
    """Login → counter ⇄ lock → login; the status bar; idle timeout; the ID scanner."""

    def __init__(
        self,
        window: CounterWindow,
        *,
        services: CounterServices,
        idle: IdleWatcher,
        scanner: IdScanFilter,
        sync_poll_seconds: int,
    ) -> None:
        super().__init__(window)
        self.window = window
        self._services = services
        self._idle = idle
        self._scanner = scanner
        self._session: SessionInfo | None = None
        self._workstation: WorkstationInfo | None = None
        self._focus_before_lock: QWidget | None = None
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(max(1, sync_poll_seconds) * 1000)
        self._sync_timer.timeout.connect(self.refresh_sync_count)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(idle)
            app.installEventFilter(scanner)
        scanner.set_enabled(False)
        scanner.scanned.connect(self._card_read)
        idle.idle.connect(self.lock)
        window.login.logged_in.connect(self._logged_in)
        window.lock.unlocked.connect(self._unlocked)
        window.lock.session_ended.connect(self._session_ended)
        window.intake.decided.connect(self.refresh_sync_count)
        window.runner.busy_changed.connect(self._show_busy)
        window.runner.failed.connect(self.show_message)
        window.documents.message.connect(self.show_message)

    def session(self) -> SessionInfo | None:
        return self._session

    def begin(self) -> None:
        self.window.pages.setCurrentWidget(self.window.login_view)
        self.window.runner.run(self._services.workstation, on_success=self._workstation_known)
        self.window.login.reset()

    def _workstation_known(self, info: WorkstationInfo) -> None:
        self._workstation = info
        self.window.login.show_workstation(info)
        self.window.banner.setVisible(info.demo)
        self.window.status.center.setText(info.site_name)
        self.window.status.workstation.setText(info.workstation_name)

    def _logged_in(self, session: SessionInfo) -> None:
        self._session = session
        w = self.window
        w.banner.setVisible(session.demo)
        w.status.center.setText(session.center_name)
        w.status.clerk.setText(
            w.tr("{number} {name}（{role}）").format(
                number=session.clerk_number, name=session.clerk_name, role=session.role
            )
        )
        w.status.workstation.setText(session.workstation_name)
        w.pages.setCurrentWidget(w.counter)
        w.counter.tabs.setCurrentIndex(0)
        w.intake.start(session.site_code)
        w.cases.clear()
        self._scanner.set_enabled(True)
        self._idle.start()
        self._sync_timer.start()
        self.refresh_sync_count()

    def _card_read(self, number: str) -> None:
        # A dialog is open (a receipt to print, a refusal being written): the card is not taken,
        # and its Enter never reaches the dialog (it would print the previous receipt again).
        if QApplication.activeModalWidget() is not None:
            self.show_message(self.window.tr("请先关闭当前窗口，再刷证件"))
            return
        self.window.intake.fill_from_scan(number)

    def lock(self) -> None:
        """Cover the counter (idle timeout or Ctrl+L); nothing of the applicant stays visible."""
        if self._session is None or self.window.pages.currentWidget() is not self.window.counter:
            return
        w = self.window
        self._focus_before_lock = QApplication.focusWidget()
        w.documents.close_all()
        w.refuse_dialog.reject()
        self._scanner.set_enabled(False)
        self._idle.stop()
        w.pages.setCurrentWidget(w.lock_view)
        w.lock.show_for(self._session)
        w.runner.run(self._services.lock, on_success=lambda _: None)

    def _unlocked(self) -> None:
        w = self.window
        w.pages.setCurrentWidget(w.counter)
        self._scanner.set_enabled(True)
        self._idle.start()
        if self._focus_before_lock is not None and w.counter.isAncestorOf(self._focus_before_lock):
            self._focus_before_lock.setFocus()

    def _session_ended(self, message: str) -> None:
        w = self.window
        self._session = None
        self._idle.stop()
        self._sync_timer.stop()
        self._scanner.set_enabled(False)
        w.intake.next_applicant()  # the half-finished intake is not kept for the next clerk
        w.cases.clear()
        w.status.clerk.clear()
        w.status.clear_sync()
        w.banner.setVisible(self._workstation is not None and self._workstation.demo)
        w.pages.setCurrentWidget(w.login_view)
        w.login.reset(message)

    def refresh_sync_count(self) -> None:
        if self._session is None:
            return
        self.window.runner.run(
            self._services.sync_state,
            on_success=self.window.status.show_sync,
            on_failure=lambda _message: self.window.status.show_sync(None),
        )

    def show_message(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 10_000)

    def _show_busy(self, busy: bool) -> None:
        self.window.status.busy.setText(self.window.tr("处理中…") if busy else "")

    def shut_down(self) -> None:
        """Stop timers and take the application-wide filters out (the window is closing)."""
        self._idle.stop()
        self._sync_timer.stop()
        self._scanner.set_enabled(False)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._idle)
            app.removeEventFilter(self._scanner)
