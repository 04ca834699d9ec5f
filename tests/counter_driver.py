"""A clerk at the real counter window, by keyboard: shared by the end-to-end tests, the screenshot
script and the start-up bench.

Keys go where the focus is, as on a real keyboard (QTest, the same calls as qtbot.keyClick);
Chinese arrives as an input method's commit (QInputMethodEvent), because QTest cannot type it.
Every key event and every commit is counted, so the bench can say what an intake costs the clerk.
The window's worker thread does the service calls: `settle` waits until it has answered.
Nothing here is a test; it needs a QApplication and a window built by desktop.app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from tongban.ui.window import CounterWindow

DEMO_PASSWORD = "demo1234"
# A person types slower than the card reader: the ID scanner filter passes such keys through.
HUMAN_KEY_GAP_MS = 45


def resident_id(area: str, birth: date, serial: int) -> str:
    """A valid 18-character resident ID (GB 11643-1999 check character)."""
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass
class Applicant:
    id_number: str
    name: str  # committed through the input method
    phone: str
    household: str  # pinyin typed in the household street picker


@dataclass
class Clerk:
    """Types into the window. `keys` counts key events, `commits` the input method's texts."""

    window: CounterWindow
    keys: int = 0
    commits: list[str] = field(default_factory=list)

    # Primitive actions -------------------------------------------------------------------------

    def focused(self) -> str:
        widget = QApplication.focusWidget()
        return widget.objectName() if widget is not None else ""

    def expect_focus(self, name: str) -> None:
        self.wait_until(lambda: self.focused() == name, f"焦点应在 {name}，实际在 {self.focused()}")

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        QTest.keyClick(self._target(), key, modifier)
        self.keys += 1

    def type(self, text: str, *, gap_ms: int = -1) -> None:
        """ASCII typed where the focus is; `gap_ms` between keys (default: as fast as possible)."""
        QTest.keyClicks(self._target(), text, Qt.KeyboardModifier.NoModifier, gap_ms)
        self.keys += len(text)

    def commit(self, text: str) -> None:
        """Chinese text committed by the input method into the focused widget."""
        event = QInputMethodEvent("", [])
        event.setCommitString(text)
        QApplication.sendEvent(self._target(), event)
        self.commits.append(text)

    def _target(self) -> QWidget:
        widget = QApplication.focusWidget() or self.window
        # An editable combo box hands the keys to its line edit.
        if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
            return widget.lineEdit()
        return widget

    def wait_until(self, done: Callable[[], bool], message: str = "", timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(message or "等待超时")
            QTest.qWait(5)

    def settle(self) -> None:
        """Until the worker has answered everything asked so far, and the answers are shown."""
        runner = self.window.runner
        held = getattr(runner, "holding", lambda: 0)  # desktop.startup.StartupRunner
        self.wait_until(lambda: runner.pending() == 0 and held() == 0, "后台任务未完成")
        QApplication.processEvents()

    def back_to_window(self) -> None:
        """After a popup or dialog closes, the window manager activates the window again.

        The offscreen platform activates a closed popup late (on the next pass of the event
        loop) and never gives activation back, so the driver does; re-activation then puts the
        focus back where it was when the popup opened, which no real window system does, so the
        focus the window itself chose is restored.
        """
        chosen = QApplication.focusWidget()
        QTest.qWait(10)
        self.window.activateWindow()
        self.wait_until(self.window.isActiveWindow, "窗口未能重新激活")
        if chosen is not None and chosen.window() is self.window and chosen.isVisible():
            chosen.setFocus()

    # The path ----------------------------------------------------------------------------------

    def log_in(self, number: str, password: str = DEMO_PASSWORD) -> str:
        """Clerk number, Enter, password, Enter; the login page's answer ("" when logged in)."""
        self.expect_focus("login.clerk")
        self.type(number)
        self.press(Qt.Key.Key_Return)
        return self.retype_password(password)

    def retype_password(self, password: str) -> str:
        """After a refusal the page keeps the number and waits in the password field."""
        self.expect_focus("login.password")
        self.type(password)
        self.press(Qt.Key.Key_Return)
        self.settle()
        if self.window.pages.currentWidget() is self.window.counter:
            return ""
        return self.window.login_view.error.text()

    def identify(self, who: Applicant, *, by_hand: bool = False) -> None:
        """From the empty form to the item field: the ID card read (or the number typed by
        hand), then name, phone and the household street by pinyin. A returning applicant's
        details come back from the store: the clerk checks them and presses Enter."""
        self.expect_focus("applicant.idNumber")
        # A card reader is a keyboard too: 18 characters and Enter within milliseconds.
        self.type(who.id_number, gap_ms=HUMAN_KEY_GAP_MS if by_hand else -1)
        self.press(Qt.Key.Key_Return)
        self.settle()
        form = self.window.counter.applicant
        # A returning applicant's stored details fill the form and the cursor moves on to the
        # first field still empty (the item search when nothing is missing).
        if self.focused() == "item.search":
            return
        if self.focused() == "applicant.name":
            if not form.name.text():
                self.commit(who.name)
            self.press(Qt.Key.Key_Return)
        if self.focused() == "applicant.phone":
            if not form.phone.text():
                self.type(who.phone)
            self.press(Qt.Key.Key_Return)
        self.expect_focus("applicant.householdStreet")
        if self.window.applicant.state().household.chosen:
            self.press(Qt.Key.Key_Return)
        else:
            self.pick_street(who.household)
        self.expect_focus("item.search")
        self.settle()

    def pick_street(self, pinyin: str) -> None:
        self.type(pinyin)
        self.press(Qt.Key.Key_Return)
        self.back_to_window()

    def pick_item(self, initials: str) -> None:
        """F3, the item's pinyin initials, Enter: on to the materials."""
        self.press(Qt.Key.Key_F3)
        self.expect_focus("item.search")
        self.type(initials)
        # The search index is built on the worker thread at start-up.
        self.wait_until(lambda: self.window.items.model.rowCount() > 0, "事项索引未就绪")
        self.press(Qt.Key.Key_Return)
        self.expect_focus("materials.list")

    def tick_materials(self, count: int) -> None:
        """Space (received) on the first `count` rows, Down between them."""
        for row in range(count):
            if row:
                self.press(Qt.Key.Key_Down)
            self.press(Qt.Key.Key_Space)

    def decide(self, key: Qt.Key) -> None:
        """F5 受理, F6 一次性告知, F8 告知办理地: the service answers, a document opens."""
        self.press(key)
        self.settle()

    def refuse(self, reason: str) -> None:
        self.press(Qt.Key.Key_F7)
        self.expect_focus("refuse.reason")
        self.commit(reason)
        self.press(Qt.Key.Key_Return)
        self.settle()

    def print_document(self) -> None:
        """Enter on the open preview: printed through the services; the preview closes."""
        preview = self.window.documents.preview
        assert preview is not None, "没有打开的文书预览"
        self.expect_focus("preview.print")
        self.press(Qt.Key.Key_Return)
        self.settle()
        self.back_to_window()

    def close_document(self) -> None:
        self.press(Qt.Key.Key_Escape)
        self.back_to_window()

    def next_applicant(self) -> None:
        self.press(Qt.Key.Key_F12)
        self.expect_focus("applicant.idNumber")

    def lock(self) -> None:
        self.press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        self.settle()

    def unlock(self, password: str = DEMO_PASSWORD) -> None:
        self.expect_focus("lock.password")
        self.type(password)
        self.press(Qt.Key.Key_Return)
        self.settle()


def wait_for_pdf_pages() -> None:
    """QPdfView renders pages on a thread of its own: give it a moment before a screenshot."""
    for _ in range(30):
        time.sleep(0.01)
        QApplication.processEvents()


def screenshot(window: CounterWindow, path: Path) -> None:
    """The window as the clerk sees it: open popups and dialogs painted where they are."""
    QApplication.processEvents()
    if window.documents.preview is not None:
        wait_for_pdf_pages()
    image = window.grab().toImage()
    painter = QPainter(image)
    for top in QApplication.topLevelWidgets():
        is_popup = top.windowType() == Qt.WindowType.Popup
        if top is window or not top.isVisible() or not (is_popup or _inside(top, window)):
            continue
        at = window.mapFromGlobal(top.mapToGlobal(QPoint(0, 0)))
        if top.isModal():  # dialogs open centred over the window
            at = QPoint((window.width() - top.width()) // 2, (window.height() - top.height()) // 2)
        painter.drawPixmap(at, top.grab())
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"无法保存截图：{path}")


def _inside(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False
