"""Clerk accounts at the counter: log in, unlock, lock, log out, with lockout and an audit trail.

Policy (等保 2.0 level 3, as is usual): five wrong passwords in a row lock the account for fifteen
minutes; a locked screen reopens only with the same clerk's password, and those failures count
too. Every attempt is audited with its outcome. The failure counter and the audit entry are
written in one transaction, so a refused login is never forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.passwords import Passwords, password_problem
from tongban.models.clock import SHANGHAI
from tongban.models.rules import mask_identity
from tongban.models.store import AuditOutcome, SubjectType, looks_like_id_number, record_audit
from tongban.models.store.clerks import (
    Clerk,
    ClerkRole,
    add_clerk,
    get_clerk,
    is_clerk_number,
    list_clerks,
    record_login_failure,
    record_login_success,
)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
ROLE_NAMES = {ClerkRole.CLERK: "窗口受理员", ClerkRole.SUPERVISOR: "中心主管"}


class Channel(StrEnum):
    """How a clerk acts: recorded in the audit trail."""

    COUNTER = "窗口"
    COMMAND_LINE = "命令行"


@dataclass(frozen=True)
class Actor:
    """The clerk on whose behalf the services act."""

    number: str
    name: str
    role: ClerkRole
    channel: Channel

    @property
    def signature(self) -> str:
        """As the clerk signs on paper: 姓名（工号 1001）."""
        return f"{self.name}（工号 {self.number}）"

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


@dataclass(frozen=True)
class Attempt:
    """A login or unlock: the actor on success, else the clerk's message."""

    actor: Actor | None
    message: str = ""
    locked_out: bool = False  # this attempt locked the account (or it was locked already)


