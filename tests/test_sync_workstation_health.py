"""Workstation health end to end, against a live central service (PostgreSQL and SQLite): the
sync client's clock header reaches the central report, and a workstation the administrator
retires (`tongban central retire-workstation`) is refused and no longer holds up 日结."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from counter_support import fast_passwords
from sync_support import CENTER_A, T0, Desk, FakeClock, Server, new_desk
from tongban.central.cli import main as central_main
from tongban.desktop.services.closures import DayClosures
from tongban.desktop.services.reports import Reports
from tongban.desktop.sync.client import SyncError, SyncErrorKind
from tongban.desktop.sync.engine import pull_once, sync_once
from tongban.models.clock import SHANGHAI
from tongban.models.store.clerks import ClerkRole

pytest_plugins = ("sync_support",)

DAY = T0.astimezone(SHANGHAI).date()
EVENING = timedelta(hours=7, minutes=30)  # 17:00 in Shanghai: the day may be signed off
SUPERVISOR = "9101"
PASSWORD = "abc12345"


@pytest.fixture(params=["postgresql", "sqlite"])
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue("pg_central" if request.param == "postgresql" else "central")


@pytest.fixture
def desks(server: Server, tmp_path: Path, clock: FakeClock) -> tuple[Desk, Desk]:
    server.store.add_clerk(
        number=SUPERVISOR,
        name="李主管",
        role=ClerkRole.SUPERVISOR,
        center_code=CENTER_A,
        password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD),
    )
    pair = (
        new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock),
        new_desk(server, tmp_path, CENTER_A, "2号窗口", clock=clock),
    )
    for desk in pair:
        desk.sync()
    return pair


def test_a_clock_a_day_fast_shows_in_the_central_report(
    desks: tuple[Desk, Desk], clock: FakeClock
) -> None:
    fast, asking = desks
    with fast.client() as client:
        client.wall_clock = lambda: clock() + timedelta(days=1)
        sync_once(fast.context, client)
    report = Reports(asking.context).intake(DAY)
    assert not report.partial
    health = {w.name: w for w in report.workstations}
    assert health["1号窗口"].clock_offset_seconds == pytest.approx(86_400, abs=1)
    # The other one sent the real time while the service runs on the test's clock (T0)
    assert health["2号窗口"].clock_offset_seconds is not None


def test_a_retired_workstation_is_refused_and_no_longer_blocks_the_day(
    desks: tuple[Desk, Desk],
    server: Server,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kept, broken = desks
    kept.accept()
    broken.accept()  # recorded, never pushed: the machine breaks before it syncs again
    with broken.client() as client:
        pull_once(broken.context, client)  # only tells the center what its outbox holds
    clock.advance(EVENING)
    kept.sync()
    signing = DayClosures(kept.context, passwords=fast_passwords())
    waiting = signing.close(DAY, SUPERVISOR, PASSWORD)
    assert waiting.closure is None and [s.name for s in waiting.stragglers] == ["2号窗口"]

    url = server.store.database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("TONGBAN_CENTRAL_DB", url)
    argv = ["retire-workstation", "--center", CENTER_A, "--workstation", "2号窗口"]
    assert central_main(argv) == 0
    out = capsys.readouterr().out
    assert "已停用" in out and "最近一次（03-02 09:30）报告尚有 1 个事件未同步" in out

    with pytest.raises(SyncError, match=r"本工作站已于 .* 由管理员停用，不能再同步") as refused:
        broken.sync()
    assert refused.value.kind is SyncErrorKind.NOT_AUTHENTICATED
    signed = signing.close(DAY, SUPERVISOR, PASSWORD)
    assert signed.closure is not None and signed.closure.report.accepted == 1
    statuses = {w.name: w.status for w in Reports(kept.context).intake(DAY).workstations}
    assert statuses == {"1号窗口": "active", "2号窗口": "retired"}
