"""Enrolling a workstation: a one-time code for the administrator, a device token for the machine.

`enroll` (an administrator, `tongban central enroll`) registers a workstation of a center: the
service gives it its device id and its number within the center (part of every case number it
issues, never given twice) and returns a one-time code that expires. At the counter the code is
typed into the workstation, which redeems it (`redeem`, POST /v1/enroll) for a device token.
The service keeps SHA-256 hashes of both, never the code or the token: both are long random
strings, so a fast hash is enough and lets a token be found by its hash.
A workstation that is not redeemed yet can be enrolled again under the same name: a new code
replaces the old one. A quarantined workstation is never released; it is enrolled anew.
An administrator retires a workstation taken out of service (`retire`, `tongban central
retire-workstation`): its token and any unredeemed code are refused from then on, 日结 no longer
waits for it, and its name and number stay taken. Every request also tells the service the
workstation's clock (models/workstation_clock.py); `touch` keeps the offset for the supervisor.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session
from uuid6 import uuid7

from tongban.central.errors import CentralError, Expired, NotAuthenticated, Quarantined
from tongban.central.reference import center_name, site_belongs_to
from tongban.central.schema import WorkstationRow
from tongban.central.sql import one_of_each_dialect
from tongban.models.closures import when
from tongban.models.rules.case_number import MAX_WORKSTATION_NO
from tongban.models.workstation_clock import parse_clock_header

# No 0/O or 1/I: the code is read off a screen or a slip of paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 80 random bits
CODE_GROUP = 4
DEFAULT_CODE_VALIDITY = timedelta(hours=24)
TOKEN_PREFIX = "tbw1_"
MAX_NAME = 50
CONTACT_INTERVAL = timedelta(minutes=1)  # last contact is written at most this often
# A clock offset that moved more than this is written at once, not at the next minute.
CLOCK_CHANGE_MS = 5_000


class Status:
    PENDING = "pending"
    ACTIVE = "active"
    QUARANTINED = "quarantined"
    # Never stored in `status`: retired_at marks it (migration c0007 explains why). A retired
    # workstation is reported with this status whatever it was before.
    RETIRED = "retired"


@dataclass(frozen=True)
class Workstation:
    id: int
    device_id: str
    center_code: str
    site_code: str
    number: int
    name: str
    status: str
    received_through: int
    quarantine_reason: str | None
    last_contact_at: datetime | None
    app_version: str | None
    clock_offset_ms: int | None = None  # its clock minus the service's, last written
    retired_at: datetime | None = None

    @property
    def expected_sequence(self) -> int:
        return self.received_through + 1


@dataclass(frozen=True)
class Enrollment:
    code: str  # shown once, grouped for reading: ABCD-EFGH-JKMN-PQRS
    expires_at: datetime
    workstation: Workstation


@dataclass(frozen=True)
class Redeemed:
    token: str  # shown once: the workstation stores it in its keyring
    center_name: str
    workstation: Workstation


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_code(text: str) -> str:
    return "".join(c for c in text.upper() if c not in " -\t")


def enroll(
    session: Session,
    *,
    center_code: str,
    name: str,
    at: datetime,
    site_code: str | None = None,
    valid_for: timedelta = DEFAULT_CODE_VALIDITY,
) -> Enrollment:
    """Register (or re-issue the code of) a workstation not yet redeemed."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise CentralError(f"工作站名称不能为空，且不超过 {MAX_NAME} 个字")
    site = site_code or center_code
    center_name(session, center_code)  # refuses an unknown center
    if not site_belongs_to(session, site, center_code):
        raise CentralError(f"受理点 {site} 不是中心 {center_code} 或其分中心")
    if valid_for <= timedelta(0):
        raise CentralError("登记码有效期必须大于零")
    row = _by_name(session, center_code, name)
    if row is None:
        row = _new_workstation(session, center_code, site, name, at)
    elif row.status != Status.PENDING or row.retired_at is not None:
        raise CentralError(f"中心 {center_code} 已有名为「{name}」的工作站，请换一个名称")
    elif row.site_code != site:
        raise CentralError(f"工作站「{name}」已登记在受理点 {row.site_code}")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row.enroll_code_hash = digest(code)
    row.enroll_expires_at = at + valid_for
    session.flush()
    return Enrollment(
        code=_grouped(code), expires_at=at + valid_for, workstation=to_workstation(row)
    )


