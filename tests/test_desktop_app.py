"""The application around the window (desktop.app, desktop.logs): start, log, translations, exit."""

from __future__ import annotations

import io
import logging
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from counter_driver import Clerk, resident_id
from counter_support import Clock, fast_passwords
from tongban.desktop.app import (
    build_counter_window,
    qt_translator,
    run_counter,
    show_counter,
    start_counter,
)
from tongban.desktop.logs import LOG_DIRECTORY, LOG_FILE, MaskIdentityNumbers, mask_id_numbers
from tongban.desktop.services import DEMO_PASSWORD, open_counter, prepare_demo
from tongban.desktop.settings import load_settings, save_settings
from tongban.desktop.startup import StartupRunner
from tongban.models.rules import mask_identity
from tongban.models.store import SubjectType, audit_trail
from tongban.ui.window import CounterWindow

SOMEONE = resident_id("310104", date(1950, 1, 1), 123)
_SEPARATORS = st.text(alphabet=" ，。:：()（）\n\t-_/", min_size=1, max_size=3)
_WORDS = st.text(alphabet=string.ascii_letters + "申请人证件号码", max_size=12)


@st.composite
def id_shaped(draw: st.DrawFn) -> str:
    digits = st.text(alphabet=string.digits, min_size=17, max_size=17)
    kind = draw(st.sampled_from(["18", "15", "permanent"]))
    if kind == "18":
        return draw(digits) + draw(st.sampled_from([*string.digits, "X", "x"]))
    if kind == "15":
        return draw(st.text(alphabet=string.digits, min_size=15, max_size=15))
    letters = draw(st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3))
    return letters + draw(st.text(alphabet=string.digits, min_size=12, max_size=12))


# Masking -----------------------------------------------------------------------------------------


@given(before=_WORDS, number=id_shaped(), between=_SEPARATORS, after=_WORDS)
def test_no_id_shaped_number_survives_masking(before, number, between, after):
    text = f"{before}{between}{number}{between}{after}"
    masked = mask_id_numbers(text)
    assert number not in masked
    assert len(masked) == len(text)
    assert masked.startswith(before) and masked.endswith(after)


def test_masking_shows_what_screens_show_and_leaves_other_numbers():
    assert mask_id_numbers(f"查询 {SOMEONE} 失败") == f"查询 {mask_identity(SOMEONE)} 失败"
    assert mask_id_numbers("旧号 310104500101123") == "旧号 31***********23"
    case_and_hash = "受理编号 310104003-260310-001-0001-9，摘要 " + "7" * 40
    assert mask_id_numbers(case_and_hash) == case_and_hash


