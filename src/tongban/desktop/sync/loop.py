"""Background sync while the counter works: two plain threads and a status snapshot.

The pusher sends the outbox right after each accept (`wake()`), and on a timer in case a wake was
missed; the puller long-polls, so another center's events arrive within a second or so. A long
poll cannot be interrupted, which is why pushing has its own thread. When the service cannot be
reached, each thread waits longer between tries (doubling up to a limit), and the status says
离线. Errors an administrator must fix (unknown token, quarantine) are retried rarely.

`status()` is a thread-safe snapshot for the window's status bar: online or not, events waiting,
sync problems, last contact, and the last message in Chinese.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from tongban.desktop.sync.client import SyncClient, SyncError
from tongban.desktop.sync.engine import SyncReport, SyncTarget, pull_once, push_once
from tongban.models.store.remote_problems import remote_problem_count
from tongban.models.store.sync_state import get_sync_state, pending_count, sync_problem_count

log = logging.getLogger(__name__)

PUSH_INTERVAL = 30.0  # seconds between pushes when nothing wakes the pusher
LONG_POLL_WAIT = 25.0
FIRST_BACKOFF = 2.0
MAX_BACKOFF = 120.0
ADMIN_RETRY = 600.0  # an administrator must act; look again now and then


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None = None  # None: no contact tried yet
    pending: int = 0
    problems: int = 0  # own events the center refused and pulled events not applied here
    last_contact: datetime | None = None
    quarantined: bool = False
    message: str = ""  # the last error, zh_CN; empty when all is well


class SyncLoop:
    """Runs push and pull in the background until `stop()`."""

    def __init__(
        self,
        target: SyncTarget,
        make_client: Callable[[], SyncClient],
        *,
        push_interval: float = PUSH_INTERVAL,
        wait: float = LONG_POLL_WAIT,
        first_backoff: float = FIRST_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        on_report: Callable[[SyncReport], None] | None = None,
    ) -> None:
        self._target = target
        self._make_client = make_client
        self._push_interval = push_interval
        self._wait = wait
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._on_report = on_report
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._status = SyncStatus()
        self._threads = [
            threading.Thread(target=self._pusher, name="tongban-sync-push", daemon=True),
            threading.Thread(target=self._puller, name="tongban-sync-pull", daemon=True),
        ]

    def start(self) -> None:
        self._refresh_counts()
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask both threads to end; a long poll in flight may outlast `timeout` (daemon threads)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def wake(self) -> None:
        """Push now (call after an accept or any other recorded event); counts the outbox again."""
        self._wake.set()
        self._refresh_counts()

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def _pusher(self) -> None:
        backoff, client = 0.0, None
        try:
            while not self._stop.is_set():
                self._wake.wait(backoff or self._push_interval)
                self._wake.clear()
                if self._stop.is_set():
                    return
                backoff, client = self._attempt(self._push, backoff, client)
        finally:
            _close(client)

    def _puller(self) -> None:
        backoff, client = 0.0, None
        try:
            while not self._stop.is_set():
                if backoff and self._stop.wait(backoff):
                    return
                backoff, client = self._attempt(self._pull, backoff, client)
        finally:
            _close(client)

    def _push(self, client: SyncClient) -> SyncReport:
        return push_once(self._target, client)

    def _pull(self, client: SyncClient) -> SyncReport:
        return pull_once(self._target, client, wait=self._wait)

    def _attempt(
        self,
        work: Callable[[SyncClient], SyncReport],
        backoff: float,
        client: SyncClient | None,
    ) -> tuple[float, SyncClient | None]:
        """One try: how long to wait before the next (0: go on at the normal pace), and the client
        to use next time. A thread keeps its client while it works (a new one costs ~35 ms, most of
        an online round); after any failure the next try starts with a fresh one."""
        try:
            client = client or self._make_client()
            report = work(client)
        except SyncError as error:
            _close(client)
            # Reached but refused (401, 403) is online; no answer at all is offline.
            self._set(online=not error.retryable, message=str(error))
            if not error.retryable:
                return ADMIN_RETRY, None
            return min(self._max_backoff, backoff * 2 if backoff else self._first_backoff), None
        except Exception as error:  # a bug or a full disk must not end background sync silently
            _close(client)
            log.exception("同步出错")
            self._set(message=f"同步出错：{type(error).__name__}")
            return min(self._max_backoff, backoff * 2 if backoff else self._first_backoff), None
        message = (report.quarantine_reason or "") if report.quarantined else ""
        self._set(online=True, message=message)
        if self._on_report is not None:
            self._on_report(report)
        return (ADMIN_RETRY if report.quarantined else 0.0), client

    def _refresh_counts(self) -> None:
        with self._target.store.reading() as session:
            state = get_sync_state(session)
            pending = pending_count(session)
            problems = sync_problem_count(session) + remote_problem_count(session)
        with self._lock:
            self._status = replace(
                self._status,
                pending=pending,
                problems=problems,
                last_contact=state.last_contact_at,
                quarantined=state.quarantined,
            )

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
        self._refresh_counts()


def _close(client: SyncClient | None) -> None:
    if client is not None:
        client.close()
