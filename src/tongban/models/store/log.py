"""The write path of the event log: local events, visits, remote events, and the outbox.

`record_event` is the only way a case changes on this workstation. Inside one SAVEPOINT of the
caller's transaction it takes the workstation's next sequence number and HLC time, checks the
event against the case's folded state (refusing it with TransitionRefused if not allowed, before
anything is written), inserts the event and rewrites the case row from the new fold. Either all
of that is in the database or none of it; the caller commits (Store.transaction()).

`apply_remote_events` stores events written elsewhere (sync pulls them): idempotent by event id,
it merges each event's HLC into this workstation's clock, then re-folds every affected case.
Events it cannot take are reported, never raised: an id seen before with other content, another
event already holding the same (workstation, sequence) — that workstation was cloned — or an
event of this workstation that this store never wrote (it was restored from a backup or cloned).
Streams of a type this version does not know are stored as they are and left for a newer version.

`pending_events` / `mark_synced` are the outbox: events with synced_at NULL, marked once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from uuid6 import uuid7

from tongban.models.rules import is_valid_case_number
from tongban.models.store import payloads as p
from tongban.models.store.closed_days import refuse_on_closed_day
from tongban.models.store.errors import StoreError, TransitionRefused
from tongban.models.store.events import (
    CASE_KINDS,
    PAYLOAD_TYPES,
    VISIT_KINDS,
    CaseState,
    Event,
    EventKind,
    StreamType,
    fold,
)
from tongban.models.store.hlc import HybridClock, Timestamp, datetime_to_ms
from tongban.models.store.projection import (
    remember_people,
    stream_events,
    to_event,
    to_row,
    write_case,
    write_visit,
)
from tongban.models.store.schema import EventRow, WorkstationRow
from tongban.models.store.workstation import this_workstation_row, workstation_row

MAX_CLERK_NUMBER = 20


@dataclass(frozen=True)
class Recorded:
    event: Event
    state: CaseState


@dataclass(frozen=True)
class Visit:
    id: str
    event: Event


@dataclass(frozen=True)
class Conflict:
    event_id: str
    reason: str


@dataclass(frozen=True)
class ApplyResult:
    applied: tuple[str, ...]
    duplicates: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    unreadable_visits: tuple[str, ...]


def record_event(
    session: Session,
    *,
    workstation: str,
    clerk: str,
    case_number: str,
    kind: EventKind,
    payload: object,
    at: datetime,
) -> Recorded:
    """Append one event to a case and update the case's state, atomically."""
    kind = EventKind(kind)
    _require_aware(at)
    _require_clerk(clerk)
    if kind not in CASE_KINDS:
        raise ValueError(f"{kind} is a visit kind: use record_visit")
    if kind is EventKind.ACCEPTED and not is_valid_case_number(case_number):
        raise StoreError(f"受理编号格式不正确：{case_number}")
    raw = _checked_payload(kind, payload)
    with session.begin_nested():
        ws = this_workstation_row(session, workstation)
        history = stream_events(session, StreamType.CASE, case_number)
        event = _next_local_event(ws, clerk, kind, StreamType.CASE, case_number, raw, at)
        state = fold([*history, event])
        refusals = [x for x in state.problems if x.event_id == event.id]
        if refusals:
            raise TransitionRefused(refusals[0].message)
        _append_local(session, ws, event)
        write_case(session, state)
    return Recorded(event=event, state=state)


def record_visit(
    session: Session,
    *,
    workstation: str,
    clerk: str,
    kind: EventKind,
    payload: p.VisitFacts,
    at: datetime,
) -> Visit:
    """Record a visit that ended without a case (一次性告知, 不予受理, guidance slip)."""
    kind = EventKind(kind)
    _require_aware(at)
    _require_clerk(clerk)
    if kind not in VISIT_KINDS:
        raise ValueError(f"{kind} is a case kind: use record_event")
    raw = _checked_payload(kind, payload)
    with session.begin_nested():
        ws = this_workstation_row(session, workstation)
        visit_id = str(uuid7())
        event = _next_local_event(ws, clerk, kind, StreamType.VISIT, visit_id, raw, at)
        _append_local(session, ws, event)
        write_visit(session, event)
    return Visit(id=visit_id, event=event)


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")


def _require_clerk(clerk: str) -> None:
    if not clerk or len(clerk) > MAX_CLERK_NUMBER:
        raise StoreError("经办人工号为空或过长")


def _checked_payload(kind: EventKind, payload: object) -> dict[str, object]:
    expected = PAYLOAD_TYPES[kind]
    if type(payload) is not expected:
        raise TypeError(f"{kind} needs a {expected.__name__} payload")
    return p.dump_payload(payload)


