"""Pushes under load: many workstations long-polling while events are pushed at a steady rate.

Run from the repository root:
    python -m benches.bench_sync_longpoll [--sqlite] [--waiters 500] [--rate 50] [--seconds 20]
        [--workers N]
(one JSON object on stdout, notes on stderr; a throwaway PostgreSQL 15 cluster unless --sqlite)

The service runs as deployed (`tongban central serve [--workers N]`, own processes, 127.0.0.1);
the load comes from two more processes (asyncio + httpx.AsyncClient), loopback only: the waiters
from this one, the pushers from one of their own, so that a push's answer is read as soon as it
arrives, as at a counter, not after the waiters' load generator has worked through the answers
the same push woke (on one event loop that lag reached ~100 ms at p99, and was timed as the push's).

- waiters: WAITERS workstations, spread over the 220 centers in turn, each enrolled through the
  central store's API with its own device token. Each drains its feed, then long-polls
  (`GET /v1/pull?wait=25`) and polls again at once after every answer, until the end.
- pushers: PUSHERS more workstations with real local stores holding RATE × SECONDS accepted
  收受分离 cases (processing centers spread over the city). Event k is sent at start + k/RATE by
  pusher k mod PUSHERS, one event a push (as a counter pushes after each accept), each pusher
  in its own sequence order. Timed: push latency (request sent to answer read) and how late the
  sends fell behind schedule (the load generator's own lag).
- wake-ups: long-poll answers that carried events during the run; `delivered` counts (event,
  waiter) pairs against the pairs expected (every waiter of the event's accepting or processing
  center), and `delivery` is from the push being sent to a waiter holding the event.

Everything stops by itself: pushing ends after SECONDS, waiters get GRACE seconds more and are
then cancelled, the service process is terminated and the database removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benches.sync_bench_support import (
    ServiceProcess,
    add_clerk,
    add_station,
    central_database,
    cpu_meter,
    enroll,
    note,
    percentiles,
    record_accepts,
)
from tongban.central.database import open_database
from tongban.central.store import CentralStore
from tongban.models.geography import shanghai
from tongban.models.store import pending_events
from tongban.models.sync_wire import WireEvent

PUSHERS = 10
LONG_POLL = 25
LONG_POLL_TIMEOUT = httpx.Timeout(LONG_POLL + 30, connect=10)
PUSH_TIMEOUT = httpx.Timeout(15, connect=10)  # a push still unanswered then counts as an error
GRACE = 3.0  # seconds the waiters get after the last push
PUSHERS_START = 5.0  # seconds from asking for the pushers' process to the first push (spawn)
START_CONCURRENCY = 25  # first pulls (catch-up) at once while the waiters start


@dataclass
class Waiter:
    token: str
    center: str


class Startup:
    """The waiters catch up a few at a time; the run starts once all are long-polling."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.ready = 0
        self.gate = asyncio.Semaphore(START_CONCURRENCY)
        self.all_ready = asyncio.Event()

    def one_ready(self) -> None:
        self.ready += 1
        if self.ready == self.total:
            self.all_ready.set()

    async def settled(self, tasks: list[asyncio.Task[None]]) -> None:
        waiting = asyncio.create_task(self.all_ready.wait())
        await asyncio.wait([waiting, *tasks], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in tasks if t.done()]
        if failed or not self.all_ready.is_set():
            waiting.cancel()
            problem = repr(failed[0].exception()) if failed else "超时"
            raise RuntimeError(f"等待的工作站未能全部就位：{problem}")
        await asyncio.sleep(1.0)  # the last ones' first long-poll reaches the service


@dataclass(frozen=True)
class PushPlan:
    """One pusher's events in its sequence order, as ready request bodies."""

    token: str
    bodies: list[dict[str, Any]]
    event_ids: list[str]


@dataclass
class PushTally:
    """What the pushers' process saw (times: time.monotonic, the same clock in every process)."""

    push_latency: list[float] = field(default_factory=list)
    send_lag: list[float] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)  # event id: push sent
    centers_of: dict[str, tuple[str, str]] = field(default_factory=dict)  # event id: centers
    push_errors: Counter[str] = field(default_factory=Counter)
    not_sent: int = 0  # events whose time came after the run's end (the pushers fell behind)
    cpu_s: float = 0.0  # the pushers' process, while pushing


