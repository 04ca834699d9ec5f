"""The workstation's sync round against a real central service (SQLite central)."""

import shutil
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from sync_support import (
    CENTER_A,
    CENTER_B,
    T0,
    Desk,
    FakeClock,
    Server,
    central_event_ids,
    new_desk,
)
from tongban.central.database import open_database
from tongban.central.store import CentralStore
from tongban.desktop.services.context import open_counter
from tongban.desktop.sync import engine
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.models.catalog import default_catalog_path
from tongban.models.store import (
    Approved,
    EventKind,
    ReceiptPrinted,
    apply_remote_events,
    case_events,
    get_workstation,
    load_case,
    pending_events,
)
from tongban.models.store.clerks import get_clerk
from tongban.models.store.sync_state import get_sync_state, sync_problems
from tongban.models.sync_wire import PushResponse

pytest_plugins = ("sync_support",)  # the live central service fixtures


@pytest.fixture
def a(central: Server, tmp_path: Path, clock: FakeClock) -> Desk:
    return new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)


@pytest.fixture
def b(central: Server, tmp_path: Path, clock: FakeClock) -> Desk:
    return new_desk(central, tmp_path, CENTER_B, "1号窗口", clock=clock)


def test_a_round_trip_between_two_centers(a: Desk, b: Desk) -> None:
    case = a.accept(processing_center=CENTER_B)
    report = a.sync()
    assert (report.accepted, report.pending, report.problems) == (1, 0, 0)
    report = b.sync()
    assert report.pulled == 1 and report.clerks == 1
    with b.store.reading() as session:
        state = load_case(session, case)
        assert get_sync_state(session).pull_cursor
    assert state is not None and state.processing_center == CENTER_B
    assert b.sync().pulled == 0  # the cursor moved on
    with b.store.reading() as session:  # B's clerk can log in here offline
        clerk = get_clerk(session, b.clerk)
    assert clerk is not None and clerk.center_code == CENTER_B and clerk.active
    assert (clerk.password_hash or "").startswith("$argon2id$")


class LosingClient(SyncClient):
    """Delivers the push, then loses the answer (the network fails after the server committed)."""

    def push(self, events):  # type: ignore[no-untyped-def]
        super().push(events)
        raise SyncError(SyncErrorKind.OFFLINE, "连接中断")


def test_a_lost_push_response_has_one_effect(a: Desk, central: Server) -> None:
    a.accept()
    token = a.client()._http.headers["Authorization"].removeprefix("Bearer ")
    with LosingClient(central.url, token) as losing, pytest.raises(SyncError):
        engine.sync_once(a.context, losing)
    with a.store.reading() as session:
        assert len(pending_events(session)) == 1  # not acknowledged here
    report = a.sync()
    assert (report.accepted, report.duplicates, report.pending) == (0, 1, 0)
    assert len(central_event_ids(central.store)) == 1


