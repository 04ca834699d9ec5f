"""Waking long-polls: a pull that found nothing waits until a push concerns its center.

`Notifier` lives on the service's event loop: a waiting pull takes its center's signal before it
queries (so a push that commits between the query and the wait is not missed) and awaits it.
Publishing sets and forgets the signals of the named centers. An instance publishes each push it
takes itself, after it commits. Across instances (several behind a proxy, one PostgreSQL)
`PostgresListener` holds one connection per instance that LISTENs on the channel every push
transaction NOTIFYs at commit, and publishes what arrives from the other instances (the payload
names the instance that took the push), so each push is published once in every instance.

A waiter also looks again on its own: after `RELIABLE_RECHECK` seconds while notifications are
known to arrive, or every `UNRELIABLE_RECHECK` second while the listener is reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine

from tongban.central.push import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

RELIABLE_RECHECK = 30.0
UNRELIABLE_RECHECK = 1.0
RECONNECT_DELAY = 2.0
LISTEN_POLL = 0.25  # seconds between checks for stop(); waiting costs no database work


class Notifier:
    """Per-center wake-up signals. Use it on the event loop thread only."""

    def __init__(self, *, listened: bool = False) -> None:
        """`listened`: a PostgresListener hears the pushes of every instance."""
        self._signals: dict[str, asyncio.Event] = {}
        self._generations: dict[str, int] = {}  # publishes so far, per center
        self.origin = uuid4().hex  # names this instance in the NOTIFY of the pushes it takes
        self.reliable = not listened  # until the listener is in place

    def signal(self, center_code: str) -> asyncio.Event:
        """The signal the next publish for this center sets; take it before looking."""
        return self._signals.setdefault(center_code, asyncio.Event())

    def generation(self, center_code: str) -> int:
        """How many publishes named the center so far: unchanged means nothing new was pushed."""
        return self._generations.get(center_code, 0)

    def pushed_here(self, centers: Iterable[str]) -> None:
        """A push to this instance committed: wake its waiters now. The listener skips the
        NOTIFY of this push (it names this instance), so each push is published once and
        `generation` counts pushes, not echoes."""
        self.publish(centers)

    def publish(self, centers: Iterable[str]) -> None:
        for center in centers:
            self._generations[center] = self._generations.get(center, 0) + 1
            signal = self._signals.pop(center, None)
            if signal is not None:
                signal.set()

    @property
    def recheck_after(self) -> float:
        return RELIABLE_RECHECK if self.reliable else UNRELIABLE_RECHECK


async def wait_for(signal: asyncio.Event, timeout: float) -> None:
    """Wait for the signal, at most `timeout` seconds."""
    if timeout <= 0:
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):  # no task of its own, unlike asyncio.wait_for
            await signal.wait()


class PostgresListener:
    """LISTEN on a dedicated connection in a thread; hands each payload to the Notifier."""

    def __init__(self, engine: Engine, notifier: Notifier, loop: asyncio.AbstractEventLoop) -> None:
        self._engine = engine
        self._notifier = notifier
        self._loop = loop
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tongban-listen", daemon=True)

    def start(self, *, timeout: float = 10.0) -> None:
        """Start listening; returns once LISTEN is in place (or the timeout passed)."""
        self._thread.start()
        self._listening.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as error:  # a lost connection must not end the service
                log.warning("通知连接中断，%s 秒后重连：%s", RECONNECT_DELAY, type(error).__name__)
            self._set_reliable(False)
            self._stop.wait(RECONNECT_DELAY)

    def _listen(self) -> None:
        raw = self._engine.raw_connection()
        connection: Any = raw.driver_connection
        raw.detach()  # a dedicated connection: never back into the pool in LISTEN state
        try:
            connection.autocommit = True
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self._set_reliable(True)
            self._listening.set()
            # The connection does nothing else, so a notification arriving between two calls
            # waits in the socket for the next one.
            while not self._stop.is_set():
                for notification in connection.notifies(timeout=LISTEN_POLL):
                    self._deliver(notification.payload)
        finally:
            raw.close()

    def _deliver(self, payload: str) -> None:
        origin, *centers = payload.split()
        if origin != self._notifier.origin:  # this instance published its own pushes already
            self._loop.call_soon_threadsafe(self._notifier.publish, centers)

    def _set_reliable(self, reliable: bool) -> None:
        def apply() -> None:
            self._notifier.reliable = reliable

        with contextlib.suppress(RuntimeError):  # the loop is closing
            self._loop.call_soon_threadsafe(apply)