def _by_name(session: Session, center_code: str, name: str) -> WorkstationRow | None:
    query = select(WorkstationRow).where(
        WorkstationRow.center_code == center_code, WorkstationRow.name == name
    )
    return session.scalars(query.with_for_update()).one_or_none()


def _new_workstation(
    session: Session, center_code: str, site: str, name: str, at: datetime
) -> WorkstationRow:
    # Numbers are never reused, even for retired or quarantined machines. Two administrators
    # enrolling at once may pick the same number; the unique constraint refuses the second.
    taken = session.scalar(
        select(func.max(WorkstationRow.number)).where(WorkstationRow.center_code == center_code)
    )
    number = int(taken or 0) + 1
    if number > MAX_WORKSTATION_NO:
        raise CentralError(f"中心 {center_code} 的工作站编号已用完（最多 {MAX_WORKSTATION_NO} 台）")
    row = WorkstationRow(
        device_id=str(uuid7()),
        center_code=center_code,
        site_code=site,
        number=number,
        name=name,
        status=Status.PENDING,
        received_through=0,
        created_at=at,
    )
    session.add(row)
    return row


def _grouped(code: str) -> str:
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def redeem(session: Session, *, code: str, at: datetime, app_version: str | None) -> Redeemed:
    """Exchange a one-time code for the workstation's device token. The code is then spent."""
    query = select(WorkstationRow).where(
        WorkstationRow.enroll_code_hash == digest(normalise_code(code))
    )
    row = session.scalars(query.with_for_update()).one_or_none()
    if row is None or row.status != Status.PENDING or row.retired_at is not None:
        raise NotAuthenticated("登记码无效或已使用")
    if row.enroll_expires_at is None or at >= row.enroll_expires_at:
        raise Expired("登记码已过期，请管理员重新生成")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row.token_hash = digest(token)
    row.enroll_code_hash = None
    row.enroll_expires_at = None
    row.status = Status.ACTIVE
    row.activated_at = at
    row.last_contact_at = at
    row.app_version = app_version
    session.flush()
    return Redeemed(
        token=token,
        center_name=center_name(session, row.center_code),
        workstation=to_workstation(row),
    )


R = TypeVar("R", WorkstationRow, Row[Any])

# Every pull looks tokens up: built once, and read as plain columns (no ORM object to track).
_BY_TOKENS = {
    dialect: select(WorkstationRow.__table__).where(hashes)
    for dialect, hashes in one_of_each_dialect(WorkstationRow.token_hash, "hashes").items()
}


def authenticate(session: Session, token: str) -> Workstation:
    """The workstation a device token belongs to; refused when unknown, retired or quarantined."""
    return to_workstation(usable(rows_by_token(session, [token]).get(digest(token))))


def rows_by_token(session: Session, tokens: Collection[str]) -> dict[str, Row[Any]]:
    """The workstation rows of these device tokens, by token digest, in one query; a token
    that belongs to no workstation is simply not there."""
    query = _BY_TOKENS[session.get_bind().dialect.name]
    hashes = sorted({digest(token) for token in tokens})
    return {row.token_hash: row for row in session.execute(query, {"hashes": hashes})}


def usable(row: R | None) -> R:
    """The row of a token's workstation, once it may sync; refused when unknown, retired or
    quarantined (NotAuthenticated, Quarantined)."""
    if row is None:
        raise NotAuthenticated("工作站令牌无效，请重新登记本工作站")
    if row.retired_at is not None:
        raise NotAuthenticated(
            f"本工作站已于 {when(row.retired_at)} 由管理员停用，不能再同步；"
            "如需继续使用，请联系管理员重新登记"
        )
    if row.status == Status.QUARANTINED:
        raise Quarantined(f"本工作站已被隔离：{row.quarantine_reason}。请联系管理员重新登记")
    return row


