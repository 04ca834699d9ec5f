"""Workstation health at the center (PostgreSQL and SQLite): the clock offset each request's
X-Tongban-Clock header shows, and retiring a workstation (token refused, 日结 no longer waits,
shown as retired), through the live service and `tongban central workstations / retire-…`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from central_support import CENTER_A, CENTER_B, T0, FakeClock, bearer, enrolled, http
from sqlalchemy import select

from tongban.central.app import create_app
from tongban.central.cli import main
from tongban.central.closures import record_outbox, stragglers
from tongban.central.database import _alembic_config
from tongban.central.errors import CentralError, NotAuthenticated
from tongban.central.reports import workstation_health
from tongban.central.retirement import retire
from tongban.central.schema import WorkstationRow
from tongban.central.store import CentralStore
from tongban.models.clock import SHANGHAI
from tongban.models.closures import OutboxReport, sign_off_opens
from tongban.models.reports import IntakeReport
from tongban.models.workstation_clock import CLOCK_HEADER, clock_header

DAY = T0.astimezone(SHANGHAI).date()


def clock_of(moment: datetime) -> dict[str, str]:
    return {CLOCK_HEADER: clock_header(moment)}


def stored_offset_ms(store: CentralStore, device_id: str) -> int | None:
    with store.database.reading() as session:
        query = select(WorkstationRow.clock_offset_ms).where(WorkstationRow.device_id == device_id)
        return session.scalar(query)


def report_of(client: object, token: str) -> IntakeReport:
    answer = client.get(  # type: ignore[attr-defined]
        "/v1/reports/daily",
        params={"center": CENTER_A, "date": DAY.isoformat()},
        headers=bearer(token),
    )
    assert answer.status_code == 200, answer.text
    return IntakeReport.from_json_dict(answer.json())


# --- the clock offset -------------------------------------------------------------------------


def test_a_clock_a_day_fast_shows_in_the_central_report(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    fast = enrolled(store, tmp_path, CENTER_A, "1号窗口")
    right = enrolled(store, tmp_path, CENTER_A, "2号窗口")
    clock.advance(timedelta(minutes=2))  # enrollment's own contact is a minute old
    with http(create_app(store)) as client:
        client.get("/v1/status", headers={**bearer(fast.token), **clock_of(T0 + timedelta(days=1))})
        report = report_of(client, right.token)  # the supervisor asks from another workstation
    offsets = {w.name: w.clock_offset_seconds for w in report.workstations}
    # +1 day, less the two minutes the service's clock moved on
    assert offsets["1号窗口"] == pytest.approx(86_400 - 120, abs=1)
    # The asking workstation sent no clock header: nothing is known of its clock
    assert offsets["2号窗口"] is None


def test_the_offset_is_written_with_the_contact_unless_it_moved(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    clock.advance(timedelta(minutes=2))
    ahead = timedelta(minutes=3, seconds=12)

    def send(offset: timedelta) -> None:
        store.authenticate(counter.token, clock=clock_header(clock() + offset))

    send(ahead)
    assert stored_offset_ms(store, counter.device_id) == 192_000
    clock.advance(timedelta(seconds=10))
    send(ahead + timedelta(seconds=2))  # within a minute, moved by 2 s: not written
    assert stored_offset_ms(store, counter.device_id) == 192_000
    send(-ahead)  # moved by more than a few seconds: written at once
    assert stored_offset_ms(store, counter.device_id) == -192_000
    clock.advance(timedelta(minutes=1))
    send(-ahead + timedelta(seconds=1))  # a minute on: written with the contact
    assert stored_offset_ms(store, counter.device_id) == -191_000


@pytest.mark.parametrize(
    "header",
    [
        "",
        "soon",
        "-5",
        "12.5",
        "1" * 19,
        "9" * 400,
        "１７００００００００００００".encode(),
        "0x1F",
    ],
)
def test_an_unreadable_clock_header_is_ignored(
    store: CentralStore, clock: FakeClock, tmp_path: Path, header: str | bytes
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    clock.advance(timedelta(minutes=2))
    with http(create_app(store)) as client:
        answer = client.get("/v1/status", headers={**bearer(counter.token), CLOCK_HEADER: header})
        assert answer.status_code == 200, answer.text
    assert stored_offset_ms(store, counter.device_id) is None


# --- retiring ---------------------------------------------------------------------------------


def test_a_retired_workstation_is_refused_and_no_longer_holds_up_the_day(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    kept = enrolled(store, tmp_path, CENTER_A, "1号窗口")
    broken = enrolled(store, tmp_path, CENTER_A, "2号窗口")
    clock.advance(timedelta(hours=8))  # 17:30: the day may be signed off
    with store.database.transaction() as session:
        record_outbox(session, kept.device_id, OutboxReport(0, None), at=clock())
        record_outbox(session, broken.device_id, OutboxReport(3, T0), at=sign_off_opens(DAY))
    with store.database.reading() as session:
        assert [s.name for s in stragglers(session, CENTER_A, DAY)] == ["2号窗口"]

    with store.database.transaction() as session:
        done = retire(session, center_code=CENTER_A, workstation="2号窗口", at=clock())
    assert done.pending == 3 and "尚有 3 个事件未同步" in (done.warning() or "")
    with store.database.reading() as session:
        assert stragglers(session, CENTER_A, DAY) == []
        health = {w.name: w for w in workstation_health(session, CENTER_A)}
    assert health["2号窗口"].status == "retired" and health["2号窗口"].pending_events == 3
    assert health["1号窗口"].status == "active" and health["1号窗口"].pending_events == 0

    with pytest.raises(NotAuthenticated, match="本工作站已于 03-02 17:30 由管理员停用"):
        store.authenticate(broken.token)
    with http(create_app(store)) as client:
        answer = client.get("/v1/status", headers=bearer(broken.token))
        assert answer.status_code == 401 and "由管理员停用" in answer.json()["message"]
        assert client.get("/v1/status", headers=bearer(kept.token)).status_code == 200


def test_a_retired_name_and_code_are_not_given_again(store: CentralStore) -> None:
    unredeemed = store.enroll(center_code=CENTER_A, name="3号窗口")
    with store.database.transaction() as session:
        done = retire(session, center_code=CENTER_A, workstation="3号窗口", at=store.now())
    assert "从未向中心报告" in (done.warning() or "")
    with pytest.raises(NotAuthenticated, match="登记码无效或已使用"):
        store.redeem(unredeemed.code, app_version=None)
    with pytest.raises(CentralError, match="已有名为「3号窗口」的工作站"):
        store.enroll(center_code=CENTER_A, name="3号窗口")
    with (
        pytest.raises(CentralError, match=r"已于 .* 停用"),
        store.database.transaction() as session,
    ):
        retire(session, center_code=CENTER_A, workstation="3号窗口", at=store.now())


def test_which_workstation_an_administrator_means(store: CentralStore, tmp_path: Path) -> None:
    enrolled(store, tmp_path, CENTER_A, "Window A")
    enrolled(store, tmp_path, CENTER_A, "window  a ")  # stripped: "window  a"
    enrolled(store, tmp_path, CENTER_A, "Desk 7")
    enrolled(store, tmp_path, CENTER_B, "Desk 8")

    def name_of(text: str) -> str:
        with store.database.transaction() as session:
            done = retire(session, center_code=CENTER_A, workstation=text, at=store.now())
        return done.workstation.name

    with pytest.raises(CentralError, match="可能是多台工作站：001「Window A」、002「window  a」"):
        name_of("WINDOW A")
    with pytest.raises(CentralError, match="没有名为「Desk 8」的工作站（现有：001「Window A」"):
        name_of("Desk 8")  # another center's
    with (
        pytest.raises(CentralError, match="未知的中心代码"),
        store.database.transaction() as session,
    ):
        retire(session, center_code="310104999", workstation="x", at=store.now())
    assert name_of("desk7") == "Desk 7"
    assert name_of("002") == "window  a"
    assert name_of("Window A") == "Window A"


# --- the commands -----------------------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_commands(
    store: CentralStore,
    db_url: str,
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TONGBAN_CENTRAL_DB", db_url.replace("postgresql+psycopg", "postgresql"))
    slow = enrolled(store, tmp_path, CENTER_A, "1号窗口")
    enrolled(store, tmp_path, CENTER_A, "2号窗口")
    store.enroll(center_code=CENTER_A, name="3号窗口")
    clock.advance(timedelta(minutes=2))
    behind = clock() - timedelta(hours=2, minutes=5)
    store.authenticate(slow.token, app_version="0.3.0", clock=clock_header(behind))
    with store.database.transaction() as session:
        record_outbox(session, slow.device_id, OutboxReport(2, T0), at=clock())

    code, out, err = run(["workstations", "--center", CENTER_A], capsys)
    lines = out.splitlines()
    assert code == 0 and err == "" and lines[-1] == "共 3 台"
    assert lines[0].startswith("001  1号窗口  使用中  最近联系 03-02 09:32  0.3.0")
    assert lines[0].endswith("时钟慢 2 小时 5 分  待同步 2")
    assert lines[1].startswith("002  2号窗口  使用中") and "时钟未知" in lines[1]
    assert lines[2] == "003  3号窗口  待登记  从未联系  版本未知  时钟未知"

    code, out, _ = run(
        ["retire-workstation", "--center", CENTER_A, "--workstation", "1号窗口"], capsys
    )
    assert code == 0
    assert out.splitlines()[0] == f"工作站 001「1号窗口」（中心 {CENTER_A}）已停用"
    assert "警告：该工作站最近一次（03-02 09:32）报告尚有 2 个事件未同步" in out

    code, out, _ = run(["workstations", "--center", CENTER_A, "--json"], capsys)
    listed = {w["name"]: w for w in json.loads(out)}
    assert code == 0 and listed["1号窗口"]["status"] == "retired"
    assert listed["1号窗口"]["clock_offset_seconds"] == -7500
    assert listed["1号窗口"]["last_contact"] == datetime(2026, 3, 2, 1, 32, tzinfo=UTC).isoformat()

    retiring = ["retire-workstation", "--center", CENTER_A, "--workstation"]
    for argv, expected in (
        ([*retiring, "9号窗口"], "没有名为「9号窗口」"),
        ([*retiring, "1号窗口"], "「1号窗口」已于"),  # the command runs on the real clock
        (["workstations", "--center", "310104999"], "未知的中心代码：310104999"),
        (retiring[:-1], "参数错误"),
    ):
        code, out, err = run(argv, capsys)
        assert code == 2 and out == "", argv
        assert len(err.strip().splitlines()) == 1 and expected in err, err


# --- the migration ----------------------------------------------------------------------------


def test_migration_c0007_keeps_the_workstations(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    with store.database.transaction() as session:
        record_outbox(session, counter.device_id, OutboxReport(0, None), at=clock())
    with store.database.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "c0006")
    with store.database.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    clock.advance(timedelta(minutes=2))
    assert store.authenticate(counter.token, clock=clock_header(clock())).status == "active"
    assert stored_offset_ms(store, counter.device_id) == 0
