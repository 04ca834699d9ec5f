"""Receiving a workstation's outbox (POST /v1/push): in order, exactly once, authorised.

A push carries the workstation's own events in sequence order. Inside one transaction, with
the workstation's row locked (so two pushes of one device queue up), each event is taken as:

    seen before (its id is stored)   the same content: "duplicate" (or "rejected" again, with the
                                     stored reason) — a replay after a lost response has exactly
                                     one effect; other content under that id: the device is
                                     quarantined
    sequence <= received_through     a different event under a sequence already received: the
                                     device was cloned or restored from a backup — quarantined
    sequence > received_through + 1  a gap: the push stops here; the response's
                                     expected_sequence tells the workstation where to resume
    otherwise                        checked (authorization.py, the clerk's center, a payload
                                     this version can read): stored in the log ("accepted") or
                                     in rejections ("rejected", with the reason, never retried)

Either way the sequence counts as received. An accepted event is tagged with its case's two
centers (who pulls it) and, on PostgreSQL, with the transaction id that orders the pull feed
(pull.py); the case index is rewritten from the fold of the case's stored events, so the central
view of a case follows the hybrid-logical-clock order, not the order events arrived in. On
PostgreSQL the transaction ends with NOTIFY, delivered at commit, waking long-polls on every
service instance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from tongban.central.authorization import (
    Author,
    Parties,
    check_accepted,
    check_case_event,
    check_visit,
    parties_of,
    readable_payload,
    stream_problem,
)
from tongban.central.clerks import clerk_center
from tongban.central.closures import closed_day_problem
from tongban.central.enrollment import (
    Credentials,
    Status,
    Workstation,
    clock_offset_ms,
    digest,
    note_contact,
    quarantine,
    to_workstation,
    usable,
)
from tongban.central.errors import CentralError, Forbidden, NotAuthenticated, Quarantined
from tongban.central.events import row_values, stored_event
from tongban.central.reference import center_codes
from tongban.central.schema import (
    CaseIndexRow,
    CentralStateRow,
    EventRow,
    RejectionRow,
    WorkstationRow,
)
from tongban.central.sql import COPY_FROM_ROWS, insert_rows, one_of, one_of_each_dialect
from tongban.models.store import payloads as p
from tongban.models.store.events import CaseState, Event, EventKind, StreamType, fold, step
from tongban.models.sync_wire import WireEvent

NOTIFY_CHANNEL = "tongban_events"  # payload: "<origin> <center> <center> …"
NO_ORIGIN = "-"  # a push not received by a service instance (administration, tests)
CURRENT_TXID = literal_column("pg_current_xact_id()::text::bigint")


@dataclass(frozen=True)
class Received:
    event_id: str
    sequence: int
    outcome: str  # accepted | duplicate | rejected
    reason: str | None = None


@dataclass(frozen=True)
class PushOutcome:
    results: tuple[Received, ...]
    expected_sequence: int
    quarantine_reason: str | None
    centers: frozenset[str]  # centers with new events to pull
    epoch: str  # the store's, read with the workstation's row


def push(
    session: Session,
    *,
    device_id: str,
    events: Sequence[Event],
    at: datetime,
    origin: str = NO_ORIGIN,
    every_id: bool = False,
) -> PushOutcome:
    """Receive a batch of one workstation's events; the caller commits. `origin`: the service
    instance receiving it, named in the NOTIFY so that instance's listener can skip its own.

    Only events at sequences already received can have been seen before, so only their ids are
    looked up. An id reused at a new sequence then fails the log's unique key; the caller tries
    again with `every_id`, and the event is judged as seen before (the device is quarantined)."""
    row, epoch = _locked(session, _LOCK_BY_DEVICE, device_id=device_id)
    if row is None:
        raise NotAuthenticated("未登记的工作站")
    if row.status == Status.QUARANTINED:
        raise Quarantined(f"本工作站已被隔离：{row.quarantine_reason}。请联系管理员重新登记")
    return _receive(session, row, epoch, events, at=at, origin=origin, every_id=every_id)


def push_with_token(
    session: Session,
    credentials: Credentials,
    events: Sequence[Event],
    *,
    at: datetime,
    origin: str = NO_ORIGIN,
    every_id: bool = False,
) -> tuple[Workstation, PushOutcome]:
    """push() for the workstation of a device token, checked (enrollment.usable) and its
    contact noted (enrollment.note_contact) in the same transaction: one look at the database
    for the whole request."""
    found, epoch = _locked(session, _LOCK_BY_TOKEN, token_hash=digest(credentials.token))
    row = usable(found)
    offset_ms = clock_offset_ms(credentials.clock, at=at)
    note_contact(row, at=at, app_version=credentials.app_version, offset_ms=offset_ms)
    workstation = to_workstation(row)
    outcome = _receive(session, row, epoch, events, at=at, origin=origin, every_id=every_id)
    return workstation, outcome


def _lock_query(which: ColumnElement[bool]) -> Select[tuple[WorkstationRow, str]]:
    epoch = select(CentralStateRow.epoch).where(CentralStateRow.id == 1).scalar_subquery()
    return select(WorkstationRow, epoch).where(which).with_for_update(of=WorkstationRow)


# Every push runs one of these: built once, so a push pays for neither building nor cache keys.
_LOCK_BY_DEVICE = _lock_query(WorkstationRow.device_id == bindparam("device_id"))
_LOCK_BY_TOKEN = _lock_query(WorkstationRow.token_hash == bindparam("token_hash"))


def _locked(
    session: Session, query: Select[tuple[WorkstationRow, str]], **key: str
) -> tuple[WorkstationRow | None, str]:
    """The workstation's row, locked (two pushes of one device queue up), and the epoch; no
    row when none has that key."""
    found = session.execute(query, key).one_or_none()
    return (None, "") if found is None else (found[0], found[1])


def _receive(
    session: Session,
    row: WorkstationRow,
    epoch: str,
    events: Sequence[Event],
    *,
    at: datetime,
    origin: str,
    every_id: bool,
) -> PushOutcome:
    device_id = row.device_id
    _require_own_and_ordered(events, device_id)
    replayed = events if every_id else [e for e in events if e.sequence <= row.received_through]
    # Nothing is flushed before finish(): the workstation's row (contact, sequence) is written
    # by one UPDATE, not once more by each query that would otherwise flush it first.
    with session.no_autoflush:
        receiver = _Receiver(session, row, at, _Known.load(session, events, replayed))
        for event in events:
            if not receiver.receive(event):
                break
        row.received_through = receiver.received_through
        row.last_contact_at = at
    receiver.finish()
    if receiver.centers and session.get_bind().dialect.name == "postgresql":
        payload = " ".join([origin, *sorted(receiver.centers)])
        session.execute(select(func.pg_notify(NOTIFY_CHANNEL, payload)))
    return PushOutcome(
        results=tuple(receiver.results),
        expected_sequence=row.received_through + 1,
        quarantine_reason=row.quarantine_reason if row.status == Status.QUARANTINED else None,
        centers=frozenset(receiver.centers),
        epoch=epoch,
    )


def _require_own_and_ordered(events: Sequence[Event], device_id: str) -> None:
    if any(e.workstation_id != device_id for e in events):
        raise Forbidden("只能提交本工作站记录的事件")
    sequences = [e.sequence for e in events]
    if any(b <= a for a, b in pairwise(sequences)):
        raise CentralError("事件须按序号从小到大提交，且不能重复")


@dataclass
class _Known:
    """What the store holds about a batch, read in a few queries up front (not one per event)."""

    previous: dict[str, tuple[Event, Received]]  # event id: the stored event and its answer
    cases: dict[str, CaseIndexRow]  # index rows of the cases the batch touches, locked
    new_cases: dict[str, Parties] = field(default_factory=dict)  # accepted in this batch
    begun: dict[str, CaseState] = field(default_factory=dict)  # their state after `accepted`
    visits: set[str] = field(default_factory=set)  # visit stream ids that already exist

    @classmethod
    def load(cls, session: Session, events: Sequence[Event], replayed: Sequence[Event]) -> _Known:
        previous = _answered_before(session, [e.id for e in replayed]) if replayed else {}
        case_numbers = sorted({e.stream_id for e in events if e.stream_type == StreamType.CASE})
        visit_ids = [e.stream_id for e in events if e.stream_type == StreamType.VISIT]
        return cls(
            previous=previous,
            cases=_indexed_cases(session, case_numbers) if case_numbers else {},
            visits=_stored_visits(session, visit_ids) if visit_ids else set(),
        )

    def parties(self, case_number: str) -> Parties | None:
        if case_number in self.new_cases:
            return self.new_cases[case_number]
        row = self.cases.get(case_number)
        return None if row is None else Parties(row.accepting_center, row.processing_center)


def _answered_before(session: Session, ids: list[str]) -> dict[str, tuple[Event, Received]]:
    """The events of the batch the store has seen, with the answer they got: one query finds
    which (usually none); only replays cost the reading of what was stored."""
    known = union_all(
        select(EventRow.id).where(one_of(session, EventRow.id, ids)),
        select(RejectionRow.event_id).where(one_of(session, RejectionRow.event_id, ids)),
    )
    seen = list(set(session.scalars(known)))
    if not seen:
        return {}
    previous: dict[str, tuple[Event, Received]] = {}
    for rejection in session.scalars(
        select(RejectionRow)
        .where(one_of(session, RejectionRow.event_id, seen))
        .order_by(RejectionRow.position.desc())
    ):  # the first rejection of an id is the answer: iterate newest first, keep the last
        earlier = WireEvent.model_validate(rejection.event).to_event()
        answer = Received(earlier.id, earlier.sequence, "rejected", rejection.reason)
        previous[rejection.event_id] = (earlier, answer)
    for row in session.scalars(select(EventRow).where(one_of(session, EventRow.id, seen))):
        stored = stored_event(row)
        previous[row.id] = (stored, Received(stored.id, stored.sequence, "duplicate"))
    return previous


_INDEXED_CASES = {  # every push runs it: built once
    dialect: select(CaseIndexRow).where(cases).order_by(CaseIndexRow.case_number).with_for_update()
    for dialect, cases in one_of_each_dialect(CaseIndexRow.case_number, "cases").items()
}


def _indexed_cases(session: Session, case_numbers: list[str]) -> dict[str, CaseIndexRow]:
    """The index rows of these cases, locked in case-number order (two pushes touching the same
    cases cannot deadlock)."""
    query = _INDEXED_CASES[session.get_bind().dialect.name]
    rows = session.scalars(query, {"cases": case_numbers})
    return {row.case_number: row for row in rows}


def _stored_visits(session: Session, visit_ids: list[str]) -> set[str]:
    query = select(EventRow.stream_id).where(
        EventRow.stream_type == StreamType.VISIT, one_of(session, EventRow.stream_id, visit_ids)
    )
    return set(session.scalars(query))


@dataclass
class _Receiver:
    session: Session
    row: WorkstationRow
    at: datetime
    known: _Known
    # The row's values, read once: an ORM attribute costs ~1 µs to read and more to write, and
    # each event needs several (received_through is written back by _receive).
    author: Author = field(init=False)
    received_through: int = field(init=False)
    results: list[Received] = field(default_factory=list)
    centers: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)  # cases whose index must be rewritten
    stored: list[Event] = field(default_factory=list)  # accepted, inserted together by finish()
    _rows: list[dict[str, object]] = field(default_factory=list)
    _clerk_centers: dict[str, str | None] = field(default_factory=dict)
    _centers: frozenset[str] | None = None

    def __post_init__(self) -> None:
        self.author = Author(self.row.center_code, self.row.site_code, self.row.number)
        self.received_through = self.row.received_through

    def receive(self, event: Event) -> bool:
        """Take one event; False when the rest of the batch must wait (gap, quarantine)."""
        if self._seen_before(event):
            return self.row.status != Status.QUARANTINED
        expected = self.received_through + 1
        if event.sequence < expected:
            self._quarantine(
                event,
                f"序号 {event.sequence} 已收到过另一事件：本工作站可能被复制，或从备份恢复",
            )
            return False
        if event.sequence > expected:
            return False
        reason, parties = self._judge(event)
        if reason is None and parties is not None:
            self._store(event, parties)
        else:
            self._reject(event, reason or "无法判定事件所属案件")
        self.received_through = event.sequence
        return True

    def finish(self) -> None:
        """Write what was taken in one batched INSERT, then rewrite the index of every case it
        touched. Nothing is flushed while events are judged, so the log rows go in together."""
        if self._rows:
            # Core, not ORM, INSERT: the rows are plain values and need no ORM bookkeeping.
            _insert_events(self.session, self._rows)
        self.session.flush()
        _reindex(self.session, self.known, self.touched, self.stored, at=self.at)

    def _seen_before(self, event: Event) -> bool:
        """True when the id is known: a replay is answered as before, other content quarantines."""
        previous = self.known.previous.get(event.id)
        if previous is None:
            return False
        stored, answer = previous
        if stored == event:
            self.results.append(answer)
        else:
            self._quarantine(event, f"事件 {event.id} 已以不同内容提交过：本工作站可能被复制")
        return True

    def _judge(self, event: Event) -> tuple[str | None, Parties | None]:
        """Why the event is refused (None if allowed), and its case's parties."""
        problem = stream_problem(event) or readable_payload(event) or self._clerk_problem(event)
        problem = problem or closed_day_problem(self.session, self.author.center_code, event)
        if problem is not None:
            return problem, None
        if event.stream_type == StreamType.VISIT:
            return self._judge_visit(event)
        if event.kind == EventKind.ACCEPTED:
            return self._judge_accepted(event)
        parties = self.known.parties(event.stream_id)
        if parties is None:
            return f"案件 {event.stream_id} 尚未在中心登记（其受理事件未同步或已被拒绝）", None
        if event.kind == EventKind.COLLECTED and parties.collection_center is None:
            parties = self._with_collection_center(event.stream_id, parties)
        return check_case_event(self.author, event, parties), parties

    def _with_collection_center(self, case_number: str, parties: Parties) -> Parties:
        """The index does not hold where the result is collected: read it from the case's
        stored `accepted` event (one query, only for the rare `collected` event)."""
        row = self.session.scalars(
            select(EventRow).where(
                EventRow.stream_type == StreamType.CASE,
                EventRow.stream_id == case_number,
                EventRow.kind == EventKind.ACCEPTED,
            )
        ).first()
        if row is None:
            return parties
        return parties_of(p.load_payload(p.Accepted, row.payload))

    def _clerk_problem(self, event: Event) -> str | None:
        if event.clerk not in self._clerk_centers:
            self._clerk_centers[event.clerk] = clerk_center(self.session, event.clerk)
        if self._clerk_centers[event.clerk] != self.author.center_code:
            return f"经办人工号 {event.clerk} 不是本中心登记的工作人员"
        return None

    def _is_center(self, code: str) -> bool:
        if self._centers is None:
            self._centers = center_codes(self.session)
        return code in self._centers

    def _judge_visit(self, event: Event) -> tuple[str | None, Parties | None]:
        if event.stream_id in self.known.visits:
            return f"来访记录 {event.stream_id} 已存在", None
        here = self.author.center_code
        return check_visit(self.author, event), Parties(here, here)

    def _judge_accepted(self, event: Event) -> tuple[str | None, Parties | None]:
        data = event.read_payload(p.Accepted)
        reason = check_accepted(self.author, event, data, self._is_center)
        if reason is None and self.known.parties(event.stream_id) is not None:
            reason = f"受理编号 {event.stream_id} 已被使用"
        if reason is None:
            state = fold([event])
            if state.exists:
                self.known.begun[event.stream_id] = state  # the index goes on from here
            else:
                reason = state.problems[0].message
        return reason, parties_of(data)

    def _store(self, event: Event, parties: Parties) -> None:
        self._rows.append(
            row_values(
                event,
                txid=0,  # PostgreSQL: the writing transaction's id, set by the INSERT itself
                received_at=self.at,
                author_center=self.author.center_code,
                parties=parties,
            )
        )
        self.stored.append(event)
        if event.stream_type == StreamType.CASE:
            self.touched.add(event.stream_id)
            if event.kind == EventKind.ACCEPTED:
                self.known.new_cases[event.stream_id] = parties
        else:
            self.known.visits.add(event.stream_id)
        answer = Received(event.id, event.sequence, "accepted")
        self.known.previous[event.id] = (event, Received(event.id, event.sequence, "duplicate"))
        self.centers.update({parties.accepting_center, parties.processing_center})
        self.results.append(answer)

    def _reject(self, event: Event, reason: str) -> None:
        self.session.add(
            RejectionRow(
                event_id=event.id,
                workstation_id=event.workstation_id,
                sequence=event.sequence,
                kind=event.kind,
                stream_id=event.stream_id,
                event=WireEvent.from_event(event).model_dump(mode="json"),
                reason=reason,
                received_at=self.at,
            )
        )
        answer = Received(event.id, event.sequence, "rejected", reason)
        self.known.previous.setdefault(event.id, (event, answer))
        self.results.append(answer)

    def _quarantine(self, event: Event, reason: str) -> None:
        """Stop the device: keep the offending event (for the administrator) and the reason."""
        self._reject(event, reason)
        quarantine(self.row, reason, at=self.at)


