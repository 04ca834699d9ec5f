"""Recognising an ID card reader or barcode scanner that types like a keyboard ("wedge").

Such a device types the 18 characters of an identity number and Enter within a few
milliseconds per key; a person never does. An application-wide event filter holds back keys
that could belong to an identity number (digits and X) while they arrive faster than
`max_gap_ms` apart. If 18 of them are followed by Enter, it is a scan: the keys are dropped and
`scanned` carries the number, so it lands in the applicant's number field wherever the focus
was. Anything else (a slower key, a different key, too many characters) replays the held keys
to the widget they were meant for, in order, and the clerk's typing is unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

ID_CHARACTERS = frozenset("0123456789Xx")
SCAN_LENGTH = 18
DEFAULT_MAX_GAP_MS = 35  # wedge devices type 5–20 ms per key; fast typists 80 ms or more
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIERS_OF_TYPING = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


@dataclass(frozen=True)
class _HeldKey:
    receiver: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


def _milliseconds() -> float:
    return time.monotonic() * 1000


class IdScanFilter(QObject):
    """Install with QApplication.instance().installEventFilter(filter)."""

    scanned = Signal(str)

    def __init__(
        self,
        *,
        max_gap_ms: int = DEFAULT_MAX_GAP_MS,
        clock: Callable[[], float] = _milliseconds,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._max_gap_ms = max_gap_ms
        self._clock = clock
        self._held: list[_HeldKey] = []
        self._last_key_at = float("-inf")
        self._replaying = False
        self._enabled = True
        self._passing_through = False  # a burst too long for an ID: let it through to its end
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(max_gap_ms)
        self._flush_timer.timeout.connect(self.flush)

    def set_enabled(self, enabled: bool) -> None:
        """Off while no counter page is shown (login, lock): keys then pass untouched."""
        if not enabled:
            self.flush()
        self._enabled = enabled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self._replaying
            or not self._enabled
            or event.type() != QEvent.Type.KeyPress
            or not isinstance(watched, QWidget)
        ):
            return False
        assert isinstance(event, QKeyEvent)
        return self._key_pressed(watched, event)

    def _key_pressed(self, receiver: QWidget, event: QKeyEvent) -> bool:
        now = self._clock()
        gap = now - self._last_key_at
        self._last_key_at = now
        if gap > self._max_gap_ms:
            self.flush()
            self._passing_through = False
        if Qt.Key(event.key()) in _ENTER_KEYS:
            return self._enter_pressed()
        if not self._could_be_scanned(event) or self._passing_through:
            self.flush()
            return False
        self._held.append(_HeldKey(receiver, event.key(), event.modifiers(), event.text()))
        if len(self._held) > SCAN_LENGTH:
            self._passing_through = True
            self.flush()
        else:
            self._flush_timer.start()
        return True

    def _could_be_scanned(self, event: QKeyEvent) -> bool:
        typing_only = not (event.modifiers() & ~_MODIFIERS_OF_TYPING)
        return typing_only and len(event.text()) == 1 and event.text() in ID_CHARACTERS

    def _enter_pressed(self) -> bool:
        number = "".join(key.text for key in self._held).upper()
        if len(number) == SCAN_LENGTH and number[:-1].isdigit():
            self._held.clear()
            self._flush_timer.stop()
            self.scanned.emit(number)
            return True
        self.flush()
        return False

    def flush(self) -> None:
        """Deliver the held keys to their widgets, in the order they were typed."""
        self._flush_timer.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for key in held:
                if shiboken6.isValid(key.receiver):
                    event = QKeyEvent(QEvent.Type.KeyPress, key.key, key.modifiers, key.text)
                    QCoreApplication.sendEvent(key.receiver, event)
        finally:
            self._replaying = False
