"""The local store: migrations, SQLite settings, the atomic write path, append-only logs, sync."""

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from tongban.models.catalog import Mode
from tongban.models.rules import (
    CaseNumberParts,
    make_case_number,
    mask_identity,
    parse_case_number,
)
from tongban.models.store import (
    SCHEMA_VERSION,
    Accepted,
    Approved,
    AuditOutcome,
    Cancelled,
    CaseStatus,
    EventKind,
    Forwarded,
    MaterialReceived,
    Notified,
    Person,
    Ready,
    ReceiptPrinted,
    Recorded,
    Refused,
    Store,
    StoreError,
    SubjectType,
    SupplementRequested,
    TransitionRefused,
    apply_remote_events,
    audit_trail,
    case_events,
    find_applicant,
    get_workstation,
    head_revision,
    init_workstation,
    load_case,
    mark_synced,
    next_case_number,
    open_store,
    pending_events,
    record_audit,
    record_event,
    record_visit,
    verify_case,
)
from tongban.models.store import log as store_log
from tongban.models.store.audit import MAX_DETAIL
from tongban.models.store.database import MIGRATIONS
from tongban.models.store.schema import ApplicantRow, Base, CaseRow, EventRow, VisitRow

T0 = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ID_NUMBER = "310104199001011234"
ACCEPTING = "310104003"
PROCESSING = "310105001"
C1 = make_case_number(ACCEPTING, date(2024, 5, 6), 1, 1)
C2 = make_case_number(ACCEPTING, date(2024, 5, 6), 1, 2)
P1 = make_case_number(PROCESSING, date(2024, 5, 6), 1, 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.db")
    yield opened
    opened.close()


def set_up_workstation(store: Store, center: str = ACCEPTING) -> str:
    with store.transaction() as session:
        return init_workstation(
            session, center_code=center, site_code=center, number=1, at=T0
        ).device_id


@pytest.fixture
def ws(store: Store) -> str:
    return set_up_workstation(store)


def accepted(
    mode: Mode = Mode.SEPARATED, *, phone: str | None = None, number: str = ID_NUMBER
) -> Accepted:
    return Accepted(
        item_code="MZ003",
        catalog_revision="2024.1",
        mode=mode,
        applicant=Person(document_type="resident_id", id_number=number, name="张三", phone=phone),
        accepting_center=ACCEPTING,
        accepting_site=ACCEPTING,
        processing_center=PROCESSING if mode is Mode.SEPARATED else ACCEPTING,
        due_date=date(2024, 5, 20),
        materials=(
            MaterialReceived(name="身份证", original_seen=True, copies_received=1),
            MaterialReceived(name="户口簿", deferred=True, deferred_due=date(2024, 5, 13)),
        ),
    )


def record(
    store: Store,
    workstation: str,
    kind: EventKind,
    payload: object,
    at: datetime = T0,
    case: str = C1,
) -> Recorded:
    with store.transaction() as session:
        return record_event(
            session,
            workstation=workstation,
            clerk="0001",
            case_number=case,
            kind=kind,
            payload=payload,
            at=at,
        )


def count(store: Store, table: type[Any]) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def alembic_config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


# --- migrations and SQLite settings --------------------------------------------------------


def test_a_new_file_is_migrated_to_the_current_schema(store: Store) -> None:
    assert head_revision() == SCHEMA_VERSION
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == SCHEMA_VERSION
        tables = set(store.engine.dialect.get_table_names(connection))
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        # The comparison does notice a difference when there is one.
        changed = MetaData()
        for table in Base.metadata.tables.values():
            table.to_metadata(changed)
        changed.tables["cases"].append_column(Column("surplus", Integer))
        assert compare_metadata(context, changed) != []
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", f"sqlite:///{store.path}")
    command.check(config)  # `alembic check`: raises when autogenerate would write anything


def test_an_old_file_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # a file from before the schema existed
    first = open_store(path)
    with first.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
        assert MigrationContext.configure(connection).get_current_revision() is None
    first.close()
    again = open_store(path)
    with again.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == SCHEMA_VERSION
    again.close()


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path, store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="更新版本"):
        open_store(store.path)


def test_wal_synchronous_full_and_foreign_keys_are_in_effect(store: Store, ws: str) -> None:
    with store.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 5000
    assert store.path.with_name(store.path.name + "-wal").exists()
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.execute(text("INSERT INTO visits (id, event_id) VALUES ('v', 'no such event')"))