def test_a_crash_after_the_ack_re_pushes_as_duplicates(
    a: Desk, central: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        a.accept()

    def crash(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("断电")

    with monkeypatch.context() as patch:
        patch.setattr(engine, "mark_synced", crash)
        with pytest.raises(RuntimeError):
            a.sync()
    report = a.sync()
    assert (report.accepted, report.duplicates, report.pending) == (0, 3, 0)
    assert len(central_event_ids(central.store)) == 3


def test_a_crash_mid_pull_re_applies_the_page(
    a: Desk, b: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [a.accept(processing_center=CENTER_B) for _ in range(2)]
    a.sync()
    real_update = engine.update_sync_state

    def crash_on_cursor(session, **changes):  # type: ignore[no-untyped-def]
        if "pull_cursor" in changes:
            raise RuntimeError("断电")
        return real_update(session, **changes)

    with monkeypatch.context() as patch:
        patch.setattr(engine, "update_sync_state", crash_on_cursor)
        with pytest.raises(RuntimeError):
            b.sync()
    with b.store.reading() as session:
        assert get_sync_state(session).pull_cursor is None  # neither cursor nor events kept
        assert all(load_case(session, case) is None for case in cases)
    report = b.sync()
    assert report.pulled == 2
    # A page applied again (say the cursor of an older backup) is taken idempotently.
    with b.store.transaction() as session:
        events = [e for case in cases for e in case_events(session, case)]
        again = apply_remote_events(session, events)
    assert again.applied == () and len(again.duplicates) == 2


def test_days_offline_drain_in_batches(a: Desk, b: Desk, central: Server) -> None:
    cases = [a.accept(processing_center=CENTER_B, at=T0 + timedelta(hours=n)) for n in range(130)]
    pushes: list[int] = []
    original = SyncClient.push

    def counting(self: SyncClient, events):  # type: ignore[no-untyped-def]
        pushes.append(len(events))
        return original(self, events)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SyncClient, "push", counting)
        report = a.sync(batch=50)
    assert pushes == [50, 50, 30]
    assert (report.accepted, report.pending) == (130, 0)
    assert len(central_event_ids(central.store)) == 130
    assert b.sync().pulled == 130
    with b.store.reading() as session:
        assert all(load_case(session, case) is not None for case in cases)


def test_a_server_restart_is_ridden_out(a: Desk, central: Server) -> None:
    a.accept()
    central.stop()
    with pytest.raises(SyncError) as failure:
        a.sync()
    assert failure.value.kind is SyncErrorKind.OFFLINE and "无法连接" in str(failure.value)
    a.accept()
    central.start()
    report = a.sync()
    assert (report.accepted, report.pending) == (2, 0)


def test_a_workstation_a_day_fast_keeps_the_history_order(a: Desk, b: Desk) -> None:
    # A's wall clock runs a day ahead; B's event happens after it saw A's, so it sorts after.
    case = a.accept(processing_center=CENTER_B, at=T0 + timedelta(days=1))
    a.sync()
    b.sync()
    b.record(case, EventKind.APPROVED, Approved(), at=T0 + timedelta(minutes=5))
    b.sync()
    a.sync()
    for desk in (a, b):
        with desk.store.reading() as session:
            history = [e.kind for e in case_events(session, case)]
            state = load_case(session, case)
        assert history == ["accepted", "approved"]
        assert state is not None and state.status == "approved" and not state.problems


def test_a_rejected_event_is_a_sync_problem_not_retried(a: Desk, central: Server) -> None:
    a.clerk = "X9999"  # not a clerk of the center: the service rejects the event
    case = a.accept()
    report = a.sync()
    assert (report.rejected, report.problems, report.pending) == (1, 1, 0)
    with a.store.reading() as session:
        [problem] = sync_problems(session)
    assert problem.stream_id == case and problem.reason
    sent: list[int] = []
    original = SyncClient.push

    def counting(self: SyncClient, events):  # type: ignore[no-untyped-def]
        sent.append(len(events))
        return original(self, events)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SyncClient, "push", counting)
        report = a.sync()
    assert sent == [] and report.problems == 1


def test_a_quarantined_workstation_stops(a: Desk, central: Server) -> None:
    a.accept()

    def quarantining(self: SyncClient, events):  # type: ignore[no-untyped-def]
        return PushResponse(
            epoch="e", results=[], expected_sequence=1, quarantined=True, quarantine_reason="复制"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SyncClient, "push", quarantining)
        report = a.sync()
    assert report.quarantined and "复制" in (report.quarantine_reason or "")
    report = a.sync()  # remembered: no more requests until an administrator acts
    assert report.quarantined and report.pending == 1


def test_a_central_restore_makes_the_workstation_re_send(
    a: Desk, b: Desk, central: Server, tmp_path: Path
) -> None:
    case = a.accept(processing_center=CENTER_B)
    a.sync()
    path = central.store.database.engine.url.database
    backup = tmp_path / "backup.db"
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(backup)) as target:
        source.backup(target)
    a.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted(), at=T0 + timedelta(minutes=1))
    second = a.accept(processing_center=CENTER_B)
    assert a.sync().accepted == 2
    b.sync()

    central.stop()  # the database is lost; the administrator restores last night's backup
    central.store.database.close()
    central.store = CentralStore(open_database(f"sqlite:///{backup}"), clock=FakeClock())
    central.store.new_epoch()
    central.start()

    report = a.sync()
    assert report.epoch_changed and report.resent_from == 2
    assert (report.accepted, report.pending) == (2, 0)
    assert len(central_event_ids(central.store)) == 3
    report = b.sync()
    assert report.epoch_changed and report.pulled == 0 and report.pulled_duplicates == 3
    with b.store.reading() as session:
        assert load_case(session, second) is not None


