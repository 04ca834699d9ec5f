"""Helpers of the central tests: a settable clock, counters with real local stores, a live server.

A `Counter` is one workstation as it really works: a tongban.models.store file initialised with
the device id the central store gave it at enrollment, recording events through the local write
path (record_event), so what is pushed is exactly what a workstation's outbox holds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import httpx
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select
from uuid6 import uuid7

from tongban.central.clerks import ClerkRole
from tongban.central.enrollment import Workstation
from tongban.central.schema import EventRow
from tongban.central.store import CentralStore
from tongban.models.catalog import Mode
from tongban.models.rules import make_case_number
from tongban.models.store import (
    Accepted,
    ApplyResult,
    Event,
    EventKind,
    MaterialReceived,
    Person,
    Store,
    apply_remote_events,
    init_workstation,
    mark_synced,
    open_store,
    pending_events,
    record_event,
)

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # a Monday, 09:30 in Shanghai
# Three real centers (tongban.models geography): 徐汇 天平路, 长宁 华阳路, 黄浦 南京东路.
CENTER_A = "310104003"
CENTER_B = "310105001"
CENTER_C = "310101002"
ITEM = "MZ003"
PASSWORD = "abc12345"


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@cache
def password_hash() -> str:
    # Cheap argon2id parameters: the store only checks that it holds an argon2 hash.
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD)


@dataclass
class Counter:
    """One enrolled workstation with its own local store."""

    workstation: Workstation
    token: str
    local: Store
    clerk: str
    serial: int = 0
    pushed: list[str] = field(default_factory=list)

    @property
    def device_id(self) -> str:
        return self.workstation.device_id

    @property
    def center(self) -> str:
        return self.workstation.center_code

    def new_case_number(self, day: date | None = None) -> str:
        self.serial += 1
        return make_case_number(self.center, day or T0.date(), self.workstation.number, self.serial)

    def accept(
        self,
        *,
        processing_center: str | None = None,
        mode: Mode = Mode.SEPARATED,
        at: datetime = T0,
        household_street: str | None = None,
        item_code: str = ITEM,
    ) -> str:
        """Record an `accepted` case here; returns its case number."""
        number = self.new_case_number(at.date())
        payload = Accepted(
            item_code=item_code,
            catalog_revision="2018-07-01",
            mode=mode,
            applicant=Person(
                document_type="resident_id",
                id_number="310105199001011234",
                name="王五",
                household_street=household_street,
            ),
            accepting_center=self.center,
            accepting_site=self.workstation.site_code,
            processing_center=processing_center or self.center,
            due_date=date(2026, 3, 20),
            materials=(MaterialReceived(name="身份证", original_seen=True),),
        )
        self.record(number, EventKind.ACCEPTED, payload, at=at)
        return number

    def record(
        self, case_number: str, kind: EventKind, payload: object, *, at: datetime = T0
    ) -> Event:
        with self.local.transaction() as session:
            recorded = record_event(
                session,
                workstation=self.device_id,
                clerk=self.clerk,
                case_number=case_number,
                kind=kind,
                payload=payload,
                at=at,
            )
        return recorded.event

    def outbox(self) -> list[Event]:
        with self.local.reading() as session:
            return pending_events(session)

    def synced(self, event_ids: Sequence[str], *, at: datetime = T0) -> None:
        with self.local.transaction() as session:
            mark_synced(session, event_ids, at=at)

    def apply(self, events: Sequence[Event], *, at: datetime = T0) -> ApplyResult:
        with self.local.transaction() as session:
            return apply_remote_events(session, events, at=at)


def add_clerk(store: CentralStore, center: str, number: str) -> None:
    store.add_clerk(
        number=number,
        name="测试员",
        role=ClerkRole.CLERK,
        center_code=center,
        password_hash=password_hash(),
    )


@cache
def _empty_local_store() -> Path:
    """A workstation store file migrated once per test process, copied for each counter."""
    folder = Path(tempfile.mkdtemp(prefix="tongban-local-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "empty.db"
    open_store(path).close()
    return path


def enrolled(
    store: CentralStore,
    tmp_path: Path,
    center: str,
    name: str = "1号窗口",
    *,
    clerk: str | None = None,
) -> Counter:
    """Enroll a workstation, redeem its code, and set up its local store with the device id."""
    clerk = clerk or f"{center[-3:]}{name.encode().hex()[:6]}"
    add_clerk(store, center, clerk)
    enrollment = store.enroll(center_code=center, name=name)
    redeemed, _epoch = store.redeem(enrollment.code, app_version="test")
    w = redeemed.workstation
    path = tmp_path / f"{w.device_id}.db"
    shutil.copyfile(_empty_local_store(), path)  # migrating a new file each time is slow
    local = open_store(path)
    with local.transaction() as session:
        init_workstation(
            session,
            center_code=w.center_code,
            site_code=w.site_code,
            number=w.number,
            at=T0,
            device_id=w.device_id,
        )
    return Counter(workstation=w, token=redeemed.token, local=local, clerk=clerk)


def forged(event: Event, **changes: object) -> Event:
    """A copy of an event with some fields changed (what a buggy or hostile client might send)."""
    return replace(event, **changes)  # type: ignore[arg-type]


class LiveServer:
    """A real uvicorn server for an app, on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The base URL of `app` served live until the block ends."""
    server = LiveServer(app)
    base = server.start()
    try:
        yield base
    finally:
        server.stop()


@contextmanager
def http(app: FastAPI) -> Iterator[httpx.Client]:
    """An HTTP client talking to `app` served live."""
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def central_event_ids(store: CentralStore) -> list[str]:
    """Ids of every event in the central log, in position order."""
    with store.database.reading() as session:
        return list(session.scalars(select(EventRow.id).order_by(EventRow.position)))


def next_event(counter: Counter, previous: Event, **fields: object) -> Event:
    """A hand-made event following `previous` in the counter's sequence (not in its local store)."""
    return replace(
        previous,
        id=str(uuid7()),
        sequence=previous.sequence + 1,
        hlc=type(previous.hlc).from_int(previous.hlc.to_int() + 1),
        **fields,  # type: ignore[arg-type]
    )
