"""Administering accounts centrally, end to end through the real sync (PostgreSQL and SQLite):
a password reset with `tongban central reset-password` reaches the workstation at its next sync
and from then on only the new password opens the account there, offline too; a rename and a
role change arrive the same way. And the service's own 日结 lockout, met at the workstation:
guesses sent with the device token lock the supervisor at the center, and the sign-off (command
and dialog) then shows the center's message with the time to try again."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt

from counter_support import fast_passwords
from sync_support import CENTER_A, T0, Desk, FakeClock, Server, new_desk
from test_ui_supervisor import log_in, open_window, press
from test_ui_window import focused
from tongban.central.cli import main as central_main
from tongban.desktop.services import Counter, ServiceError
from tongban.desktop.services.accounts import Accounts
from tongban.desktop.services.closures import DayClosures
from tongban.desktop.sync.client import SyncError
from tongban.models.clock import SHANGHAI
from tongban.models.closures import CloseDayRequest
from tongban.models.store import AuditOutcome, SubjectType, audit_trail
from tongban.models.store.clerks import ClerkRole, get_clerk

pytest_plugins = ("sync_support",)

OLD_PASSWORD = "abc12345"  # what sync_support's clerks start with
NEW_PASSWORD = "Neu2mima9"
SUPERVISOR = "9101"
DAY = T0.astimezone(SHANGHAI).date()
EVENING = T0 + timedelta(hours=7, minutes=30)  # 17:00: the day may be signed off
MAX_GUESSES = 20  # far more than any lockout threshold


@pytest.fixture(params=["postgresql", "sqlite"])
def live(request: pytest.FixtureRequest) -> tuple[Server, str]:
    """A live central service, and its database's URL for the administrator's commands."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_central"), request.getfixturevalue("pg_central_url")
    return request.getfixturevalue("central"), request.getfixturevalue("sqlite_central_url")


def administer(url: str, *argv: str, stdin: str = "") -> None:
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        assert central_main([*argv, "--db", url]) == 0
    finally:
        sys.stdin = saved


def logs_in(desk: Desk, password: str) -> bool:
    return Accounts(desk.context, fast_passwords()).login(desk.clerk, password).actor is not None


def test_a_reset_password_reaches_the_workstation_and_opens_it_offline(
    live: tuple[Server, str], tmp_path: Path, clock: FakeClock
) -> None:
    server, url = live
    desk = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    desk.sync()
    assert logs_in(desk, OLD_PASSWORD)

    administer(
        url, "reset-password", "--number", desk.clerk, "--password-stdin", stdin=f"{NEW_PASSWORD}\n"
    )
    assert logs_in(desk, OLD_PASSWORD)  # not synced yet: the workstation knows the old hash
    assert desk.sync().clerks >= 1
    server.stop()  # offline from here on: the local store holds the new hash
    assert logs_in(desk, NEW_PASSWORD)
    assert not logs_in(desk, OLD_PASSWORD)
    assert logs_in(desk, NEW_PASSWORD)  # the failure above did not lock the account


def test_a_reset_password_ends_the_workstations_lockout(
    live: tuple[Server, str], tmp_path: Path, clock: FakeClock
) -> None:
    server, url = live
    desk = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    desk.sync()
    for _ in range(MAX_GUESSES):  # the clerk forgot the password and kept trying
        if get_clerk_locked(desk) is not None:
            break
        assert not logs_in(desk, "wrong-guess-1")
    assert get_clerk_locked(desk) is not None
    assert not logs_in(desk, OLD_PASSWORD)  # locked: even the right one is refused now

    administer(
        url, "reset-password", "--number", desk.clerk, "--password-stdin", stdin=f"{NEW_PASSWORD}\n"
    )
    desk.sync()
    assert get_clerk_locked(desk) is None
    assert logs_in(desk, NEW_PASSWORD)


