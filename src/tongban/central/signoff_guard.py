"""The service's own lockout for the 日结 password, and the audit of every check of it.

The workstation checks the supervisor's password first, with its own lockout; but a script
holding a device token could put guesses to the service directly. So the service counts too:
MAX_FAILURES wrong passwords for one clerk within FAILURE_WINDOW stop that clerk's sign-offs
for LOCKOUT, whichever workstation asks. A right password resets the count, and so does an
administrator's reset of the password (`tongban central reset-password`): the guesses were
against a password that no longer opens the account.

The count lives in the database (table signoff_audit), because the service runs as several
stateless instances. Each check is two append-only rows: `checking`, written and committed
before the argon2 check while the clerk's row is locked, then `accepted` or `wrong_password`.
A `checking` row counts as a failure until an `accepted` row follows it, so guesses sent at the
same moment to several instances all count before any of them is checked, and a check cut short
(a crash) counts against the guesser. Refusals are rows too: `locked` (refused unchecked) and
`not_signer` (no active account of the asking workstation's center by that number).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.central.closures import Signer
from tongban.central.enrollment import Workstation
from tongban.central.errors import Forbidden
from tongban.central.schema import ClerkRow, SignOffAuditRow
from tongban.models.closures import when

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
WRONG = "工号或密码错误"


class SignOffLocked(Forbidden):
    code = "signoff_locked"


class Outcome(StrEnum):
    CHECKING = "checking"  # the check began; a failure until `accepted` follows
    ACCEPTED = "accepted"
    WRONG_PASSWORD = "wrong_password"
    LOCKED = "locked"
    NOT_SIGNER = "not_signer"


def locked_until(failures: Iterable[datetime], now: datetime) -> datetime | None:
    """When the lockout these failures caused ends, or None when `now` is not locked out.

    A failure that makes MAX_FAILURES within FAILURE_WINDOW (itself included) locks the clerk
    for LOCKOUT from that failure on. Only failures since the clerk's last right password
    count; none are recorded during a lockout, as locked requests are refused unchecked.
    """
    times = sorted(failures)
    ends = [
        t + LOCKOUT
        for t in times
        if sum(1 for s in times if t - FAILURE_WINDOW < s <= t) >= MAX_FAILURES
    ]
    latest = max(ends, default=None)
    return latest if latest is not None and now < latest else None


def locked_message(number: str, until: datetime) -> str:
    return (
        f"工号 {number} 的日结密码连续错误 {MAX_FAILURES} 次，中心已暂停其日结："
        f"请于 {when(until)} 之后再试"
    )


def open_check(
    session: Session, ws: Workstation, number: str, *, at: datetime
) -> Signer | Forbidden:
    """Before the password is checked: the signer, with a `checking` row written; or the refusal
    to raise once this transaction has committed its audit row.

    The clerk's row is locked (PostgreSQL; SQLite's writers queue anyway), so two requests for
    one clerk count each other's attempts."""
    row = session.get(ClerkRow, number, with_for_update=True)
    if row is None or not row.active or row.center_code != ws.center_code:
        _audit(session, ws, number[:20], Outcome.NOT_SIGNER, at)  # the column holds 20
        return Forbidden(WRONG)
    clerk = row.number
    failures = _failures(session, clerk, at)
    if row.password_changed_at is not None:  # guesses at a password since replaced
        failures = [t for t in failures if t > row.password_changed_at]
    until = locked_until(failures, at)
    if until is not None:
        _audit(session, ws, clerk, Outcome.LOCKED, at)
        return SignOffLocked(locked_message(clerk, until))
    _audit(session, ws, clerk, Outcome.CHECKING, at)
    return Signer(row.number, row.name, row.password_hash)


def close_check(
    session: Session, ws: Workstation, signer: Signer, *, right: bool, at: datetime
) -> None:
    """After the check: `accepted` (the count starts again) or `wrong_password`."""
    outcome = Outcome.ACCEPTED if right else Outcome.WRONG_PASSWORD
    _audit(session, ws, signer.number, outcome, at)


def _failures(session: Session, clerk: str, at: datetime) -> list[datetime]:
    """The clerk's checks not followed by a right password, recent enough to matter: a lockout
    can only still run if the failure that began it and the ones it counted are this recent."""
    last_right = (
        select(func.coalesce(func.max(SignOffAuditRow.position), 0))
        .where(SignOffAuditRow.clerk == clerk, SignOffAuditRow.outcome == Outcome.ACCEPTED.value)
        .scalar_subquery()
    )
    query = select(SignOffAuditRow.at).where(
        SignOffAuditRow.clerk == clerk,
        SignOffAuditRow.outcome == Outcome.CHECKING.value,
        SignOffAuditRow.at > at - FAILURE_WINDOW - LOCKOUT,
        SignOffAuditRow.position > last_right,
    )
    return list(session.scalars(query))


def _audit(session: Session, ws: Workstation, clerk: str, outcome: Outcome, at: datetime) -> None:
    session.add(
        SignOffAuditRow(
            at=at,
            device_id=ws.device_id,
            center_code=ws.center_code,
            clerk=clerk,
            outcome=outcome.value,
        )
    )
    session.flush()
