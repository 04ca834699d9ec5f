"""Shared parts of the sync benchmarks (bench_sync_push, bench_sync_latency, bench_sync_longpoll).

- `central_database()`: a fresh, initialised central database — by default in a throwaway
  PostgreSQL 15 cluster (the one tests/central/central_pg.py starts: initdb in a temp folder,
  unix socket only, fsync off, run through `runuser -u postgres` when root), removed afterwards;
  with `sqlite=True` a SQLite file in a temp folder.
- `ThreadServer`: the service on uvicorn in a thread of this process (for in-process timing).
- `ServiceProcess`: `python -m tongban central serve` in its own process, as deployed, so the
  load generator and the service do not share one interpreter lock.
- `Station` / `add_station()`: a workstation enrolled through the central store's own API (code,
  then redeem) with a real local store, and `record_accepts()` writing real events into it.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI

from tongban.central.clerks import ClerkRole
from tongban.central.database import open_database
from tongban.central.enrollment import Workstation
from tongban.central.store import CentralStore
from tongban.models.catalog import Mode
from tongban.models.store import (
    Accepted,
    Event,
    EventKind,
    MaterialReceived,
    Person,
    ReceiptPrinted,
    Store,
    get_workstation,
    init_workstation,
    next_case_number,
    open_store,
    record_event,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "central"))

# The tests' throwaway cluster, reused.
from central_pg import start_cluster

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
# A cheap hash: the benches never log a clerk in, the service only stores the hash.
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash("abc12345")


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50 / p99 / max in milliseconds (nearest rank)."""
    if not seconds:
        return {"p50_ms": math.nan, "p99_ms": math.nan, "max_ms": math.nan}
    ordered = sorted(seconds)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {
        "p50_ms": round(rank(0.50) * 1000, 1),
        "p99_ms": round(rank(0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_meter(
    service_pid: int | None, postmaster_pid: int | None, *, here: str
) -> Callable[[], dict[str, float]]:
    """CPU seconds used so far by the service (when it runs in a process of its own),
    PostgreSQL (all its processes) and this process (named `here`)."""

    def read() -> dict[str, float]:
        used = {here: time.process_time()}
        if service_pid is not None:
            service = [service_pid, *children(service_pid)]  # uvicorn's workers, when several
            used["service"] = sum(cpu_seconds(pid) for pid in service)
        if postmaster_pid is not None:
            pids = [postmaster_pid, *children(postmaster_pid)]
            used["postgresql"] = sum(cpu_seconds(pid) for pid in pids)
        return used

    return read


def children(pid: int) -> list[int]:
    """The direct children of a process (PostgreSQL's backends are the postmaster's)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


# --- databases -------------------------------------------------------------------------------


@dataclass
class Databases:
    """Initialised central databases of one kind: `url` and, on request, identical siblings."""

    url: str
    folder: Path
    siblings: list[str]
    postmaster_pid: int | None = None  # PostgreSQL's server process, for CPU accounting


@contextlib.contextmanager
def central_database(*, sqlite: bool, siblings: int = 0) -> Iterator[Databases]:
    """A fresh initialised central database (and `siblings` identical copies); removed after."""
    folder = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
    try:
        if sqlite:
            yield _sqlite_databases(folder, siblings)
        else:
            with _postgres_databases(folder, siblings) as made:
                yield made
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _initialise(url: str) -> None:
    database = open_database(url)
    try:
        CentralStore(database).initialise()
    finally:
        database.close()


def _sqlite_databases(folder: Path, siblings: int) -> Databases:
    main = folder / "central.db"
    _initialise(f"sqlite:///{main}")
    copies = []
    for index in range(siblings):
        copy = folder / f"sibling-{index}.db"
        shutil.copyfile(main, copy)
        copies.append(f"sqlite:///{copy}")
    return Databases(url=f"sqlite:///{main}", folder=folder, siblings=copies)


@contextlib.contextmanager
def _postgres_databases(folder: Path, siblings: int) -> Iterator[Databases]:
    note("启动临时 PostgreSQL 集群 …")
    cluster = start_cluster()
    try:
        cluster.admin("CREATE DATABASE bench_template")
        _initialise(cluster.url("bench_template"))
        names = [cluster.new_database("bench_template") for _ in range(1 + siblings)]
        pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
        yield Databases(
            url=cluster.url(names[0]),
            folder=folder,
            siblings=[cluster.url(n) for n in names[1:]],
            postmaster_pid=pid,
        )
    finally:
        cluster.stop()


# --- the service -----------------------------------------------------------------------------


class ThreadServer:
    """The service (or another app: benches.push_floor) on 127.0.0.1 in a daemon thread of this
    process."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            timeout_graceful_shutdown=2,  # long-polls in flight must not hold the exit
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServiceProcess:
    """`tongban central serve` in a child process; stopped (and waited for) on exit. `command`:
    another server to run the same way instead (its port appended), e.g. benches.push_floor."""

    def __init__(
        self, url: str, log_path: Path, *, workers: int = 1, command: list[str] | None = None
    ) -> None:
        self.url = url
        self.workers = workers
        self.port = free_port()
        self.log_path = log_path
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def _command(self) -> list[str]:
        if self.command is not None:
            return [*self.command, str(self.port)]
        command = [sys.executable, "-m", "tongban", "central", "serve", "--db", self.url]
        return [*command, "--listen", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]

    def __enter__(self) -> str:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self._command(), stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"服务进程已退出：{self.log_path.read_text(errors='replace')}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    return base
            time.sleep(0.1)
        raise RuntimeError("服务进程 30 秒内未就绪")

    def __exit__(self, *_exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# --- workstations ----------------------------------------------------------------------------


@dataclass
class Station:
    """An enrolled workstation with its real local store."""

    token: str
    workstation: Workstation
    local: Store
    clerk: str

    @property
    def device_id(self) -> str:
        return self.workstation.device_id

    @property
    def center(self) -> str:
        return self.workstation.center_code


def add_clerk(store: CentralStore, center: str, number: str) -> str:
    store.add_clerk(
        number=number,
        name="压测",
        role=ClerkRole.CLERK,
        center_code=center,
        password_hash=CHEAP_HASH,
    )
    return number


def enroll(store: CentralStore, center: str, name: str) -> tuple[Workstation, str]:
    """Enroll through the store's API (the code is redeemed at once); the device and token."""
    code = store.enroll(center_code=center, name=name).code
    redeemed, _epoch = store.redeem(code, app_version="bench")
    return redeemed.workstation, redeemed.token


def add_station(store: CentralStore, folder: Path, center: str, name: str, clerk: str) -> Station:
    workstation, token = enroll(store, center, name)
    local = open_store(folder / f"{workstation.device_id}.db")
    with local.transaction() as session:
        init_workstation(
            session,
            center_code=center,
            site_code=workstation.site_code,
            number=workstation.number,
            at=AT,
            device_id=workstation.device_id,
        )
    return Station(token=token, workstation=workstation, local=local, clerk=clerk)


def accepted_payload(accepting: str, site: str, processing: str) -> Accepted:
    """A 收受分离 acceptance (accepted here, processed at `processing`)."""
    return Accepted(
        item_code="MZ003",
        catalog_revision="2018-07-01",
        mode=Mode.SEPARATED,
        applicant=Person(document_type="resident_id", id_number="310105199001011234", name="王五"),
        accepting_center=accepting,
        accepting_site=site,
        processing_center=processing,
        due_date=date(2026, 3, 20),
        materials=(MaterialReceived(name="身份证", original_seen=True),),
    )


def record_accept(local: Store, device_id: str, clerk: str, processing: str, at: datetime) -> Event:
    """Record one acceptance as the intake service does: next case number, `accepted` event."""
    with local.transaction() as session:
        station = get_workstation(session)
        number = next_case_number(session, workstation=device_id, day=at.date())
        payload = accepted_payload(station.center_code, station.site_code, processing)
        return record_event(
            session,
            workstation=device_id,
            clerk=clerk,
            case_number=number,
            kind=EventKind.ACCEPTED,
            payload=payload,
            at=at,
        ).event


def record_accepts(
    s: Station, processing: list[str], count: int, *, receipts: bool = False
) -> None:
    """`count` accepted cases (processing centers in turn), each with a receipt_printed if asked."""
    with s.local.transaction() as session:
        for index in range(count):
            number = next_case_number(session, workstation=s.device_id, day=AT.date())
            payload = accepted_payload(
                s.center, s.workstation.site_code, processing[index % len(processing)]
            )
            record_event(
                session,
                workstation=s.device_id,
                clerk=s.clerk,
                case_number=number,
                kind=EventKind.ACCEPTED,
                payload=payload,
                at=AT,
            )
            if receipts:
                record_event(
                    session,
                    workstation=s.device_id,
                    clerk=s.clerk,
                    case_number=number,
                    kind=EventKind.RECEIPT_PRINTED,
                    payload=ReceiptPrinted(),
                    at=AT,
                )
