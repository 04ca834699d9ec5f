"""The audit log: every look at, or change of, a person's data by a clerk (等保 2.0 level 3).

Each entry says when, which clerk on which workstation, what action, about whom (a subject type
and a reference: an applicant's row id, a case number, a visit id, a clerk number, or for a search
the masked number searched for) and with what outcome. Entries are append-only (triggers), kept
at least six months (Network Security Law) and carry synced_at so they can travel to the central
store like events. A full identity number is refused anywhere in an entry: use rules.mask_identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from uuid6 import uuid7

from tongban.models.rules import mask_identity
from tongban.models.store.errors import StoreError
from tongban.models.store.privacy import looks_like_id_number
from tongban.models.store.schema import AuditRow
from tongban.models.store.workstation import this_workstation_row

MAX_DETAIL = 240  # characters of an entry's detail, its channel included


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"  # not allowed (role, lockout)
    FAILED = "failed"  # allowed but did not work (not found, error)


class SubjectType(StrEnum):
    APPLICANT = "applicant"  # subject_ref: the applicants row id
    CASE = "case"  # subject_ref: the case number
    VISIT = "visit"  # subject_ref: the visit id
    CLERK = "clerk"  # subject_ref: the clerk's number (logins, account changes)
    SEARCH = "search"  # subject_ref: what was searched for, masked


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: datetime
    workstation_id: str
    clerk: str
    action: str
    subject_type: SubjectType
    subject_ref: str
    outcome: AuditOutcome
    detail: str


def record_audit(
    session: Session,
    *,
    workstation: str,
    clerk: str,
    action: str,
    subject_type: SubjectType,
    subject_ref: str,
    outcome: AuditOutcome,
    at: datetime,
    detail: str = "",
    channel: str | None = None,
) -> AuditEntry:
    """Append one audit entry in the caller's transaction. `channel`: how the clerk acted (the
    counter's window or the command line); it ends the detail, which is cut to fit before it."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if not action or len(action) > 64 or len(subject_ref) > 64:
        raise StoreError("审计记录的操作或对象为空或过长")
    detail = entry_detail(detail, channel)
    if any(looks_like_id_number(text) for text in (action, subject_ref, detail)):
        raise StoreError("审计记录中不得出现完整证件号码，请使用脱敏号码")
    this_workstation_row(session, workstation)
    row = AuditRow(
        id=str(uuid7()),
        at=at.astimezone(UTC),
        workstation_id=workstation,
        clerk=clerk,
        action=action,
        subject_type=SubjectType(subject_type).value,
        subject_ref=subject_ref,
        outcome=AuditOutcome(outcome).value,
        detail=detail,
        synced_at=None,
    )
    session.add(row)
    session.flush()
    return _to_entry(row)


def entry_detail(detail: str, channel: str | None) -> str:
    """The detail as kept: at most MAX_DETAIL characters, the channel (when given) always last
    and never cut off, however long the rest."""
    if channel is None:
        return detail[:MAX_DETAIL]
    named = f"渠道：{channel}"
    if not detail:
        return named[:MAX_DETAIL]
    return f"{detail[: MAX_DETAIL - len(named) - 1]}；{named}"


def audit_trail(
    session: Session, *, subject_type: SubjectType, subject_ref: str
) -> list[AuditEntry]:
    """Every entry about one subject, oldest first (for a supervisor or a data-subject request)."""
    query = (
        select(AuditRow)
        .where(AuditRow.subject_type == subject_type, AuditRow.subject_ref == subject_ref)
        .order_by(AuditRow.at, AuditRow.id)
    )
    return [_to_entry(row) for row in session.scalars(query)]


def audit_between(session: Session, start: datetime, end: datetime) -> list[AuditEntry]:
    """Entries with start <= at < end, oldest first."""
    query = (
        select(AuditRow)
        .where(AuditRow.at >= start, AuditRow.at < end)
        .order_by(AuditRow.at, AuditRow.id)
    )
    return [_to_entry(row) for row in session.scalars(query)]


def _to_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        workstation_id=row.workstation_id,
        clerk=row.clerk,
        action=row.action,
        subject_type=SubjectType(row.subject_type),
        subject_ref=row.subject_ref,
        outcome=AuditOutcome(row.outcome),
        detail=row.detail,
    )


# --- shipping to the center (desktop/sync/audit.py) ------------------------------------------

# What looks_like_id_number finds, to mask it where it stands.
_ID_RUN = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def unsent_audit(session: Session, *, limit: int = 500) -> list[AuditEntry]:
    """Entries not yet acknowledged by the center, oldest first, masked for travel."""
    query = (
        select(AuditRow)
        .where(AuditRow.synced_at.is_(None))
        .order_by(AuditRow.at, AuditRow.id)
        .limit(limit)
    )
    return [masked_entry(_to_entry(row)) for row in session.scalars(query)]


def unsent_audit_count(session: Session) -> int:
    query = select(func.count()).select_from(AuditRow).where(AuditRow.synced_at.is_(None))
    return int(session.scalar(query) or 0)


def mark_audit_sent(session: Session, entry_ids: Iterable[str], *, at: datetime) -> int:
    """Remember that the center holds these entries (set once; the triggers allow only that)."""
    ids = list(entry_ids)
    if not ids:
        return 0
    statement = (
        update(AuditRow)
        .where(AuditRow.id.in_(ids), AuditRow.synced_at.is_(None))
        .values(synced_at=at.astimezone(UTC))
    )
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def masked_entry(entry: AuditEntry) -> AuditEntry:
    """The entry with anything shaped like a full identity number masked. record_audit refuses
    such text, but an entry written by an older program may hold one: it never leaves as is."""
    return replace(
        entry,
        clerk=_mask_runs(entry.clerk),
        action=_mask_runs(entry.action),
        subject_ref=_mask_runs(entry.subject_ref),
        detail=_mask_runs(entry.detail),
    )


def _mask_runs(text: str) -> str:
    return _ID_RUN.sub(lambda found: mask_identity(found.group(0)), text)
