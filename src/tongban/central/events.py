"""Converting between the central log's rows and tongban.models' Event: no row leaves the store."""

from __future__ import annotations

from datetime import datetime

from tongban.central.authorization import Parties
from tongban.central.schema import EventRow
from tongban.models.store.events import Event
from tongban.models.store.hlc import Timestamp


def stored_event(row: EventRow) -> Event:
    return Event(
        id=row.id,
        workstation_id=row.workstation_id,
        sequence=row.sequence,
        hlc=Timestamp.from_int(row.hlc),
        clerk=row.clerk,
        kind=row.kind,
        stream_type=row.stream_type,
        stream_id=row.stream_id,
        payload=dict(row.payload),
        created_at=row.created_at,
    )


def to_row(
    event: Event, *, txid: int, received_at: datetime, author_center: str, parties: Parties
) -> EventRow:
    return EventRow(
        txid=txid,
        id=event.id,
        workstation_id=event.workstation_id,
        sequence=event.sequence,
        hlc=event.hlc.to_int(),
        clerk=event.clerk,
        kind=event.kind,
        stream_type=event.stream_type,
        stream_id=event.stream_id,
        payload=event.payload,
        created_at=event.created_at,
        received_at=received_at,
        author_center=author_center,
        accepting_center=parties.accepting_center,
        processing_center=parties.processing_center,
    )
