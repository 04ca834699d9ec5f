"""The workstation's local store: typed SQLAlchemy models, one Base, one schema version.

The same models must run on SQLite (the workstation) and PostgreSQL (the central store, later):
portable types only, JSON becoming JSONB on PostgreSQL, times stored as UTC. Constraint names
follow one naming convention so Alembic's batch mode can alter SQLite tables later.

Tables: workstation (this store's identity, one row), clerks, applicants, cases and
case_materials (the current state, a cache of the fold of each case's events), events (the
append-only log and the outbox), visits (visits that ended without a case) and audit_log (every
look at a person's data), and the sync bookkeeping: sync_state (cursor, epoch, contact; one row),
sync_problems (own events the center rejected) and catalog_revisions (fetched from the center);
scan_uploads (scans attached here: how far each upload to the center got, migration 0004).
day_closures: the center's days a supervisor signed off (日结, migration 0005).
remote_problems: pulled events this store could not take or apply (migration 0006).
Callers never get these rows: the store's functions return dataclasses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# The Alembic revision this code's models correspond to (the head of migrations/versions).
SCHEMA_VERSION = "0006"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Codes are 9-digit division codes; clerk numbers and case numbers are short text.
CODE = String(9)
# A site: a center (9 digits) or a sub-center (its center's code + a 2-digit ordinal).
SITE_CODE = String(11)
UUID_TEXT = String(36)
CLERK_NUMBER = String(20)
CASE_NUMBER = String(64)
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("时间必须带时区")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON_DOCUMENT,
    }


class WorkstationRow(Base):
    """This store's identity: exactly one row (id = 1)."""

    __tablename__ = "workstation"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(UUID_TEXT, unique=True)
    center_code: Mapped[str] = mapped_column(CODE)
    site_code: Mapped[str] = mapped_column(SITE_CODE)  # the center or sub-center where it stands
    # 1–999, unique within the center and its sub-centers; part of the case numbers it issues.
    number: Mapped[int] = mapped_column(Integer)
    next_sequence: Mapped[int] = mapped_column(Integer)
    last_hlc: Mapped[int] = mapped_column(BigInteger)
    catalog_revision: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class ClerkRow(Base):
    __tablename__ = "clerks"
    __table_args__ = (CheckConstraint("role IN ('clerk', 'supervisor')", name="role"),)

    number: Mapped[str] = mapped_column(CLERK_NUMBER, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    center_code: Mapped[str] = mapped_column(CODE)
    password_hash: Mapped[str | None] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApplicantRow(Base):
    """A person who applied; the full number is kept to recognise a returning applicant."""

    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("document_type", "id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_type: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    household_street: Mapped[str | None] = mapped_column(CODE)
    residence_street: Mapped[str | None] = mapped_column(CODE)
    # The HLC of the event these details came from: the newest event's details win everywhere.
    updated_hlc: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


CASE_STATUSES = (
    "accepted",
    "forwarded",
    "supplement_requested",
    "approved",
    "rejected",
    "ready",
    "collected",
    "cancelled",
)


class CaseRow(Base):
    """A case's current state: always equal to the fold of its events (see verify_case)."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"status IN {CASE_STATUSES}", name="status"),
        Index(None, "applicant_id"),
        Index(None, "processing_center", "status"),
        Index(None, "accepting_site", "accepted_at"),
    )

    case_number: Mapped[str] = mapped_column(CASE_NUMBER, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(8))
    catalog_revision: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    agent_name: Mapped[str | None] = mapped_column(String(100))
    agent_document_type: Mapped[str | None] = mapped_column(String(32))
    agent_id_number: Mapped[str | None] = mapped_column(String(64))
    agent_relationship: Mapped[str | None] = mapped_column(String(50))
    accepting_center: Mapped[str] = mapped_column(CODE)
    accepting_site: Mapped[str] = mapped_column(SITE_CODE)
    processing_center: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(String(24))
    accepted_at: Mapped[datetime]
    due_date: Mapped[date | None] = mapped_column(Date)
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    receipt_prints: Mapped[int] = mapped_column(Integer)
    signed_documents: Mapped[list[str]] = mapped_column(JSON_DOCUMENT)
    forwarded_at: Mapped[datetime | None]
    supplement_due: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closing_reason: Mapped[str] = mapped_column(Text)
    last_event_id: Mapped[str] = mapped_column(UUID_TEXT)
    last_event_hlc: Mapped[int] = mapped_column(BigInteger)
    event_count: Mapped[int] = mapped_column(Integer)
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON_DOCUMENT)


class CaseMaterialRow(Base):
    __tablename__ = "case_materials"
    __table_args__ = (UniqueConstraint("case_number", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the order the materials were listed in
    name: Mapped[str] = mapped_column(String(200))
    original_seen: Mapped[bool] = mapped_column(Boolean)
    copies_received: Mapped[int] = mapped_column(Integer)
    deferred: Mapped[bool] = mapped_column(Boolean)
    deferred_due: Mapped[date | None] = mapped_column(Date)
    supplied_at: Mapped[datetime | None]


class EventRow(Base):
    """One event. Append-only: triggers refuse UPDATE and DELETE, except setting synced_at once."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("workstation_id", "sequence"),
        Index(None, "stream_type", "stream_id", "hlc"),
        Index(None, "synced_at"),
    )

    id: Mapped[str] = mapped_column(UUID_TEXT, primary_key=True)
    workstation_id: Mapped[str] = mapped_column(UUID_TEXT)
    sequence: Mapped[int] = mapped_column(Integer)
    hlc: Mapped[int] = mapped_column(BigInteger)
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    kind: Mapped[str] = mapped_column(String(32))
    stream_type: Mapped[str] = mapped_column(String(8))
    stream_id: Mapped[str] = mapped_column(CASE_NUMBER)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    synced_at: Mapped[datetime | None]  # NULL: in the outbox, not yet acknowledged centrally


class VisitRow(Base):
    """A visit that ended without a case; projected from its single event."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("outcome IN ('notified', 'refused', 'guided')", name="outcome"),
        Index(None, "site_code", "visited_at"),
    )

    id: Mapped[str] = mapped_column(UUID_TEXT, primary_key=True)  # the visit's stream id
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    center_code: Mapped[str] = mapped_column(CODE)
    site_code: Mapped[str] = mapped_column(SITE_CODE)
    item_code: Mapped[str | None] = mapped_column(String(8))
    catalog_revision: Mapped[str | None] = mapped_column(String(64))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"))
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    visited_at: Mapped[datetime]
    details: Mapped[dict[str, Any]]  # missing materials, reason or guidance, as told


class AuditRow(Base):
    """Who looked at or changed whose data, when, and with what outcome. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("outcome IN ('success', 'denied', 'failed')", name="outcome"),
        Index(None, "at"),
        Index(None, "subject_type", "subject_ref"),
        Index(None, "synced_at"),  # the sync round ships the entries not yet sent (0006)
    )

    id: Mapped[str] = mapped_column(UUID_TEXT, primary_key=True)
    at: Mapped[datetime]
    workstation_id: Mapped[str] = mapped_column(UUID_TEXT)
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_ref: Mapped[str] = mapped_column(String(64))  # never a full identity number
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)
    synced_at: Mapped[datetime | None]


