"""The center's signed-off days (日结) as this workstation knows them, and what they lock.

A supervisor's sign-off locks the day's intake (tongban.models.closures). The workstation hears
of sign-offs from each pull (or signs one itself) and keeps them here; from then on the write
path (log.py) refuses an event of a locked kind recorded on such a day, before anything is
written, as the central service would refuse it. Events pulled from the center are not judged
again: the center already took them.

`outbox_state` is what the workstation tells the service of its outbox with every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.models.clock import SHANGHAI
from tongban.models.store.errors import StoreError
from tongban.models.store.events import Event, EventKind
from tongban.models.store.schema import DayClosureRow, EventRow

# What a sign-off locks: the events the day's intake report counts at the center.
LOCKED_KINDS = frozenset(
    {
        EventKind.ACCEPTED,
        EventKind.NOTIFIED,
        EventKind.REFUSED,
        EventKind.GUIDED,
        EventKind.REPRINTED,
        EventKind.CANCELLED,
    }
)


class DayClosed(StoreError):
    """The event would change the intake of a day already signed off; nothing was written."""


@dataclass(frozen=True)
class KnownClosure:
    day: date
    signed_by: str
    signed_at: datetime


def locked_message(day: date, signed_by: str) -> str:
    return f"{day:%Y-%m-%d} 已由主管（工号 {signed_by}）日结，不能再记录或更改当日的受理"


def refuse_on_closed_day(session: Session, event: Event) -> None:
    """DayClosed when `event` would change the intake of a signed-off day."""
    if event.kind not in LOCKED_KINDS:
        return
    day = event.created_at.astimezone(SHANGHAI).date()
    row = session.get(DayClosureRow, day)
    if row is not None:
        raise DayClosed(locked_message(day, row.signed_by))


def remember_closed_days(
    session: Session, closures: Iterable[KnownClosure], *, at: datetime
) -> int:
    """Keep sign-offs not known yet; returns how many were new. A sign-off never changes."""
    new = 0
    for closure in closures:
        if session.get(DayClosureRow, closure.day) is None:
            session.add(
                DayClosureRow(
                    day=closure.day,
                    signed_by=closure.signed_by,
                    signed_at=closure.signed_at,
                    learned_at=at,
                )
            )
            new += 1
    session.flush()
    return new


def known_closure(session: Session, day: date) -> KnownClosure | None:
    row = session.get(DayClosureRow, day)
    return None if row is None else KnownClosure(row.day, row.signed_by, row.signed_at)


def outbox_state(session: Session) -> tuple[int, datetime | None]:
    """How many events wait in the outbox, and when the oldest of them was recorded."""
    query = select(func.count(), func.min(EventRow.created_at)).where(EventRow.synced_at.is_(None))
    # min() keeps the column's type: an aware UTC datetime comes back, as from the column.
    count, oldest = session.execute(query).one()
    return (int(count), oldest) if count else (0, None)
