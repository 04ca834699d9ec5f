"""The program versions the service announces: set by an administrator, sent with every answer.

`tongban central versions --current X --minimum Y` writes them on the central_state row, so
every instance of the service announces the same versions. The service sends them in the
/v1/enroll, /v1/status and /v1/pull answers (models/sync_wire.py); a workstation below the
minimum warns its clerks (models/app_versions.py). The service itself refuses no one: an old
workstation keeps syncing what it accepted.

Status and pull are the most frequent requests, so the service keeps what it read for a short
while (`Announcement`): a change reaches every instance within ANNOUNCEMENT_TTL seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from tongban.central.database import CentralDatabase
from tongban.central.errors import CentralError
from tongban.central.schema import CentralStateRow
from tongban.models.app_versions import AppVersions, checked_announcement

ANNOUNCEMENT_TTL = 30.0  # seconds


def announced_versions(database: CentralDatabase) -> AppVersions:
    """What the service announces now (both None until an administrator sets them)."""
    with database.reading() as session:
        row = _state_row(session)
        return AppVersions(current=row.current_app_version, minimum=row.minimum_app_version)


def announce_versions(database: CentralDatabase, *, current: str, minimum: str) -> AppVersions:
    """Set the announced versions; VersionError (zh_CN) when they are not valid or in order."""
    versions = checked_announcement(current, minimum)
    with database.transaction() as session:
        row = _state_row(session, for_update=True)
        row.current_app_version = versions.current
        row.minimum_app_version = versions.minimum
    return versions


def _state_row(session: Session, *, for_update: bool = False) -> CentralStateRow:
    row = session.get(CentralStateRow, 1, with_for_update=for_update)
    if row is None:
        raise CentralError("中心数据库尚未初始化，请先运行 tongban central init")
    return row


class Announcement:
    """The announced versions as one service instance knows them, read again after `ttl`."""

    def __init__(
        self,
        database: CentralDatabase,
        *,
        ttl: float = ANNOUNCEMENT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._known: tuple[float, AppVersions] | None = None

    def fresh(self) -> AppVersions | None:
        """The kept value while it is fresh, else None; never blocks."""
        now = self._clock()
        with self._lock:
            if self._known is not None and now - self._known[0] < self._ttl:
                return self._known[1]
        return None

    def get(self) -> AppVersions:
        """Blocking when the cached value is stale: call it from the thread pool."""
        now = self._clock()
        kept = self.fresh()
        if kept is not None:
            return kept
        versions = announced_versions(self._database)
        with self._lock:
            self._known = (now, versions)
        return versions

    def forget(self) -> None:
        """Read the database at the next request (after a change made by this process)."""
        with self._lock:
            self._known = None