def test_a_new_catalog_revision_is_fetched_and_used(a: Desk, central: Server) -> None:
    bundled = default_catalog_path().read_text(encoding="utf-8")
    newer = bundled.replace('revision: "2018-07-01"', 'revision: "2026-03-01"', 1).replace(
        "effective_from: 2018-07-01", "effective_from: 2026-03-01", 1
    )
    central.store.publish_catalog(newer, file_name="2026-03-01.yaml")
    report = a.sync()
    assert "2026-03-01" in report.catalogs
    assert a.sync().catalogs == []  # held now: not fetched again
    with a.store.reading() as session:
        assert get_workstation(session).catalog_revision == "2026-03-01"
    reopened = open_counter(a.context.data_dir, clock=a.context.clock)
    try:
        assert reopened.catalog.revision == "2026-03-01"
    finally:
        reopened.close()


def test_a_gap_in_the_push_answer_resumes_where_the_service_says(
    a: Desk, central: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a.accept()
    a.sync()
    path = central.store.database.engine.url.database
    backup = tmp_path / "backup.db"
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(backup)) as target:
        source.backup(target)
    a.accept()
    a.sync()
    central.stop()  # restored without a new epoch: the service lacks event 2
    central.store.database.close()
    central.store = CentralStore(open_database(f"sqlite:///{backup}"), clock=FakeClock())
    central.start()
    a.accept()
    real_status = SyncClient.status

    def stale(self: SyncClient):  # type: ignore[no-untyped-def]
        return real_status(self).model_copy(update={"expected_sequence": 3})

    monkeypatch.setattr(SyncClient, "status", stale)  # as if read before the restore
    report = a.sync()
    assert report.resent_from == 2 and (report.accepted, report.pending) == (2, 0)
    assert len(central_event_ids(central.store)) == 3


def test_a_cloned_workstation_is_quarantined(a: Desk, central: Server, tmp_path: Path) -> None:
    a.accept()
    a.sync()
    clone_dir = tmp_path / "clone"  # a disk image copied to a second machine
    clone_dir.mkdir()
    for name in ("settings.json", "device-token"):
        shutil.copy2(a.context.data_dir / name, clone_dir / name)
    with (
        closing(sqlite3.connect(a.store.path)) as source,
        closing(sqlite3.connect(clone_dir / a.store.path.name)) as target,
    ):
        source.backup(target)
    clone = Desk(context=open_counter(clone_dir, clock=a.context.clock), clerk=a.clerk,
                 server_url=central.url)  # fmt: skip
    try:
        a.accept()
        clone.serial = a.serial
        clone.accept()  # the same sequence number, another event
        assert a.sync().accepted == 1
        report = clone.sync()
        # The service keeps the clone's event as rejected, with the reason: a sync problem here.
        assert report.quarantined and (report.rejected, report.problems) == (1, 1)
        assert "复制" in (report.quarantine_reason or "")
        with clone.store.reading() as session:
            assert get_sync_state(session).quarantined
        assert a.sync().quarantined  # the token is the same: both machines stop
    finally:
        clone.context.close()
