"""`tongban launch-check`: start the real application, see which page it shows first, quit.

An installation's smoke test (the .deb's) runs the program exactly as `tongban --data-dir DIR`
would, on the offscreen platform, and needs one word back: `setup-wizard` for a workstation
without configuration, `login` for one that is set up. For a configured workstation the check
waits until the store is open and the counter window shows its login page, so a package that
lacks a module the store or the window needs fails here, not at the counter.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from tongban.desktop.app import Starting

SETUP_WIZARD = "setup-wizard"
LOGIN = "login"
POLL_MS = 50


def _shown(widget: QWidget) -> bool:
    handle = widget.windowHandle()
    return widget.isVisible() and handle is not None and handle.isExposed()


class LaunchCheck(QObject):
    """Watches a start; quits the event loop once the first page is on screen, or on time-out."""

    def __init__(self, start: Starting, *, timeout: float) -> None:
        super().__init__()
        self.page: str | None = None  # SETUP_WIZARD or LOGIN once shown
        self.error = ""  # why there is no page (zh_CN), when the check failed
        self._start = start
        self._timeout = timeout
        self._deadline = time.monotonic() + timeout
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._look)
        self._timer.start()

    def _look(self) -> None:
        self.page, self.error = self._first_page()
        if not self.page and not self.error and time.monotonic() > self._deadline:
            self.error = f"启动检查超时：{self._timeout:g} 秒内未显示首个页面"
        if self.page or self.error:
            self._timer.stop()
            QCoreApplication.quit()

    def _first_page(self) -> tuple[str | None, str]:
        # Imported here: the start's own module decides which of the two it is.
        from tongban.desktop.setup_start import FirstRunStart

        start = self._start
        if isinstance(start, FirstRunStart):
            return (SETUP_WIZARD if _shown(start.wizard) else None), ""
        if start.failure:
            return None, f"工作站未能打开：{start.failure}"
        window = start.window
        if (
            window is not None
            and _shown(window)
            and window.pages.currentWidget() is window.login_view
        ):
            return LOGIN, ""
        return None, ""
