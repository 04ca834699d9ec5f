"""Clerk accounts kept centrally, so a clerk can log in at any workstation of their center.

The service stores an argon2id hash, never a password; workstations pull their center's
accounts (with the hashes) so a clerk can log in while the network is down. Clerk numbers are
unique city-wide, because an event names its clerk by number alone. Lockout after failed logins
is each workstation's own state and is not kept here.
Every change takes the next clerk revision (central_state), so a workstation learns from a pull
whether its copy of the accounts is out of date. What makes a clerk number, a name and a role is
defined once, in tongban.models.store.clerks, for this store and the workstation's copy alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tongban.central.errors import CentralError
from tongban.central.reference import is_center
from tongban.central.schema import ClerkRow
from tongban.central.state import next_clerks_revision
from tongban.models.store.clerks import MAX_NAME, ClerkRole, is_clerk_number


@dataclass(frozen=True)
class ClerkAccount:
    number: str
    name: str
    role: ClerkRole
    center_code: str
    active: bool
    revision: int
    password_hash: str = field(repr=False)


def add_clerk(
    session: Session,
    *,
    number: str,
    name: str,
    role: ClerkRole,
    center_code: str,
    password_hash: str,
    at: datetime,
) -> ClerkAccount:
    """A new, active account. Refused when the number is taken anywhere or a field is wrong."""
    if not is_clerk_number(number):
        raise CentralError(f"工号应为 1 至 20 位字母或数字：{number}")
    _require_name(name)
    if not is_center(session, center_code):
        raise CentralError(f"未知的中心代码：{center_code}")
    _require_argon2(password_hash)
    if session.get(ClerkRow, number) is not None:
        raise CentralError(f"工号 {number} 已存在")
    row = ClerkRow(
        number=number,
        name=name.strip(),
        role=ClerkRole(role).value,
        center_code=center_code,
        password_hash=password_hash,
        active=True,
        revision=next_clerks_revision(session),
        updated_at=at,
    )
    session.add(row)
    session.flush()
    return _to_account(row)


def set_clerk_active(session: Session, number: str, *, active: bool, at: datetime) -> ClerkAccount:
    """Deactivate (or reactivate) an account. The row stays: events name their clerk for ever.
    A new revision makes every workstation of the center learn of it at its next clerk refresh."""
    row = _existing(session, number)
    if row.active != active:
        row.active = active
        _changed(session, row, at)
    return _to_account(row)


def rename_clerk(session: Session, number: str, *, name: str, at: datetime) -> ClerkAccount:
    """Give an account a new name (a marriage, a typo). Events keep the number, so the cases a
    clerk handled stay theirs; workstations show the new name after their next clerk refresh."""
    _require_name(name)
    row = _existing(session, number)
    if row.name != name.strip():
        row.name = name.strip()
        _changed(session, row, at)
    return _to_account(row)


def set_clerk_password(
    session: Session, number: str, *, password_hash: str, at: datetime
) -> ClerkAccount:
    """A new password set by an administrator (forgotten, or known to someone else). Always a
    new revision: the workstations replace their copy of the hash at their next clerk refresh,
    and from then on only the new password opens the account there, offline too. Failed 日结
    checks made before the reset no longer count towards a lockout."""
    _require_argon2(password_hash)
    row = _existing(session, number)
    row.password_hash = password_hash
    row.password_changed_at = at  # lifts the service's 日结 lockout (signoff_guard.py)
    _changed(session, row, at)
    return _to_account(row)


def set_clerk_role(session: Session, number: str, *, role: ClerkRole, at: datetime) -> ClerkAccount:
    """Make a clerk a supervisor of their center, or a supervisor a clerk again."""
    row = _existing(session, number)
    if row.role != ClerkRole(role).value:
        row.role = ClerkRole(role).value
        _changed(session, row, at)
    return _to_account(row)


_CLERK_CENTERS = "tongban.clerk_centers"
_CENTER_OF = select(ClerkRow.center_code).where(ClerkRow.number == bindparam("number"))


def clerk_center(session: Session, number: str) -> str | None:
    """The center a clerk number belongs to, or None when no such clerk exists.

    A clerk's center is set when the account is made and never changes, and accounts are never
    deleted, so what was found is kept with the database connection (the pool keeps
    connections) and a push need not ask again; a number not found is asked again each time."""
    known: dict[str, str] = session.connection().info.setdefault(_CLERK_CENTERS, {})
    center = known.get(number)
    if center is None:
        center = session.scalar(_CENTER_OF, {"number": number})
        if center is not None:
            known[number] = center
    return center


def clerks_of(session: Session, center_code: str) -> list[ClerkAccount]:
    """All accounts of a center, active or not (a workstation must learn of a deactivation)."""
    query = select(ClerkRow).where(ClerkRow.center_code == center_code).order_by(ClerkRow.number)
    return [_to_account(row) for row in session.scalars(query)]


def clerks_revision_of(session: Session, center_code: str) -> int:
    """The newest revision among a center's accounts (0 when it has none)."""
    query = select(func.max(ClerkRow.revision)).where(ClerkRow.center_code == center_code)
    return int(session.scalar(query) or 0)


def _existing(session: Session, number: str) -> ClerkRow:
    row = session.get(ClerkRow, number)
    if row is None:
        raise CentralError(f"没有工号为 {number} 的工作人员")
    return row


def _changed(session: Session, row: ClerkRow, at: datetime) -> None:
    """Every change takes the next clerk revision: that is how workstations hear of it."""
    row.revision = next_clerks_revision(session)
    row.updated_at = at
    session.flush()


def _require_name(name: str) -> None:
    if not name.strip() or len(name.strip()) > MAX_NAME:
        raise CentralError(f"姓名不能为空，且不超过 {MAX_NAME} 个字")


def _require_argon2(password_hash: str) -> None:
    if not password_hash.startswith("$argon2"):
        raise CentralError("密码须以 argon2 哈希保存")


def _to_account(row: ClerkRow) -> ClerkAccount:
    return ClerkAccount(
        number=row.number,
        name=row.name,
        role=ClerkRole(row.role),
        center_code=row.center_code,
        active=row.active,
        revision=row.revision,
        password_hash=row.password_hash,
    )