@dataclass(frozen=True)
class Credentials:
    """What a request says about its workstation, not yet checked: its device token, and the
    program version and clock (header X-Tongban-Clock, as sent) it reports."""

    token: str = field(repr=False)  # a bearer secret: never in a log or an error's text
    app_version: str | None = None
    clock: str | None = None


def clock_offset_ms(header: str | None, *, at: datetime) -> int | None:
    """The workstation's clock (header X-Tongban-Clock) minus the service's at receipt `at`;
    None when the request carries no readable clock."""
    clock = parse_clock_header(header)
    return None if clock is None else round((clock - at).total_seconds() * 1000)


def touch(
    session: Session,
    workstation_id: int,
    *,
    at: datetime,
    app_version: str | None,
    offset_ms: int | None = None,
) -> None:
    """Note the last contact (at most once a minute), the program version it reported, and its
    clock offset (with the contact, or at once when it moved by more than CLOCK_CHANGE_MS)."""
    row = session.get(WorkstationRow, workstation_id)
    if row is not None and note_contact(row, at=at, app_version=app_version, offset_ms=offset_ms):
        session.flush()


def note_contact(
    row: WorkstationRow, *, at: datetime, app_version: str | None, offset_ms: int | None
) -> bool:
    """touch() on a row in hand; True when it changed anything (the caller flushes)."""
    if not _touch_due(row, at, app_version, offset_ms):
        return False
    row.last_contact_at = at
    row.app_version = app_version or row.app_version
    if offset_ms is not None:
        row.clock_offset_ms = offset_ms
    return True


def needs_touch(
    workstation: Workstation,
    *,
    at: datetime,
    app_version: str | None,
    offset_ms: int | None = None,
) -> bool:
    """Whether `touch` would write: lets a request skip the write transaction most of the time."""
    return _touch_due(workstation, at, app_version, offset_ms)


def _touch_due(
    known: Workstation | WorkstationRow,
    at: datetime,
    app_version: str | None,
    offset_ms: int | None,
) -> bool:
    last, known_offset = known.last_contact_at, known.clock_offset_ms
    stale = last is None or at - last >= CONTACT_INTERVAL
    new_version = bool(app_version and app_version != known.app_version)
    clock_moved = offset_ms is not None and (
        known_offset is None or abs(offset_ms - known_offset) > CLOCK_CHANGE_MS
    )
    return stale or new_version or clock_moved


def quarantine(row: WorkstationRow, reason: str, *, at: datetime) -> None:
    """Stop the workstation for good. Its token hash stays, so its next request is told why."""
    row.status = Status.QUARANTINED
    row.quarantine_reason = reason
    row.quarantined_at = at


def get_workstation(session: Session, workstation_id: int) -> Workstation | None:
    row = session.get(WorkstationRow, workstation_id)
    return None if row is None else to_workstation(row)


def list_workstations(session: Session, center_code: str | None = None) -> list[Workstation]:
    query = select(WorkstationRow).order_by(WorkstationRow.center_code, WorkstationRow.number)
    if center_code is not None:
        query = query.where(WorkstationRow.center_code == center_code)
    return [to_workstation(row) for row in session.scalars(query)]


def to_workstation(row: WorkstationRow | Row[Any]) -> Workstation:
    return Workstation(
        id=row.id,
        device_id=row.device_id,
        center_code=row.center_code,
        site_code=row.site_code,
        number=row.number,
        name=row.name,
        status=Status.RETIRED if row.retired_at is not None else row.status,
        received_through=row.received_through,
        quarantine_reason=row.quarantine_reason,
        last_contact_at=row.last_contact_at,
        app_version=row.app_version,
        clock_offset_ms=row.clock_offset_ms,
        retired_at=row.retired_at,
    )
