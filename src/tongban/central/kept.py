"""What every pull sends besides events, read once and reused while the feed head vouches for it.

Every answer to GET /v1/pull carries the published catalog revisions and the center's recent
sign-offs (日结). Both only ever grow within an epoch (immutable revisions, append-only sign-offs),
so the feed head's counts of them (pull.FeedHead, read in the same statement as the horizon) say
whether what was read before is still all there is: the key is (epoch, count), plus the first
day still recent for sign-offs. A restore starts a new epoch and so a new key. The values are
immutable tuples; threads may race to fill a key, and then both read the same thing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from tongban.central import reference
from tongban.central.closures import recent_closed_days, recent_since
from tongban.central.pull import FeedHead
from tongban.models.closures import ClosedDay

CatalogKey = tuple[str, int]
ClosuresKey = tuple[str, int, date]


class KeptReads:
    """Catalog revisions and each center's recent sign-offs, as of the last pull that read them."""

    def __init__(self) -> None:
        self._catalog: tuple[CatalogKey, tuple[reference.CatalogRevision, ...]] | None = None
        self._closures: dict[str, tuple[ClosuresKey, tuple[ClosedDay, ...]]] = {}  # per center

    def catalog_revisions(
        self, session: Session, head: FeedHead
    ) -> tuple[reference.CatalogRevision, ...]:
        key = (head.epoch, head.catalog_revisions)
        kept = self._catalog
        if kept is not None and kept[0] == key:
            return kept[1]
        revisions = tuple(reference.catalog_revisions(session))
        self._catalog = (key, revisions)
        return revisions

    def closed_days(
        self, session: Session, head: FeedHead, center: str, *, now: datetime
    ) -> tuple[ClosedDay, ...]:
        key = (head.epoch, head.closed_days, recent_since(now))
        kept = self._closures.get(center)
        if kept is not None and kept[0] == key:
            return kept[1]
        days = tuple(recent_closed_days(session, center, now=now))
        self._closures[center] = (key, days)
        return days
