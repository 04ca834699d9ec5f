"""The lock screen and the idle timer that brings it up.

When the workstation has been idle for the configured minutes (等保: idle timeout), the window
covers the counter with this page. It shows no applicant's data, only which clerk's session is
locked; the same clerk's password reopens it exactly as it was. Another clerk may end the
session instead (the half-finished intake is then dropped).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tongban.ui.ports import CounterServices, LoginResult, SessionInfo
from tongban.ui.tasks import TaskRunner

DEFAULT_IDLE_MINUTES = 10

# What counts as the clerk being at the keyboard.
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Application-wide event filter: `idle` after `minutes` without keyboard or mouse."""

    idle = Signal()

    def __init__(
        self, minutes: float = DEFAULT_IDLE_MINUTES, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, round(minutes * 60_000)))
        self._timer.timeout.connect(self.idle)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()  # restart the count
        return False


class LockView(QWidget):
    """Builds the lock page only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("工作站已锁定"))
        self.title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.clerk = QLabel()
        self.clerk.setObjectName("lock.clerk")
        self.password = QLineEdit()
        self.password.setObjectName("lock.password")
        self.password.setAccessibleName(self.tr("解锁密码"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("本人密码"))
        self.submit = QPushButton(self.tr("解锁"))
        self.submit.setObjectName("lock.submit")
        self.submit.setAccessibleName(self.tr("解锁"))
        self.logout = QPushButton(self.tr("注销，换人登录"))
        self.logout.setObjectName("lock.logout")
        self.logout.setAccessibleName(self.tr("注销"))
        self.error = QLabel()
        self.error.setObjectName("lock.error")
        self.error.setAccessibleName(self.tr("解锁提示"))
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(460)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit)
        buttons.addWidget(self.logout)
        inner = QVBoxLayout(card)
        inner.addWidget(self.title)
        inner.addWidget(self.clerk)
        inner.addWidget(self.password)
        inner.addLayout(buttons)
        inner.addWidget(self.error)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)


class LockController(QObject):
    """Unlocking with the same clerk's password, or ending the session."""

    unlocked = Signal()
    session_ended = Signal(str)  # the message for the login page

    def __init__(
        self,
        view: LockView,
        *,
        services: CounterServices,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        view.submit.clicked.connect(self.submit)
        view.password.returnPressed.connect(self.submit)
        view.logout.clicked.connect(self.log_out)

    def show_for(self, session: SessionInfo) -> None:
        self.view.clerk.setText(
            self.tr("工号 {number} 的会话已锁定，请输入本人密码解锁").format(
                number=session.clerk_number
            )
        )
        self.view.password.clear()
        self.view.error.clear()
        self._set_busy(False)
        self.view.password.setFocus()

    def submit(self) -> None:
        password = self.view.password.text()
        if not password:
            self.view.error.setText(self.tr("请输入密码"))
            return
        self._set_busy(True)
        self._runner.run(
            lambda: self._services.unlock(password),
            on_success=self._answered,
            on_failure=self._failed,
        )

    def log_out(self) -> None:
        self._set_busy(True)
        self._runner.run(
            self._services.logout,
            on_success=lambda _: self.session_ended.emit(self.tr("已注销")),
            on_failure=self._failed,
        )

    def _answered(self, result: LoginResult) -> None:
        self._set_busy(False)
        self.view.password.clear()
        if result.ok:
            self.view.error.clear()
            self.unlocked.emit()
        elif result.session_ended:
            self.session_ended.emit(result.message)
        else:
            self.view.error.setText(result.message or self.tr("密码不正确"))
            self.view.password.setFocus()

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.view.password.clear()
        self.view.error.setText(message)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.view.password, self.view.submit, self.view.logout):
            widget.setEnabled(not busy)
