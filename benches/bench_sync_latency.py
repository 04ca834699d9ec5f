"""Accepted at A, visible at B: the latency of a 收受分离 case between two online centers.

Run from the repository root: python -m benches.bench_sync_latency [--sqlite] [--rounds 60]
(one JSON object on stdout, notes on stderr; a throwaway PostgreSQL 15 cluster unless --sqlite)

The service runs as deployed (`tongban central serve`, its own process, 127.0.0.1). Two
workstations of different centers are set up as `tongban setup` does it (enrollment code
redeemed over HTTP, token in a file) and each runs the real background loop
(`tongban.desktop.sync.loop.SyncLoop`: a pusher woken by `wake()`, a puller long-polling with
`pull_once(wait=25)`). Each round, A records an acceptance the way the intake service does (next
case number, an `accepted` event whose processing center is B's, one local transaction) and
calls `wake()`, as the window will after every accept. Timed from A's accept returning to B's
loop reporting the event applied (after apply_remote_events committed it to B's store).
`push_ms` is from the accept returning to A's loop reporting the push answered. Between rounds
a pause of 0.1–0.3 s lets B's puller settle in its next long-poll, as between two real cases.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benches.sync_bench_support import (
    AT,
    ServiceProcess,
    add_clerk,
    central_database,
    note,
    percentiles,
    record_accept,
)
from tongban.central.database import open_database
from tongban.central.store import CentralStore
from tongban.desktop.secrets import SecretStoreKind
from tongban.desktop.settings import load_settings, store_path
from tongban.desktop.sync.client import SyncClient
from tongban.desktop.sync.engine import SyncReport
from tongban.desktop.sync.loop import SyncLoop
from tongban.desktop.sync.setup import connect, set_up_workstation
from tongban.models.store import Store, open_store

CENTER_A = "310104003"  # 徐汇 天平路
CENTER_B = "310105001"  # 长宁 华阳路
LONG_POLL = 25.0
ROUND_TIMEOUT = 10.0  # a round that takes longer is counted lost, not waited for


@dataclass
class Desk:
    """A set-up workstation: its data directory, store and clerk; a SyncTarget for the loop."""

    data_dir: Path
    store: Store
    clerk: str
    device_id: str

    def now(self) -> datetime:
        return datetime.now(AT.tzinfo)

    def client(self) -> SyncClient:
        settings = load_settings(self.data_dir)
        assert settings is not None
        return connect(self.data_dir, settings)


def set_up(central: CentralStore, base: str, folder: Path, center: str, name: str) -> Desk:
    clerk = add_clerk(central, center, f"L{center[-3:]}{name}")
    code = central.enroll(center_code=center, name=name).code
    data_dir = folder / name
    done = set_up_workstation(
        data_dir, server_url=base, code=code, secret_kind=SecretStoreKind.FILE, at=AT
    )
    store = open_store(store_path(data_dir))
    return Desk(data_dir=data_dir, store=store, clerk=clerk, device_id=done.device_id)


def reporter(times: queue.Queue[float], wanted: Callable[[SyncReport], bool]) -> Callable:
    def on_report(report: SyncReport) -> None:
        if wanted(report):
            times.put(time.perf_counter())

    return on_report


def measure(a: Desk, b: Desk, rounds: int) -> dict[str, Any]:
    pushed: queue.Queue[float] = queue.Queue()
    applied: queue.Queue[float] = queue.Queue()
    loop_a = SyncLoop(a, a.client, wait=LONG_POLL, on_report=reporter(pushed, _accepted))
    loop_b = SyncLoop(b, b.client, wait=LONG_POLL, on_report=reporter(applied, _pulled))
    loop_a.start()
    loop_b.start()
    visible, push, lost = [], [], 0
    try:
        time.sleep(1.0)  # both loops: first status, catalog and clerk list fetched
        _drain(pushed), _drain(applied)
        for _ in range(rounds):
            time.sleep(random.uniform(0.1, 0.3))
            record_accept(a.store, a.device_id, a.clerk, CENTER_B, a.now())
            returned = time.perf_counter()
            loop_a.wake()
            try:
                visible.append(applied.get(timeout=ROUND_TIMEOUT) - returned)
                push.append(pushed.get(timeout=ROUND_TIMEOUT) - returned)
            except queue.Empty:
                lost += 1
                _drain(pushed), _drain(applied)
    finally:
        loop_a.stop(timeout=1)
        loop_b.stop(timeout=1)
    return {"rounds": rounds, "lost": lost, "visible": visible, "push": push}


def _accepted(report: SyncReport) -> bool:
    return report.accepted > 0


def _pulled(report: SyncReport) -> bool:
    return report.pulled > 0


def _drain(q: queue.Queue[float]) -> None:
    while not q.empty():
        q.get_nowait()


def run(args: argparse.Namespace) -> dict[str, Any]:
    random.seed(7)
    with central_database(sqlite=args.sqlite) as dbs:
        central = CentralStore(open_database(dbs.url))
        with ServiceProcess(dbs.url, dbs.folder / "service.log") as base:
            a = set_up(central, base, dbs.folder, CENTER_A, "A")
            b = set_up(central, base, dbs.folder, CENTER_B, "B")
            note(f"{args.rounds} 轮：A 受理 → B 可见 …")
            measured = measure(a, b, args.rounds)
            a.store.close()
            b.store.close()
        central.database.close()
    return {
        "database": "sqlite" if args.sqlite else "postgresql",
        "rounds": measured["rounds"],
        "lost_rounds": measured["lost"],
        "accept_to_visible_at_b": percentiles(measured["visible"]),
        "accept_to_push_answered": percentiles(measured["push"]),
        "long_poll_wait_s": LONG_POLL,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    json.dump(run(args), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
