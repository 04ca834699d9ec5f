"""日结 at the workstation: a supervisor signs the center's day off, and the day's status.

The password is checked twice. Here first, against the account synced from the center, as a
login is: wrong passwords count towards the same lockout and every attempt is audited. Then the
central service checks it against its own hash, with the role and the center
(central/closures.py): a sign-off needs the supervisor's password, not only a device token. The
service keeps its own lockout too (central/signoff_guard.py): its refusal, with the time to try
again, is shown as it comes, in the command's error and the 日结 dialog.
Before asking, this workstation pushes its own outbox, so it is never the one holding the day
back. A signed-off day is kept in the local store at once; the write path then refuses the
day's intake here, as the center does (models/store/closed_days.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from tongban.desktop.secrets import SecretsError
from tongban.desktop.services.accounts import LOCKOUT, MAX_FAILED_LOGINS, Accounts, Channel
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.passwords import Passwords
from tongban.desktop.sync.client import SyncClient, SyncError
from tongban.desktop.sync.day_closures import outbox_probe
from tongban.desktop.sync.engine import push_once
from tongban.desktop.sync.setup import SetupError, connect
from tongban.models.closures import CloseDayRequest, DayStatus
from tongban.models.store import AuditOutcome, SubjectType, record_audit
from tongban.models.store.clerks import (
    ClerkRole,
    get_clerk,
    record_login_failure,
    record_login_success,
)
from tongban.models.store.closed_days import KnownClosure, known_closure, remember_closed_days

Connect = Callable[[], SyncClient]
STANDALONE = "本工作站未接入中心同步服务：日结须在联网的工作站上进行"


@dataclass(frozen=True)
class _Checked:
    """The local password check: None when it passed, else the message to show."""

    refusal: str | None


class DayClosures:
    def __init__(
        self,
        context: CounterContext,
        *,
        passwords: Passwords | None = None,
        connect_to: Connect | None = None,
    ) -> None:
        self._context = context
        self._passwords = passwords or Passwords()
        self._connect = connect_to or (lambda: connect(context.data_dir, context.settings))

    def status(self, day: date) -> DayStatus:
        """The center's answer: signed off, or which workstations hold the day back."""
        self._require_server()
        try:
            with self._client() as client:
                return client.day_status(self._context.station.center_code, day)
        except SyncError as error:
            raise ServiceError(f"{error}{self._local_note(day)}") from None

    def known_locally(self, day: date) -> KnownClosure | None:
        """The sign-off of `day` as this workstation has heard of it (None: not heard of)."""
        with service_errors(), self._context.store.reading() as session:
            return known_closure(session, day)

    def close(
        self, day: date, clerk: str, password: str, *, channel: Channel = Channel.COMMAND_LINE
    ) -> DayStatus:
        """Sign `day` off as `clerk` (a supervisor of this center, with their password).

        The answer has the closure when it was signed, or the stragglers when it was not;
        refusals (the password, the role, a day not over) are ServiceError."""
        self._require_server()
        Accounts(self._context, self._passwords).actor_for(clerk, channel)  # inactive, locked …
        checked = self._check_password(day, clerk, password, channel)
        if checked.refusal is not None:
            raise ServiceError(checked.refusal)
        request = CloseDayRequest(
            center=self._context.station.center_code, day=day, clerk=clerk, password=password
        )
        try:
            with self._client() as client:
                push_once(self._context, client)  # this workstation's own events first
                status = client.close_day(request)
        except SyncError as error:
            self._audit(clerk, day, AuditOutcome.DENIED, str(error), channel)
            raise ServiceError(str(error)) from None
        self._after(status, clerk, channel)
        return status

    # Internals -----------------------------------------------------------------------------------

    def _require_server(self) -> None:
        if not self._context.settings.server_url:
            raise ServiceError(STANDALONE)

    def _client(self) -> SyncClient:
        try:
            client = self._connect()
        except (SetupError, SecretsError) as error:
            raise ServiceError(str(error)) from None
        # Every request tells the center this workstation's outbox, as sync's own do.
        client.outbox_header = outbox_probe(self._context.store)
        return client

    def _local_note(self, day: date) -> str:
        known = self.known_locally(day)
        if known is None:
            return "；本机未收到该日的日结记录"
        return f"；本机记录：该日已由主管（工号 {known.signed_by}）日结"

    def _check_password(self, day: date, clerk: str, password: str, channel: Channel) -> _Checked:
        """The synced account's password and role; failures count towards the lockout. The
        transaction commits the failure count and the audit entry before anything is raised."""
        with service_errors(), self._context.store.transaction() as session:
            account = get_clerk(session, clerk)
            assert account is not None  # actor_for found it
            verdict = self._passwords.verify(account.password_hash, password)
            if not verdict.ok:
                return _Checked(self._failed(session, clerk, day, channel))
            record_login_success(session, clerk, new_hash=verdict.new_hash)
            if account.role is not ClerkRole.SUPERVISOR:
                refusal = "只有中心主管可以日结"
                self._record(session, clerk, day, AuditOutcome.DENIED, refusal, channel)
                return _Checked(refusal)
        return _Checked(None)

    def _failed(self, session: Session, clerk: str, day: date, channel: Channel) -> str:
        now = self._context.now()
        after = record_login_failure(
            session, clerk, at=now, lock_after=MAX_FAILED_LOGINS, lock_for=LOCKOUT
        )
        if after.is_locked(now):
            message = f"密码连续错误 {MAX_FAILED_LOGINS} 次，账户已锁定，请 15 分钟后再试"
        else:
            message = f"密码错误，还可尝试 {MAX_FAILED_LOGINS - after.failed_attempts} 次"
        self._record(session, clerk, day, AuditOutcome.DENIED, "密码错误", channel)
        return message

    def _after(self, status: DayStatus, clerk: str, channel: Channel) -> None:
        closure = status.closure
        if closure is None:
            detail = f"未能日结：{len(status.stragglers)} 台工作站尚未同步"
            self._audit(clerk, status.day, AuditOutcome.FAILED, detail, channel)
            return
        known = KnownClosure(closure.day, closure.signed_by, closure.signed_at)
        detail = f"已日结：受理 {closure.report.accepted} 件"
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            remember_closed_days(session, [known], at=now)
            self._record(session, clerk, status.day, AuditOutcome.SUCCESS, detail, channel)

    def _audit(
        self, clerk: str, day: date, outcome: AuditOutcome, detail: str, channel: Channel
    ) -> None:
        with service_errors(), self._context.store.transaction() as session:
            self._record(session, clerk, day, outcome, detail, channel)

    def _record(
        self,
        session: Session,
        clerk: str,
        day: date,
        outcome: AuditOutcome,
        detail: str,
        channel: Channel,
    ) -> None:
        record_audit(
            session,
            workstation=self._context.station.device_id,
            clerk=clerk,
            action="day_close",
            subject_type=SubjectType.CLERK,
            subject_ref=clerk,
            outcome=outcome,
            at=self._context.now(),
            detail=f"日结 {day:%Y-%m-%d}：{detail}",
            channel=channel,
        )
