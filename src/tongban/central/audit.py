"""The clerks' audit logs of every workstation, kept centrally (table audit_entries).

Each workstation audits every look at a person's data locally (models/store/audit.py) and ships
the entries in its sync round (POST /v1/audit, audit_routes.py), so a center's audit can be
reviewed in one place and survives a lost workstation. The sending workstation and its center
come from the device token: an entry that names another workstation is refused. Storing is
idempotent by (device id, entry id) — INSERT … ON CONFLICT DO NOTHING on both databases, so two
instances receiving the same batch at once store it once too.

Administrators read a center's day with `tongban central audit` (cli.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tongban.central.enrollment import Workstation
from tongban.central.errors import Forbidden
from tongban.central.schema import AuditEntryRow, WorkstationRow
from tongban.models.audit_wire import WireAuditEntry
from tongban.models.clock import SHANGHAI


@dataclass(frozen=True)
class AuditReceipt:
    received: tuple[str, ...]  # every entry id of the batch the center now holds
    stored: int  # how many of them are new


@dataclass(frozen=True)
class CentralAuditEntry:
    at: datetime
    center_code: str
    workstation_number: int
    workstation_name: str
    device_id: str
    entry_id: str
    clerk: str
    action: str
    subject_type: str
    subject_ref: str
    outcome: str
    detail: str


def store_audit_entries(
    session: Session, ws: Workstation, entries: Sequence[WireAuditEntry], *, at: datetime
) -> AuditReceipt:
    """Keep a workstation's entries under its own center; the caller commits."""
    foreign = [e.id for e in entries if e.workstation_id != ws.device_id]
    if foreign:
        raise Forbidden("不能提交其他工作站的审计记录")
    rows = [_values(ws, entry, at) for entry in entries]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(AuditEntryRow)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["device_id", "entry_id"])
        .returning(AuditEntryRow.entry_id)
    )
    stored = list(session.scalars(statement))
    received = tuple(dict.fromkeys(e.id for e in entries))
    return AuditReceipt(received=received, stored=len(stored))


def _values(ws: Workstation, entry: WireAuditEntry, at: datetime) -> dict[str, object]:
    return {
        "device_id": ws.device_id,
        "entry_id": entry.id,
        "center_code": ws.center_code,
        "at": entry.at,
        "clerk": entry.clerk,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_ref": entry.subject_ref,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "received_at": at,
    }


def center_audit(
    session: Session, center_code: str, day: date, *, clerk: str | None = None
) -> list[CentralAuditEntry]:
    """A center's entries of one Shanghai day (by when the clerk acted), oldest first."""
    start = datetime.combine(day, time(), tzinfo=SHANGHAI)
    query = (
        select(AuditEntryRow, WorkstationRow.number, WorkstationRow.name)
        .join(WorkstationRow, WorkstationRow.device_id == AuditEntryRow.device_id)
        .where(
            AuditEntryRow.center_code == center_code,
            AuditEntryRow.at >= start,
            AuditEntryRow.at < start + timedelta(days=1),
        )
        .order_by(AuditEntryRow.at, AuditEntryRow.position)
    )
    if clerk is not None:
        query = query.where(AuditEntryRow.clerk == clerk)
    return [
        CentralAuditEntry(
            at=row.at,
            center_code=row.center_code,
            workstation_number=number,
            workstation_name=name,
            device_id=row.device_id,
            entry_id=row.entry_id,
            clerk=row.clerk,
            action=row.action,
            subject_type=row.subject_type,
            subject_ref=row.subject_ref,
            outcome=row.outcome,
            detail=row.detail,
        )
        for row, number, name in session.execute(query)
    ]
