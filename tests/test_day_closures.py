"""日结: a supervisor signs the center's day off, against a live central service (PostgreSQL, and
SQLite once) with cases made through the real intake path at two workstations of a center and
one of another: who may sign, when, what holds the day back, what is recorded, and what the
sign-off refuses afterwards at the center and at the workstation."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from counter_support import applicant, everything, fast_passwords, item_named, request, resident_id
from sync_support import CENTER_A, CENTER_B, T0, Desk, FakeClock, Server, new_desk
from tongban.desktop.cli.front import main as cli_main
from tongban.desktop.services import Actor, Channel, Intake, Paperwork, ServiceError
from tongban.desktop.services.closures import DayClosures
from tongban.desktop.services.reports import Reports
from tongban.desktop.sync.client import SyncError
from tongban.desktop.sync.engine import pull_once
from tongban.models.clock import SHANGHAI
from tongban.models.closures import CloseDayRequest, DayStatus
from tongban.models.store import Cancelled, EventKind, ReceiptPrinted
from tongban.models.store.clerks import ClerkRole
from tongban.models.store.closed_days import DayClosed
from tongban.models.store.sync_state import sync_problems

pytest_plugins = ("sync_support",)

DAY = T0.astimezone(SHANGHAI).date()  # Monday 2 March 2026; T0 is 09:30 in Shanghai
EVENING = timedelta(hours=7, minutes=30)  # T0 + this = 17:00, after the sign-off hour (16:30)
SUPERVISOR = "9101"
PASSWORD = "abc12345"
COUNTED = ("accepted", "notified", "refused", "guided", "forwarded_out", "received_in")


def add_supervisor(server: Server, center: str = CENTER_A, number: str = SUPERVISOR) -> None:
    server.store.add_clerk(
        number=number,
        name="李主管",
        role=ClerkRole.SUPERVISOR,
        center_code=center,
        password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD),
    )


def closures(desk: Desk) -> DayClosures:
    return DayClosures(desk.context, passwords=fast_passwords())


def intake(desk: Desk) -> tuple[Intake, Actor]:
    actor = Actor(desk.clerk, "测试员", ClerkRole.CLERK, Channel.COUNTER)
    return Intake(desk.context, Paperwork(desk.context)), actor


def accept(desk: Desk, serial: int, name: str = "敬老卡申领", **kw: object) -> str:
    service, actor = intake(desk)
    item = item_named(name)
    who = applicant(id_number=resident_id(serial=serial))
    checks = everything(item, **kw)  # type: ignore[arg-type]
    return service.accept(request(item, checks, who), actor, documents=False).case_number


def a_day(city: dict[str, Desk]) -> list[str]:
    """Cases and visits at a1, a2 (center A) and b1 (center B); all synced but a2's last case."""
    a1, a2, b1 = city["a1"], city["a2"], city["b1"]
    cases = [accept(a1, 1), accept(a1, 2, "生育保险待遇申领", deferred=("本人实名银行卡",))]
    service, actor = intake(a2)
    item = item_named("最低生活保障")
    service.refuse(request(item, everything(item)), actor, "不符合申请条件", documents=False)
    cases.append(accept(b1, 3))
    for desk in (a1, a2, b1):
        desk.sync()
    cases.append(accept(a2, 4))  # recorded, not yet pushed: a2's outbox holds the day
    return cases


@pytest.fixture
def city(pg_central: Server, tmp_path: Path, clock: FakeClock) -> dict[str, Desk]:
    return make_city(pg_central, tmp_path, clock)


def make_city(server: Server, tmp_path: Path, clock: FakeClock) -> dict[str, Desk]:
    city = {
        "a1": new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock),
        "a2": new_desk(server, tmp_path, CENTER_A, "2号窗口", clock=clock),
        "b1": new_desk(server, tmp_path, CENTER_B, "1号窗口", clock=clock),
    }
    add_supervisor(server)
    for desk in city.values():
        desk.sync()  # the supervisor's account reaches the workstations
    return city


def test_only_a_supervisor_with_the_right_password_signs_after_the_day(
    city: dict[str, Desk], clock: FakeClock
) -> None:
    a1 = city["a1"]
    a_day(city)
    with pytest.raises(ServiceError, match="尚未结束：03-02 16:30 之后才能日结"):
        closures(a1).close(DAY, SUPERVISOR, PASSWORD)
    clock.advance(EVENING)
    with pytest.raises(ServiceError, match="只有中心主管可以日结"):
        closures(a1).close(DAY, a1.clerk, PASSWORD)
    with pytest.raises(ServiceError, match="密码错误，还可尝试 4 次"):
        closures(a1).close(DAY, SUPERVISOR, "wrong-password1")
    with pytest.raises(ServiceError, match="没有工号为 9999 的账户"):
        closures(a1).close(DAY, "9999", PASSWORD)
    # The center checks by itself too: a device token alone does not sign a day off.
    with a1.client() as client:
        for clerk, password, expected in (
            (a1.clerk, PASSWORD, "不是中心主管"),
            (SUPERVISOR, "wrong-password1", "工号或密码错误"),
        ):
            asked = CloseDayRequest(center=CENTER_A, day=DAY, clerk=clerk, password=password)
            with pytest.raises(SyncError, match=expected) as refused:
                client.close_day(asked)
            assert refused.value.status == 403
        with pytest.raises(SyncError) as elsewhere:
            client.close_day(
                CloseDayRequest(center=CENTER_B, day=DAY, clerk=SUPERVISOR, password=PASSWORD)
            )
        assert elsewhere.value.status == 403
    assert not closures(a1).status(DAY).closed