@dataclass
class Tally:
    pushed: PushTally = field(default_factory=PushTally)
    cpu_s: dict[str, float] = field(default_factory=dict)  # over the pushing phase
    wakeups: int = 0
    empty_answers: int = 0
    pull_errors: Counter[str] = field(default_factory=Counter)
    received: list[tuple[str, str, float]] = field(default_factory=list)  # event, center, when


def prepare(
    args: argparse.Namespace, central: CentralStore, folder: Path
) -> tuple[list[Waiter], list[PushPlan]]:
    centers = [c.code for c in shanghai().centers.values()]
    note(f"登记 {args.waiters} 台等待的工作站（各自的令牌）…")
    waiters = []
    for index in range(args.waiters):
        center = centers[index % len(centers)]
        _workstation, token = enroll(central, center, f"wait-{index}")
        waiters.append(Waiter(token=token, center=center))
    per_pusher = -(-args.rate * args.seconds // PUSHERS)
    note(f"{PUSHERS} 台推送工作站，各记录 {per_pusher} 件受理 …")
    plans = []
    for index in range(PUSHERS):
        center = centers[index * 19 % len(centers)]
        clerk = add_clerk(central, center, f"W{index:05d}")
        station = add_station(central, folder, center, f"push-{index}", clerk)
        targets = [c for c in centers[index::7] if c != center]
        record_accepts(station, targets, per_pusher)
        with station.local.reading() as session:
            events = pending_events(session, limit=per_pusher)
        station.local.close()
        bodies = [{"events": [WireEvent.from_event(e).model_dump(mode="json")]} for e in events]
        plans.append(PushPlan(station.token, bodies, [e.id for e in events]))
    return waiters, plans


def push_in_own_process(
    base: str, plans: list[PushPlan], rate: int, seconds: int, start: float
) -> PushTally:
    """The pushers, in a process of their own: each plan's events on schedule from `start`."""
    tally = PushTally()
    began = time.process_time()
    asyncio.run(_push_all(base, plans, rate, seconds, start, tally))
    tally.cpu_s = time.process_time() - began
    return tally


async def _push_all(
    base: str, plans: list[PushPlan], rate: int, seconds: int, start: float, tally: PushTally
) -> None:
    clients = [_client(base, PUSH_TIMEOUT) for _ in plans]
    try:
        await asyncio.gather(
            *(
                push_plan(client, plan, index, rate, seconds, start, tally)
                for index, (client, plan) in enumerate(zip(clients, plans, strict=True))
            )
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def push_plan(
    client: httpx.AsyncClient,
    plan: PushPlan,
    index: int,
    rate: int,
    seconds: int,
    start: float,
    tally: PushTally,
) -> None:
    headers = {"Authorization": f"Bearer {plan.token}"}
    for number, (body, event_id) in enumerate(zip(plan.bodies, plan.event_ids, strict=True)):
        due = start + (number * PUSHERS + index) / rate
        if due - start >= seconds:
            return
        if time.monotonic() - start >= seconds:  # behind schedule: stop on time anyway
            tally.not_sent += 1
            continue
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        sent = time.monotonic()
        tally.send_lag.append(max(0.0, sent - due))
        tally.sent_at[event_id] = sent
        payload = body["events"][0]["payload"]
        tally.centers_of[event_id] = (payload["accepting_center"], payload["processing_center"])
        try:
            response = await client.post("/v1/push", json=body, headers=headers)
        except httpx.HTTPError as error:
            tally.push_errors[type(error).__name__] += 1
            continue
        tally.push_latency.append(time.monotonic() - sent)
        if response.status_code != 200:
            tally.push_errors[str(response.status_code)] += 1


async def wait_loop(
    client: httpx.AsyncClient,
    waiter: Waiter,
    startup: Startup,
    tally: Tally,
    measuring: asyncio.Event,
) -> None:
    headers = {"Authorization": f"Bearer {waiter.token}"}
    async with startup.gate:  # catch up first (nothing has been pushed to these centers yet)
        cursor = (await _pull(client, headers, None, 0))["cursor"]
    startup.one_ready()
    while True:
        try:
            body = await _pull(client, headers, cursor, LONG_POLL)
        except httpx.HTTPError as error:
            tally.pull_errors[type(error).__name__] += 1
            await asyncio.sleep(1)
            continue
        if "cursor" not in body:
            tally.pull_errors[str(body.get("error"))] += 1
            await asyncio.sleep(1)
            continue
        cursor = body["cursor"]
        if not measuring.is_set():
            continue
        if body["events"]:
            tally.wakeups += 1
            now = time.monotonic()
            tally.received.extend((e["id"], waiter.center, now) for e in body["events"])
        else:
            tally.empty_answers += 1


async def _pull(
    client: httpx.AsyncClient, headers: dict[str, str], cursor: str | None, wait: int
) -> dict[str, Any]:
    params: dict[str, Any] = {"wait": wait}
    if cursor:
        params["cursor"] = cursor
    response = await client.get("/v1/pull", params=params, headers=headers)
    return response.json()


async def load(
    base: str,
    waiters: list[Waiter],
    plans: list[PushPlan],
    args: argparse.Namespace,
    meter: Callable[[], dict[str, float]],
) -> Tally:
    tally = Tally()
    measuring = asyncio.Event()
    # One client (one connection) per workstation, as in the field: a single client with
    # hundreds of pooled connections spends its time in the pool's bookkeeping, and then the
    # load generator, not the service, is what gets measured.
    pull_clients = [_client(base, LONG_POLL_TIMEOUT) for _ in waiters]
    spawn = multiprocessing.get_context("spawn")  # no fork of a running event loop
    try:
        startup = Startup(len(waiters))
        tasks = [
            asyncio.create_task(wait_loop(c, w, startup, tally, measuring))
            for c, w in zip(pull_clients, waiters, strict=True)
        ]
        await startup.settled(tasks)
        note(f"{len(waiters)} 个长轮询已就位；以每秒 {args.rate} 个事件推送 {args.seconds} 秒 …")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pushers:
            start = time.monotonic() + PUSHERS_START
            pushing = asyncio.get_running_loop().run_in_executor(
                pushers, push_in_own_process, base, plans, args.rate, args.seconds, start
            )
            await asyncio.sleep(start - time.monotonic())
            measuring.set()
            before = meter()
            tally.pushed = await pushing
        wall = time.monotonic() - start
        after = meter()
        tally.cpu_s = {name: round(after[name] - before[name], 1) for name in before}
        tally.cpu_s["pushers"] = round(tally.pushed.cpu_s, 1)
        tally.cpu_s["wall"] = round(wall, 1)
        await asyncio.sleep(GRACE)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await asyncio.gather(*(c.aclose() for c in pull_clients))
    return tally


def _client(base: str, timeout: httpx.Timeout) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=timeout, limits=httpx.Limits(max_connections=1))


def summarise(tally: Tally, waiters: list[Waiter], args: argparse.Namespace) -> dict[str, Any]:
    per_center = Counter(w.center for w in waiters)
    pushed = tally.pushed
    expected = sum(
        per_center[a] + (per_center[p] if p != a else 0) for a, p in pushed.centers_of.values()
    )
    deliveries = [
        when - pushed.sent_at[event_id]
        for event_id, _center, when in tally.received
        if event_id in pushed.sent_at
    ]
    return {
        "service_processes": args.workers,
        "waiters": len(waiters),
        "waiter_centers": len(per_center),
        "pushers": PUSHERS,
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "pushes": len(pushed.push_latency),
        "not_sent_behind_schedule": pushed.not_sent,
        "push_errors": dict(pushed.push_errors),
        "push": percentiles(pushed.push_latency),
        "send_lag_behind_schedule": percentiles(pushed.send_lag),
        "wakeups": tally.wakeups,
        "empty_answers": tally.empty_answers,
        "pull_errors": dict(tally.pull_errors),
        "delivered": len(tally.received),
        "expected_deliveries": expected,
        "delivery": percentiles(deliveries),
        "cpu_s_while_pushing": tally.cpu_s,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with central_database(sqlite=args.sqlite) as dbs:
        central = CentralStore(open_database(dbs.url))
        waiters, plans = prepare(args, central, dbs.folder)
        central.database.close()
        service = ServiceProcess(dbs.url, dbs.folder / "service.log", workers=args.workers)
        with service as base:
            meter = cpu_meter(service.pid, dbs.postmaster_pid, here="waiters")
            tally = asyncio.run(load(base, waiters, plans, args, meter))
    return {
        "database": "sqlite" if args.sqlite else "postgresql",
        **summarise(tally, waiters, args),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--waiters", type=int, default=500)
    parser.add_argument("--rate", type=int, default=50, help="events pushed per second")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="service processes (PostgreSQL)")
    args = parser.parse_args()
    json.dump(run(args), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
