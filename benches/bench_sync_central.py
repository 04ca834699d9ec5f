"""The central sync service under load: push, pull, long-poll wake-up, concurrent writers.

Run: python benches/bench_sync_central.py [--db URL]   (one JSON object on stdout, notes on stderr)

Without --db it uses a new SQLite file in a temp folder. With --db postgresql://… it uses that
database (initialised with `central init` if needed; the bench adds workstations with fresh
names each run, so an old database can be reused). A throwaway PostgreSQL 15 cluster is what
tests/central/central_pg.py starts; any empty database on a test server will do.

What it measures, on real local stores (tongban.models.store) writing real events:
- push: WORKSTATIONS workstations each push their outbox (CASES accepted + receipt_printed
  each) in batches of BATCH; per-batch time and events/s.
- pull: a processing center pulls everything that concerns it, BATCH events per pull.
- wake: a live uvicorn server; a pull waits (wait=20) while another workstation pushes one event
  over HTTP; time from sending the push to the waiting pull's answer, ROUNDS times.
- concurrent: WRITERS threads push at once while a reader pulls in a loop; events/s, and how many
  events the reader missed (must be 0: the commit-order guarantee).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import uvicorn
from argon2 import PasswordHasher
from uuid6 import uuid7

from tongban.central.app import create_app
from tongban.central.clerks import ClerkRole
from tongban.central.database import current_revision, open_database
from tongban.central.enrollment import Workstation
from tongban.central.pull import Cursor
from tongban.central.store import CentralStore
from tongban.models.catalog import Mode
from tongban.models.geography import shanghai
from tongban.models.rules import make_case_number
from tongban.models.store import (
    Accepted,
    EventKind,
    MaterialReceived,
    Person,
    ReceiptPrinted,
    Store,
    init_workstation,
    mark_synced,
    open_store,
    pending_events,
    record_event,
)
from tongban.models.sync_wire import WireEvent

WORKSTATIONS = 8
CASES = 60
BATCH = 100
ROUNDS = 20
WRITERS = 4
AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
PROCESSING = "310105001"


@dataclass
class Bench:
    store: CentralStore
    folder: Path
    run: str  # makes names unique per run


@dataclass
class Station:
    device_id: str
    token: str
    workstation: Workstation
    local: Store
    clerk: str
    center: str
    number: int
    serial: int = 0


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def station(bench: Bench, center: str, index: int) -> Station:
    clerk = f"B{bench.run[-6:]}{index:03d}"
    bench.store.add_clerk(
        number=clerk,
        name="压测",
        role=ClerkRole.CLERK,
        center_code=center,
        password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash("abc12345"),
    )
    enrollment = bench.store.enroll(center_code=center, name=f"bench-{bench.run}-{index}")
    redeemed, _ = bench.store.redeem(enrollment.code, app_version="bench")
    w = redeemed.workstation
    local = open_store(bench.folder / f"{w.device_id}.db")
    with local.transaction() as session:
        init_workstation(
            session,
            center_code=center,
            site_code=center,
            number=w.number,
            at=AT,
            device_id=w.device_id,
        )
    return Station(w.device_id, redeemed.token, w, local, clerk, center, w.number)


def record_cases(s: Station, count: int) -> None:
    with s.local.transaction() as session:
        for _ in range(count):
            s.serial += 1
            number = make_case_number(s.center, date(2026, 3, 2), s.number, s.serial)
            payload = Accepted(
                item_code="MZ001",
                catalog_revision="2018-07-01",
                mode=Mode.SEPARATED,
                applicant=Person(
                    document_type="resident_id", id_number="310105199001011234", name="王五"
                ),
                accepting_center=s.center,
                accepting_site=s.center,
                processing_center=PROCESSING,
                materials=(MaterialReceived(name="身份证", original_seen=True),),
            )
            for kind, data in (
                (EventKind.ACCEPTED, payload),
                (EventKind.RECEIPT_PRINTED, ReceiptPrinted()),
            ):
                record_event(
                    session,
                    workstation=s.device_id,
                    clerk=s.clerk,
                    case_number=number,
                    kind=kind,
                    payload=data,
                    at=AT,
                )


def outbox(s: Station) -> list:
    with s.local.reading() as session:
        return pending_events(session, limit=100_000)


def synced(s: Station, event_ids: list[str]) -> None:
    with s.local.transaction() as session:
        mark_synced(session, event_ids, at=AT)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def bench_push(bench: Bench, stations: list[Station]) -> dict:
    times, total = [], 0
    for s in stations:
        events = outbox(s)
        for start in range(0, len(events), BATCH):
            batch = events[start : start + BATCH]
            began = time.perf_counter()
            pushed = bench.store.push(s.workstation, batch)
            times.append(time.perf_counter() - began)
            total += len(batch)
            synced(s, [r.event_id for r in pushed.outcome.results])
    return {
        "events": total,
        "batch": BATCH,
        "events_per_s": round(total / sum(times)),
        **summary(times),
    }


def bench_pull(bench: Bench, reader: Station) -> dict:
    times, total = [], 0
    cursor: Cursor | None = None
    while True:
        began = time.perf_counter()
        pulled = bench.store.pull(reader.workstation, cursor, limit=BATCH)
        times.append(time.perf_counter() - began)
        total += len(pulled.batch.events)
        cursor = pulled.batch.cursor
        if not pulled.batch.more:
            break
    return {
        "events": total,
        "batch": BATCH,
        "events_per_s": round(total / sum(times)),
        **summary(times),
    }


class Live:
    def __init__(self, store: CentralStore) -> None:
        config = uvicorn.Config(create_app(store), host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def bench_wake(bench: Bench, writer: Station, reader: Station) -> dict:
    latencies = []
    with Live(bench.store) as base, httpx.Client(base_url=base, timeout=30) as client:
        cursor = _drain(client, reader)
        for _ in range(ROUNDS):
            latency, cursor = _one_wake(base, client, writer, reader, cursor)
            latencies.append(latency)
    return {"rounds": ROUNDS, **summary(latencies)}


def _one_wake(
    base: str, client: httpx.Client, writer: Station, reader: Station, cursor: str
) -> tuple[float, str]:
    """A pull waits; one event is pushed; seconds from sending the push to the pull's answer."""
    answered: list[tuple[float, dict]] = []

    def wait() -> None:
        with httpx.Client(base_url=base, timeout=30) as waiting:
            params = {"cursor": cursor, "wait": 20}
            r = waiting.get("/v1/pull", params=params, headers=_auth(reader))
        answered.append((time.perf_counter(), r.json()))

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.2)
    record_cases(writer, 1)
    events = outbox(writer)
    body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in events]}
    sent = time.perf_counter()
    response = client.post("/v1/push", json=body, headers=_auth(writer))
    synced(writer, [r["event_id"] for r in response.json()["results"]])
    thread.join()
    at, answer = answered[0]
    return at - sent, _drain(client, reader, answer["cursor"])