def _insert_events(session: Session, rows: list[dict[str, object]]) -> None:
    """The log rows in one go. On PostgreSQL each row carries the id of the transaction writing
    it (pull.py orders the feed by it): a small push lets the INSERT take it itself, a big one
    (sent by COPY, which takes no expressions) asks for it first."""
    if session.get_bind().dialect.name != "postgresql":
        insert_rows(session, EventRow.__table__, rows)
    elif len(rows) >= COPY_FROM_ROWS:
        txid = int(session.scalar(select(CURRENT_TXID)))
        insert_rows(session, EventRow.__table__, [{**row, "txid": txid} for row in rows])
    else:
        values = [{k: v for k, v in row.items() if k != "txid"} for row in rows]
        session.execute(insert(EventRow.__table__).values(txid=CURRENT_TXID), values)


def _reindex(
    session: Session,
    known: _Known,
    touched: set[str],
    stored: list[Event],
    *,
    at: datetime,
) -> None:
    """Rewrite the index row of every touched case from the fold of all its stored events.

    A case new in this batch has all its events in the batch, and its fold goes on from the
    state judging its `accepted` made; the events of cases indexed before are read in one
    query. New rows go in one batched INSERT; changed rows are updated by the flush, which
    batches them too."""
    index = known.cases
    events: dict[str, list[Event]] = {case: [] for case in touched}
    for event in stored:
        if event.stream_id in events:
            events[event.stream_id].append(event)
    earlier = sorted(touched & index.keys())
    if earlier:
        for case in earlier:
            events[case] = []
        query = _CASE_EVENTS[session.get_bind().dialect.name]
        rows = session.scalars(query, {"cases": earlier})
        for row in rows:
            events[row.stream_id].append(stored_event(row))
    new_rows = []
    for case_number in sorted(touched):
        state = _folded(events[case_number], known.begun.get(case_number))
        existing = index.get(case_number)
        if existing is None:
            new_rows.append({"case_number": case_number, **_index_values(state, at)})
        else:
            for name, value in _index_values(state, at).items():
                setattr(existing, name, value)
    insert_rows(session, CaseIndexRow.__table__, new_rows)
    session.flush()


