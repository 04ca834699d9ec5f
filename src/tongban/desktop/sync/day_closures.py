"""What sync carries for 日结 (models/closures.py): the outbox this workstation reports with
every request, and the center's sign-offs that come with every pull."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from tongban.models.closures import OutboxReport
from tongban.models.store import Store
from tongban.models.store.closed_days import KnownClosure, outbox_state, remember_closed_days
from tongban.models.sync_wire import ClosedDayInfo


def outbox_probe(store: Store) -> Callable[[], str]:
    """The X-Tongban-Outbox header as the outbox is when a request is sent."""

    def header() -> str:
        with store.reading() as session:
            pending, oldest = outbox_state(session)
        return OutboxReport(pending, oldest).header()

    return header


def remember_pulled_closures(
    session: Session, closures: Sequence[ClosedDayInfo], *, at: datetime
) -> int:
    """Keep the sign-offs a pull brought; from then on the write path refuses the day's intake."""
    known = [KnownClosure(c.day, c.signed_by, c.signed_at) for c in closures]
    return remember_closed_days(session, known, at=at)
