"""Helpers of the workstation sync tests: a real central service and real workstation data dirs.

The central side reuses tests/central (the throwaway PostgreSQL cluster, the live uvicorn
server, the clerk helper). A `Desk` is one workstation set up exactly as `tongban setup` does it
(enrollment code, file secret store), opened with open_counter, syncing over real HTTP.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).parent / "central"))

from central_pg import Cluster, PostgresUnavailable, start_cluster
from central_support import T0, FakeClock, add_clerk, central_event_ids  # noqa: F401

from tongban.central.app import create_app
from tongban.central.database import open_database
from tongban.central.store import CentralStore
from tongban.desktop.secrets import SecretStoreKind
from tongban.desktop.services.context import CounterContext, open_counter
from tongban.desktop.sync.client import SyncClient
from tongban.desktop.sync.engine import SyncReport, sync_once
from tongban.desktop.sync.setup import connect, set_up_workstation
from tongban.models.catalog import Mode
from tongban.models.rules import make_case_number
from tongban.models.store import (
    Accepted,
    Event,
    EventKind,
    MaterialReceived,
    Person,
    record_event,
)

CENTER_A = "310104003"  # 徐汇 天平路
CENTER_B = "310105001"  # 长宁 华阳路
TEMPLATE = "sync_template"


def _initialise(url: str) -> None:
    database = open_database(url)
    try:
        CentralStore(database).initialise()
    finally:
        database.close()


@pytest.fixture(scope="session")
def sync_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sync-central") / "central.db"
    _initialise(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_central_url(sync_sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "central.db"
    shutil.copyfile(sync_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def sync_pg_cluster() -> Iterator[Cluster]:
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL 测试集群无法启动：{error}", pytrace=False)
    try:
        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        _initialise(cluster.url(TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_central_url(sync_pg_cluster: Cluster) -> Iterator[str]:
    name = sync_pg_cluster.new_database(TEMPLATE)
    yield sync_pg_cluster.url(name)
    sync_pg_cluster.drop_database(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """The central service on a fixed local port: it can be stopped and started again there."""

    def __init__(self, store: CentralStore) -> None:
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.store),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)
        self._server = self._thread = None


def running(url: str, clock: FakeClock) -> Iterator[Server]:
    store = CentralStore(open_database(url), clock=clock)
    server = Server(store)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        store.database.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The one clock of a test: the service's, and the workstations' (their sync clients send
    it as their wall clock, so the clock offset the center records is the test's, not the gap
    between the fake day and today)."""
    fake = FakeClock()
    monkeypatch.setattr("tongban.desktop.sync.client._wall_clock", fake)
    return fake


@pytest.fixture
def central(sqlite_central_url: str, clock: FakeClock) -> Iterator[Server]:
    """A SQLite central service, live on 127.0.0.1."""
    yield from running(sqlite_central_url, clock)


@pytest.fixture
def pg_central(pg_central_url: str, clock: FakeClock) -> Iterator[Server]:
    """A PostgreSQL central service, live on 127.0.0.1."""
    yield from running(pg_central_url, clock)


@dataclass
class Desk:
    """One workstation: a data directory set up with an enrollment code, open as a counter."""

    context: CounterContext
    clerk: str
    server_url: str
    serial: int = 0

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.context.store

    @property
    def center(self) -> str:
        return self.context.station.center_code

    def client(self) -> SyncClient:
        return connect(self.context.data_dir, self.context.settings)

    def sync(self, *, wait: float = 0, batch: int = 500) -> SyncReport:
        with self.client() as client:
            return sync_once(self.context, client, wait=wait, batch=batch)

    def accept(
        self,
        *,
        processing_center: str | None = None,
        at: datetime = T0,
        mode: Mode | None = None,
        household_street: str | None = None,
    ) -> str:
        self.serial += 1
        station = self.context.station
        number = make_case_number(self.center, at.date(), station.number, self.serial)
        separated = processing_center not in (None, self.center)
        payload = Accepted(
            item_code="MZ003",
            catalog_revision="2018-07-01",
            mode=mode or (Mode.SEPARATED if separated else Mode.DIRECT),
            applicant=Person(
                document_type="resident_id",
                id_number="310105199001011234",
                name="王五",
                household_street=household_street,
            ),
            accepting_center=self.center,
            accepting_site=station.site_code,
            processing_center=processing_center or self.center,
            due_date=date(2026, 3, 20),
            materials=(MaterialReceived(name="身份证", original_seen=True),),
        )
        self.record(number, EventKind.ACCEPTED, payload, at=at)
        return number

    def record(self, case: str, kind: EventKind, payload: object, *, at: datetime = T0) -> Event:
        with self.store.transaction() as session:
            return record_event(
                session,
                workstation=self.context.station.device_id,
                clerk=self.clerk,
                case_number=case,
                kind=kind,
                payload=payload,
                at=at,
            ).event


def new_desk(
    server: Server,
    tmp_path: Path,
    center: str,
    name: str,
    *,
    clock: FakeClock,
    site: str | None = None,
    clerk: str | None = None,
) -> Desk:
    """Enroll a workstation through the service and open its data directory as a counter."""
    clerk = clerk or f"{center[-3:]}{name.encode().hex()[:6]}"
    add_clerk(server.store, center, clerk)
    code = server.store.enroll(center_code=center, name=name, site_code=site).code
    data_dir = tmp_path / f"ws-{center}-{name}"
    set_up_workstation(
        data_dir, server_url=server.url, code=code, secret_kind=SecretStoreKind.FILE, at=T0
    )
    return Desk(context=open_counter(data_dir, clock=clock), clerk=clerk, server_url=server.url)
