"""The long-poll behind GET /v1/pull?wait=N: answer at once when there is something, else wait.

A pull that finds nothing takes its center's signal (notify.py) before it looks and waits for
it, so a push that commits in between is not missed. Two things keep the service's work down
when hundreds of workstations wait at once:

- The feed queries run on their own few threads (`PULL_THREADS`), so a push never queues behind
  a crowd of pulls for a thread or a database connection. The waiters one push wakes look
  together: one thread, one session, one token query (look_batches.py).
- A workstation asks again right after every answer. When nothing has been published for its
  center since the look that produced that answer, looking again would find nothing: the
  service remembers, per workstation, the cursor it answered with and the center's
  `Notifier.generation` at that look, and a request with that same cursor skips straight to
  waiting. This is exactly as safe as having gone on waiting in the first place (the same
  notifications wake it, `recheck_after` bounds it) and the answer itself always comes from a
  fresh look. The memory is per instance; behind a proxy another instance simply looks.

The pull authenticates in the same look at the database (CentralStore.authenticated_pulls), so an
answer always comes from a token checked at that moment: a retired or quarantined workstation
gets nothing more. A request that skips to waiting needs no look at all: the service knows the
token from its last answer (`_known`), and the look that ends the wait checks it again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

import anyio.to_thread

from tongban.central.enrollment import Credentials, Workstation, digest
from tongban.central.errors import CentralError
from tongban.central.look_batches import LookBatches
from tongban.central.notify import Notifier, wait_for
from tongban.central.pull import Cursor
from tongban.central.store import CentralStore, Look, Pulled

HELD_BACK_RECHECK = 0.1  # seconds: a transaction below the horizon usually ends within this
PULL_THREADS = 8  # feed queries at once; the thread pool's other threads stay free for pushes


@dataclass(frozen=True)
class _Quiet:
    """The last answer to a workstation left nothing behind as of `generation`, at `at`, for
    `good_for` seconds."""

    cursor: str
    generation: int
    at: float
    good_for: float


class LongPoll:
    """Answers pulls for one service instance; use it on the event loop thread only."""

    def __init__(self, store: CentralStore, notifier: Notifier) -> None:
        self._store = store
        self._notifier = notifier
        self._known: dict[str, Workstation] = {}  # token digest: its workstation at the last look
        self._quiet: dict[str, _Quiet] = {}  # device id: the last answer's state
        # Waiters woken together look together (look_batches.py).
        self._looks = LookBatches(store, threads=PULL_THREADS)

    async def pull(
        self, credentials: Credentials, after: Cursor | None, *, wait: float, limit: int
    ) -> tuple[Workstation, Pulled]:
        """The workstation and its next events after `after`; when there are none, wait up to
        `wait` seconds. NotAuthenticated or Quarantined when the token is not (or no more) good."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        key = digest(credentials.token)
        ws = self._known.get(key) or await self._learn(key, credentials)
        quiet_for = self._quiet_for(ws, after, loop.time()) if wait > 0 else None
        while True:
            generation = self._notifier.generation(ws.center_code)
            signal = self._notifier.signal(ws.center_code)
            remaining = deadline - loop.time()
            if quiet_for is not None:  # the last look is still good: wait the rest of its turn
                remaining, quiet_for, held_back = min(remaining, quiet_for), None, False
            else:
                ws, pulled = await self._look(key, credentials, after, limit)
                remaining = deadline - loop.time()
                if pulled.batch.events or pulled.batch.reset or remaining <= 0:
                    self._remember(ws, pulled, generation, loop.time())
                    return ws, pulled
                held_back = pulled.batch.held_back
            pause = HELD_BACK_RECHECK if held_back else self._notifier.recheck_after
            await wait_for(signal, min(remaining, pause))

    def known(self, credentials: Credentials) -> Workstation | None:
        """The workstation of this token as of its last answer here, not checked again."""
        return self._known.get(digest(credentials.token))

    async def _learn(self, key: str, credentials: Credentials) -> Workstation:
        """The workstation of a token not seen here before: its center names the signal to
        take before the first look (once per workstation and instance)."""
        ws = await anyio.to_thread.run_sync(
            partial(
                self._store.authenticate,
                credentials.token,
                app_version=credentials.app_version,
                clock=credentials.clock,
            )
        )
        self._known[key] = ws
        return ws

    async def _look(
        self, key: str, credentials: Credentials, after: Cursor | None, limit: int
    ) -> tuple[Workstation, Pulled]:
        answer = await self._looks.look(Look(credentials, after, limit))
        if isinstance(answer, CentralError):  # refused: nothing about this token is kept
            self._known.pop(key, None)
            raise answer
        self._known[key] = answer[0]
        return answer

    def _quiet_for(self, ws: Workstation, after: Cursor | None, now: float) -> float | None:
        """Seconds the last look at this cursor stays good for; None: look now."""
        quiet = self._quiet.get(ws.device_id)
        if quiet is None or after is None or quiet.cursor != str(after):
            return None
        if self._notifier.generation(ws.center_code) != quiet.generation:
            return None
        left = min(quiet.good_for, self._notifier.recheck_after) - (now - quiet.at)
        return left if left > 0 else None

    def _remember(self, ws: Workstation, pulled: Pulled, generation: int, now: float) -> None:
        """Note an answer that left nothing visible behind (not a full batch). Events held back
        behind an open transaction were published already, so no signal will come for them:
        that answer stays good only until the usual recheck of held-back events."""
        batch = pulled.batch
        if batch.more or not self._notifier.reliable:
            self._quiet.pop(ws.device_id, None)
            return
        good_for = HELD_BACK_RECHECK if batch.held_back else self._notifier.recheck_after
        self._quiet[ws.device_id] = _Quiet(str(batch.cursor), generation, now, good_for)
