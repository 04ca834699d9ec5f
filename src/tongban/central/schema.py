"""The central store's tables: typed SQLAlchemy models for PostgreSQL (production) and SQLite.

One schema runs on both: JSON becomes JSONB on PostgreSQL, times are stored as naive UTC (the
workstation store's UTCDateTime adds the zone back), and the event log's position is an
identity column on PostgreSQL and SQLite's rowid. Constraint names follow the workstation
store's naming convention, so Alembic can alter SQLite tables in batch mode later.

Tables
    central_state     one row: the epoch (a new one after a restore from backup) and counters.
    districts, streets, centers, sub_centers
                      Shanghai's geography, loaded from tongban.models at `central init`.
    workstations      enrolled machines: center, site, number, one-time enrollment code hash,
                      device token hash, the highest event sequence received, quarantine,
                      retirement, and the clock offset last measured.
    clerks            accounts for login anywhere in their center (argon2id hashes only).
    catalog_revisions published catalog revisions, immutable, with their checksum.
    events            the append-only log of accepted events; `txid` and `position` order the
                      pull feed (see pull.py), the two center columns say who pulls an event.
    rejections        events refused by the authorisation rules, kept with the reason.
    case_index        one row per case, from its `accepted` event and the fold: who accepted it,
                      who processes it, its status; for authorisation, lookups and reports.
    lookup_audit      every status look-up (lookup.py): which workstation and clerk asked for
                      which case number, when, and whether it was answered. Append-only.
    scan_files, scan_chunks
                      scans of materials by sha256 and their bytes in chunks of at most 1 MB
                      (scans.py): the service keeps no files, so any instance can serve them.
    day_closures      日结: a center's day signed off by a supervisor, with the day's report as it
                      was then (closures.py). Append-only.
    outbox_reports    what each workstation last said of its outbox (closures.py): whether the
                      day's events have all reached the center.
    audit_entries     every workstation's clerk audit log (audit.py), shipped in the sync
                      round; unique by (device, entry id). Append-only.
    signoff_audit     every step of a 日结 password check at the service (signoff_guard.py); also
                      the service's own lockout for that password. Append-only.
Callers never get these rows: the store's functions return dataclasses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tongban.models.store.schema import (
    CASE_NUMBER,
    CASE_STATUSES,
    CLERK_NUMBER,
    CODE,
    JSON_DOCUMENT,
    NAMING_CONVENTION,
    UUID_TEXT,
    UTCDateTime,
)

# The Alembic revision these models correspond to (the head of central/migrations/versions).
# Prefixed "c" so a workstation store's revision can never be mistaken for a central one.
SCHEMA_VERSION = "c0010"

# An identity column on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the rowid, which
# never repeats while the table only grows.
POSITION = BigInteger().with_variant(Integer(), "sqlite")
SHA256_HEX = String(64)
# A center's code is 9 digits; a sub-center's is its center's code and two more (11).
SITE_CODE = String(11)
WORKSTATION_STATUSES = ("pending", "active", "quarantined")
CLERK_ROLES = ("clerk", "supervisor")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON_DOCUMENT,
    }


class CentralStateRow(Base):
    """The store's identity: exactly one row (id = 1)."""

    __tablename__ = "central_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Changes when the store is restored from a backup: cursors of another epoch start over
    # and workstations re-send what the store no longer has.
    epoch: Mapped[str] = mapped_column(UUID_TEXT)
    epoch_started_at: Mapped[datetime]
    clerks_revision: Mapped[int] = mapped_column(BigInteger)  # bumped by every clerk change
    created_at: Mapped[datetime]
    # Announced to every workstation (`tongban central versions`); None until an administrator
    # sets them. A workstation below the minimum warns its clerks (models/app_versions.py).
    current_app_version: Mapped[str | None] = mapped_column(String(32))
    minimum_app_version: Mapped[str | None] = mapped_column(String(32))


class DistrictRow(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class CenterRow(Base):
    __tablename__ = "centers"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(50), default="")


class SubCenterRow(Base):
    __tablename__ = "sub_centers"

    code: Mapped[str] = mapped_column(SITE_CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(50), default="")


class StreetRow(Base):
    __tablename__ = "streets"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"), index=True)


