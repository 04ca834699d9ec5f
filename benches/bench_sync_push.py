"""Push throughput through the service beside a raw batched INSERT of the same rows.

Run from the repository root:
    python -m benches.bench_sync_push [--sqlite] [--process] [--workstations 4] [--cases 500]
(one JSON object on stdout, notes on stderr; a throwaway PostgreSQL 15 cluster unless --sqlite)

- service: WORKSTATIONS real local stores each hold CASES accepted cases with their
  receipt_printed event (2 events a case); each pushes its outbox over HTTP (SyncClient.push,
  the service on uvicorn in this process) in batches of 500, marking the answer synced locally
  between batches as the engine does. Timed: each HTTP push (request to parsed answer), and,
  inside the service, CentralStore.authenticated_push (one database transaction: token, lock,
  checks, insert, case-index rewrite) — the rest of the HTTP time is JSON and pydantic on both
  sides. Before the timed pushes another workstation pushes WARM_UP_CASES cases, untimed: the
  service's first request opens its database connections and fills its caches, as the raw
  baseline's connection is opened before its clock starts.
- raw: the same events, as the same columns (txid, id, …, processing_center), inserted into the
  events table of an identical sibling database (same schema, indexes and triggers; created from
  the same template) in batches of 500, one transaction a batch, no checks: psycopg executemany
  and COPY on PostgreSQL, sqlite3 executemany on SQLite. A sibling because the log refuses the
  same event id twice and its rows cannot be deleted.

- floor: the same batches, pushed the same way, to benches.push_floor (same HTTP stack and body
  validation, the raw rows by COPY into a third sibling, every event answered "accepted"; no
  checks, no case index): what any push on this stack costs before it does its own work.

`ratio` = service events/s ÷ raw events/s, per baseline (the issue's goal: ≥ 0.5);
`floor.ratio` the same for the floor, and `floor.service_share` = service ÷ floor.
`cpu_ms_per_batch`: the CPU each side spent per batch — the client inside SyncClient.push (or
the raw loop), the service when it runs in its own process (--process), and PostgreSQL, all its
processes (not on SQLite).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benches.push_floor import PROCESSING, LogWriter, floor_app
from benches.sync_bench_support import (
    AT,
    Databases,
    ServiceProcess,
    Station,
    ThreadServer,
    add_clerk,
    add_station,
    central_database,
    cpu_meter,
    note,
    percentiles,
    record_accepts,
)
from tongban.central.app import create_app
from tongban.central.database import open_database
from tongban.central.enrollment import Credentials, Workstation
from tongban.central.serving import settle_startup_objects
from tongban.central.store import CentralStore, Pushed
from tongban.desktop.sync.client import SyncClient
from tongban.models.geography import shanghai
from tongban.models.store import Event, mark_synced, pending_events
from tongban.models.sync_wire import MAX_PUSH_BATCH, PushResponse

WARM_UP_CASES = 50  # pushed before the timed pushes, by a workstation of its own


class TimedStore(CentralStore):
    """The real store; only remembers how long each push transaction took (the service's
    POST /v1/push calls authenticated_push)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.push_seconds: list[float] = []

    def authenticated_push(
        self, credentials: Credentials, events: Sequence[Event], **kwargs: Any
    ) -> tuple[Workstation, Pushed]:
        began = time.perf_counter()
        try:
            return super().authenticated_push(credentials, events, **kwargs)
        finally:
            self.push_seconds.append(time.perf_counter() - began)


@dataclass
class PushRun:
    batches: list[list[Event]] = field(default_factory=list)
    http_seconds: list[float] = field(default_factory=list)
    client_cpu_seconds: float = 0.0  # this process, inside SyncClient.push
    outcomes: dict[str, int] = field(default_factory=dict)

    def push(self, client: SyncClient, batch: list[Event]) -> PushResponse:
        """One timed push: its HTTP time, the client's CPU inside it, its answers counted."""
        began, cpu = time.perf_counter(), time.process_time()
        answer = client.push(batch)
        self.http_seconds.append(time.perf_counter() - began)
        self.client_cpu_seconds += time.process_time() - cpu
        self.batches.append(batch)
        for result in answer.results:
            self.outcomes[result.outcome] = self.outcomes.get(result.outcome, 0) + 1
        return answer


