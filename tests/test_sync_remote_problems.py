"""Pulled events the workstation's store refuses are kept as 同步问题: in the local table, in the
sync view (F11, offscreen) and in `tongban sync problems`; the feed goes on past them. Real sync
over HTTP against a SQLite and a PostgreSQL central."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from uuid6 import uuid7

from sync_support import CENTER_A, CENTER_B, T0, Desk, FakeClock, Server, new_desk
from tongban.desktop.cli import main as desktop_main
from tongban.desktop.services.counter import SYNC_EVENT_NAMES, Counter
from tongban.models.store import Approved, Cancelled, Event, EventKind, load_case
from tongban.models.store.hlc import datetime_to_ms
from tongban.models.store.remote_problems import remote_problems
from tongban.models.store.sync_state import get_sync_state
from tongban.ui.sync_view import SyncController, SyncView
from tongban.ui.tasks import TaskRunner

pytest_plugins = ("sync_support",)  # the live central service fixtures

HOUR = timedelta(hours=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue("central" if request.param == "sqlite" else "pg_central")


def _future_event(desk: Desk, case: str) -> Event:
    """An event of a kind a newer program writes: the center takes it (either party may write a
    kind it does not know), this program's fold cannot apply it."""
    at = T0 + 3 * HOUR
    return Event.from_columns(
        SimpleNamespace(
            id=str(uuid7()),
            workstation_id=desk.context.station.device_id,
            sequence=1,
            hlc=datetime_to_ms(at) << 16,
            clerk=desk.clerk,
            kind="future_kind",
            stream_type="case",
            stream_id=case,
            payload={"note": "新版本"},
            created_at=at,
        )
    )


def test_refused_remote_events_are_kept_and_the_feed_goes_on(
    server: Server, tmp_path, clock: FakeClock, qtbot, capsys: pytest.CaptureFixture[str]
) -> None:
    a = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    b = new_desk(server, tmp_path, CENTER_B, "1号窗口", clock=clock)
    newer = new_desk(server, tmp_path, CENTER_B, "2号窗口", clock=clock)
    first = a.accept(processing_center=CENTER_B)
    second = a.accept(processing_center=CENTER_B)
    a.sync()
    b.sync()
    # A cancels the first case while B, not yet knowing, approves it: both happened.
    a.record(first, EventKind.CANCELLED, Cancelled(reason="申请人撤回"), at=T0 + HOUR)
    b.record(first, EventKind.APPROVED, Approved(), at=T0 + 2 * HOUR)
    a.sync()
    b.sync()
    with newer.client() as client:
        [result] = client.push([_future_event(newer, first)]).results
    assert result.outcome == "accepted"

    report = a.sync()
    assert report.remote_problems == 2 and report.pulled == 2
    with a.store.reading() as session:
        kept = {p.kind: p for p in remote_problems(session)}
        cursor = get_sync_state(session).pull_cursor
    assert set(kept) == {"approved", "future_kind"}
    assert "已撤销" in kept["approved"].reason and kept["approved"].stream_id == first
    assert kept["future_kind"].reason == "未知的事件类型：future_kind"

    # The feed goes on: B's next event arrives; the problems are not counted again.
    b.record(second, EventKind.APPROVED, Approved(), at=T0 + 4 * HOUR)
    b.sync()
    report = a.sync()
    assert (report.pulled, report.remote_problems) == (1, 2)
    with a.store.reading() as session:
        assert get_sync_state(session).pull_cursor != cursor
        assert load_case(session, second).status == "approved"  # type: ignore[union-attr]
        assert load_case(session, first).status == "cancelled"  # type: ignore[union-attr]
    assert a.sync().pulled == 0

    _the_sync_view_lists_them(a, qtbot)
    _the_command_lists_them(a, capsys, first)


def _the_sync_view_lists_them(a: Desk, qtbot) -> None:  # type: ignore[no-untyped-def]
    from central_support import PASSWORD  # on the path once sync_support is imported

    counter = Counter(a.context)
    assert counter.login(a.clerk, PASSWORD).ok
    assert counter.sync_state().problems == 2
    view = SyncView()
    qtbot.addWidget(view)
    controller = SyncController(view, services=counter, runner=TaskRunner(synchronous=True))
    view.show()  # the tab is shown: the lists are read
    model = controller.problems
    assert model.rowCount() == 2
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(2)]
    assert {row[1] for row in rows} == {SYNC_EVENT_NAMES["approved"], "future_kind"}
    assert {row[4] for row in rows} == {"本机未采用"}
    assert any("已撤销" in row[3] for row in rows)
    assert any(row[3] == "未知的事件类型：future_kind" for row in rows)
    assert view.problems_title.text() == "同步问题 2"
    assert view.message.text() == "有同步问题，请联系管理员处理"


def _the_command_lists_them(a: Desk, capsys: pytest.CaptureFixture[str], case: str) -> None:
    folder = str(a.context.data_dir)
    assert desktop_main(["sync", "problems", "--data-dir", folder, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["problems"] == [] and len(data["remote_problems"]) == 2
    assert {p["stream_id"] for p in data["remote_problems"]} == {case}
    assert desktop_main(["sync", "problems", "--data-dir", folder]) == 0
    text = capsys.readouterr().out
    assert "本机未能采用的中心事件：2 件" in text and "未知的事件类型：future_kind" in text
    assert desktop_main(["sync", "status", "--data-dir", folder, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["remote_problems"]) == 2