class Accounts:
    def __init__(self, context: CounterContext, passwords: Passwords | None = None) -> None:
        self._context = context
        self._passwords = passwords or Passwords()

    # Accounts ------------------------------------------------------------------------------------

    def create(self, *, number: str, name: str, role: ClerkRole, password: str, by: str) -> Clerk:
        """A new account of this center; `by` is the clerk number (or tool) creating it."""
        problem = password_problem(password)
        if problem is not None:
            raise ServiceError(problem)
        password_hash = self._passwords.hash(password)
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            clerk = add_clerk(
                session,
                number=number,
                name=name,
                role=role,
                center_code=self._context.station.center_code,
                password_hash=password_hash,
            )
            self._audit(session, number, "create_clerk", AuditOutcome.SUCCESS, now, name, by=by)
        return clerk

    def clerks(self) -> list[Clerk]:
        with service_errors(), self._context.store.reading() as session:
            return list_clerks(session)

    def actor_for(self, number: str, channel: Channel) -> Actor:
        """The clerk acting without a password (the command line, run by the machine's owner)."""
        now = self._context.now()
        with service_errors(), self._context.store.reading() as session:
            clerk = get_clerk(session, number) if is_clerk_number(number) else None
        if clerk is None:
            raise ServiceError(f"没有工号为 {number} 的账户")
        refusal = self._refusal(clerk, now)
        if refusal is not None:
            raise ServiceError(refusal)
        return _actor(clerk, channel)

    # Sessions ------------------------------------------------------------------------------------

    def login(self, number: str, password: str, *, channel: Channel = Channel.COUNTER) -> Attempt:
        number = number.strip()
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            clerk = get_clerk(session, number) if is_clerk_number(number) else None
            if clerk is None:
                self._passwords.burn(password)
                ref = _safe_ref(number)
                self._audit(session, ref, "login", AuditOutcome.DENIED, now, "工号不存在", channel)
                return Attempt(None, "工号或密码错误")
            refusal = self._refusal(clerk, now)
            if refusal is not None:
                self._audit(session, number, "login", AuditOutcome.DENIED, now, refusal, channel)
                return Attempt(None, refusal, locked_out=clerk.is_locked(now))
            return self._check_password(session, clerk, password, now, "login", channel)

    def unlock(self, actor: Actor, password: str) -> Attempt:
        """Reopen a locked session: only with the same clerk's password."""
        now = self._context.now()
        number = actor.number
        with service_errors(), self._context.store.transaction() as session:
            clerk = get_clerk(session, number)
            if clerk is None:
                return Attempt(None, "账户已不存在，请重新登录", locked_out=True)
            refusal = self._refusal(clerk, now)
            if refusal is not None:
                self._audit(
                    session, number, "unlock", AuditOutcome.DENIED, now, refusal, actor.channel
                )
                return Attempt(None, refusal, locked_out=True)
            return self._check_password(session, clerk, password, now, "unlock", actor.channel)

    def record_lock(self, actor: Actor, *, reason: str = "锁定屏幕") -> None:
        self._record(actor, "lock", reason)

    def record_logout(self, actor: Actor) -> None:
        self._record(actor, "logout", "退出登录")

    # Internals -----------------------------------------------------------------------------------

    def _check_password(
        self,
        session: Session,
        clerk: Clerk,
        password: str,
        now: datetime,
        action: str,
        channel: Channel,
    ) -> Attempt:
        verdict = self._passwords.verify(clerk.password_hash, password)
        number = clerk.number
        if verdict.ok:
            record_login_success(session, number, new_hash=verdict.new_hash)
            self._audit(session, number, action, AuditOutcome.SUCCESS, now, "", channel)
            return Attempt(_actor(clerk, channel))
        after = record_login_failure(
            session, number, at=now, lock_after=MAX_FAILED_LOGINS, lock_for=LOCKOUT
        )
        if after.is_locked(now):
            until = _when(after.locked_until, now)
            message = f"密码连续错误 {MAX_FAILED_LOGINS} 次，账户已锁定至 {until}"
            self._audit(session, number, action, AuditOutcome.DENIED, now, "密码错误", channel)
            self._audit(
                session, number, "account_locked", AuditOutcome.SUCCESS, now, message, channel
            )
            return Attempt(None, message, locked_out=True)
        left = MAX_FAILED_LOGINS - after.failed_attempts
        detail = f"密码错误（连续第 {after.failed_attempts} 次）"
        self._audit(session, number, action, AuditOutcome.DENIED, now, detail, channel)
        return Attempt(None, f"密码错误，还可尝试 {left} 次")

    def _refusal(self, clerk: Clerk, now: datetime) -> str | None:
        if not clerk.active:
            return "该账户已停用，请联系中心主管"
        if clerk.center_code != self._context.station.center_code:
            return "该工号不属于本中心，不能在本工作站登录"
        if clerk.is_locked(now):
            return f"密码连续错误，账户已锁定至 {_when(clerk.locked_until, now)}，请届时再试"
        return None

    def _record(self, actor: Actor, action: str, detail: str) -> None:
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            number, channel = actor.number, actor.channel
            self._audit(session, number, action, AuditOutcome.SUCCESS, now, detail, channel)

    def _audit(
        self,
        session: Session,
        number: str,
        action: str,
        outcome: AuditOutcome,
        at: datetime,
        detail: str = "",
        channel: Channel | None = None,
        *,
        by: str | None = None,
    ) -> None:
        """An entry about the account `number`, by that clerk unless `by` (a clerk or a tool)
        says otherwise; `channel` None when no clerk acted through the counter or the command
        line (an account made by a tool)."""
        record_audit(
            session,
            workstation=self._context.station.device_id,
            clerk=by or number,
            action=action,
            subject_type=SubjectType.CLERK,
            subject_ref=number,
            outcome=outcome,
            at=at,
            detail=detail,
            channel=channel,
        )


def _actor(clerk: Clerk, channel: Channel) -> Actor:
    return Actor(number=clerk.number, name=clerk.name, role=clerk.role, channel=channel)


def _safe_ref(typed: str) -> str:
    """What was typed into the clerk-number field, fit for the audit log (never a full ID)."""
    if not typed:
        return "（空）"
    if is_clerk_number(typed) and not looks_like_id_number(typed):
        return typed
    return mask_identity(typed)[:20] or "（空）"


def _when(moment: datetime | None, now: datetime) -> str:
    """A lock's end as the clerk reads it: the time, with the date when it is not today."""
    if moment is None:
        return ""
    local = moment.astimezone(SHANGHAI)
    if local.date() == now.astimezone(SHANGHAI).date():
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"