class WorkstationRow(Base):
    """An enrolled workstation. Only hashes of its enrollment code and device token are kept."""

    __tablename__ = "workstations"
    __table_args__ = (
        CheckConstraint(f"status IN {WORKSTATION_STATUSES}", name="status"),
        # A workstation number is part of every case number the machine issues: never reused.
        UniqueConstraint("center_code", "number"),
        UniqueConstraint("center_code", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(UUID_TEXT, unique=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"))
    site_code: Mapped[str] = mapped_column(SITE_CODE)  # the center or one of its sub-centers
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16))
    enroll_code_hash: Mapped[str | None] = mapped_column(SHA256_HEX, unique=True)
    enroll_expires_at: Mapped[datetime | None]
    token_hash: Mapped[str | None] = mapped_column(SHA256_HEX, unique=True)
    # The highest sequence number received from this device (stored or rejected): the next
    # push must continue at received_through + 1.
    received_through: Mapped[int] = mapped_column(Integer, default=0)
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
    quarantined_at: Mapped[datetime | None]
    last_contact_at: Mapped[datetime | None]
    app_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    # Its wall clock minus the service's (header X-Tongban-Clock), for the supervisor's desk.
    clock_offset_ms: Mapped[int | None] = mapped_column(BigInteger)
    # Retired by an administrator: token refused, no longer awaited by 日结 (enrollment.py).
    retired_at: Mapped[datetime | None]


class ClerkRow(Base):
    """A clerk account. Numbers are unique city-wide: an event names its clerk by number alone."""

    __tablename__ = "clerks"
    __table_args__ = (
        CheckConstraint(f"role IN {CLERK_ROLES}", name="role"),
        Index(None, "center_code", "revision"),
    )

    number: Mapped[str] = mapped_column(CLERK_NUMBER, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    revision: Mapped[int] = mapped_column(BigInteger)  # central_state.clerks_revision when changed
    updated_at: Mapped[datetime]
    # Set by an administrator's reset: 日结 checks that failed before it no longer count.
    password_changed_at: Mapped[datetime | None]


class CatalogRevisionRow(Base):
    """A published catalog revision. Immutable: a trigger refuses UPDATE and DELETE."""

    __tablename__ = "catalog_revisions"

    revision: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date)
    checksum: Mapped[str] = mapped_column(SHA256_HEX)  # SHA-256 of the UTF-8 content
    content: Mapped[str] = mapped_column(Text)  # the revision file as published (YAML)
    published_at: Mapped[datetime]


class EventRow(Base):
    """One accepted event. Append-only: a trigger refuses UPDATE and DELETE."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("workstation_id", "sequence"),
        Index(None, "accepting_center", "txid", "position"),
        Index(None, "processing_center", "txid", "position"),
        Index(None, "stream_type", "stream_id"),
        Index(None, "author_center", "created_at"),  # a center's day, for reports
    )

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=True)
    # PostgreSQL: the inserting transaction's id (pg_current_xact_id), which orders the feed
    # below the horizon of finished transactions. SQLite has one writer at a time: always 0.
    txid: Mapped[int] = mapped_column(BigInteger)
    id: Mapped[str] = mapped_column(UUID_TEXT, unique=True)
    workstation_id: Mapped[str] = mapped_column(UUID_TEXT)
    sequence: Mapped[int] = mapped_column(Integer)
    hlc: Mapped[int] = mapped_column(BigInteger)
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    kind: Mapped[str] = mapped_column(String(32))
    stream_type: Mapped[str] = mapped_column(String(8))
    stream_id: Mapped[str] = mapped_column(CASE_NUMBER)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    received_at: Mapped[datetime]
    author_center: Mapped[str] = mapped_column(CODE)
    # Who pulls this event: the case's accepting and processing centers (a visit's center twice).
    accepting_center: Mapped[str] = mapped_column(CODE)
    processing_center: Mapped[str] = mapped_column(CODE)


class RejectionRow(Base):
    """An event the service refused, with the reason; returned again when it is re-sent."""

    __tablename__ = "rejections"
    __table_args__ = (Index(None, "workstation_id", "sequence"), Index(None, "received_at"))

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(UUID_TEXT, index=True)
    workstation_id: Mapped[str] = mapped_column(UUID_TEXT)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    stream_id: Mapped[str] = mapped_column(CASE_NUMBER)
    event: Mapped[dict[str, Any]]  # the event as it was sent (wire form)
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class CaseIndexRow(Base):
    """A case's routing and current status; no personal data (that stays in the events)."""

    __tablename__ = "case_index"
    __table_args__ = (
        CheckConstraint(f"status IN {CASE_STATUSES}", name="status"),
        Index(None, "processing_center", "status"),
        Index(None, "accepting_center", "accepted_at"),
        Index(None, "processing_center", "accepted_at"),  # cases received in, for reports
        Index(None, "accepting_center", "status"),  # open cases, for reports
    )

    case_number: Mapped[str] = mapped_column(CASE_NUMBER, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(8))
    catalog_revision: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    accepting_center: Mapped[str] = mapped_column(CODE)
    accepting_site: Mapped[str] = mapped_column(SITE_CODE)
    processing_center: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(String(24))
    accepted_at: Mapped[datetime]
    due_date: Mapped[date | None] = mapped_column(Date)
    event_count: Mapped[int] = mapped_column(Integer)
    problem_count: Mapped[int] = mapped_column(Integer)
    last_hlc: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class LookupAuditRow(Base):
    """One status look-up by case number and ID suffix. Append-only: a trigger refuses changes."""

    __tablename__ = "lookup_audit"
    __table_args__ = (Index(None, "case_number", "at"),)

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(UUID_TEXT)
    center_code: Mapped[str] = mapped_column(CODE)  # the asking workstation's center
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    case_number: Mapped[str] = mapped_column(CASE_NUMBER)  # as asked (normalised)
    outcome: Mapped[str] = mapped_column(String(16))  # found | not_found | too_many


class ScanFileRow(Base):
    """A scan of a material, named by the SHA-256 of its content (central/scans.py)."""

    __tablename__ = "scan_files"

    sha256: Mapped[str] = mapped_column(SHA256_HEX, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)  # as the case's scan_attached event says
    received: Mapped[int] = mapped_column(BigInteger)  # bytes stored: the next chunk starts here
    complete: Mapped[bool] = mapped_column(Boolean)  # all there, the whole file's SHA-256 checked
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class ScanChunkRow(Base):
    """A piece of a scan: its bytes from `start` on (bytea on PostgreSQL)."""

    __tablename__ = "scan_chunks"

    sha256: Mapped[str] = mapped_column(ForeignKey("scan_files.sha256"), primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DayClosureRow(Base):
    """日结: a center's Shanghai day signed off. Append-only: a trigger refuses changes."""

    __tablename__ = "day_closures"

    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    signed_by: Mapped[str] = mapped_column(CLERK_NUMBER)  # a supervisor of the center
    signed_by_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(UUID_TEXT)  # the workstation it was signed at
    report: Mapped[dict[str, Any]]  # IntakeReport.to_json_dict() at the sign-off


class OutboxReportRow(Base):
    """A workstation's outbox as it last reported it (header X-Tongban-Outbox)."""

    __tablename__ = "outbox_reports"

    device_id: Mapped[str] = mapped_column(ForeignKey("workstations.device_id"), primary_key=True)
    pending: Mapped[int] = mapped_column(Integer)
    oldest_pending_at: Mapped[datetime | None]  # when the oldest waiting event was recorded
    reported_at: Mapped[datetime]  # the service's clock when it heard this


class SignOffAuditRow(Base):
    """One step of a 日结 password check at the service. Append-only: a trigger refuses changes."""

    __tablename__ = "signoff_audit"
    __table_args__ = (Index(None, "clerk", "at"),)

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(UUID_TEXT)  # the asking workstation
    center_code: Mapped[str] = mapped_column(CODE)  # the asking workstation's center
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)  # the number given as signer
    # checking | accepted | wrong_password | locked | not_signer
    outcome: Mapped[str] = mapped_column(String(16))


class AuditEntryRow(Base):
    """A clerk's look at a person's data at a workstation (central/audit.py). Append-only."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # A batch sent again after a lost answer is stored once.
        UniqueConstraint("device_id", "entry_id"),
        Index(None, "center_code", "at"),
    )

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("workstations.device_id"))
    entry_id: Mapped[str] = mapped_column(UUID_TEXT)  # the workstation's audit_log id
    center_code: Mapped[str] = mapped_column(CODE)  # the sending workstation's center
    at: Mapped[datetime]
    clerk: Mapped[str] = mapped_column(CLERK_NUMBER)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_ref: Mapped[str] = mapped_column(String(64))  # never a full identity number
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
