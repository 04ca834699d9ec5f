"""The workstation's bookkeeping of scans on their way to the center (table scan_uploads).

`note_upload` is written in the same transaction as the scan_attached event, so an attached scan
is never forgotten. A scan is ready to go once its event is synced (the center checks that a
case it may see holds the scan before it takes a byte) and the center did not reject the event.
`uploaded_bytes` is progress for people; where an interrupted upload resumes is what the center
says it holds. A refusal is kept in `problem` and the scan is not offered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.models.store.schema import EventRow, ScanUploadRow, SyncProblemRow


@dataclass(frozen=True)
class ScanUpload:
    event_id: str
    sha256: str
    case_number: str
    size: int
    uploaded_bytes: int
    done: bool
    problem: str | None


def note_upload(
    session: Session, *, event_id: str, sha256: str, case_number: str, size: int, at: datetime
) -> None:
    """A scan attached here by event `event_id`, to be uploaded once the event is synced."""
    session.add(
        ScanUploadRow(
            event_id=event_id,
            sha256=sha256,
            case_number=case_number,
            size=size,
            uploaded_bytes=0,
            done=False,
            problem=None,
            updated_at=at,
        )
    )
    session.flush()


def uploads_ready(session: Session) -> list[ScanUpload]:
    """Scans whose event the center has taken and whose file it does not hold yet, oldest first."""
    rejected = select(SyncProblemRow.event_id)
    query = (
        select(ScanUploadRow)
        .join(EventRow, EventRow.id == ScanUploadRow.event_id)
        .where(
            ScanUploadRow.done.is_(False),
            ScanUploadRow.problem.is_(None),
            EventRow.synced_at.is_not(None),
            ScanUploadRow.event_id.not_in(rejected),
        )
        .order_by(EventRow.sequence)
    )
    return [_upload(row) for row in session.scalars(query)]


def scan_uploads(session: Session, case_number: str | None = None) -> list[ScanUpload]:
    """Every scan attached here (of one case), whatever its state."""
    query = select(ScanUploadRow).order_by(ScanUploadRow.updated_at, ScanUploadRow.event_id)
    if case_number is not None:
        query = query.where(ScanUploadRow.case_number == case_number)
    return [_upload(row) for row in session.scalars(query)]


def record_progress(
    session: Session, event_id: str, *, uploaded_bytes: int, done: bool, at: datetime
) -> None:
    row = session.get(ScanUploadRow, event_id)
    if row is None:
        raise KeyError(event_id)
    row.uploaded_bytes = uploaded_bytes
    row.done = done
    row.updated_at = at


def record_upload_problem(session: Session, event_id: str, problem: str, *, at: datetime) -> None:
    row = session.get(ScanUploadRow, event_id)
    if row is None:
        raise KeyError(event_id)
    row.problem = problem
    row.updated_at = at


def _upload(row: ScanUploadRow) -> ScanUpload:
    return ScanUpload(
        event_id=row.event_id,
        sha256=row.sha256,
        case_number=row.case_number,
        size=row.size,
        uploaded_bytes=row.uploaded_bytes,
        done=row.done,
        problem=row.problem,
    )
