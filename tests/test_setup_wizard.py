"""The first-run wizard, driven by the keyboard against a real central service (SQLite central).

Typing goes to whichever widget has the keyboard focus, so every test also checks that Tab and
Enter lead through the steps. The test page is printed through the real print path
(desktop.printers.print_pdf) into a PDF file, or to the system's printers where there are none.
"""

from __future__ import annotations

import http.server
import stat
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from keyring.backends import fail
from pypdf import PdfReader
from PySide6.QtCore import Qt

from setup_support import (
    WAIT_MS,
    MemoryKeyring,
    focused,
    nothing_written,
    open_wizard,
    press,
    to_file,
    type_text,
    wait_for_message,
    wait_for_step,
)
from sync_support import CENTER_A, FakeClock, Server, free_port
from tongban.central.versions import announce_versions
from tongban.desktop.first_run import DesktopSetup
from tongban.desktop.settings import Paper, load_settings
from tongban.models.store import get_workstation, open_store
from tongban.models.store.sync_state import get_sync_state
from tongban.ui.setup_ports import PaperChoice
from tongban.ui.setup_wizard import Step

pytest_plugins = ("sync_support",)  # the live central service fixtures

POINTS_PER_MM = 72 / 25.4


def enroll_code(central: Server, name: str = "3号窗口", hours: int = 24) -> str:
    return central.store.enroll(
        center_code=CENTER_A, name=name, valid_for=timedelta(hours=hours)
    ).code


def test_every_step_by_keyboard(qtbot, central: Server, tmp_path: Path) -> None:
    announce_versions(central.store.database, current="9.1.0", minimum="9.0.0")
    directory, printed = tmp_path / "ws", tmp_path / "test-page.pdf"
    keyring = MemoryKeyring()
    wizard = open_wizard(
        qtbot, DesktopSetup(directory, keyring_backend=keyring, printer=to_file(printed))
    )
    view = wizard.view
    assert focused() is view.server and "第 1 步，共 5 步" in view.step.text()

    type_text(qtbot, central.url.removeprefix("http://"))  # the scheme may be left out
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.CODE)
    assert wizard.server == central.url and focused() is view.code
    assert nothing_written(directory)  # checking the address writes nothing

    type_text(qtbot, enroll_code(central).lower())  # as typed by hand
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.PRINTER)
    assert "天平路" in view.enrolled.text() and "系统钥匙串" in view.enrolled.text()
    settings = load_settings(directory)
    assert settings is not None and settings.server_url == central.url
    assert next(iter(keyring.secrets.values())).startswith("tbw1_")
    assert not view.back.isEnabled()  # the enrollment cannot be taken back

    assert focused() is view.printer
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.paper
    press(qtbot, Qt.Key.Key_Down)  # 80 mm roll
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.TEST)
    settings = load_settings(directory)
    assert settings is not None and (settings.printer, settings.paper) == (None, Paper.ROLL_80MM)

    assert focused() is view.test_print
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "测试页已送往打印机（1 页）" in view.test_result.text(), timeout=WAIT_MS
    )
    page = PdfReader(printed).pages[0]
    assert round(float(page.mediabox.width) / POINTS_PER_MM) == 80  # printed on the roll
    assert focused() is view.next

    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.DONE)
    assert "已打印测试页" in view.summary.text() and "80 毫米卷纸" in view.summary.text()
    # The enrollment's answer carried the center's versions: this program is below the minimum.
    assert view.outdated.isVisible() and "低于中心要求的最低版本 9.0.0" in view.outdated.text()
    store = open_store(directory / "tongban.sqlite3")
    try:
        with store.reading() as session:
            state = get_sync_state(session)
            assert (state.current_app_version, state.minimum_app_version) == ("9.1.0", "9.0.0")
            assert get_workstation(session).center_code == CENTER_A
    finally:
        store.close()

    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)


