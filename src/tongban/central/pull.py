"""The pull feed (GET /v1/pull): the events that concern a workstation's center, never skipping one.

What a center pulls: every event of a case it accepted or processes (both centers are stored on
each event), and the visits recorded at the center; not the workstation's own events.

Why not `position > cursor`: positions (a sequence) are taken when a row is inserted, but rows
become visible when their transaction commits. Writer A takes position 10, writer B position 11
and commits first; a reader then sees 11, moves its cursor to 11, and never sees 10. So on
PostgreSQL each event row carries the id of the transaction that wrote it (pg_current_xact_id),
and a reader takes only events whose transaction id is below the horizon
`pg_snapshot_xmin(pg_current_snapshot())`: every transaction below it has finished, so no event
can later appear there. The feed is ordered by (txid, position) and the cursor is the last pair
returned; an event that commits later has a txid at or above the horizon the reader used, which
is above its cursor. Events of a transaction still open wait, with everything after them, until
it ends. The horizon is cluster-wide: any long transaction on the server holds the feed back, so
the service keeps its own transactions short.
SQLite has one writer at a time (BEGIN IMMEDIATE), so its positions are in commit order: txid is
0 for every event and the position alone orders the feed.

A cursor is "<epoch>:<txid>:<position>". A cursor of another epoch (the store was restored from a
backup since) starts the feed again from the beginning; workstations apply events idempotently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from tongban.central.enrollment import Workstation
from tongban.central.errors import CentralError
from tongban.central.events import stored_event
from tongban.central.schema import (
    CatalogRevisionRow,
    CentralStateRow,
    ClerkRow,
    DayClosureRow,
    EventRow,
)
from tongban.models.store.events import Event

HORIZON = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True)
class Cursor:
    epoch: str
    txid: int
    position: int

    def __str__(self) -> str:
        return f"{self.epoch}:{self.txid}:{self.position}"

    @classmethod
    def parse(cls, text_form: str) -> Cursor:
        try:
            epoch, txid, position = text_form.split(":")
            cursor = cls(epoch, int(txid), int(position))
        except ValueError:
            raise CentralError("同步游标无效") from None
        if not epoch or cursor.txid < 0 or cursor.position < 0:
            raise CentralError("同步游标无效")
        return cursor

    @classmethod
    def start(cls, epoch: str) -> Cursor:
        return cls(epoch, 0, 0)


@dataclass(frozen=True)
class PullBatch:
    events: tuple[Event, ...]
    cursor: Cursor  # where the next pull continues
    reset: bool  # the cursor given was of another epoch
    more: bool  # the batch was full: more events are ready
    held_back: bool  # committed events wait behind an open transaction: ask again soon


@dataclass(frozen=True)
class FeedHead:
    """What every pull needs besides the events, read in one statement."""

    epoch: str
    horizon: int | None  # PostgreSQL: the oldest transaction still running; SQLite: None
    clerks_revision: int  # the newest revision among the center's accounts (0: none)
    catalog_revisions: int  # how many are published (immutable: a count names the set)
    closed_days: int  # how many days the center has signed off (append-only)


def _feed_head_query(horizon: ColumnElement[int | None]) -> Select[Any]:
    center = bindparam("center")
    clerks = (
        select(func.coalesce(func.max(ClerkRow.revision), 0))
        .where(ClerkRow.center_code == center)
        .scalar_subquery()
    )
    catalogs = select(func.count()).select_from(CatalogRevisionRow).scalar_subquery()
    closures = select(func.count()).where(DayClosureRow.center_code == center).scalar_subquery()
    return select(CentralStateRow.epoch, clerks, horizon, catalogs, closures).where(
        CentralStateRow.id == 1
    )


# Every pull runs these: built once, so a request pays for neither building nor cache keys.
_FEED_HEAD = {
    "postgresql": _feed_head_query(HORIZON),
    "sqlite": _feed_head_query(literal(None, type_=BigInteger)),
}


def feed_head(session: Session, center_code: str) -> FeedHead:
    query = _FEED_HEAD[session.get_bind().dialect.name]
    row = session.execute(query, {"center": center_code}).one_or_none()
    if row is None:
        raise CentralError("中心数据库尚未初始化，请先运行 tongban central init")
    epoch, clerks_revision, oldest, catalogs, closures = row
    horizon = None if oldest is None else int(oldest)
    return FeedHead(epoch, horizon, int(clerks_revision), int(catalogs), int(closures))


def pull(
    session: Session, *, workstation: Workstation, head: FeedHead, cursor: Cursor | None, limit: int
) -> PullBatch:
    """The next events for the workstation's center after `cursor`, in feed order.

    One query reads the next `limit` events whatever their transaction; on PostgreSQL those at
    or above the horizon come last (the feed is in txid order) and are held back: they say
    that committed events wait behind an open transaction, even when some below it are sent."""
    epoch, horizon = head.epoch, head.horizon
    reset = cursor is not None and cursor.epoch != epoch
    after = Cursor.start(epoch) if cursor is None or reset else cursor
    params = {
        "here": workstation.center_code,
        "device": workstation.device_id,
        "after_txid": after.txid,
        "after_position": after.position,
        "limit": limit,
    }
    rows = session.execute(_NEXT_EVENTS, params).all()
    ready = rows if horizon is None else [row for row in rows if row.txid < horizon]
    events = tuple(stored_event(row) for row in ready)
    last = Cursor(epoch, ready[-1].txid, ready[-1].position) if ready else after
    return PullBatch(
        events=events,
        cursor=last,
        reset=reset,
        more=len(ready) == limit,
        held_back=len(ready) < len(rows),
    )


def _next_events() -> Select[Any]:
    """The log rows of the next events (bound: here, device, after_txid, after_position,
    limit), positions found by one index range per center column, merged."""
    here = bindparam("here")
    accepted_here = _branch(EventRow.accepting_center == here)
    processed_here = _branch(
        and_(EventRow.processing_center == here, EventRow.accepting_center != here)
    )
    merged = union_all(accepted_here, processed_here).subquery()
    positions = (
        select(merged.c.position)
        .order_by(merged.c.txid, merged.c.position)
        .limit(bindparam("limit", type_=Integer))
    )
    return (
        select(EventRow.__table__)
        .where(EventRow.position.in_(positions))
        .order_by(EventRow.txid, EventRow.position)
    )


def _branch(concerns: ColumnElement[bool]) -> Select[tuple[int, int]]:
    after = tuple_(bindparam("after_txid", type_=BigInteger), bindparam("after_position"))
    query = select(EventRow.txid, EventRow.position).where(
        concerns,
        tuple_(EventRow.txid, EventRow.position) > after,
        EventRow.workstation_id != bindparam("device"),
    )
    inner = (
        query.order_by(EventRow.txid, EventRow.position)
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    return select(inner.c.txid, inner.c.position)


_NEXT_EVENTS = _next_events()  # built once: a request pays for neither building nor cache keys