class SyncStateRow(Base):
    """What this workstation knows of the central service: exactly one row (id = 1)."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[str | None] = mapped_column(String(64))  # the central database's epoch
    pull_cursor: Mapped[str | None] = mapped_column(String(128))  # opaque, from the service
    last_contact_at: Mapped[datetime | None]
    # The server's clock minus ours, in milliseconds, at the last status answer.
    server_offset_ms: Mapped[int | None] = mapped_column(BigInteger)
    clerks_revision: Mapped[int | None] = mapped_column(Integer)
    quarantined: Mapped[bool] = mapped_column(Boolean, default=False)
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
    # The program versions the service last announced (models/app_versions.py), kept so that an
    # outdated workstation starting offline still warns its clerks.
    current_app_version: Mapped[str | None] = mapped_column(String(32))
    minimum_app_version: Mapped[str | None] = mapped_column(String(32))


class SyncProblemRow(Base):
    """An own event the central service rejected (同步问题): kept for the supervisor."""

    __tablename__ = "sync_problems"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class CatalogRevisionRow(Base):
    """A catalog revision fetched from the central service (the YAML file as published)."""

    __tablename__ = "catalog_revisions"

    revision: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date)
    checksum: Mapped[str] = mapped_column(String(128))
    content: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]


class ScanUploadRow(Base):
    """A scan attached on this workstation and its upload to the center (desktop/sync/scans.py).

    The file itself is in the data directory's scan folder, named by its sha256; the center's
    answer, not `uploaded_bytes`, says where an interrupted upload resumes.
    """

    __tablename__ = "scan_uploads"
    __table_args__ = (Index(None, "done"),)

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_number: Mapped[str] = mapped_column(CASE_NUMBER)
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    problem: Mapped[str | None] = mapped_column(Text)  # why the center would not take it
    updated_at: Mapped[datetime]


class DayClosureRow(Base):
    """A day of this workstation's center signed off (日结): its intake may not change."""

    __tablename__ = "day_closures"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # a Shanghai calendar day
    signed_by: Mapped[str] = mapped_column(CLERK_NUMBER)
    signed_at: Mapped[datetime]
    learned_at: Mapped[datetime]  # when this workstation heard of it


class RemoteProblemRow(Base):
    """A pulled event this store refused or could not apply (同步问题, desktop/sync/engine.py).

    Not a foreign key to events: an event refused at admission is not stored at all.
    `resolved_at` is set when a later pull makes the event fit (its case's accepted event came).
    """

    __tablename__ = "remote_problems"
    __table_args__ = (Index(None, "stream_id"),)

    event_id: Mapped[str] = mapped_column(UUID_TEXT, primary_key=True)
    workstation_id: Mapped[str] = mapped_column(UUID_TEXT)  # the workstation that wrote it
    kind: Mapped[str] = mapped_column(String(32))
    stream_type: Mapped[str] = mapped_column(String(8))
    stream_id: Mapped[str] = mapped_column(CASE_NUMBER)
    created_at: Mapped[datetime]  # when it was recorded at its workstation
    reason: Mapped[str] = mapped_column(Text)  # zh_CN
    recorded_at: Mapped[datetime]  # when this store refused it
    resolved_at: Mapped[datetime | None]
