"""The pull feed is commit-order safe: a reader never moves past an event still being written.

With a plain `id > cursor`, writer A inserting first (smaller id) but committing after writer B
makes a reader that saw B's event skip A's for ever. These tests hold A's transaction open while
B commits, and check that the reader waits for A and then gets both.
"""

import sqlite3
from pathlib import Path

from central_support import CENTER_A, CENTER_B, T0, Counter, FakeClock, enrolled
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.central.database import open_database
from tongban.central.pull import Cursor
from tongban.central.push import push
from tongban.central.schema import EventRow
from tongban.central.store import CentralStore


def position_of(session: Session, event_id: str) -> int:
    return session.scalars(select(EventRow.position).where(EventRow.id == event_id)).one()


def pulled_ids(
    store: CentralStore, reader: Counter, cursor: Cursor | None
) -> tuple[list[str], Cursor]:
    pulled = store.pull(reader.workstation, cursor, limit=100)
    return [e.id for e in pulled.batch.events], pulled.batch.cursor


def test_postgresql_reader_waits_for_an_open_writer(pg_url: str, tmp_path: Path) -> None:
    store = CentralStore(open_database(pg_url), clock=FakeClock())
    try:
        a = enrolled(store, tmp_path, CENTER_A)
        a2 = enrolled(store, tmp_path, CENTER_A, "2号窗口")
        reader = enrolled(store, tmp_path, CENTER_B)
        a.accept(processing_center=CENTER_B)
        [early] = a.outbox()
        store.push(a.workstation, [early])  # committed before anything else
        a.accept(processing_center=CENTER_B)
        [held] = a.outbox()[1:]
        a2.accept(processing_center=CENTER_B)
        [later] = a2.outbox()

        writer_a = store.database.writers()
        writer_a.begin()
        push(writer_a, device_id=a.device_id, events=[held], at=T0)  # inserted, not committed
        store.push(a2.workstation, [later])  # writer B commits a later event
        with store.database.reading() as session:
            committed_position = position_of(session, later.id)
        assert position_of(writer_a, held.id) < committed_position
        # What `position > cursor` would do: the reader sees `later` and moves past `held`.
        with store.database.reading() as session:
            naive = list(session.scalars(select(EventRow.id).order_by(EventRow.position)))
        assert held.id not in naive and later.id in naive

        first = store.pull(reader.workstation, None, limit=100)
        ids, cursor = [e.id for e in first.batch.events], first.batch.cursor
        assert ids == [early.id]  # up to the open writer, not past it
        # `later` is committed but waits: the answer says so, so the long-poll asks again
        # soon instead of waiting for a notification that was already sent.
        assert first.batch.held_back
        waiting = store.pull(reader.workstation, cursor, limit=100)
        assert waiting.batch.events == () and waiting.batch.held_back
        assert waiting.batch.cursor == cursor

        writer_a.commit()
        writer_a.close()
        ids, _ = pulled_ids(store, reader, cursor)
        assert ids == [held.id, later.id]
    finally:
        store.database.close()


def test_postgresql_rolled_back_writer_releases_the_feed(pg_url: str, tmp_path: Path) -> None:
    store = CentralStore(open_database(pg_url), clock=FakeClock())
    try:
        a = enrolled(store, tmp_path, CENTER_A)
        a2 = enrolled(store, tmp_path, CENTER_A, "2号窗口")
        reader = enrolled(store, tmp_path, CENTER_B)
        a.accept(processing_center=CENTER_B)
        a2.accept(processing_center=CENTER_B)
        writer_a = store.database.writers()
        writer_a.begin()
        push(writer_a, device_id=a.device_id, events=a.outbox(), at=T0)
        store.push(a2.workstation, a2.outbox())
        assert pulled_ids(store, reader, None)[0] == []
        writer_a.rollback()  # the response was lost with the connection: it will come again
        writer_a.close()
        ids, cursor = pulled_ids(store, reader, None)
        assert ids == [e.id for e in a2.outbox()]
        store.push(a.workstation, a.outbox())
        assert pulled_ids(store, reader, cursor)[0] == [e.id for e in a.outbox()]
    finally:
        store.database.close()


def test_sqlite_has_one_writer_at_a_time(sqlite_url: str, tmp_path: Path) -> None:
    store = CentralStore(open_database(sqlite_url), clock=FakeClock())
    try:
        a = enrolled(store, tmp_path, CENTER_A)
        a2 = enrolled(store, tmp_path, CENTER_A, "2号窗口")
        reader = enrolled(store, tmp_path, CENTER_B)
        a.accept(processing_center=CENTER_B)
        a2.accept(processing_center=CENTER_B)
        writer_a = store.database.writers()
        writer_a.begin()
        push(writer_a, device_id=a.device_id, events=a.outbox(), at=T0)
        # A second writer cannot even begin while A's transaction is open (BEGIN IMMEDIATE), so
        # positions are taken in commit order.
        other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0.1)
        other.isolation_level = None
        try:
            other.execute("BEGIN IMMEDIATE")
            raise AssertionError("a second writer began while the first was open")
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
        finally:
            other.close()
        assert pulled_ids(store, reader, None)[0] == []  # A's rows are not visible yet
        writer_a.commit()
        writer_a.close()
        store.push(a2.workstation, a2.outbox())
        ids, _ = pulled_ids(store, reader, None)
        assert ids == [e.id for e in a.outbox() + a2.outbox()]
    finally:
        store.database.close()
