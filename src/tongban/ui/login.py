"""The login page: clerk number and password; the demo accounts only on a demo installation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the start-up page (ui.start_page) shows this view before they are loaded
    from tongban.ui.ports import CounterServices, LoginResult, SessionInfo, WorkstationInfo
    from tongban.ui.tasks import TaskRunner


class LoginView(QWidget):
    """Builds the login form only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("通办 · 社区事务受理服务中心"))
        self.title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.site = QLabel()
        self.site.setObjectName("login.site")
        self.clerk = QLineEdit()
        self.clerk.setObjectName("login.clerk")
        self.clerk.setAccessibleName(self.tr("工号"))
        self.clerk.setMaxLength(32)
        self.password = QLineEdit()
        self.password.setObjectName("login.password")
        self.password.setAccessibleName(self.tr("密码"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.submit = QPushButton(self.tr("登录"))
        self.submit.setObjectName("login.submit")
        self.submit.setAccessibleName(self.tr("登录"))
        self.submit.setDefault(True)
        self.error = QLabel()
        self.error.setObjectName("login.error")
        self.error.setAccessibleName(self.tr("登录提示"))
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.demo_hint = QLabel()
        self.demo_hint.setObjectName("login.demoHint")
        self.demo_hint.setAccessibleName(self.tr("演示账号"))
        self.demo_hint.setWordWrap(True)
        self.demo_hint.setStyleSheet("background: #fff4c2; padding: 6px;")
        self.demo_hint.setVisible(False)
        self._layout()

    def _layout(self) -> None:
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        # A fixed width lets the word-wrapped hint get the height its lines need.
        card.setFixedWidth(460)
        form = QFormLayout()
        form.addRow(self.tr("工号"), self.clerk)
        form.addRow(self.tr("密码"), self.password)
        inner = QVBoxLayout(card)
        inner.addWidget(self.title)
        inner.addWidget(self.site)
        inner.addLayout(form)
        inner.addWidget(self.submit)
        inner.addWidget(self.error)
        inner.addWidget(self.demo_hint)
        # Centred by stretches rather than Qt.AlignmentFlag: PySide6 builds the whole Qt
        # namespace on first use (tens of milliseconds), and this page is the first to show.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)


class LoginController(QObject):
    """Checks the form, asks the services, reports a session."""

    logged_in = Signal(object)  # SessionInfo

    def __init__(
        self,
        view: LoginView,
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
        view.clerk.returnPressed.connect(view.password.setFocus)
        view.password.returnPressed.connect(self.submit)

    def show_workstation(self, info: WorkstationInfo) -> None:
        self.view.site.setText(f"{info.site_name} · {info.workstation_name}")
        hint = info.demo_hint if info.demo else ""
        self.view.demo_hint.setText(hint)
        self.view.demo_hint.setVisible(bool(hint))

    def reset(self, message: str = "") -> None:
        """Back to an empty form (after logout or a lockout), with an optional message."""
        self.view.clerk.clear()
        self.view.password.clear()
        self._say(message)
        self._set_busy(False)
        self.view.clerk.setFocus()

    def submit(self) -> None:
        clerk = self.view.clerk.text().strip()
        password = self.view.password.text()
        if not clerk or not password:
            self._say(self.tr("请输入工号和密码"))
            (self.view.clerk if not clerk else self.view.password).setFocus()
            return
        self._set_busy(True)
        self._say(self.tr("正在登录…"))
        self._runner.run(
            lambda: self._services.login(clerk, password),
            on_success=self._answered,
            on_failure=self._failed,
        )

    def _answered(self, result: LoginResult) -> None:
        self._set_busy(False)
        self.view.password.clear()
        if result.session is None:
            self._say(result.message or self.tr("工号或密码不正确"))
            self.view.password.setFocus()
            return
        session: SessionInfo = result.session
        self._say("")
        self.view.clerk.clear()
        self.logged_in.emit(session)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.view.password.clear()
        self._say(message)

    def _say(self, message: str) -> None:
        self.view.error.setText(message)
        self.view.error.setVisible(bool(message))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.view.clerk, self.view.password, self.view.submit):
            widget.setEnabled(not busy)
