"""Pulled events this store refused or could not apply (同步问题, local migration 0006).

`apply_remote_events` never stops at a bad event: it stores what it can, re-folds the cases
touched and moves on, so one event cannot hold the feed up. What it could not use is kept here
for the sync view and `tongban sync problems`:

- an event refused at admission (an id already held with other content, a cloned
  workstation's sequence, a payload that is not an object): not stored at all;
- a visit whose payload cannot be read: stored, not shown as a visit;
- a case event the fold does not take (the case is unknown here, the event does not fit the
  case's state, its kind or payload is unknown to this version): stored, changes nothing.

A fold problem can go away: the case's accepted event may come in a later page. Each pull
looks again at the cases it touched and marks such a problem resolved. Only events of other
workstations are kept; this store refuses its own before writing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.models.store.events import Event, StreamType, fold
from tongban.models.store.log import ApplyResult, case_events
from tongban.models.store.projection import to_event
from tongban.models.store.schema import CaseRow, EventRow, RemoteProblemRow
from tongban.models.store.workstation import workstation_row

UNREADABLE_VISIT = "来访记录的内容无法识别（可能来自更新版本的程序），未采用"


@dataclass(frozen=True)
class RemoteProblem:
    event_id: str
    workstation_id: str  # the workstation that wrote the event
    kind: str
    stream_type: str
    stream_id: str  # the case number or the visit id
    created_at: datetime  # when it was recorded at its workstation
    reason: str  # zh_CN
    recorded_at: datetime  # when this store refused it


def record_remote_problems(
    session: Session, events: Sequence[Event], result: ApplyResult, *, at: datetime
) -> int:
    """Keep what `apply_remote_events` could not use from `events`, in the caller's
    transaction; returns how many problems are new. Idempotent: a page applied again
    changes nothing."""
    by_id = {event.id: event for event in events}
    reasons = {c.event_id: c.reason for c in result.conflicts}
    reasons.update(dict.fromkeys(result.unreadable_visits, UNREADABLE_VISIT))
    applied = [by_id[i] for i in result.applied if i in by_id]
    cases = sorted({e.stream_id for e in applied if e.stream_type == StreamType.CASE})
    fits: set[str] = set()
    for case_number in cases:
        problems, fitting = _case_problems(session, case_number)
        reasons.update(problems)
        fits.update(fitting)
    new = sum(_keep(session, by_id.get(i), i, reason, at) for i, reason in reasons.items())
    _resolve(session, cases, fits, at)
    session.flush()
    return new


def _case_problems(session: Session, case_number: str) -> tuple[dict[str, str], set[str]]:
    """The case's events from other workstations that the fold refused (id → reason), and
    those it took."""
    own = workstation_row(session).device_id  # type: ignore[union-attr]
    events = case_events(session, case_number)
    remote = {e.id for e in events if e.workstation_id != own}
    row = session.get(CaseRow, case_number)
    if row is not None:  # the cached fold, just rewritten by apply_remote_events
        refused = {p["event_id"]: p["message"] for p in row.problems}
    else:
        refused = {p.event_id: p.message for p in fold(events).problems}
    problems = {i: reason for i, reason in refused.items() if i in remote}
    return problems, remote - set(refused)


def _keep(session: Session, event: Event | None, event_id: str, reason: str, at: datetime) -> bool:
    row = session.get(RemoteProblemRow, event_id)
    if row is not None:
        if row.reason != reason or row.resolved_at is not None:
            row.reason, row.resolved_at = reason, None
        return False
    if event is None:
        event = _stored(session, event_id)
        if event is None:
            return False
    session.add(
        RemoteProblemRow(
            event_id=event.id,
            workstation_id=event.workstation_id,
            kind=event.kind,
            stream_type=event.stream_type,
            stream_id=event.stream_id,
            created_at=event.created_at,
            reason=reason,
            recorded_at=at,
            resolved_at=None,
        )
    )
    return True


def _stored(session: Session, event_id: str) -> Event | None:
    # A fold problem of an event pulled in an earlier page: it is in the log.
    row = session.get(EventRow, event_id)
    return None if row is None else to_event(row)


def _resolve(session: Session, cases: Sequence[str], fits: set[str], at: datetime) -> None:
    if not cases or not fits:
        return
    query = select(RemoteProblemRow).where(
        RemoteProblemRow.stream_id.in_(cases),
        RemoteProblemRow.event_id.in_(fits),
        RemoteProblemRow.resolved_at.is_(None),
    )
    for row in session.scalars(query):
        row.resolved_at = at


def remote_problems(session: Session) -> list[RemoteProblem]:
    """The unresolved problems, oldest event first."""
    query = (
        select(RemoteProblemRow)
        .where(RemoteProblemRow.resolved_at.is_(None))
        .order_by(RemoteProblemRow.created_at, RemoteProblemRow.event_id)
    )
    return [
        RemoteProblem(
            event_id=row.event_id,
            workstation_id=row.workstation_id,
            kind=row.kind,
            stream_type=row.stream_type,
            stream_id=row.stream_id,
            created_at=row.created_at,
            reason=row.reason,
            recorded_at=row.recorded_at,
        )
        for row in session.scalars(query)
    ]


def remote_problem_count(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(RemoteProblemRow)
        .where(RemoteProblemRow.resolved_at.is_(None))
    )
    return int(session.scalar(query) or 0)