def _auth(s: Station) -> dict[str, str]:
    return {"Authorization": f"Bearer {s.token}"}


def _drain(client: httpx.Client, reader: Station, cursor: str | None = None) -> str:
    while True:
        params = {"cursor": cursor} if cursor else {}
        body = client.get("/v1/pull", params=params, headers=_auth(reader)).json()
        cursor = body["cursor"]
        if not body["more"]:
            return cursor


def bench_concurrent(bench: Bench, writers: list[Station], reader: Station) -> dict:
    for s in writers:
        record_cases(s, CASES)
    expected = {e.id for s in writers for e in outbox(s)}
    cursor = bench.store.pull(reader.workstation, None, limit=1).batch.cursor
    cursor = _skip_to_end(bench, reader, cursor)
    seen: set[str] = set()
    done = threading.Event()

    def read() -> None:
        nonlocal cursor
        while True:
            finished = done.is_set()
            pulled = bench.store.pull(reader.workstation, cursor, limit=BATCH)
            seen.update(e.id for e in pulled.batch.events)
            cursor = pulled.batch.cursor
            if finished and not pulled.batch.more:
                return

    def write(s: Station) -> None:
        events = outbox(s)
        for start in range(0, len(events), 20):
            pushed = bench.store.push(s.workstation, events[start : start + 20])
            synced(s, [r.event_id for r in pushed.outcome.results])

    reader_thread = threading.Thread(target=read)
    reader_thread.start()
    began = time.perf_counter()
    threads = [threading.Thread(target=write, args=(s,)) for s in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    done.set()
    reader_thread.join()
    return {
        "writers": len(writers),
        "events": len(expected),
        "events_per_s": round(len(expected) / elapsed),
        "missed_by_reader": len(expected - seen),
    }


def _skip_to_end(bench: Bench, reader: Station, cursor: Cursor) -> Cursor:
    while True:
        pulled = bench.store.pull(reader.workstation, cursor, limit=1000)
        cursor = pulled.batch.cursor
        if not pulled.batch.more:
            return cursor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
    url = args.db or f"sqlite:///{folder / 'central.db'}"
    database = open_database(url)
    store = CentralStore(database)
    if current_revision(database) is None or not args.db:
        note("初始化中心数据库 …")
        store.initialise()
    bench = Bench(store=store, folder=folder, run=str(uuid7()).replace("-", ""))
    centers = [c.code for c in shanghai().centers.values() if c.code != PROCESSING][:WORKSTATIONS]
    note(f"登记 {WORKSTATIONS} 台工作站并记录 {WORKSTATIONS * CASES * 2} 个事件 …")
    stations = [station(bench, center, i) for i, center in enumerate(centers)]
    for s in stations:
        record_cases(s, CASES)
    reader = station(bench, PROCESSING, 900)
    result = {"database": database.engine.dialect.name}
    note("push …")
    result["push"] = bench_push(bench, stations)
    note("pull …")
    result["pull"] = bench_pull(bench, reader)
    note("long-poll wake …")
    result["wake"] = bench_wake(bench, stations[0], reader)
    note("concurrent writers …")
    result["concurrent"] = bench_concurrent(bench, stations[1 : 1 + WRITERS], reader)
    database.close()
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