def test_a_workstation_holding_the_day_is_named_until_it_syncs(
    city: dict[str, Desk], clock: FakeClock
) -> None:
    a1, a2 = city["a1"], city["a2"]
    a_day(city)
    clock.advance(EVENING)
    blocked = closures(a1).close(DAY, SUPERVISOR, PASSWORD)
    assert blocked.closure is None and blocked.day_over
    assert [(s.name, s.number) for s in blocked.stragglers] == [("2号窗口", 2)]
    assert "16:30 之后未与中心联系" in blocked.stragglers[0].reason
    with a2.client() as client:  # a2 is heard from, but pulls without pushing
        pull_once(a2.context, client)
    waiting = closures(a1).status(DAY)
    assert [s.name for s in waiting.stragglers] == ["2号窗口"]
    assert waiting.stragglers[0].pending == 1
    assert waiting.stragglers[0].reason == "尚有 1 个事件未同步（最早记录于 03-02 09:30）"
    assert "以下工作站尚未同步 2026-03-02 的数据" in waiting.summary()
    a2.sync()
    signed = closures(a1).close(DAY, SUPERVISOR, PASSWORD)
    assert signed.closure is not None and signed.closure.signed_by == SUPERVISOR
    assert signed.closure.workstation == "1号窗口"
    recorded = signed.closure.report
    now = Reports(a1.context).intake(DAY)
    for name in (*COUNTED, "by_item", "by_clerk", "by_hour", "by_mode", "by_department"):
        assert getattr(recorded, name) == getattr(now, name), name
    assert recorded.accepted == 3 and recorded.refused == 1  # a1's two and a2's late one
    assert {n for n in now.by_clerk} == {a1.clerk, a2.clerk}
    status = closures(a2).status(DAY)
    assert status.closed and status.closure.report == recorded
    with pytest.raises(ServiceError, match="已日结"):
        closures(a1).close(DAY, SUPERVISOR, PASSWORD)


def test_after_the_sign_off_the_day_is_locked_at_the_center_and_at_each_counter(
    city: dict[str, Desk], clock: FakeClock
) -> None:
    a1, a2 = city["a1"], city["a2"]
    cases = a_day(city)
    clock.advance(EVENING)
    a2.sync()
    assert closures(a1).close(DAY, SUPERVISOR, PASSWORD).closed
    assert closures(a1).known_locally(DAY) is not None  # the signing workstation knows at once
    late = accept(a2, 5)  # a2 has not heard yet: written here, refused by the center
    report = a2.sync()
    assert report.rejected == 1
    with a2.store.reading() as session:
        (problem,) = sync_problems(session)
    assert problem.stream_id == late and "已由主管（工号 9101）日结" in problem.reason
    assert closures(a2).known_locally(DAY) is not None  # that round's pull brought the closure
    with pytest.raises(ServiceError, match="2026-03-02 已由主管（工号 9101）日结"):
        accept(a2, 6)
    with pytest.raises(DayClosed, match="日结"):  # a cancellation that day would change it
        a1.record(cases[0], EventKind.CANCELLED, Cancelled(reason="申请人撤回"), at=clock())
    a1.record(cases[0], EventKind.RECEIPT_PRINTED, ReceiptPrinted(), at=clock())  # not locked
    assert Reports(a1.context).intake(DAY).accepted == 3
    clock.advance(timedelta(hours=16))  # Tuesday 09:00: a new day, open again
    accept(a2, 7)
    assert a2.sync().accepted == 1
    assert Reports(a1.context).intake(DAY + timedelta(days=1)).accepted == 1


def test_a_sqlite_central_signs_off_the_same(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    city = make_city(central, tmp_path, clock)
    a_day(city)
    clock.advance(EVENING)
    city["a2"].sync()
    signed = closures(city["a1"]).close(DAY, SUPERVISOR, PASSWORD)
    assert signed.closure is not None and signed.closure.report.accepted == 3


def test_the_commands(
    city: dict[str, Desk],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a_day(city)
    clock.advance(EVENING)
    data_dir = str(city["a1"].context.data_dir)
    date_args = ["--date", DAY.isoformat(), "--data-dir", data_dir]
    monkeypatch.setattr("tongban.desktop.services.closures.Passwords", fast_passwords)
    monkeypatch.setattr("sys.stdin", _Lines(f"{PASSWORD}\n"))
    assert cli_main(["day", "close", "--clerk", SUPERVISOR, *date_args]) == 1
    out, err = capsys.readouterr()
    assert "2号窗口（编号 002" in out and "1 台工作站尚未同步 2026-03-02" in err
    city["a2"].sync()
    monkeypatch.setattr("sys.stdin", _Lines(f"{PASSWORD}\n"))
    assert cli_main(["day", "close", "--clerk", SUPERVISOR, *date_args]) == 0
    assert "已日结：主管 李主管（工号 9101）" in capsys.readouterr().out
    assert cli_main(["day", "status", "--json", *date_args]) == 0
    status = DayStatus.from_json_dict(json.loads(capsys.readouterr().out))
    assert status.closed and status.closure is not None and status.closure.report.accepted == 3
    monkeypatch.setattr("sys.stdin", _Lines("wrong-password1\n"))
    assert cli_main(["day", "close", "--clerk", SUPERVISOR, *date_args]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and "Traceback" not in errors[0]


class _Lines:
    """Standard input that is not a terminal, holding the given text."""

    def __init__(self, text: str) -> None:
        self._lines = iter(text.splitlines(keepends=True))

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return next(self._lines, "")