def push_outbox(base: str, station: Station, run: PushRun) -> None:
    with SyncClient(base, station.token) as client:
        while True:
            with station.local.reading() as session:
                batch = pending_events(session, limit=MAX_PUSH_BATCH)
            if not batch:
                return
            answer = run.push(client, batch)
            with station.local.transaction() as session:
                mark_synced(session, [r.event_id for r in answer.results], at=AT)


@dataclass
class RawRun:
    seconds: float = 0.0  # the batches' transactions, end to end
    cpu_s: dict[str, float] = field(default_factory=dict)  # this process (the client), PostgreSQL


def raw_run(
    url: str, batches: list[list[Event]], author: dict[str, str], copy: bool, postmaster: int | None
) -> RawRun:
    """The batches written raw (push_floor.LogWriter), each transaction timed end to end."""
    run = RawRun()
    with closing(LogWriter(url, author, AT, copy=copy)) as write:
        meter = cpu_meter(None, postmaster, here="client")  # its connection is open now
        before = meter()
        for batch in batches:
            began = time.perf_counter()
            write(batch)
            run.seconds += time.perf_counter() - began
        run.cpu_s = used_since(meter, before)
    return run


def rate(events: int, seconds: float) -> int:
    return round(events / seconds) if seconds > 0 else 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    with central_database(sqlite=args.sqlite, siblings=3) as dbs:
        store = TimedStore(open_database(dbs.url))
        centers = [c.code for c in shanghai().centers.values() if c.code != PROCESSING]
        note(f"登记 {args.workstations} 台工作站，各记录 {args.cases} 件（受理 + 打印回执）…")
        stations = []
        for index, center in enumerate(centers[: args.workstations]):
            clerk = add_clerk(store, center, f"P{index:05d}")
            stations.append(add_station(store, dbs.folder, center, f"push-{index}", clerk))
            record_accepts(stations[-1], [PROCESSING], args.cases, receipts=True)
        first = stations[0]
        warm_up = add_station(store, dbs.folder, first.center, "warm-up", first.clerk)
        record_accepts(warm_up, [PROCESSING], WARM_UP_CASES, receipts=True)
        note("经服务推送 …")
        pushed, warm = PushRun(), PushRun()
        serving = _service(args, store, dbs.url, dbs.folder)
        with serving as base:
            push_outbox(base, warm_up, warm)  # not counted: connections, caches
            store.push_seconds.clear()
            service_pid = serving.pid if isinstance(serving, ServiceProcess) else None
            meter = cpu_meter(service_pid, dbs.postmaster_pid, here="bench")
            before, began = meter(), time.perf_counter()
            for s in stations:
                push_outbox(base, s, pushed)
            wall, used = time.perf_counter() - began, used_since(meter, before)
        store.database.close()
        events = sum(len(b) for b in pushed.batches)
        batches = len(pushed.batches)
        author = {s.device_id: s.center for s in [*stations, warm_up]}
        service: dict[str, Any] = {
            "runs": "own process" if args.process else "thread of the bench",
            "events_per_s": rate(events, sum(pushed.http_seconds)),
            "batch": percentiles(pushed.http_seconds),
            "wall_s_incl_local_bookkeeping": round(wall, 2),
            "cpu_ms_per_batch": _service_cpu(used, pushed, batches),
        }
        if not args.process:
            service["store_push_events_per_s"] = rate(events, sum(store.push_seconds))
            service["store_push_share_of_http"] = round(
                sum(store.push_seconds) / sum(pushed.http_seconds), 2
            )
        result: dict[str, Any] = {
            "database": "sqlite" if args.sqlite else "postgresql",
            "events": events,
            "batch": MAX_PUSH_BATCH,
            "outcomes": pushed.outcomes,
            "service": service,
        }
        note("同样的批次经“下限”端点（只有 HTTP、校验和写入）…")
        result["floor"] = push_floor(args, dbs, warm.batches, pushed.batches, author)
        note("原始批量写入（同样的行，不做检查）…")
        raws = _raw_baselines(args.sqlite, dbs, pushed.batches, author)
        result["raw"] = {
            name: {
                "events_per_s": rate(events, raw.seconds),
                "cpu_ms_per_batch": per_batch_ms(raw.cpu_s, batches),
            }
            for name, raw in raws.items()
        }
        service = result["service"]["events_per_s"]
        result["ratio"] = {
            name: round(service / rate(events, raw.seconds), 3) for name, raw in raws.items()
        }
        floor = result["floor"]["events_per_s"]
        result["floor"]["ratio"] = {
            name: round(floor / rate(events, raw.seconds), 3) for name, raw in raws.items()
        }
        result["floor"]["service_share"] = round(service / floor, 3) if floor else 0
        return result


