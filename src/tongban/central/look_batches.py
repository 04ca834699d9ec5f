"""Looks at the database for long-polls, taken together: one thread and one session for the
waiters one push wakes.

A push wakes every waiter of its two centers at once, and each of them needs a look at the feed.
One at a time, each look costs a hop to a worker thread, a connection from the pool and a token
query of its own, and the hops contend for the interpreter with the push that follows. Here the
looks asked for in one turn of the event loop (all the waiters one publish woke) go to one
thread as one call, CentralStore.authenticated_pulls: one session, their tokens in one query,
each center's feed head once. Up to LOOKS_PER_CALL looks share a call; more are split over
several calls, which run at once up to the caller's thread limit.

Each waiter still gets its own answer from its own token and cursor: a refused token fails only
its own request, and a waiter that went away (its request cancelled) is simply not answered.
"""

from __future__ import annotations

import asyncio
from functools import partial

import anyio.to_thread
from anyio import CapacityLimiter

from tongban.central.store import CentralStore, Look, LookAnswer

LOOKS_PER_CALL = 32  # a bigger crowd (a recheck storm) is spread over the look threads

_Asked = tuple[Look, "asyncio.Future[LookAnswer]"]


class LookBatches:
    """Gathers the looks asked for in one turn of the event loop; use it on that loop only."""

    def __init__(self, store: CentralStore, threads: int) -> None:
        self._store = store
        self._threads = threads
        self._limiter: CapacityLimiter | None = None  # made on the loop that uses it
        self._asked: list[_Asked] = []
        self._running: set[asyncio.Task[None]] = set()  # held, so none is collected mid-call

    async def look(self, look: Look) -> LookAnswer:
        """The answer to one look (the refusal of its token is returned, not raised)."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[LookAnswer] = loop.create_future()
        self._asked.append((look, answer))
        if len(self._asked) == 1:  # the first of this turn: send them all on the next
            loop.call_soon(self._send)
        return await answer

    def _send(self) -> None:
        asked, self._asked = self._asked, []
        for start in range(0, len(asked), LOOKS_PER_CALL):
            task = asyncio.create_task(self._answer(asked[start : start + LOOKS_PER_CALL]))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _answer(self, asked: list[_Asked]) -> None:
        if self._limiter is None:
            self._limiter = CapacityLimiter(self._threads)
        looks = [look for look, _ in asked]
        try:
            answers = await anyio.to_thread.run_sync(
                partial(self._store.authenticated_pulls, looks), limiter=self._limiter
            )
        except asyncio.CancelledError:  # the service is stopping
            for _, waiting in asked:
                waiting.cancel()
            raise
        except Exception as error:  # the database failed them all (a 503 for each)
            for _, waiting in asked:
                if not waiting.done():
                    waiting.set_exception(error)
            return
        for (_, waiting), answer in zip(asked, answers, strict=True):
            if not waiting.done():  # done: its request was cancelled meanwhile
                waiting.set_result(answer)
