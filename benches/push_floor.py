"""The floor under a push: the service's HTTP stack and body, straight into the log.

bench_sync_push compares the service's push with a raw batched INSERT. Part of the gap is not
the service's work at all: the request travels over HTTP, its body is JSON read by pydantic,
and the answer goes back the same way. This endpoint does only that part:

- FastAPI on uvicorn, served as `tongban central serve` serves (same loop and HTTP parser,
  the process's startup objects frozen out of the garbage collector's view);
- the body read with the service's own validation (`push_request_of_json`, then `to_event`);
- the rows the raw baselines write, by the same code (`LogWriter`), in one transaction per
  request: COPY on PostgreSQL, executemany under BEGIN IMMEDIATE on SQLite;
- every event answered "accepted" in the service's `PushResponse`.

No token, no lock, no checks, no fold, no case index: a push cannot be faster than this on
this stack, so `floor` beside `service` shows what the checks and the index cost, and beside
`raw` what HTTP and validation cost.

Run in its own process by bench_sync_push --process:
    python -m benches.push_floor DB_URL AUTHORS_JSON PORT
(AUTHORS_JSON: a file mapping each device id to its center).
"""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool

from tongban.models.store import Event
from tongban.models.sync_wire import PushResponse, PushResult, push_request_of_json

PROCESSING = "310105001"  # the processing center of every bench case
COLUMNS = (
    "txid, id, workstation_id, sequence, hlc, clerk, kind, stream_type, stream_id, payload, "
    "created_at, received_at, author_center, accepting_center, processing_center"
)

POSTGRES_INSERT = (
    f"INSERT INTO events ({COLUMNS}) VALUES ({', '.join(['%s'] * 9 + ['%s::jsonb'] + ['%s'] * 5)})"
)
SQLITE_INSERT = f"INSERT INTO events ({COLUMNS}) VALUES ({', '.join(['?'] * 15)})"


def raw_rows(
    batch: Sequence[Event], author: dict[str, str], txid: int, received_at: datetime
) -> list[tuple[Any, ...]]:
    """The columns the service writes (central/events.row_values), from the same events."""
    received = received_at.replace(tzinfo=None)
    zone = received_at.tzinfo
    rows = []
    for e in batch:
        center = author[e.workstation_id]
        rows.append(
            (
                txid,
                e.id,
                e.workstation_id,
                e.sequence,
                e.hlc.to_int(),
                e.clerk,
                str(e.kind),
                str(e.stream_type),
                e.stream_id,
                json.dumps(e.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                e.created_at.astimezone(zone).replace(tzinfo=None),
                received,
                center,
                center,
                PROCESSING,
            )
        )
    return rows


def floor_app(write: LogWriter) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/push")
    async def push(request: Request) -> Response:
        body = push_request_of_json(await request.body())
        events = [e.to_event() for e in body.events]
        await run_in_threadpool(write, events)
        answer = PushResponse(
            epoch="floor",
            results=[
                PushResult(event_id=e.id, sequence=e.sequence, outcome="accepted") for e in events
            ],
            expected_sequence=events[-1].sequence + 1 if events else 1,
            quarantined=False,
        )
        return Response(answer.model_dump_json(), media_type="application/json")

    return app


class LogWriter:
    """A batch's raw rows into a database's `events` table, one transaction a batch, over one
    connection (calls are serialised): COPY (or, with copy=False, executemany) on PostgreSQL,
    executemany under BEGIN IMMEDIATE on SQLite with the service's settings. The floor writes
    through one, and so do the raw baselines of bench_sync_push: the same writing code for both."""

    def __init__(
        self, url: str, author: dict[str, str], received_at: datetime, *, copy: bool = True
    ) -> None:
        self.author, self.received_at, self.copy = author, received_at, copy
        self._lock = threading.Lock()
        parsed = make_url(url)
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: Any = None
        if parsed.get_backend_name() == "sqlite":
            self._sqlite = sqlite3.connect(
                parsed.database or "", isolation_level=None, check_same_thread=False
            )
            # The service's settings: WAL, synchronous=FULL, writes under BEGIN IMMEDIATE.
            self._sqlite.execute("PRAGMA journal_mode = WAL")
            self._sqlite.execute("PRAGMA synchronous = FULL")
        else:
            import psycopg

            self._postgres = psycopg.connect(
                f"host={parsed.query['host']} user={parsed.username} dbname={parsed.database}"
            )

    def __call__(self, events: Sequence[Event]) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._write_sqlite(self._sqlite, events)
            else:
                self._write_postgres(events)

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._postgres is not None:
            self._postgres.close()

    def _write_postgres(self, events: Sequence[Event]) -> None:
        with self._postgres.transaction(), self._postgres.cursor() as cursor:
            txid = cursor.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()[0]
            rows = raw_rows(events, self.author, txid, self.received_at)
            if not self.copy:
                cursor.executemany(POSTGRES_INSERT, rows)
                return
            with cursor.copy(f"COPY events ({COLUMNS}) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)

    def _write_sqlite(self, connection: sqlite3.Connection, events: Sequence[Event]) -> None:
        rows = sqlite_rows(events, self.author, self.received_at)
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.executemany(SQLITE_INSERT, rows)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def sqlite_rows(
    events: Sequence[Event], author: dict[str, str], received_at: datetime
) -> list[tuple[Any, ...]]:
    """raw_rows with the timestamps as text, as the service's SQLite columns hold them."""
    return [
        tuple(str(v) if hasattr(v, "isoformat") else v for v in row)
        for row in raw_rows(events, author, 0, received_at)
    ]


def main() -> None:
    import uvicorn

    from benches.sync_bench_support import AT

    url, authors, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    app = floor_app(LogWriter(url, json.loads(authors.read_text()), AT))
    gc.collect()
    gc.freeze()  # as `tongban central serve` does (serving.settle_startup_objects)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, server_header=False, access_log=False, log_level="warning"
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
