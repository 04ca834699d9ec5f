"""An unconfigured workstation starts with the setup wizard, then the login; `tongban launch-check`.

The start is the application's own (desktop.app.start_workstation, as `tongban --data-dir DIR`
does it), against a real central service. `launch-check` runs in a separate process on the
offscreen platform, as an installation's smoke test runs it.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt, QtMsgType

from counter_support import Clock, fast_passwords
from setup_support import (
    WAIT_MS,
    MemoryKeyring,
    focused,
    nothing_written,
    press,
    type_text,
    wait_for_step,
)
from sync_support import CENTER_A, Server
from tongban.desktop import opening
from tongban.desktop.app import CounterStart, start_workstation
from tongban.desktop.cli.launch import NO_DISPLAY, display_problem
from tongban.desktop.logs import QT_NO_PLATFORM, qt_message
from tongban.desktop.services import prepare_demo
from tongban.desktop.settings import load_settings
from tongban.desktop.setup_start import FirstRunStart
from tongban.ui.setup_wizard import Step

pytest_plugins = ("sync_support",)  # the live central service fixtures

LAUNCH_TIMEOUT_S = 120


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """The OS keyring for the whole application (setup, then background sync)."""
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    return backend


def test_the_wizard_first_then_the_login(
    qtbot, central: Server, tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch
) -> None:
    # Background sync starts with the counter: a short long-poll lets it stop at once at the end.
    quick = functools.partial(opening.open_workstation, long_poll_wait=0.2)
    monkeypatch.setattr(opening, "open_workstation", quick)
    directory = tmp_path / "ws"
    start = start_workstation(directory)
    assert isinstance(start, FirstRunStart)
    wizard = start.controller
    try:
        start.wizard.activateWindow()
        qtbot.waitUntil(start.wizard.isActiveWindow, timeout=3000)
        type_text(qtbot, central.url)
        press(qtbot, Qt.Key.Key_Return)
        wait_for_step(qtbot, wizard, Step.CODE)
        type_text(qtbot, central.store.enroll(center_code=CENTER_A, name="3号窗口").code)
        press(qtbot, Qt.Key.Key_Return)
        wait_for_step(qtbot, wizard, Step.PRINTER)
        press(qtbot, Qt.Key.Key_Return)  # the system's default printer, A4
        wait_for_step(qtbot, wizard, Step.TEST)
        press(qtbot, Qt.Key.Key_Tab)  # past the test page: 上一步, then 下一步
        press(qtbot, Qt.Key.Key_Tab)
        assert focused() is wizard.view.next
        press(qtbot, Qt.Key.Key_Return)
        wait_for_step(qtbot, wizard, Step.DONE)
        press(qtbot, Qt.Key.Key_Return)

        def login_shown() -> bool:
            after = start.next_start
            window = after.window if isinstance(after, CounterStart) else None
            return window is not None and window.isVisible()

        qtbot.waitUntil(login_shown, timeout=WAIT_MS)
        assert isinstance(start.next_start, CounterStart)
        window = start.next_start.window
        assert window is not None and window.pages.currentWidget() is window.login_view
        assert not start.wizard.isVisible()
        qtbot.waitUntil(lambda: "天平路" in window.login_view.site.text(), timeout=WAIT_MS)
        settings = load_settings(directory)
        assert settings is not None and settings.server_url == central.url
    finally:
        if isinstance(start.next_start, CounterStart) and start.next_start.window is not None:
            start.next_start.window.close()
        start.close()


def test_closing_the_wizard_before_enrolling_leaves_nothing(
    qtbot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    directory = tmp_path / "ws"
    start = start_workstation(directory)
    assert isinstance(start, FirstRunStart)
    qtbot.waitExposed(start.wizard)
    qtbot.keyClick(start.wizard, Qt.Key.Key_Escape)  # ignored: a slip loses nothing
    assert start.wizard.isVisible()
    start.wizard.close()
    assert not start.wizard.isVisible() and start.next_start is None
    start.close()
    assert nothing_written(directory)


# tongban launch-check -------------------------------------------------------------------------


def launch_check(directory: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "tongban.cli", "launch-check", "--data-dir", str(directory)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=LAUNCH_TIMEOUT_S,
        check=False,
    )


def test_launch_check_names_the_setup_wizard_on_an_unconfigured_workstation(
    tmp_path: Path,
) -> None:
    done = launch_check(tmp_path / "new")
    assert (done.returncode, done.stdout) == (0, "setup-wizard\n"), done.stderr
    assert nothing_written(tmp_path / "new")


def test_launch_check_names_the_login_on_a_configured_workstation(tmp_path: Path) -> None:
    prepare_demo(tmp_path / "demo", clock=Clock(), passwords=fast_passwords())
    done = launch_check(tmp_path / "demo")
    assert (done.returncode, done.stdout) == (0, "login\n"), done.stderr


def test_launch_check_fails_in_one_line_when_the_workstation_cannot_open(tmp_path: Path) -> None:
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "settings.json").write_text(json.dumps({"server_url": None}), encoding="utf-8")
    done = launch_check(directory)  # settings, but the store file is missing
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "工作站未能打开" in done.stderr


def without_a_display() -> dict[str, str]:
    hidden = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return {name: value for name, value in os.environ.items() if name not in hidden}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display server is Linux's")
@pytest.mark.parametrize("command", [["demo"], ["launch-check"], []])
def test_without_a_display_the_window_is_refused_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    # Qt would abort the process with its reason in the log alone: the clerk saw nothing.
    directory = tmp_path / "workstation"
    done = subprocess.run(
        [sys.executable, "-m", "tongban.cli", *command, "--data-dir", str(directory)],
        capture_output=True,
        text=True,
        env=without_a_display(),
        timeout=LAUNCH_TIMEOUT_S,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"tongban: {NO_DISPLAY}\n"
    assert not directory.exists()  # not even the demo was prepared


@pytest.mark.parametrize(
    ("environment", "platform", "refused"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"DISPLAY": ""}, "linux", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_only_linux_needs_a_display_named(
    environment: dict[str, str], platform: str, refused: bool
) -> None:
    assert (display_problem(environment, platform) is not None) == refused


def test_a_fatal_qt_message_also_reaches_stderr_in_one_line(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # What Qt says just before it aborts when no platform plugin will load (a missing library).
    said = "This application failed to start because no Qt platform plugin could be initialized."
    qt_message(QtMsgType.QtWarningMsg, None, "a warning")
    qt_message(QtMsgType.QtFatalMsg, None, said)
    assert capsys.readouterr().err == f"tongban: {QT_NO_PLATFORM}\n"
    assert [r.getMessage() for r in caplog.records if r.name == "qt"] == ["a warning", said]