def test_an_unreachable_server_then_a_wrong_expired_and_used_code(
    qtbot, central: Server, clock: FakeClock, tmp_path: Path
) -> None:
    directory = tmp_path / "ws"
    wizard = open_wizard(qtbot, DesktopSetup(directory, keyring_backend=MemoryKeyring()))
    view = wizard.view

    type_text(qtbot, f"http://127.0.0.1:{free_port()}")
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "无法连接中心同步服务")
    assert wizard.step is Step.SERVER and focused() is view.server
    assert view.server.selectedText() == view.server.text()  # typing replaces it

    type_text(qtbot, central.url)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.CODE)

    type_text(qtbot, "ABCD-EFGH-JKLM-NPQR")
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "登记码无效或已使用")
    assert wizard.step is Step.CODE and nothing_written(directory)

    expiring = enroll_code(central, "4号窗口", hours=1)
    clock.advance(timedelta(hours=2))
    type_text(qtbot, expiring)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "登记码已过期")
    assert wizard.step is Step.CODE and nothing_written(directory)

    used = enroll_code(central, "5号窗口")
    central.store.redeem(used, app_version=None)
    type_text(qtbot, used)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "登记码无效或已使用")
    assert nothing_written(directory)

    press(qtbot, Qt.Key.Key_Tab)  # to 上一步: Enter presses the button that has the focus
    assert focused() is view.back
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.step is Step.SERVER and focused() is view.server


def test_without_a_keyring_the_file_store_is_an_explicit_choice(
    qtbot, central: Server, tmp_path: Path
) -> None:
    directory = tmp_path / "ws"
    wizard = open_wizard(qtbot, DesktopSetup(directory, keyring_backend=fail.Keyring()))
    view = wizard.view
    type_text(qtbot, central.url)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.CODE)
    code = enroll_code(central)
    type_text(qtbot, code)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "勾选管理员确认")
    assert "本机没有可用的系统钥匙串" in view.keyring_hint.text()
    assert view.file_store.isVisible() and not view.file_store.isChecked()
    assert focused() is view.file_store and nothing_written(directory)

    view.say("")
    press(qtbot, Qt.Key.Key_Return)  # not confirmed: refused again, the code still unused
    wait_for_message(qtbot, wizard, "勾选管理员确认")
    press(qtbot, Qt.Key.Key_Space)  # the administrator confirms
    assert view.file_store.isChecked()
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.PRINTER)
    token = directory / "device-token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    settings = load_settings(directory)
    assert settings is not None and settings.secret_store == "file"


class _NotTongban(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_web_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotTongban)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_another_web_service_and_a_malformed_address(
    qtbot, other_web_server: str, tmp_path: Path
) -> None:
    wizard = open_wizard(qtbot, DesktopSetup(tmp_path / "ws", keyring_backend=MemoryKeyring()))
    type_text(qtbot, other_web_server)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "不是通办中心同步服务")
    type_text(qtbot, "http://")
    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "地址格式不正确")
    assert wizard.step is Step.SERVER


def test_a_printer_failure_is_said_and_the_test_page_can_be_skipped(
    qtbot, central: Server, tmp_path: Path, monkeypatch
) -> None:
    # No print server at all: the system has no printers and no default printer.
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cups.sock"))
    services = DesktopSetup(tmp_path / "ws", keyring_backend=MemoryKeyring())
    wizard = open_wizard(qtbot, services)
    view = wizard.view
    type_text(qtbot, central.url)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.CODE)
    type_text(qtbot, enroll_code(central))
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.PRINTER)
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.TEST)

    press(qtbot, Qt.Key.Key_Return)
    wait_for_message(qtbot, wizard, "测试页未能打印")
    assert "打印机" in view.message.text() and focused() is view.test_print
    assert services.printers() == []

    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.next
    press(qtbot, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, Step.DONE)
    assert "未打印测试页" in view.summary.text() and not view.outdated.isVisible()


def test_printing_settings_need_an_enrolled_workstation(tmp_path: Path) -> None:
    services = DesktopSetup(tmp_path / "ws", printer=to_file(tmp_path / "x.pdf"))
    with pytest.raises(Exception, match="尚未登记"):
        services.save_printing("", PaperChoice.A4)
    # The test page prints without an enrollment too (the names are simply left out).
    assert services.print_test_page("", PaperChoice.A4) == 1
