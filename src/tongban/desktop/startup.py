"""Showing the login page first: background work waits until the window is on screen.

The window asks its task runner for slow work as it is built (the search indexes import pypinyin
and build readings for every street and item). On the worker thread that work still holds
Python's interpreter lock for long stretches, and the first paint of the window would wait for
it: about half a second on a counter PC. `StartupRunner` holds what is asked for until the window
has painted once, then starts it in the order it was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from tongban.ui.tasks import FailureCallback, TaskRunner

T = TypeVar("T")
# A window that is never painted (started minimised, say) must not wait for ever.
RELEASE_AT_THE_LATEST_MS = 2000

Held = tuple[Callable[[], Any], Callable[[Any], None], FailureCallback | None]


class StartupRunner(TaskRunner):
    """A TaskRunner that starts nothing until `release` (or the first paint of a widget)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self._held: list[Held] | None = []

    def run(
        self,
        work: Callable[[], T],
        *,
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
    ) -> None:
        if self._held is None:
            super().run(work, on_success=on_success, on_failure=on_failure)
        else:
            self._held.append((work, on_success, on_failure))

    def holding(self) -> int:
        """How many tasks wait for the release."""
        return len(self._held or ())

    def hold(self) -> None:
        """Hold what is asked for from now on, until the next release (a second window)."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Start the held work, in order; from now on work starts when asked for."""
        held, self._held = self._held or [], None
        for work, on_success, on_failure in held:
            super().run(work, on_success=on_success, on_failure=on_failure)

    def release_after_painting(self, widget: QWidget) -> None:
        """Release once `widget` has been painted (or after a short while in any case)."""
        watcher = _FirstPaint(widget, self.release)
        QTimer.singleShot(RELEASE_AT_THE_LATEST_MS, watcher, watcher.fire)


class _FirstPaint(QObject):
    """Calls `then` once, on the event loop pass after the widget's first paint."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self, self.fire)  # after this paint has reached the screen
        return False

    def fire(self) -> None:
        if self._then is None:
            return
        then, self._then = self._then, None
        self._widget.removeEventFilter(self)
        then()