def test_writers_take_the_lock_at_begin_and_readers_never_block(store: Store, ws: str) -> None:
    other = open_store(store.path, busy_timeout_ms=50)
    try:
        with store.transaction() as writing:
            writing.execute(select(1))  # BEGIN IMMEDIATE: the write lock is held from here
            with pytest.raises(OperationalError, match="locked"), other.transaction() as session:
                session.execute(select(1))
            with other.reading() as session:
                assert session.scalar(select(func.count()).select_from(EventRow)) == 0
        with store.reading() as looking:
            looking.execute(select(1))
            record(other, ws, EventKind.ACCEPTED, accepted())
    finally:
        other.close()


# --- the write path ------------------------------------------------------------------------


def test_record_event_writes_the_event_and_the_case_together(store: Store, ws: str) -> None:
    recorded = record(store, ws, EventKind.ACCEPTED, accepted())
    assert recorded.state.status is CaseStatus.ACCEPTED
    assert recorded.event.sequence == 1
    with store.reading() as session:
        assert verify_case(session, C1) == []
        row = session.get(CaseRow, C1)
        assert row is not None and row.status == "accepted"
        assert row.last_event_id == recorded.event.id
        assert [e.id for e in case_events(session, C1)] == [recorded.event.id]
        assert load_case(session, C1) == recorded.state


def test_an_error_in_the_transaction_leaves_neither_event_nor_state(store: Store, ws: str) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        record_event(
            session,
            workstation=ws,
            clerk="0001",
            case_number=C1,
            kind=EventKind.ACCEPTED,
            payload=accepted(),
            at=T0,
        )
        raise RuntimeError("power cut")
    assert count(store, EventRow) == count(store, CaseRow) == count(store, ApplicantRow) == 0
    with store.reading() as session:
        assert get_workstation(session).next_sequence == 1


