"""The center's announced versions at the workstation: recorded by sync, shown to whoever logs in.

A real central service (SQLite central) announces the versions set with `tongban central
versions`; the workstation records them in its sync state, and the counter window's status bar
and sync tab warn clerk and supervisor alike when this program is below the minimum. The
workstation keeps working: recording and syncing go on as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt

from counter_driver import Clerk
from counter_support import fast_passwords
from sync_support import CENTER_A, Desk, FakeClock, Server, new_desk
from tongban.central.clerks import ClerkRole
from tongban.central.cli import main as central_main
from tongban.desktop.app import build_counter_window
from tongban.desktop.services import Counter, open_counter
from tongban.models.app_versions import installed_version
from tongban.models.store.sync_state import get_sync_state
from tongban.ui.window import CounterWindow

pytest_plugins = ("sync_support",)  # the live central service fixtures

CLERK, SUPERVISOR = "C0001", "S0001"
PASSWORD = "abc12345"


def announce(central: Server, capsys, current: str, minimum: str) -> None:
    """What the administrator types; before the service's first answer (it reads them then)."""
    url = str(central.store.database.engine.url)
    assert central_main(["versions", "--db", url, "--current", current, "--minimum", minimum]) == 0
    capsys.readouterr()


def enrolled_desk(central: Server, tmp_path: Path, clock: FakeClock) -> Desk:
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD)
    for number, role in ((CLERK, ClerkRole.CLERK), (SUPERVISOR, ClerkRole.SUPERVISOR)):
        central.store.add_clerk(
            number=number, name="测试员", role=role, center_code=CENTER_A, password_hash=cheap
        )
    desk = new_desk(central, tmp_path, CENTER_A, "3号窗口", clock=clock)
    desk.sync()  # the round records the announcement and brings the center's clerk accounts
    return desk


def open_window(qtbot, desk: Desk) -> Clerk:
    counter = Counter(desk.context, passwords=fast_passwords())
    window = build_counter_window(desk.context, services=counter)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    clerk = Clerk(window)
    clerk.settle()
    return clerk


def log_out(clerk: Clerk) -> None:
    window: CounterWindow = clerk.window
    clerk.press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # lock
    clerk.settle()
    window.lock_view.logout.click()
    clerk.settle()
    clerk.wait_until(lambda: window.pages.currentWidget() is window.login_view)


def test_below_the_minimum_the_clerk_and_the_supervisor_are_warned(
    qtbot, central: Server, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    announce(central, capsys, "9999.1", "9999.0")
    desk = enrolled_desk(central, tmp_path, clock)
    with desk.store.reading() as session:
        state = get_sync_state(session)
    assert (state.current_app_version, state.minimum_app_version) == ("9999.1", "9999.0")

    clerk = open_window(qtbot, desk)
    window = clerk.window
    outdated = window.status.outdated
    for number in (CLERK, SUPERVISOR):
        assert clerk.log_in(number, PASSWORD) == ""
        clerk.settle()
        assert outdated.isVisible() and "程序版本过低" in outdated.text()
        assert "低于中心要求的最低版本 9999.0，当前版本为 9999.1" in outdated.toolTip()
        clerk.press(Qt.Key.Key_F11)
        clerk.settle()
        notice = window.counter.sync.outdated
        assert notice.isVisible() and installed_version() in notice.text()
        log_out(clerk)
        assert not outdated.isVisible()  # nothing of a session stays for the next one
    window.close()

    # The workstation keeps working and syncing: an accept goes to the center as before.
    desk.accept()
    assert desk.sync().accepted == 1


def test_an_outdated_workstation_started_offline_still_knows(
    central: Server, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    announce(central, capsys, "9999.1", "9999.0")
    desk = enrolled_desk(central, tmp_path, clock)
    directory = desk.context.data_dir
    desk.context.close()
    central.stop()
    context = open_counter(directory, clock=clock)
    try:
        assert "9999.0" in Counter(context).sync_state().update_notice
    finally:
        context.close()


@pytest.mark.parametrize("minimum", ["same", "0.0.1"])
def test_at_or_above_the_minimum_nothing_is_shown(
    qtbot, central: Server, clock: FakeClock, tmp_path: Path, capsys, minimum: str
) -> None:
    lowest = installed_version() if minimum == "same" else minimum
    announce(central, capsys, "9999.1", lowest)
    desk = enrolled_desk(central, tmp_path, clock)
    with desk.store.reading() as session:
        assert get_sync_state(session).minimum_app_version == lowest
    assert Counter(desk.context).sync_state().update_notice == ""
    clerk = open_window(qtbot, desk)
    assert clerk.log_in(CLERK, PASSWORD) == ""
    clerk.settle()
    assert not clerk.window.status.outdated.isVisible()
    clerk.press(Qt.Key.Key_F11)
    clerk.settle()
    assert not clerk.window.counter.sync.outdated.isVisible()
    clerk.window.close()
