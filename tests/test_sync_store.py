"""Sub-center sites in the local store, migration 0002, and the sync bookkeeping."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tongban.models.catalog import Mode
from tongban.models.rules import make_case_number
from tongban.models.store import (
    Accepted,
    EventKind,
    MaterialReceived,
    Person,
    Store,
    StoreError,
    init_workstation,
    load_case,
    open_store,
    record_event,
)
from tongban.models.store.database import _alembic_config
from tongban.models.store.schema import CaseMaterialRow
from tongban.models.store.sync_state import (
    get_sync_state,
    own_events_since,
    pending_count,
    record_sync_problem,
    sync_problems,
    update_sync_state,
)

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
CENTER = "310115131"  # 惠南镇
SUB_CENTER = "31011513101"  # 惠南镇 第一分中心


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.db")
    yield opened
    opened.close()


def accept(store: Store, device_id: str, serial: int, site: str = SUB_CENTER) -> str:
    case = make_case_number(CENTER, date(2026, 3, 10), 7, serial)
    payload = Accepted(
        item_code="MZ003",
        catalog_revision="2024.1",
        mode=Mode.DIRECT,
        applicant=Person(document_type="resident_id", id_number="310104199001011234", name="张三"),
        accepting_center=CENTER,
        accepting_site=site,
        processing_center=CENTER,
        materials=(MaterialReceived(name="身份证", original_seen=True, copies_received=1),),
    )
    with store.transaction() as session:
        record_event(
            session,
            workstation=device_id,
            clerk="A0042",
            case_number=case,
            kind=EventKind.ACCEPTED,
            payload=payload,
            at=T0,
        )
    return case


def sub_center_workstation(store: Store) -> str:
    with store.transaction() as session:
        ws = init_workstation(session, center_code=CENTER, site_code=SUB_CENTER, number=7, at=T0)
    return ws.device_id


def test_a_sub_center_workstation_records_an_acceptance(store: Store) -> None:
    case = accept(store, sub_center_workstation(store), 1)
    with store.reading() as session:
        state = load_case(session, case)
    assert state is not None
    assert state.accepting_site == SUB_CENTER


def test_a_site_must_be_the_center_or_one_of_its_sub_centers(store: Store) -> None:
    for site in ("3101151310", "31011513101X", "31010400301"):
        with pytest.raises(StoreError), store.transaction() as session:
            init_workstation(session, center_code=CENTER, site_code=site, number=1, at=T0)


def test_migration_0002_keeps_cases_materials_and_triggers(store: Store) -> None:
    device_id = sub_center_workstation(store)
    accept(store, device_id, 1, site=CENTER)
    with store.engine.begin() as connection:
        triggers = connection.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        )
        command.downgrade(_alembic_config(connection), "0001")
        command.upgrade(_alembic_config(connection), "head")
        assert triggers == connection.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        )
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(CaseMaterialRow)) == 1
    # The append-only trigger still guards the log after the tables were copied.
    with (
        pytest.raises(IntegrityError, match="事件日志只能追加"),
        store.transaction() as session,
    ):
        session.execute(text("DELETE FROM events"))


def test_sync_bookkeeping(store: Store) -> None:
    device_id = sub_center_workstation(store)
    cases = [accept(store, device_id, n) for n in range(1, 13)]
    with store.transaction() as session:
        assert get_sync_state(session).pull_cursor is None
        update_sync_state(session, pull_cursor="e:0:5", epoch="e", last_contact_at=T0)
        events = own_events_since(session, 11)
        record_sync_problem(session, events[0].id, "经办人不属于本中心", at=T0)
        assert not record_sync_problem(session, events[0].id, "again", at=T0)
    with store.reading() as session:
        assert get_sync_state(session).pull_cursor == "e:0:5"
        assert pending_count(session) == len(cases) == 12
        assert [e.sequence for e in events] == [11, 12]
        [problem] = sync_problems(session)
        assert (problem.sequence, problem.reason) == (11, "经办人不属于本中心")