def test_a_failure_inside_record_event_is_rolled_back_even_if_caught(
    store: Store, ws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("disk full")

    with store.transaction() as session:
        monkeypatch.setattr(store_log, "write_case", broken)
        with pytest.raises(RuntimeError):
            record_event(
                session,
                workstation=ws,
                clerk="0001",
                case_number=C1,
                kind=EventKind.ACCEPTED,
                payload=accepted(),
                at=T0,
            )
        monkeypatch.undo()
        # The caller carries on in the same transaction: only the second attempt is kept.
        again = record_event(
            session,
            workstation=ws,
            clerk="0001",
            case_number=C2,
            kind=EventKind.ACCEPTED,
            payload=accepted(),
            at=T0,
        )
    assert again.event.sequence == 1
    assert count(store, EventRow) == count(store, CaseRow) == 1


def test_a_refused_transition_writes_nothing(store: Store, ws: str) -> None:
    record(store, ws, EventKind.ACCEPTED, accepted())
    with pytest.raises(TransitionRefused, match="只适用于"):
        record(store, ws, EventKind.READY, Ready(collect_at_site=ACCEPTING))
    with pytest.raises(TransitionRefused, match="重复受理"):
        record(store, ws, EventKind.ACCEPTED, accepted())
    assert count(store, EventRow) == 1
    with store.reading() as session:
        assert get_workstation(session).next_sequence == 2


def test_sequence_numbers_are_gapless(store: Store, ws: str) -> None:
    record(store, ws, EventKind.ACCEPTED, accepted())
    with pytest.raises(TransitionRefused):
        record(store, ws, EventKind.ACCEPTED, accepted())
    with pytest.raises(RuntimeError), store.transaction() as session:
        record_event(
            session,
            workstation=ws,
            clerk="0001",
            case_number=C1,
            kind=EventKind.RECEIPT_PRINTED,
            payload=ReceiptPrinted(),
            at=T0,
        )
        raise RuntimeError
    record(store, ws, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    record(store, ws, EventKind.ACCEPTED, accepted(), case=C2)
    with store.reading() as session:
        sequences = session.scalars(select(EventRow.sequence).order_by(EventRow.sequence)).all()
        assert sequences == [1, 2, 3]
        assert get_workstation(session).next_sequence == 4
    with pytest.raises(IntegrityError, match="连续"), store.transaction() as session:
        session.execute(
            text(
                "INSERT INTO events (id, workstation_id, sequence, hlc, clerk, kind, stream_type,"
                " stream_id, payload, created_at) VALUES ('x', :ws, 9, 1, '0001', 'approved',"
                " 'case', 'C1', '{}', '2024-05-06 01:00:00')"
            ),
            {"ws": ws},
        )


def test_the_event_log_is_append_only(store: Store, ws: str) -> None:
    event_id = record(store, ws, EventKind.ACCEPTED, accepted()).event.id
    for statement in (
        "UPDATE events SET payload = '{}'",
        "UPDATE events SET hlc = hlc + 1, synced_at = '2024-05-07 00:00:00'",
        "DELETE FROM events",
    ):
        with pytest.raises(IntegrityError, match="只能追加"), store.transaction() as session:
            session.execute(text(statement))
    with store.transaction() as session:
        assert [e.id for e in pending_events(session)] == [event_id]
        assert mark_synced(session, [event_id], at=T0 + DAY) == 1
        assert mark_synced(session, [event_id], at=T0 + 2 * DAY) == 0
        assert pending_events(session) == []
    for statement in (
        "UPDATE events SET synced_at = '2024-05-09 00:00:00'",
        "UPDATE events SET synced_at = NULL",
    ):
        with pytest.raises(IntegrityError), store.transaction() as session:
            session.execute(text(statement))


def test_the_case_row_equals_the_fold_through_a_whole_case(store: Store, ws: str) -> None:
    steps: list[tuple[EventKind, object]] = [
        (EventKind.ACCEPTED, accepted()),
        (EventKind.RECEIPT_PRINTED, ReceiptPrinted()),
        (EventKind.FORWARDED, Forwarded(processing_center=PROCESSING)),
        (
            EventKind.SUPPLEMENT_REQUESTED,
            SupplementRequested(materials=("结婚证",), reason="缺少", due_date=date(2024, 6, 1)),
        ),
        (EventKind.CANCELLED, Cancelled(reason="申请人撤回")),
    ]
    for minutes, (kind, payload) in enumerate(steps):
        state = record(store, ws, kind, payload, at=T0 + timedelta(minutes=minutes)).state
        with store.reading() as session:
            assert verify_case(session, C1) == []
    assert state.status is CaseStatus.CANCELLED
    with store.transaction() as session:
        session.execute(
            text("UPDATE cases SET status = 'ready', agent_id_number = :n"), {"n": ID_NUMBER}
        )
        session.execute(text("UPDATE case_materials SET copies_received = 9"))
        problems = verify_case(session, C1)
    assert any(p.startswith("status") for p in problems)
    assert any(p.startswith("case_materials") for p in problems)
    assert not any(ID_NUMBER in p for p in problems)


def test_hlc_stays_monotonic_when_the_wall_clock_jumps_back_a_day(store: Store, ws: str) -> None:
    first = record(store, ws, EventKind.ACCEPTED, accepted(), at=T0).event
    second = record(store, ws, EventKind.RECEIPT_PRINTED, ReceiptPrinted(), at=T0 - DAY).event
    store.close()
    reopened = open_store(store.path)  # the clock survives a restart
    third = record(
        reopened, ws, EventKind.FORWARDED, Forwarded(processing_center=PROCESSING), at=T0 - DAY
    ).event
    reopened.close()
    assert first.hlc < second.hlc < third.hlc
    assert second.created_at == T0 - DAY  # what the wall clock said is kept for people
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]


def test_a_returning_applicant_is_recognised_and_the_newest_details_win(
    store: Store, ws: str
) -> None:
    record(store, ws, EventKind.ACCEPTED, accepted(phone="13800000001"), case=C1)
    record(store, ws, EventKind.ACCEPTED, accepted(phone="13800000002"), case=C2, at=T0 + DAY)
    with store.reading() as session:
        applicant = find_applicant(session, "resident_id", ID_NUMBER)
        assert applicant is not None and applicant.phone == "13800000002"
        assert ID_NUMBER not in repr(applicant)
        rows = session.scalars(select(CaseRow.applicant_id)).all()
        assert rows == [applicant.id, applicant.id]


def test_identity_numbers_stay_out_of_error_messages(store: Store, ws: str) -> None:
    record(store, ws, EventKind.ACCEPTED, accepted())
    with pytest.raises(IntegrityError) as caught, store.transaction() as session:
        session.add(
            ApplicantRow(
                document_type="resident_id",
                id_number=ID_NUMBER,
                name="张三",
                updated_hlc=0,
                created_at=T0,
            )
        )
        session.flush()
    assert ID_NUMBER not in str(caught.value)


def test_a_store_writes_only_as_its_own_workstation(store: Store, ws: str) -> None:
    with pytest.raises(StoreError, match="已登记"):
        set_up_workstation(store)
    with pytest.raises(StoreError, match="不符"):
        record(store, "01900000-0000-7000-8000-0000000000ff", EventKind.ACCEPTED, accepted())


def test_case_numbers_never_repeat_for_a_day_even_when_the_date_goes_back(
    store: Store, ws: str
) -> None:
    day = date(2024, 5, 6)

    def accept_next(on: date) -> str:
        with store.transaction() as session:
            number = next_case_number(session, workstation=ws, day=on)
            record_event(
                session,
                workstation=ws,
                clerk="0001",
                case_number=number,
                kind=EventKind.ACCEPTED,
                payload=accepted(),
                at=T0,
            )
        return number

    assert [accept_next(day), accept_next(day)] == [C1, C2]
    assert parse_case_number(accept_next(day + timedelta(days=1))).serial == 1
    back = accept_next(day)  # the machine's date went back a day
    assert parse_case_number(back) == CaseNumberParts(ACCEPTING, day, 1, 3)
    with pytest.raises(StoreError, match="格式"):
        record(store, ws, EventKind.ACCEPTED, accepted(), case="C-1")


# --- visits and the audit log -------------------------------------------------------------


def test_a_visit_without_a_case_is_recorded_and_travels(
    tmp_path: Path, store: Store, ws: str
) -> None:
    person = Person(document_type="resident_id", id_number=ID_NUMBER, name="张三")
    with store.transaction() as session:
        visit = record_visit(
            session,
            workstation=ws,
            clerk="0001",
            kind=EventKind.NOTIFIED,
            payload=Notified(
                center_code=ACCEPTING,
                site_code=ACCEPTING,
                item_code="MZ003",
                applicant=person,
                missing=("户口簿", "结婚证"),
            ),
            at=T0,
        )
        record_visit(
            session,
            workstation=ws,
            clerk="0001",
            kind=EventKind.REFUSED,
            payload=Refused(
                center_code=ACCEPTING, site_code=ACCEPTING, reason="不属于本中心受理范围"
            ),
            at=T0,
        )
        outbox = pending_events(session)
        row = session.get(VisitRow, visit.id)
        assert row is not None and row.details["missing"] == ["户口簿", "结婚证"]
        assert row.applicant_id is not None and row.outcome == "notified"
    assert [e.stream_type for e in outbox] == ["visit", "visit"]
    other = open_store(tmp_path / "other.db")
    set_up_workstation(other, PROCESSING)
    with other.transaction() as session:
        result = apply_remote_events(session, outbox, at=T0)
        assert result.applied == tuple(e.id for e in outbox) and result.unreadable_visits == ()
        assert session.scalar(select(func.count()).select_from(VisitRow)) == 2
        assert find_applicant(session, "resident_id", ID_NUMBER) is not None
    other.close()


def test_an_unreadable_remote_visit_is_kept_in_the_log_and_reported(store: Store, ws: str) -> None:
    with store.transaction() as session:
        record_visit(
            session,
            workstation=ws,
            clerk="0001",
            kind=EventKind.REFUSED,
            payload=Refused(center_code=ACCEPTING, site_code=ACCEPTING, reason="不属于受理范围"),
            at=T0,
        )
        (event,) = pending_events(session)
    remote = replace(
        event,
        id="01900000-0000-7000-8000-0000000000ee",
        workstation_id="01900000-0000-7000-8000-0000000000ab",
        stream_id="01900000-0000-7000-8000-0000000000ef",
        payload={"reason": ""},
    )
    with store.transaction() as session:
        result = apply_remote_events(session, [remote], at=T0)
        assert result.applied == result.unreadable_visits == (remote.id,)
        assert session.get(VisitRow, remote.stream_id) is None
        assert session.get(EventRow, remote.id) is not None


def test_every_look_is_audited_without_full_identity_numbers(store: Store, ws: str) -> None:
    with store.transaction() as session:
        entry = record_audit(
            session,
            workstation=ws,
            clerk="0001",
            action="search_applicant",
            subject_type=SubjectType.SEARCH,
            subject_ref=mask_identity(ID_NUMBER),
            outcome=AuditOutcome.SUCCESS,
            at=T0,
        )
        trail = audit_trail(
            session, subject_type=SubjectType.SEARCH, subject_ref=mask_identity(ID_NUMBER)
        )
        assert trail == [entry]
    for where in ({"subject_ref": ID_NUMBER}, {"detail": f"查询 {ID_NUMBER} 的记录"}):
        fields: dict[str, Any] = {"subject_ref": "1", "detail": "", **where}
        with pytest.raises(StoreError, match="证件号码"), store.transaction() as session:
            record_audit(
                session,
                workstation=ws,
                clerk="0001",
                action="view_applicant",
                subject_type=SubjectType.APPLICANT,
                outcome=AuditOutcome.DENIED,
                at=T0,
                **fields,
            )
    for statement in ("UPDATE audit_log SET outcome = 'failed'", "DELETE FROM audit_log"):
        with pytest.raises(IntegrityError, match="只能追加"), store.transaction() as session:
            session.execute(text(statement))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    detail=st.text(alphabet="查看办件材料；，受理 abcXYZ", max_size=400),
    channel=st.sampled_from(["窗口", "命令行", None]),
)
def test_an_entry_keeps_its_channel_however_long_its_detail(
    store: Store, ws: str, detail: str, channel: str | None
) -> None:
    with store.transaction() as session:
        entry = record_audit(
            session,
            workstation=ws,
            clerk="0001",
            action="view_case",
            subject_type=SubjectType.CASE,
            subject_ref="1",
            outcome=AuditOutcome.SUCCESS,
            at=T0,
            detail=detail,
            channel=channel,
        )
    assert len(entry.detail) <= MAX_DETAIL
    if channel is None:
        assert entry.detail == detail[:MAX_DETAIL]
        return
    kept = entry.detail.removesuffix(f"渠道：{channel}")
    assert kept != entry.detail  # the channel ends every entry that has one
    assert kept == "" if not detail else kept.endswith("；")
    assert detail.startswith(kept.removesuffix("；"))  # cut, never changed
    if len(detail) + len(f"；渠道：{channel}") <= MAX_DETAIL:
        assert kept.removesuffix("；") == detail  # nothing cut when it fits