def push_floor(
    args: argparse.Namespace,
    dbs: Databases,
    warm_up: list[list[Event]],
    batches: list[list[Event]],
    author: dict[str, str],
) -> dict[str, Any]:
    """The same batches, pushed the same way, to benches.push_floor writing into a sibling."""
    url = dbs.siblings[2]
    run = PushRun()
    with ExitStack() as stack:
        if args.process:
            authors = dbs.folder / "authors.json"
            authors.write_text(json.dumps(author))
            command = [sys.executable, "-m", "benches.push_floor", url, str(authors)]
            server: ServiceProcess | ThreadServer = ServiceProcess(
                url, dbs.folder / "floor.log", command=command
            )
        else:
            write = stack.enter_context(closing(LogWriter(url, author, AT)))
            server = ThreadServer(floor_app(write))
        used = _timed_floor(server, dbs, warm_up, batches, run)
    events = sum(len(b) for b in batches)
    return {
        "events_per_s": rate(events, sum(run.http_seconds)),
        "outcomes": run.outcomes,
        "batch": percentiles(run.http_seconds),
        "cpu_ms_per_batch": _service_cpu(used, run, len(batches)),
    }


def _timed_floor(
    server: ServiceProcess | ThreadServer,
    dbs: Databases,
    warm_up: list[list[Event]],
    batches: list[list[Event]],
    run: PushRun,
) -> dict[str, float]:
    """Push through the floor: the warm-up untimed, then the batches; the CPU each side used."""
    with server as base, SyncClient(base, "floor") as client:
        for batch in warm_up:  # not counted, as the service's warm-up
            client.push(batch)
        floor_pid = server.pid if isinstance(server, ServiceProcess) else None
        meter = cpu_meter(floor_pid, dbs.postmaster_pid, here="bench")
        before = meter()
        for batch in batches:
            run.push(client, batch)
        return used_since(meter, before)


def used_since(meter: Callable[[], dict[str, float]], before: dict[str, float]) -> dict[str, float]:
    after = meter()
    return {name: after[name] - before[name] for name in before}


def _service_cpu(used: dict[str, float], pushed: PushRun, batches: int) -> dict[str, float]:
    """CPU per batch of each side: the client's (inside SyncClient.push), the service's when it
    runs in its own process (in a thread of the bench it is not told apart), PostgreSQL's."""
    cpu = {"client": pushed.client_cpu_seconds}
    cpu.update({name: used[name] for name in ("service", "postgresql") if name in used})
    return per_batch_ms(cpu, batches)


def _service(
    args: argparse.Namespace, store: CentralStore, url: str, folder: Path
) -> AbstractContextManager[str]:
    """The service under test: `tongban central serve` in its own process (--process, as
    deployed), or on uvicorn in a thread here, where the store's own time can be taken."""
    if args.process:
        return ServiceProcess(url, folder / "service.log")
    settle_startup_objects()  # as `tongban central serve` does before serving
    return ThreadServer(create_app(store))


def _raw_baselines(
    sqlite: bool, dbs: Databases, batches: list[list[Event]], author: dict[str, str]
) -> dict[str, RawRun]:
    if sqlite:
        return {"sqlite_executemany": raw_run(dbs.siblings[0], batches, author, False, None)}
    pid = dbs.postmaster_pid
    runs: dict[str, Callable[[], RawRun]] = {
        "executemany": lambda: raw_run(dbs.siblings[0], batches, author, False, pid),
        "copy": lambda: raw_run(dbs.siblings[1], batches, author, True, pid),
    }
    return {name: measure() for name, measure in runs.items()}


def per_batch_ms(cpu_s: dict[str, float], batches: int) -> dict[str, float]:
    return {name: round(seconds * 1000 / batches, 1) for name, seconds in cpu_s.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--workstations", type=int, default=4)
    parser.add_argument("--cases", type=int, default=500, help="cases per workstation")
    parser.add_argument(
        "--process", action="store_true", help="serve from its own process (no store timing)"
    )
    args = parser.parse_args()
    json.dump(run(args), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
