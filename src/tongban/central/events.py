"""Converting between the central log's rows and tongban.models' Event: no row leaves the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from tongban.central.authorization import Parties
from tongban.central.schema import EventRow
from tongban.models.store.events import Event


def stored_event(row: EventRow | Row[Any]) -> Event:
    """The event a log row holds: an ORM row or a plain one read by a Core statement."""
    return Event.from_columns(row)


def row_values(
    event: Event, *, txid: int, received_at: datetime, author_center: str, parties: Parties
) -> dict[str, object]:
    """The columns of the event's log row, for a batched INSERT."""
    return {
        **event.columns(),
        "txid": txid,
        "received_at": received_at,
        "author_center": author_center,
        "accepting_center": parties.accepting_center,
        "processing_center": parties.processing_center,
    }