# --- remote events (the sync issue builds on these) ---------------------------------------


@pytest.fixture
def centers(tmp_path: Path) -> Iterator[tuple[Store, str, Store, str]]:
    """Two workstations: A accepts (徐汇), P processes (长宁)."""
    a = open_store(tmp_path / "accepting.db")
    p = open_store(tmp_path / "processing.db")
    yield a, set_up_workstation(a, ACCEPTING), p, set_up_workstation(p, PROCESSING)
    a.close()
    p.close()


def ship(source: Store, target: Store, at: datetime = T0) -> store_log.ApplyResult:
    with source.reading() as session:
        events = pending_events(session)
    with target.transaction() as session:
        return apply_remote_events(
            session, [e for e in events if e.workstation_id != _device(target)], at=at
        )


def _device(store: Store) -> str:
    with store.reading() as session:
        return get_workstation(session).device_id


def states(*stores: Store, case: str = C1) -> list[Any]:
    result = []
    for each in stores:
        with each.reading() as session:
            assert verify_case(session, case) == []
            result.append(load_case(session, case))
    return result


def test_applying_the_same_remote_events_twice_has_one_effect(centers: Any) -> None:
    a, a_ws, p, _ = centers
    record(a, a_ws, EventKind.ACCEPTED, accepted())
    record(
        a,
        a_ws,
        EventKind.FORWARDED,
        Forwarded(processing_center=PROCESSING),
        at=T0 + timedelta(minutes=1),
    )
    first = ship(a, p)
    assert len(first.applied) == 2 and first.duplicates == () and first.conflicts == ()
    with p.reading() as session:
        hlc_after_first = get_workstation(session).last_hlc
    second = ship(a, p, at=T0 + DAY)
    assert second.applied == () and len(second.duplicates) == 2
    assert count(p, EventRow) == 2
    with p.reading() as session:
        assert get_workstation(session).last_hlc == hlc_after_first
        assert pending_events(session) == []  # received events are not shipped back
    state_a, state_p = states(a, p)
    assert state_a == state_p and state_p.status is CaseStatus.FORWARDED


