"""日结 at the center: who may sign a day off, when, what it records, and what it then refuses.

Rules (tongban.models.closures has the times):
- the signer is an active supervisor of the center, and the password given is theirs: the
  service checks it against its own argon2 hash, so holding a device token is not enough to
  sign (the workstation has checked it against its synced copy first, with lockout; the
  service keeps its own lockout and audit of these checks: signoff_guard.py);
- the request comes from a workstation of that center, and the day's sign-off hour has come;
- every active workstation of the center enrolled before the day's end has reported, at or
  after the sign-off hour, an outbox holding no event of the day (`stragglers` lists the others);
  a retired workstation (retirement.py) is no longer waited for;
- a day is signed once. The sign-off records the day's intake report as it is then.

The sign-off locks the center's workstation rows (in number order) while it checks and counts:
a push holds its own workstation's row, so a push in flight finishes first and is counted, and
a later push waits and then meets the closure (`closed_day_problem`, called by push.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tongban.central.clerks import ClerkRole
from tongban.central.enrollment import Status, Workstation
from tongban.central.errors import CentralError, Forbidden
from tongban.central.reports import CatalogShelf, intake_report
from tongban.central.schema import ClerkRow, DayClosureRow, OutboxReportRow, WorkstationRow
from tongban.models.closures import (
    RECENT_CLOSURES,
    ClosedDay,
    DayClosure,
    DayStatus,
    OutboxReport,
    Straggler,
    day_end,
    shanghai_day,
    sign_off_opens,
    when,
)
from tongban.models.reports import IntakeReport, Period
from tongban.models.store.closed_days import LOCKED_KINDS, locked_message
from tongban.models.store.events import Event

OUTBOX_NOTE_INTERVAL = timedelta(minutes=1)  # an unchanged outbox is written at most this often
_CLOSED_CACHE = "tongban.closed_days"  # session.info key: (center, day) -> signer or None


@dataclass(frozen=True)
class Signer:
    number: str
    name: str
    password_hash: str


# --- the outbox each workstation reports -------------------------------------------------------


class OutboxNotes:
    """Writes what workstations report of their outbox, skipping unchanged reports for a minute.

    Each service instance keeps its own memory of what it wrote; several instances each write a
    workstation's report at most once a minute, and every change at once."""

    def __init__(self) -> None:
        self._written: dict[str, tuple[OutboxReport, datetime]] = {}
        self._lock = threading.Lock()

    def needs_writing(self, device_id: str, report: OutboxReport, at: datetime) -> bool:
        with self._lock:
            last = self._written.get(device_id)
        return last is None or last[0] != report or at - last[1] >= OUTBOX_NOTE_INTERVAL

    def written(self, device_id: str, report: OutboxReport, at: datetime) -> None:
        with self._lock:
            self._written[device_id] = (report, at)


def record_outbox(session: Session, device_id: str, report: OutboxReport, *, at: datetime) -> None:
    """Upsert: a workstation's pusher and puller may report at the same moment."""
    values = {
        "device_id": device_id,
        "pending": report.pending,
        "oldest_pending_at": report.oldest_pending_at,
        "reported_at": at,
    }
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = upsert(OutboxReportRow).values(**values)
    changes = {name: statement.excluded[name] for name in values if name != "device_id"}
    session.execute(statement.on_conflict_do_update(index_elements=["device_id"], set_=changes))


# --- status and sign-off ---------------------------------------------------------------------


def day_status(session: Session, center: str, day: date, *, now: datetime) -> DayStatus:
    closure = closure_of(session, center, day)
    over = now >= sign_off_opens(day)
    waiting = () if closure is not None else tuple(stragglers(session, center, day))
    return DayStatus(center, day, closure, over, waiting)


