"""Clerk accounts of this workstation's center: who may log in, and the failed-login counter.

The store keeps what an account is (number, name, role, center, active) and the state the
lockout policy needs (consecutive failures, locked until when). It never sees a password: the
application hashes passwords and decides the policy (how many failures, how long a lock) and
passes both in, so the policy can change without touching the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.models.store.errors import StoreError
from tongban.models.store.schema import ClerkRow

# Letters and digits only: a clerk number is typed at the login page and printed on receipts.
_CLERK_NUMBER = re.compile(r"^[0-9A-Za-z]{1,20}$")
_NINE_DIGITS = re.compile(r"^\d{9}$")
MAX_NAME = 50


class ClerkRole(StrEnum):
    CLERK = "clerk"  # 窗口受理员
    SUPERVISOR = "supervisor"  # 中心主管


@dataclass(frozen=True)
class Clerk:
    number: str
    name: str
    role: ClerkRole
    center_code: str
    active: bool
    failed_attempts: int  # consecutive failed logins since the last success or lock
    locked_until: datetime | None  # a lock is in force while now < locked_until
    password_hash: str | None = field(repr=False)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def is_clerk_number(text: str) -> bool:
    return _CLERK_NUMBER.match(text) is not None


def add_clerk(
    session: Session,
    *,
    number: str,
    name: str,
    role: ClerkRole,
    center_code: str,
    password_hash: str,
) -> Clerk:
    """A new, active account. Refused when the number is taken or a field is malformed."""
    if not is_clerk_number(number):
        raise StoreError(f"工号应为 1 至 20 位字母或数字：{number}")
    if not name.strip() or len(name.strip()) > MAX_NAME:
        raise StoreError(f"姓名不能为空，且不超过 {MAX_NAME} 个字")
    if not _NINE_DIGITS.match(center_code):
        raise StoreError(f"中心代码应为 9 位数字：{center_code}")
    if not password_hash:
        raise StoreError("账户必须设置密码")
    if session.get(ClerkRow, number) is not None:
        raise StoreError(f"工号 {number} 已存在")
    row = ClerkRow(
        number=number,
        name=name.strip(),
        role=ClerkRole(role).value,
        center_code=center_code,
        password_hash=password_hash,
        failed_attempts=0,
        locked_until=None,
        active=True,
    )
    session.add(row)
    session.flush()
    return _to_clerk(row)


def get_clerk(session: Session, number: str) -> Clerk | None:
    row = session.get(ClerkRow, number)
    return None if row is None else _to_clerk(row)


def list_clerks(session: Session, *, active_only: bool = False) -> list[Clerk]:
    """All accounts, by number."""
    query = select(ClerkRow).order_by(ClerkRow.number)
    if active_only:
        query = query.where(ClerkRow.active.is_(True))
    return [_to_clerk(row) for row in session.scalars(query)]


def record_login_failure(
    session: Session, number: str, *, at: datetime, lock_after: int, lock_for: timedelta
) -> Clerk:
    """Count one failed password; the `lock_after`-th in a row locks the account until at+lock_for.

    Locking starts the count again, so an account whose lock has run out gets the full number of
    attempts before it is locked again.
    """
    row = _existing(session, number)
    row.failed_attempts += 1
    if row.failed_attempts >= lock_after:
        row.failed_attempts = 0
        row.locked_until = at + lock_for
    session.flush()
    return _to_clerk(row)


def record_login_success(session: Session, number: str, *, new_hash: str | None = None) -> Clerk:
    """Clear the failure count and any lock; store a fresh hash when the policy rehashed it."""
    row = _existing(session, number)
    row.failed_attempts = 0
    row.locked_until = None
    if new_hash:
        row.password_hash = new_hash
    session.flush()
    return _to_clerk(row)


def _existing(session: Session, number: str) -> ClerkRow:
    row = session.get(ClerkRow, number)
    if row is None:
        raise StoreError(f"没有工号为 {number} 的账户")
    return row


def _to_clerk(row: ClerkRow) -> Clerk:
    return Clerk(
        number=row.number,
        name=row.name,
        role=ClerkRole(row.role),
        center_code=row.center_code,
        active=row.active,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        password_hash=row.password_hash,
    )