def test_a_clock_a_day_behind_does_not_reorder_the_case(centers: Any) -> None:
    a, a_ws, p, p_ws = centers
    record(a, a_ws, EventKind.ACCEPTED, accepted())
    record(
        a,
        a_ws,
        EventKind.FORWARDED,
        Forwarded(processing_center=PROCESSING),
        at=T0 + timedelta(minutes=1),
    )
    ship(a, p, at=T0 - DAY)
    request = SupplementRequested(materials=("结婚证",), reason="缺少")
    requested = record(p, p_ws, EventKind.SUPPLEMENT_REQUESTED, request, at=T0 - DAY).event
    with a.reading() as session:
        forwarded = case_events(session, C1)[-1]
    assert requested.hlc > forwarded.hlc
    ship(p, a, at=T0 + timedelta(minutes=2))
    state_a, state_p = states(a, p)
    assert state_a == state_p and state_a.status is CaseStatus.SUPPLEMENT_REQUESTED


def test_a_late_event_is_folded_into_its_place_on_both_sides(centers: Any) -> None:
    a, a_ws, p, p_ws = centers
    record(a, a_ws, EventKind.ACCEPTED, accepted())
    ship(a, p, at=T0 + timedelta(seconds=1))
    # Before hearing of each other: A cancels at 00:05, P approves at 00:10.
    cancel = record(
        a, a_ws, EventKind.CANCELLED, Cancelled(reason="申请人撤回"), at=T0 + timedelta(minutes=5)
    )
    approve = record(p, p_ws, EventKind.APPROVED, Approved(), at=T0 + timedelta(minutes=10))
    assert approve.state.status is CaseStatus.APPROVED
    ship(a, p, at=T0 + timedelta(minutes=11))  # the cancellation arrives late at P
    ship(p, a, at=T0 + timedelta(minutes=11))
    state_a, state_p = states(a, p)
    assert state_a == state_p
    assert state_p.status is CaseStatus.CANCELLED
    assert [x.event_id for x in state_p.problems] == [approve.event.id]
    with p.reading() as session:
        kinds = [e.kind for e in case_events(session, C1)]
        row = session.get(CaseRow, C1)
        assert row is not None and row.problems[0]["event_id"] == approve.event.id
    assert kinds == ["accepted", "cancelled", "approved"]
    assert cancel.event.hlc < approve.event.hlc