def password_is_right(signer: Signer, password: str) -> bool:
    """The password against the service's own hash. Checked before the role, so only someone
    who knows it learns that the role matters; who may try, and how often: signoff_guard.py."""
    try:
        return bool(PasswordHasher().verify(signer.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def require_supervisor(session: Session, signer: Signer) -> None:
    row = session.get(ClerkRow, signer.number)
    if row is None or row.role != ClerkRole.SUPERVISOR:
        raise Forbidden(f"工号 {signer.number} 不是中心主管：只有本中心的主管可以日结")


def close_day(
    session: Session,
    ws: Workstation,
    day: date,
    signer: Signer,
    *,
    now: datetime,
    shelf: CatalogShelf,
) -> DayStatus:
    """Sign `day` off for the workstation's center if nothing stands in the way; the answer
    says whether it was signed (closure) or what waits (stragglers). The caller commits."""
    center = ws.center_code
    require_supervisor(session, signer)
    if now < sign_off_opens(day):
        raise CentralError(f"{day:%Y-%m-%d} 尚未结束：{when(sign_off_opens(day))} 之后才能日结")
    waiting = tuple(stragglers(session, center, day, lock=True))
    done = closure_of(session, center, day)
    if done is not None:
        raise CentralError(done.line())
    if waiting:
        return DayStatus(center, day, None, True, waiting)
    report = intake_report(session, center, Period.day(day), shelf=shelf, now=now)
    session.add(
        DayClosureRow(
            center_code=center,
            day=day,
            signed_by=signer.number,
            signed_by_name=signer.name,
            signed_at=now,
            device_id=ws.device_id,
            report=report.to_json_dict(),
        )
    )
    session.flush()
    closure = DayClosure(center, day, signer.number, signer.name, now, ws.name, report)
    return DayStatus(center, day, closure, True)


def closure_of(session: Session, center: str, day: date) -> DayClosure | None:
    row = session.get(DayClosureRow, (center, day))
    if row is None:
        return None
    where = session.scalar(
        select(WorkstationRow.name).where(WorkstationRow.device_id == row.device_id)
    )
    return DayClosure(
        center=center,
        day=day,
        signed_by=row.signed_by,
        signed_by_name=row.signed_by_name,
        signed_at=row.signed_at,
        workstation=where or "",
        report=IntakeReport.from_json_dict(row.report),
    )


def stragglers(session: Session, center: str, day: date, *, lock: bool = False) -> list[Straggler]:
    """The active workstations of the center that have not shown they synced `day`."""
    query = (
        select(WorkstationRow, OutboxReportRow)
        .outerjoin(OutboxReportRow, OutboxReportRow.device_id == WorkstationRow.device_id)
        .where(
            WorkstationRow.center_code == center,
            WorkstationRow.status == Status.ACTIVE,
            WorkstationRow.retired_at.is_(None),
        )
        .order_by(WorkstationRow.number)
    )
    if lock:
        query = query.with_for_update(of=WorkstationRow)
    opens, end = sign_off_opens(day), day_end(day)
    found = []
    for ws, outbox in session.execute(query):
        if ws.activated_at is not None and ws.activated_at >= end:
            continue  # enrolled after the day: it has nothing of it
        reason = _not_synced(outbox, day, opens)
        if reason is not None:
            found.append(
                Straggler(
                    number=ws.number,
                    name=ws.name,
                    last_contact=ws.last_contact_at,
                    pending=None if outbox is None else outbox.pending,
                    oldest_pending_at=None if outbox is None else outbox.oldest_pending_at,
                    reason=reason,
                )
            )
    return found


def _not_synced(outbox: OutboxReportRow | None, day: date, opens: datetime) -> str | None:
    if outbox is None:
        return "从未向中心报告待同步情况（程序版本过旧，或登记后从未同步）"
    if outbox.reported_at < opens:
        return f"{when(opens)} 之后未与中心联系，请打开该工作站并联网同步"
    report = OutboxReport(outbox.pending, outbox.oldest_pending_at)
    if report.holds_events_of(day):
        oldest = when(outbox.oldest_pending_at)
        return f"尚有 {outbox.pending} 个事件未同步（最早记录于 {oldest}）"
    return None


# --- what a sign-off refuses, and how workstations hear of it ---------------------------------


def closed_day_problem(session: Session, center: str, event: Event) -> str | None:
    """Why a pushed event is refused because its day is signed off (None: not locked).

    The answer for each (center, day) is kept for the rest of the transaction (a push of 500
    events of one day asks once)."""
    if event.kind not in LOCKED_KINDS:
        return None
    day = shanghai_day(event.created_at)
    known: dict[tuple[str, date], str | None] = session.info.setdefault(_CLOSED_CACHE, {})
    if (center, day) not in known:
        known[(center, day)] = session.scalar(_SIGNER, {"center": center, "day": day})
    signer = known[(center, day)]
    return None if signer is None else locked_message(day, signer)


def recent_closed_days(session: Session, center: str, *, now: datetime) -> list[ClosedDay]:
    """The center's sign-offs of the last RECENT_CLOSURES, for every pull."""
    params = {"center": center, "since": recent_since(now)}
    return [ClosedDay(*row) for row in session.execute(_RECENT_CLOSURES, params)]


def recent_since(now: datetime) -> date:
    """The first day whose sign-off is still sent with every pull."""
    return shanghai_day(now - RECENT_CLOSURES)


_SIGNER = select(DayClosureRow.signed_by).where(  # every push reads it: built once
    DayClosureRow.center_code == bindparam("center"), DayClosureRow.day == bindparam("day")
)
_RECENT_CLOSURES = (  # every pull reads it: built once
    select(DayClosureRow.day, DayClosureRow.signed_by, DayClosureRow.signed_at)
    .where(
        DayClosureRow.center_code == bindparam("center"),
        DayClosureRow.day >= bindparam("since"),
    )
    .order_by(DayClosureRow.day)
)
