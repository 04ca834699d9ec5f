"""A restore from backup: a new epoch; workstations re-send what the store lost; nothing is lost.

The backup is a real copy of the database taken mid-way (PostgreSQL: CREATE DATABASE … TEMPLATE;
SQLite: the file), the disaster is switching the service to that copy.
"""

from collections.abc import Callable
from pathlib import Path

from central_support import CENTER_A, CENTER_B, Counter, FakeClock, enrolled
from sqlalchemy import select

from tongban.central.database import open_database
from tongban.central.pull import Cursor
from tongban.central.schema import EventRow
from tongban.central.store import CentralStore
from tongban.models.store import Event, EventKind, Forwarded, Signed
from tongban.models.store.projection import to_event
from tongban.models.store.schema import EventRow as LocalEventRow


def own_events_from(counter: Counter, sequence: int) -> list[Event]:
    """The workstation's own events from `sequence` on, synced or not (what it re-sends)."""
    with counter.local.reading() as session:
        rows = session.scalars(
            select(LocalEventRow)
            .where(
                LocalEventRow.workstation_id == counter.device_id,
                LocalEventRow.sequence >= sequence,
            )
            .order_by(LocalEventRow.sequence)
        )
        return [to_event(row) for row in rows]


def test_a_restore_loses_nothing(
    db_url: str, tmp_path: Path, backup_taker: Callable[[str], str]
) -> None:
    live = CentralStore(open_database(db_url), clock=FakeClock())
    a = enrolled(live, tmp_path, CENTER_A)
    b = enrolled(live, tmp_path, CENTER_B)
    case = a.accept(processing_center=CENTER_B)
    live.push(a.workstation, a.outbox())
    a.synced([e.id for e in a.outbox()])
    old_epoch = live.epoch()
    live.database.close()

    backup_url = backup_taker(db_url)  # the nightly backup

    live = CentralStore(open_database(db_url), clock=FakeClock())
    a.record(case, EventKind.FORWARDED, Forwarded(processing_center=CENTER_B))
    a.record(case, EventKind.SIGNED, Signed(document="申请表", signer="王五"))
    live.push(a.workstation, a.outbox())
    a.synced([e.id for e in a.outbox()])  # acknowledged: they leave A's outbox
    pulled = live.pull(b.workstation, None, limit=100)
    b.apply(pulled.batch.events)
    b_cursor = pulled.batch.cursor
    live.database.close()

    # The database is lost; the administrator restores the backup and declares a new epoch.
    restored = CentralStore(open_database(backup_url), clock=FakeClock())
    try:
        restored.new_epoch()
        epoch, seen = restored.status(a.workstation)
        assert epoch != old_epoch
        assert seen.expected_sequence == 2  # the store lost A's events 2 and 3
        assert a.outbox() == []  # A's outbox is empty: it re-sends from what the store expects
        resent = own_events_from(a, seen.expected_sequence)
        results = restored.push(a.workstation, resent).outcome.results
        assert [r.outcome for r in results] == ["accepted", "accepted"]

        # B's cursor belongs to the old epoch: its feed starts again, and applying is idempotent.
        again = restored.pull(b.workstation, b_cursor, limit=100)
        assert again.batch.reset and again.epoch == epoch
        with restored.database.reading() as session:
            positions = list(session.scalars(select(EventRow.position)))
        assert max(positions) <= b_cursor.position  # without the epoch B would skip them all
        applied = b.apply(again.batch.events)
        assert applied.applied == () and len(applied.duplicates) == 3
        case_entry = restored.case(case)
        assert case_entry is not None and case_entry.status == "forwarded"
        assert case_entry.event_count == 3
    finally:
        restored.database.close()


def test_a_cursor_of_another_epoch_starts_over(store: CentralStore, tmp_path: Path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    a.accept(processing_center=CENTER_B)
    store.push(a.workstation, a.outbox())
    cursor = store.pull(b.workstation, None, limit=10).batch.cursor
    assert store.pull(b.workstation, cursor, limit=10).batch.events == ()
    store.new_epoch()
    again = store.pull(b.workstation, cursor, limit=10)
    assert again.batch.reset and [e.id for e in again.batch.events] == [a.outbox()[0].id]
    assert again.batch.cursor.epoch == store.epoch() != cursor.epoch
    assert isinstance(again.batch.cursor, Cursor)
