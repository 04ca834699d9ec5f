"""Read-only look-ups over the store's case cache that the store does not offer yet.

The store's functions answer by key (one applicant, one case, the outbox); the counter also needs
lists: cases by applicant number or name, newest first, and how much is not yet synced. These
queries read the cache tables (cases, applicants, events) and return plain values, never rows.
They belong in tongban.models.store once another caller needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tongban.models.store.schema import ApplicantRow, CaseRow, EventRow, SyncProblemRow

MAX_ROWS = 200


@dataclass(frozen=True)
class OutboxEntry:
    """An event as the sync view lists it: what, for which case or visit, by whom, when."""

    created_at: datetime
    kind: str  # an EventKind value (or one a newer version wrote)
    stream_id: str  # a case number or a visit id
    clerk: str  # 工号


@dataclass(frozen=True)
class ProblemEntry:
    entry: OutboxEntry
    reason: str  # zh_CN, as the center gave it


@dataclass(frozen=True)
class CaseListing:
    case_number: str
    item_code: str
    status: str  # a CaseStatus value
    accepting_center: str
    accepting_site: str
    processing_center: str
    accepted_at: datetime
    due_date: date | None
    applicant_name: str
    applicant_document_type: str
    applicant_id_number: str = field(repr=False)


def _listing() -> Select[tuple[CaseRow, ApplicantRow]]:
    return (
        select(CaseRow, ApplicantRow)
        .join(ApplicantRow, CaseRow.applicant_id == ApplicantRow.id)
        .order_by(CaseRow.accepted_at.desc(), CaseRow.case_number.desc())
    )


def _to_listing(case: CaseRow, applicant: ApplicantRow) -> CaseListing:
    return CaseListing(
        case_number=case.case_number,
        item_code=case.item_code,
        status=case.status,
        accepting_center=case.accepting_center,
        accepting_site=case.accepting_site,
        processing_center=case.processing_center,
        accepted_at=case.accepted_at,
        due_date=case.due_date,
        applicant_name=applicant.name,
        applicant_document_type=applicant.document_type,
        applicant_id_number=applicant.id_number,
    )


def recent_cases(session: Session, *, limit: int = MAX_ROWS) -> list[CaseListing]:
    rows = session.execute(_listing().limit(limit))
    return [_to_listing(case, applicant) for case, applicant in rows]


def cases_by_number(session: Session, case_number: str) -> list[CaseListing]:
    rows = session.execute(_listing().where(CaseRow.case_number == case_number))
    return [_to_listing(case, applicant) for case, applicant in rows]


def cases_by_id_number(
    session: Session, id_number: str, *, limit: int = MAX_ROWS
) -> list[CaseListing]:
    """Cases of every applicant with this document number, whatever the document type."""
    query = _listing().where(ApplicantRow.id_number == id_number).limit(limit)
    return [_to_listing(case, applicant) for case, applicant in session.execute(query)]


def cases_by_name(session: Session, name: str, *, limit: int = MAX_ROWS) -> list[CaseListing]:
    """Cases of applicants with exactly this name (a partial name would show strangers' cases)."""
    query = _listing().where(ApplicantRow.name == name).limit(limit)
    return [_to_listing(case, applicant) for case, applicant in session.execute(query)]


def unsynced_event_count(session: Session) -> int:
    query = select(func.count()).select_from(EventRow).where(EventRow.synced_at.is_(None))
    return int(session.scalar(query) or 0)


def unsynced_event_ids(session: Session, stream_id: str) -> set[str]:
    query = select(EventRow.id).where(EventRow.stream_id == stream_id, EventRow.synced_at.is_(None))
    return set(session.scalars(query))


def _entry(row: EventRow) -> OutboxEntry:
    return OutboxEntry(row.created_at, row.kind, row.stream_id, row.clerk)


def unsynced_events(session: Session) -> list[OutboxEntry]:
    """Every event not yet in the central store, oldest first (no limit: the sync view shows
    them all, and the outbox of one workstation stays small enough to read at once)."""
    query = (
        select(EventRow)
        .where(EventRow.synced_at.is_(None))
        .order_by(EventRow.created_at, EventRow.workstation_id, EventRow.sequence)
    )
    return [_entry(row) for row in session.scalars(query)]


def sync_problem_entries(session: Session) -> list[ProblemEntry]:
    """Every event the center refused, with its reason, oldest event first."""
    query = (
        select(EventRow, SyncProblemRow.reason)
        .join(SyncProblemRow, SyncProblemRow.event_id == EventRow.id)
        .order_by(EventRow.created_at, EventRow.workstation_id, EventRow.sequence)
    )
    return [ProblemEntry(_entry(row), reason) for row, reason in session.execute(query)]