def get_clerk_locked(desk: Desk) -> object:
    with desk.store.reading() as session:
        clerk = get_clerk(session, desk.clerk)
        assert clerk is not None
        return clerk.locked_until


def test_a_rename_and_a_role_change_reach_the_workstation(
    live: tuple[Server, str], tmp_path: Path, clock: FakeClock
) -> None:
    server, url = live
    desk = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    desk.sync()
    administer(url, "rename-clerk", "--number", desk.clerk, "--name", "王小红")
    desk.sync()
    with desk.store.reading() as session:
        clerk = get_clerk(session, desk.clerk)
        assert clerk is not None and clerk.name == "王小红" and clerk.role is ClerkRole.CLERK
    administer(url, "set-clerk-role", "--number", desk.clerk, "--role", "supervisor")
    desk.sync()
    with desk.store.reading() as session:
        clerk = get_clerk(session, desk.clerk)
        assert clerk is not None and clerk.role is ClerkRole.SUPERVISOR
    assert Accounts(desk.context, fast_passwords()).login(desk.clerk, OLD_PASSWORD).actor.role is (
        ClerkRole.SUPERVISOR
    )


# The service's lockout, met at the workstation ----------------------------------------------------


def locked_out_supervisor(server: Server, tmp_path: Path, clock: FakeClock) -> Desk:
    """A workstation whose token was used to guess the supervisor's 日结 password five times."""
    desk = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    server.store.add_clerk(
        number=SUPERVISOR,
        name="李主管",
        role=ClerkRole.SUPERVISOR,
        center_code=CENTER_A,
        password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(OLD_PASSWORD),
    )
    desk.sync()
    clock.current = EVENING
    with desk.client() as client:
        for n in range(5):
            guess = CloseDayRequest(
                center=CENTER_A, day=DAY, clerk=SUPERVISOR, password=f"x{n}x1234"
            )
            with pytest.raises(SyncError, match="工号或密码错误"):
                client.close_day(guess)
        right = CloseDayRequest(center=CENTER_A, day=DAY, clerk=SUPERVISOR, password=OLD_PASSWORD)
        with pytest.raises(SyncError, match="暂停其日结") as refused:
            client.close_day(right)
        assert refused.value.status == 403
    return desk


LOCKED = "工号 9101 的日结密码连续错误 5 次，中心已暂停其日结：请于 03-02 17:15 之后再试"


def test_the_sign_off_shows_the_centers_lockout(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    desk = locked_out_supervisor(central, tmp_path, clock)
    closures = DayClosures(desk.context, passwords=fast_passwords())
    with pytest.raises(ServiceError) as refused:
        closures.close(DAY, SUPERVISOR, OLD_PASSWORD)  # right here: the workstation lets it by
    assert str(refused.value) == f"同步服务器拒绝了请求：{LOCKED}"
    with desk.store.reading() as session:
        last = audit_trail(session, subject_type=SubjectType.CLERK, subject_ref=SUPERVISOR)[-1]
    assert last.action == "day_close" and last.outcome == AuditOutcome.DENIED
    assert LOCKED in last.detail
    clock.current = EVENING + timedelta(minutes=15)
    status = closures.close(DAY, SUPERVISOR, OLD_PASSWORD)
    assert status.closure is not None  # the only workstation synced: the day is signed


def test_the_sign_off_dialog_shows_the_centers_lockout(
    qtbot, central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    desk = locked_out_supervisor(central, tmp_path, clock)
    window = open_window(qtbot, Counter(desk.context, passwords=fast_passwords()))
    log_in(qtbot, window, SUPERVISOR, OLD_PASSWORD)
    press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    press(Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    dialog = window.supervisor.dialog
    qtbot.waitUntil(lambda: focused() == "signoff.password", timeout=3000)
    qtbot.keyClicks(dialog.password, OLD_PASSWORD)
    press(Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.message.text() == f"同步服务器拒绝了请求：{LOCKED}"
    assert dialog.password.text() == ""
    window.close()
