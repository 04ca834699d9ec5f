"""The workstation's sync bookkeeping: what it knows of the central service, and what went wrong.

One row (sync_state) holds the pull cursor and the epoch it belongs to, the last contact, the
server clock's offset and the quarantine state; the sync engine writes the cursor in the same
transaction as the events it pulled, so a crash never skips or re-counts a page. sync_problems
lists own events the center rejected (同步问题), with the reason it gave. Central clerk accounts
and fetched catalog revisions are written here too, so a clerk of the center can log in offline
at any of its workstations and a new catalog revision is at hand before it takes effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.models.app_versions import AppVersions
from tongban.models.store.clerks import ClerkRole
from tongban.models.store.events import Event
from tongban.models.store.projection import to_event
from tongban.models.store.schema import (
    CatalogRevisionRow,
    ClerkRow,
    EventRow,
    SyncProblemRow,
    SyncStateRow,
)
from tongban.models.store.workstation import workstation_row


@dataclass(frozen=True)
class SyncState:
    epoch: str | None = None
    pull_cursor: str | None = None
    last_contact_at: datetime | None = None
    server_offset_ms: int | None = None  # the server's clock minus ours
    clerks_revision: int | None = None
    quarantined: bool = False
    quarantine_reason: str | None = None
    current_app_version: str | None = None  # as the service last announced them
    minimum_app_version: str | None = None

    def app_versions(self) -> AppVersions:
        return AppVersions(current=self.current_app_version, minimum=self.minimum_app_version)


@dataclass(frozen=True)
class SyncProblem:
    event_id: str
    sequence: int
    kind: str
    stream_id: str
    reason: str  # zh_CN, as the center gave it
    recorded_at: datetime


@dataclass(frozen=True)
class CentralClerk:
    number: str
    name: str
    role: str
    center_code: str
    active: bool
    password_hash: str


_STATE_FIELDS = tuple(f.name for f in fields(SyncState))


def get_sync_state(session: Session) -> SyncState:
    row = session.get(SyncStateRow, 1)
    if row is None:
        return SyncState()
    return SyncState(**{name: getattr(row, name) for name in _STATE_FIELDS})


def update_sync_state(session: Session, **changes: Any) -> SyncState:
    """Change some fields of the sync state (in the caller's transaction)."""
    unknown = set(changes) - set(_STATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown sync state fields: {sorted(unknown)}")
    row = session.get(SyncStateRow, 1)
    if row is None:
        row = SyncStateRow(id=1, quarantined=False)
        session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    return get_sync_state(session)


def pending_count(session: Session) -> int:
    """How many events wait in the outbox (all of them, not one batch)."""
    query = select(func.count()).select_from(EventRow).where(EventRow.synced_at.is_(None))
    return int(session.scalar(query) or 0)


def own_events_since(session: Session, sequence: int, *, limit: int = 500) -> list[Event]:
    """This workstation's events from `sequence` on, synced or not (re-sent after a restore)."""
    device_id = workstation_row(session).device_id  # type: ignore[union-attr]
    query = (
        select(EventRow)
        .where(EventRow.workstation_id == device_id, EventRow.sequence >= sequence)
        .order_by(EventRow.sequence)
        .limit(limit)
    )
    return [to_event(row) for row in session.scalars(query)]


def record_sync_problem(session: Session, event_id: str, reason: str, *, at: datetime) -> bool:
    """Remember that the center rejected an own event; False if it was already recorded."""
    if session.get(SyncProblemRow, event_id) is not None:
        return False
    session.add(SyncProblemRow(event_id=event_id, reason=reason, recorded_at=at))
    session.flush()
    return True


def sync_problems(session: Session) -> list[SyncProblem]:
    query = (
        select(SyncProblemRow, EventRow)
        .join(EventRow, EventRow.id == SyncProblemRow.event_id)
        .order_by(EventRow.sequence)
    )
    return [
        SyncProblem(
            event_id=problem.event_id,
            sequence=event.sequence,
            kind=event.kind,
            stream_id=event.stream_id,
            reason=problem.reason,
            recorded_at=problem.recorded_at,
        )
        for problem, event in session.execute(query)
    ]


def sync_problem_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SyncProblemRow)) or 0)


def replace_central_clerks(session: Session, clerks: Iterable[CentralClerk]) -> int:
    """Write the center's clerk accounts; returns how many. Local lockout counters stay, except
    for an account whose password the administrator replaced: a reset also ends a lockout run
    up against the old password (the clerk was locked out because it was forgotten)."""
    written = 0
    for clerk in clerks:
        row = session.get(ClerkRow, clerk.number)
        if row is None:
            row = ClerkRow(number=clerk.number, failed_attempts=0, locked_until=None)
            session.add(row)
        row.name = clerk.name
        row.role = ClerkRole(clerk.role).value
        row.center_code = clerk.center_code
        row.active = clerk.active
        if row.password_hash != clerk.password_hash:
            row.failed_attempts, row.locked_until = 0, None
        row.password_hash = clerk.password_hash
        written += 1
    session.flush()
    return written


def known_catalog_revisions(session: Session) -> set[str]:
    return set(session.scalars(select(CatalogRevisionRow.revision)))


def store_catalog_revision(
    session: Session,
    *,
    revision: str,
    effective_from: date,
    checksum: str,
    content: str,
    at: datetime,
) -> None:
    """Keep a catalog revision the caller has validated; a revision once stored never changes."""
    if session.get(CatalogRevisionRow, revision) is not None:
        return
    session.add(
        CatalogRevisionRow(
            revision=revision,
            effective_from=effective_from,
            checksum=checksum,
            content=content,
            fetched_at=at,
        )
    )
    session.flush()


def catalog_revision_content(session: Session, revision: str) -> str | None:
    row = session.get(CatalogRevisionRow, revision)
    return None if row is None else row.content