def _next_local_event(
    ws: WorkstationRow,
    clerk: str,
    kind: EventKind,
    stream_type: StreamType,
    stream_id: str,
    raw: dict[str, object],
    at: datetime,
) -> Event:
    """The event this workstation would write next; the row is not changed yet."""
    clock = HybridClock(lambda: datetime_to_ms(at), Timestamp.from_int(ws.last_hlc))
    return Event(
        id=str(uuid7()),
        workstation_id=ws.device_id,
        sequence=ws.next_sequence,
        hlc=clock.now(),
        clerk=clerk,
        kind=kind.value,
        stream_type=stream_type.value,
        stream_id=stream_id,
        payload=raw,
        created_at=at.astimezone(UTC),
    )


def _append_local(session: Session, ws: WorkstationRow, event: Event) -> None:
    refuse_on_closed_day(session, event)  # 日结: the day's intake is locked (closed_days.py)
    ws.next_sequence = event.sequence + 1
    ws.last_hlc = event.hlc.to_int()
    session.add(to_row(event))
    session.flush()
    remember_people(session, event)


def apply_remote_events(
    session: Session, events: Iterable[Event], *, at: datetime | None = None
) -> ApplyResult:
    """Store events from other workstations and re-fold what they touch. Idempotent."""
    if at is not None:
        _require_aware(at)
    received_at = (at or datetime.now(UTC)).astimezone(UTC)
    with session.begin_nested():
        ws = workstation_row(session)
        assert ws is not None
        clock = HybridClock(lambda: datetime_to_ms(received_at), Timestamp.from_int(ws.last_hlc))
        applied: list[Event] = []
        duplicates: list[str] = []
        conflicts: list[Conflict] = []
        for event in sorted(events, key=Event.order_key):
            verdict = _admission(session, ws, event)
            if verdict == "new":
                session.add(to_row(event, synced_at=received_at))
                session.flush()
                remember_people(session, event)
                clock.observe(event.hlc)
                applied.append(event)
            elif verdict == "duplicate":
                duplicates.append(event.id)
            else:
                conflicts.append(Conflict(event_id=event.id, reason=verdict))
        ws.last_hlc = clock.last.to_int()
        unreadable = _project(session, applied)
    return ApplyResult(
        applied=tuple(e.id for e in applied),
        duplicates=tuple(duplicates),
        conflicts=tuple(conflicts),
        unreadable_visits=tuple(unreadable),
    )


def _admission(session: Session, ws: WorkstationRow, event: Event) -> str:
    """'new', 'duplicate', or the reason (zh_CN) the event cannot be taken."""
    known = session.get(EventRow, event.id)
    if known is not None:
        return "duplicate" if to_event(known) == event else "同一事件标识下内容不同，未接收"
    if event.workstation_id == ws.device_id:
        return "收到本工作站未记录的事件：本存储可能是从备份恢复或被复制的，请联系管理员"
    taken = session.scalars(
        select(EventRow.id).where(
            EventRow.workstation_id == event.workstation_id, EventRow.sequence == event.sequence
        )
    ).first()
    if taken is not None:
        return (
            f"工作站 {event.workstation_id} 的序号 {event.sequence} 已被另一事件使用："
            "该工作站可能被复制"
        )
    if not isinstance(event.payload, dict):
        return "事件内容格式错误，未接收"
    return "new"


def _project(session: Session, applied: list[Event]) -> list[str]:
    unreadable: list[str] = []
    cases = sorted({e.stream_id for e in applied if e.stream_type == StreamType.CASE})
    for case_number in cases:
        write_case(session, fold(stream_events(session, StreamType.CASE, case_number)))
    for event in applied:
        if event.stream_type == StreamType.VISIT and not _visit_written(session, event):
            unreadable.append(event.id)
    return unreadable


def _visit_written(session: Session, event: Event) -> bool:
    return event.kind in VISIT_KINDS and write_visit(session, event)


def case_events(session: Session, case_number: str) -> list[Event]:
    """A case's events in fold order."""
    return stream_events(session, StreamType.CASE, case_number)


def load_case(session: Session, case_number: str) -> CaseState | None:
    """The case as its events say (the applicant as recorded at acceptance); None if unknown."""
    events = case_events(session, case_number)
    if not events:
        return None
    state = fold(events)
    return state if state.exists else None


def pending_events(session: Session, *, limit: int = 500) -> list[Event]:
    """The outbox: events not yet acknowledged by the central store, oldest first."""
    query = (
        select(EventRow)
        .where(EventRow.synced_at.is_(None))
        .order_by(EventRow.workstation_id, EventRow.sequence)
        .limit(limit)
    )
    return [to_event(row) for row in session.scalars(query)]


def mark_synced(session: Session, event_ids: Iterable[str], *, at: datetime) -> int:
    """Mark events acknowledged by the central store; returns how many were newly marked."""
    ids = list(event_ids)
    if not ids:
        return 0
    result = session.execute(
        update(EventRow)
        .where(EventRow.id.in_(ids), EventRow.synced_at.is_(None))
        .values(synced_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