def test_the_filter_masks_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdentityNumbers())
    logger = logging.getLogger("tongban.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"申请人 {SOMEONE} 不存在")
        except ValueError:
            logger.exception("查找申请人 %s 失败", SOMEONE)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert SOMEONE not in written
    assert written.count(mask_identity(SOMEONE)) == 2  # the message and the traceback
    assert "ValueError" in written


# The application -------------------------------------------------------------------------------


def test_qt_speaks_chinese_in_its_standard_dialogs(qapp):
    translator = qt_translator(qapp)
    assert translator is not None
    assert translator.translate("QPlatformTheme", "Cancel") == "取消"
    assert translator.translate("QPrintDialog", "Print") == "打印"
    translator.deleteLater()


def test_background_work_waits_for_the_first_paint_and_keeps_its_order(qtbot):
    runner = StartupRunner()
    label = QLabel("通办")
    qtbot.addWidget(label)
    runner.setParent(label)
    runner.release_after_painting(label)
    done: list[str] = []
    runner.run(lambda: "index", on_success=done.append)
    runner.run(lambda: "workstation", on_success=done.append)
    qtbot.wait(100)
    assert done == [] and runner.holding() == 2
    label.show()
    qtbot.waitUntil(lambda: done == ["index", "workstation"], timeout=3000)
    runner.run(lambda: "login", on_success=done.append)
    qtbot.waitUntil(lambda: done[-1:] == ["login"], timeout=3000)
    assert runner.holding() == 0


def test_a_small_screen_gets_the_window_maximised(qtbot, tmp_path):
    clock = Clock()
    prepare_demo(tmp_path, clock=clock, passwords=fast_passwords())
    context = open_counter(tmp_path, clock=clock)
    try:
        window = build_counter_window(context)
        qtbot.addWidget(window)
        assert window.screen().availableGeometry().width() < 1366 + 160  # offscreen: 800 wide
        show_counter(window)
        assert window.isMaximized()
        window.close()
    finally:
        context.close()


def test_a_large_screen_gets_the_design_size_in_its_middle(qtbot, tmp_path):
    clock = Clock()
    prepare_demo(tmp_path, clock=clock, passwords=fast_passwords())
    context = open_counter(tmp_path, clock=clock)
    try:
        window = build_counter_window(context)
        qtbot.addWidget(window)
        window.screen = lambda: _ScreenOf(QRect(0, 0, 1920, 1080))
        show_counter(window)
        assert not window.isMaximized()
        assert window.size() == QSize(1366, 768)
        offset = window.frameGeometry().center() - QRect(0, 0, 1920, 1080).center()
        assert offset.manhattanLength() <= 4  # the frame's own margins, at most
        window.close()
    finally:
        context.close()


class _ScreenOf:
    """A screen of another size than the offscreen platform's."""

    def __init__(self, available: QRect) -> None:
        self._available = available

    def availableGeometry(self) -> QRect:
        return self._available


def test_run_counter_opens_logs_and_closes(qapp, tmp_path: Path):
    prepare_demo(tmp_path, clock=Clock(), passwords=fast_passwords())
    problems: list[BaseException] = []

    def clerk_works_then_closes() -> None:
        windows: list[CounterWindow] = []
        try:
            window = _counter_window_shown()
            windows.append(window)
            clerk = Clerk(window)
            clerk.settle()
            assert clerk.log_in("1001") == ""
            logging.getLogger("tongban.test").error("申请人 %s 未找到", SOMEONE)
        except BaseException as error:  # the hook run_counter installs would only log it
            problems.append(error)
        finally:
            for window in windows or QApplication.topLevelWidgets():
                window.close()

    QTimer.singleShot(0, clerk_works_then_closes)
    assert run_counter(tmp_path) == 0
    assert problems == []

    log_text = (tmp_path / LOG_DIRECTORY / LOG_FILE).read_text(encoding="utf-8")
    assert "工作站已启动：天平路街道社区事务受理服务中心 1号窗口" in log_text
    assert mask_identity(SOMEONE) in log_text and SOMEONE not in log_text
    reopened = open_counter(tmp_path)  # run_counter closed its store
    try:
        with reopened.store.reading() as session:
            trail = audit_trail(session, subject_type=SubjectType.CLERK, subject_ref="1001")
        assert [entry.action for entry in trail][-2:] == ["login", "logout"]
    finally:
        reopened.close()


def _counter_window_shown(timeout_ms: int = 20000) -> CounterWindow:
    """The counter window, once it has taken the start-up page's place."""
    for _ in range(timeout_ms // 10):
        shown = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, CounterWindow) and w.isVisible()
        ]
        if shown:
            return shown[0]
        QTest.qWait(10)
    raise AssertionError("计数窗口未出现")


def _settings_with_names(directory: Path) -> None:
    settings = load_settings(directory)
    assert settings is not None
    names = {"site_name": "天平路街道社区事务受理服务中心", "workstation_name": "1号窗口"}
    save_settings(directory, settings.model_copy(update=names))


def test_the_start_page_shows_the_names_at_once_and_logs_in_when_the_store_is_open(
    qapp, tmp_path: Path
):
    prepare_demo(tmp_path, clock=Clock(), passwords=fast_passwords())
    _settings_with_names(tmp_path)
    start = start_counter(tmp_path)
    try:
        login = start.page.login_view
        assert login.site.text() == "天平路街道社区事务受理服务中心 · 1号窗口"
        assert login.demo_hint.isVisible() and DEMO_PASSWORD in login.demo_hint.text()
        assert start.page.banner.isVisible() and start.window is None
        QTest.keyClicks(login.clerk, "1001")
        QTest.keyClick(login.clerk, Qt.Key.Key_Return)
        QTest.keyClicks(login.password, DEMO_PASSWORD)
        QTest.keyClick(login.password, Qt.Key.Key_Return)  # before the store is open: it waits
        assert not login.submit.isEnabled() and "稍候" in login.error.text()
        window = _counter_window_shown()
        Clerk(window).settle()
        assert window.pages.currentWidget() is window.counter
        assert window.status.clerk.text() and window.banner.isVisible()
    finally:
        if start.window is not None:
            start.window.close()
        start.close()


def test_a_store_that_cannot_be_opened_is_one_message_on_the_login_page(
    qapp, tmp_path: Path, caplog
):
    prepare_demo(tmp_path, clock=Clock(), passwords=fast_passwords())
    (tmp_path / "tongban.sqlite3").write_bytes(b"not a database at all" * 100)
    start = start_counter(tmp_path)
    try:
        error = start.page.login_view.error
        for _ in range(2000):
            if error.text():
                break
            QTest.qWait(10)
        assert "损坏" in error.text() and "\n" not in error.text()
        assert start.window is None
        assert any("工作站未能打开" in record.getMessage() for record in caplog.records)
    finally:
        start.page.close()
        start.close()


def test_the_start_page_imports_no_store_reference_data_or_documents():
    code = (
        "import sys, tongban.desktop.app, tongban.desktop.start_label;"
        "print(sorted(m for m in ('sqlalchemy', 'pydantic', 'yaml', 'reportlab', 'alembic')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
