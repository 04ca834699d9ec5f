"""The login page shown at start-up, before the store is open and the counter window is built.

Opening the store and loading the reference data takes a second or more; the clerk can type the
clerk number and password meanwhile. `StartWindow` is light on purpose: it imports only Qt and
the login view, so it paints as soon as Qt is up. `StartController` asks the task runner to open
the counter; when the counter window is ready it takes the start window's place, with what the
clerk has typed so far. Enter pressed before that waits (the login button is busy) and then
logs in. A counter that cannot be opened leaves its one message on this page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from tongban.ui.login import LoginView

if TYPE_CHECKING:
    from tongban.ui.tasks import TaskRunner
    from tongban.ui.window import CounterWindow


@dataclass(frozen=True)
class StartLabel:
    """What the page shows before the store is open: cheap to read, may be empty."""

    site_name: str = ""
    workstation_name: str = ""
    demo: bool = False
    demo_hint: str = ""


def demo_banner() -> QLabel:
    """The yellow 演示 strip above every page of a training installation (hidden until known)."""
    banner = QLabel()
    banner.setText(banner.tr("演示系统 · 仅供培训，所录数据不是真实办件"))
    banner.setObjectName("banner.demo")
    banner.setAccessibleName(banner.tr("演示"))
    # Centred by the style sheet: the Qt namespace (Qt.AlignmentFlag) is slow to load in PySide6.
    banner.setStyleSheet(
        "background: #ffd54a; color: #3a2a00; font-weight: bold; padding: 4px;"
        " qproperty-alignment: AlignCenter;"
    )
    banner.setVisible(False)
    return banner


class StartWindow(QMainWindow):
    """Builds the start-up login page only: the banner and the login form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("通办 · 窗口受理"))
        self.resize(1360, 760)
        self.banner = demo_banner()
        self.login_view = LoginView()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.login_view, 1)
        self.setCentralWidget(central)
        self.statusBar()  # the counter window has one: the page does not jump at the handover

    def show_label(self, label: StartLabel) -> None:
        view = self.login_view
        names = [name for name in (label.site_name, label.workstation_name) if name]
        view.site.setText(" · ".join(names))
        view.demo_hint.setText(label.demo_hint if label.demo else "")
        view.demo_hint.setVisible(label.demo and bool(label.demo_hint))
        self.banner.setVisible(label.demo)


class StartController(QObject):
    """Opens the counter on the runner's worker thread; hands the page over to its window.

    `open_counter` runs on the worker thread and returns what `build_window` (on the GUI
    thread) needs to build the counter window; `show_window` puts that window on screen (and
    may start more background work).
    """

    def __init__(
        self,
        view: StartWindow,
        *,
        runner: TaskRunner,
        open_counter: Callable[[], Any],
        build_window: Callable[[Any], CounterWindow],
        show_window: Callable[[CounterWindow], None],
        on_failure: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.window: CounterWindow | None = None
        self._build_window = build_window
        self._show_window = show_window
        self._on_failure = on_failure
        self._submitted = False
        self._failure = ""
        login = view.login_view
        login.submit.clicked.connect(self.submit)
        login.clerk.returnPressed.connect(login.password.setFocus)
        login.password.returnPressed.connect(self.submit)
        login.error.setVisible(False)
        login.clerk.setFocus()
        runner.run(open_counter, on_success=self._opened, on_failure=self._failed)

    def submit(self) -> None:
        login = self.view.login_view
        if self._failure:
            self._say(self._failure)
            return
        if not login.clerk.text().strip() or not login.password.text():
            self._say(self.tr("请输入工号和密码"))
            (login.password if login.clerk.text().strip() else login.clerk).setFocus()
            return
        self._submitted = True
        self._say(self.tr("正在打开工作站，请稍候…"))
        for widget in (login.clerk, login.password, login.submit):
            widget.setEnabled(False)

    def _opened(self, opened: Any) -> None:
        window = self._build_window(opened)
        self.window = window
        self._hand_over(window)

    def _hand_over(self, window: CounterWindow) -> None:
        """The counter window takes this page's place, with the clerk's typing and focus."""
        start, target = self.view.login_view, window.login_view
        target.clerk.setText(start.clerk.text())
        target.password.setText(start.password.text())
        if not target.site.text():
            target.site.setText(start.site.text())
        window.banner.setVisible(self.view.banner.isVisible())
        focus = target.password if start.password.hasFocus() else target.clerk
        window.setGeometry(self.view.geometry())
        if self._submitted:  # asked before what `show_window` may start on the runner
            window.login.submit()
        self._show_window(window)
        self.view.hide()
        focus.setFocus()
        self.view.deleteLater()

    def _failed(self, message: str) -> None:
        self._failure = message
        login = self.view.login_view
        for widget in (login.clerk, login.password, login.submit):
            widget.setEnabled(True)
        self._say(message)
        self._on_failure(message)

    def _say(self, message: str) -> None:
        error = self.view.login_view.error
        error.setText(message)
        error.setVisible(bool(message))
