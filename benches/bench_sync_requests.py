"""The service's own CPU per request, beside the framework's floor.

Run from the repository root:
    python -m benches.bench_sync_requests [--requests 3000]
(one JSON object on stdout, notes on stderr; a SQLite central store in a temp folder)

The requests go straight into the service's ASGI app, in this process (no socket, no uvicorn,
no client), and the store's answers are made once and handed back each time: what is left is
the request's way through FastAPI, the middleware and the endpoint's own code, the part every
one of the long-poll's requests pays (half of them are pulls answered from memory,
central/long_poll.py). CPU is this process's (time.process_time), best of 3 rounds.

- `pull`: GET /v1/pull?wait=0&limit=500 with a token, a version and an outbox report, answered
  at once (nothing new).
- `push`: POST /v1/push with no events (the body's JSON and the store's work are the push bench's).
- `baseline_floor`: GET of an endpoint added to the same app that takes the Request and returns
  a made response: what FastAPI and the middleware cost a request that asks nothing.
- `baseline_declared`: GET of an endpoint added to the same app that declares the pull's eight
  headers and query parameters to FastAPI (as the pull did before request_params.py) and
  returns a made response.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response

from benches.sync_bench_support import central_database, enroll, note
from tongban.central.app import create_app
from tongban.central.database import open_database
from tongban.central.enrollment import Credentials
from tongban.central.serving import settle_startup_objects
from tongban.central.store import CentralStore, Look
from tongban.models.closures import OUTBOX_HEADER
from tongban.models.sync_wire import VERSION_HEADER
from tongban.models.workstation_clock import CLOCK_HEADER

CENTER = "310105001"
WARM_UP = 200
ROUNDS = 3
PULL_QUERY = b"wait=0&limit=500"

Call = Callable[[], Awaitable[int]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000, help="per round and kind")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.requests)), ensure_ascii=False, indent=2))


async def measure(requests: int) -> dict[str, Any]:
    with central_database(sqlite=True) as databases:
        store = CentralStore(open_database(databases.url))
        try:
            _workstation, token = enroll(store, CENTER, "bench")
            app = create_app(store, listen=False)
            _add_baselines(app)
            _answer_from_memory(store, token)
            settle_startup_objects()
            headers = _headers(token)
            calls = {
                "pull": _caller(app, "GET", "/v1/pull", PULL_QUERY, headers),
                "push": _caller(app, "POST", "/v1/push", b"", headers, b'{"events": []}'),
                "baseline_floor": _caller(app, "GET", "/bench/floor", PULL_QUERY, headers),
                "baseline_declared": _caller(app, "GET", "/bench/declared", PULL_QUERY, headers),
            }
            note(f"每种请求 {ROUNDS} 轮，每轮 {requests} 个 …")
            cpu = {name: await _cpu_us(call, requests) for name, call in calls.items()}
        finally:
            store.database.close()
    return {"requests_per_round": requests, "rounds": ROUNDS, "cpu_us_per_request": cpu}


def _answer_from_memory(store: CentralStore, token: str) -> None:
    """Hand back the store's first real answers: the bench measures the way to the store."""
    pulled = store.authenticated_pulls([Look(Credentials(token), None, 500)])
    pushed = store.authenticated_push(Credentials(token), [], origin="-")
    store.authenticated_pulls = lambda looks: pulled * len(looks)  # type: ignore[method-assign]
    store.authenticated_push = lambda *_a, **_k: pushed  # type: ignore[method-assign]


MADE = b'{"events": []}'


def _add_baselines(app: FastAPI) -> None:
    app.get("/bench/floor")(_floor)
    app.get("/bench/declared")(_declared)


async def _floor(request: Request) -> Response:
    return Response(MADE, media_type="application/json")


async def _sent(  # as app.py's _credentials declares them
    authorization: Annotated[str | None, Header()] = None,
    version: Annotated[str | None, Header(alias=VERSION_HEADER, max_length=32)] = None,
    clock: Annotated[str | None, Header(alias=CLOCK_HEADER)] = None,
) -> tuple[str | None, ...]:
    return authorization, version, clock


async def _declared(  # as the pull declared them before request_params.py
    request: Request,
    sent: Annotated[tuple[str | None, ...], Depends(_sent)],
    outbox: Annotated[str | None, Header(alias=OUTBOX_HEADER, max_length=80)] = None,
    cursor: Annotated[str | None, Query(max_length=120)] = None,
    wait: Annotated[float, Query(ge=0, le=60)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    return Response(MADE, media_type="application/json")


def _headers(token: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        (VERSION_HEADER.lower().encode(), b"1.0.0"),
        (OUTBOX_HEADER.lower().encode(), b"0;"),
        (b"content-type", b"application/json"),
    ]


def _caller(
    app: Any,
    method: str,
    path: str,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes = b"",
) -> Call:
    """One request into the ASGI app, as uvicorn would hand it over; returns the status."""
    all_headers = [*headers, (b"content-length", str(len(body)).encode())] if body else headers
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": all_headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def call() -> int:
        given = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal given
            if given:  # the app asks again only to learn of a disconnect: none comes
                await asyncio.Event().wait()
            given = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(dict(scope), receive, send)
        return status

    return call


async def _cpu_us(call: Call, requests: int) -> float:
    for _ in range(WARM_UP):
        if (status := await call()) != 200:
            raise RuntimeError(f"请求未成功：{status}")
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(requests):
            await call()
        best = min(best, time.process_time() - started)
    return round(best / requests * 1e6, 1)


if __name__ == "__main__":
    main()