def test_events_that_arrive_before_the_acceptance_wait_for_it(centers: Any) -> None:
    a, a_ws, p, _ = centers
    record(a, a_ws, EventKind.ACCEPTED, accepted())
    record(a, a_ws, EventKind.RECEIPT_PRINTED, ReceiptPrinted(), at=T0 + timedelta(seconds=1))
    with a.reading() as session:
        acceptance, printed = pending_events(session)
    with p.transaction() as session:
        apply_remote_events(session, [printed], at=T0)
        assert session.get(CaseRow, C1) is None
        apply_remote_events(session, [acceptance], at=T0)
        assert verify_case(session, C1) == []
        row = session.get(CaseRow, C1)
        assert row is not None and row.receipt_prints == 1


def test_clones_and_rewritten_events_are_reported_not_stored(centers: Any) -> None:
    a, a_ws, p, p_ws = centers
    record(a, a_ws, EventKind.ACCEPTED, accepted())
    with a.reading() as session:
        (original,) = pending_events(session)
    record(p, p_ws, EventKind.ACCEPTED, accepted(), case=P1)
    with p.reading() as session:
        (own,) = pending_events(session)
    rewritten = replace(original, payload={**original.payload, "item_code": "MZ004"})
    clone = replace(original, id="01900000-0000-7000-8000-0000000000cc", stream_id="C9")
    own_unknown = replace(own, id="01900000-0000-7000-8000-0000000000dd", sequence=2)
    with p.transaction() as session:
        apply_remote_events(session, [original], at=T0)
        result = apply_remote_events(session, [rewritten, clone, own_unknown], at=T0)
    assert result.applied == ()
    reasons = {c.event_id: c.reason for c in result.conflicts}
    assert "内容不同" in reasons[original.id]
    assert "复制" in reasons[clone.id]
    assert "备份" in reasons[own_unknown.id]
    assert count(p, EventRow) == 2