_CASE_EVENTS = {  # the stored events of cases indexed before: built once
    dialect: select(EventRow).where(EventRow.stream_type == StreamType.CASE, cases)
    for dialect, cases in one_of_each_dialect(EventRow.stream_id, "cases").items()
}


def _folded(events: list[Event], begun: CaseState | None) -> CaseState:
    """fold(events), going on from `begun` (the fold of the first of them) when there is one."""
    ordered = sorted(events, key=Event.order_key)
    if begun is None or ordered[0].id != begun.last_event_id:
        return fold(ordered)
    state = begun
    for event in ordered[1:]:
        state = step(state, event)
    return state


def _index_values(state: CaseState, at: datetime) -> dict[str, object]:
    assert state.status is not None and state.accepted_at is not None
    assert state.last_event_hlc is not None
    return {
        "item_code": state.item_code,
        "catalog_revision": state.catalog_revision,
        "mode": str(state.mode),
        "accepting_center": state.accepting_center,
        "accepting_site": state.accepting_site,
        "processing_center": state.processing_center,
        "status": str(state.status),
        "accepted_at": state.accepted_at,
        "due_date": state.due_date,
        "event_count": state.event_count,
        "problem_count": len(state.problems),
        "last_hlc": state.last_event_hlc.to_int(),
        "updated_at": at,
    }
