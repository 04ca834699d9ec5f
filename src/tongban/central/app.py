"""The sync service's HTTP interface (FastAPI): thin and stateless, one CentralStore behind it.

Every endpoint but /v1/health and /v1/enroll needs `Authorization: Bearer <device token>`.
Bodies are JSON (wire.py); every error is JSON too, {"error": code, "message": zh_CN text}, with
the HTTP status saying what kind (401 token, 403 quarantined or not allowed, 404, 409 retry, 410
expired code, 422 malformed request, 503 database unavailable). Workstations may send their
program version in `X-Tongban-Version`; the service records it with the last contact.

The store's calls block (SQLAlchemy), so they run in the thread pool; a long-poll waits on the
event loop without holding a thread or a database connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from tongban.central.audit_routes import add_audit_routes
from tongban.central.body_limit import BodyLimit
from tongban.central.closure_routes import add_closure_routes, note_outbox, outbox_to_note
from tongban.central.database import open_database, require_current_schema
from tongban.central.enrollment import Credentials, Workstation
from tongban.central.errors import CentralError
from tongban.central.long_poll import LongPoll
from tongban.central.lookup_routes import add_lookup_routes
from tongban.central.notify import Notifier, PostgresListener
from tongban.central.report_routes import add_report_routes
from tongban.central.request_params import (
    MAX_VERSION_HEADER,
    PULL_PARAMETERS,
    PUSH_PARAMETERS,
    credentials_of,
    pull_query,
    sent,
)
from tongban.central.scan_routes import add_scan_routes
from tongban.central.store import CentralStore
from tongban.central.versions import Announcement
from tongban.models.closures import MAX_OUTBOX_HEADER, OUTBOX_HEADER
from tongban.models.sync_wire import (
    VERSION_HEADER,
    CatalogResponse,
    CatalogRevisionInfo,
    ClerkAccount,
    ClerksResponse,
    ClosedDayInfo,
    EnrollRequest,
    EnrollResponse,
    ErrorResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    PushResult,
    StatusResponse,
    WireEvent,
    push_request_of_json,
)
from tongban.models.workstation_clock import CLOCK_HEADER

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {404: "没有这个接口", 405: "不支持此请求方法"}
OutboxHeader = Annotated[str | None, Header(alias=OUTBOX_HEADER, max_length=MAX_OUTBOX_HEADER)]


def create_app(store: CentralStore | str, *, listen: bool = True) -> FastAPI:
    """The service for a store (or a database URL). `listen`: wake long-polls from other
    instances via PostgreSQL NOTIFY (no effect on SQLite, where one instance serves)."""
    owned = isinstance(store, str)
    central = CentralStore(open_database(store)) if isinstance(store, str) else store
    try:
        require_current_schema(central.database)
    except CentralError:
        if owned:
            central.database.close()
        raise
    postgres = central.database.is_postgresql
    notifier = Notifier(listened=postgres and listen)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        listener = None
        if postgres and listen:
            listener = PostgresListener(
                central.database.engine, notifier, asyncio.get_running_loop()
            )
            await run_in_threadpool(listener.start)
        try:
            yield
        finally:
            if listener is not None:
                await run_in_threadpool(listener.stop)
            if owned:
                central.database.close()

    app = FastAPI(
        title="通办 中心同步服务",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # No OpenTelemetry: nothing is exported, and error texts (which may quote a request)
        # never leave the service. Off, it also costs no provider look-up per request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.store = central
    app.state.notifier = notifier
    app.add_middleware(BodyLimit)  # no request body beyond MAX_BODY_BYTES is read
    _error_handlers(app)
    _routes(app, central, notifier)
    add_report_routes(app, central, _workstation)  # the supervisor's reports
    add_lookup_routes(app, central, _workstation)  # status look-up anywhere
    add_scan_routes(app, central, _workstation)  # scans of materials (docs/SYNC.md)
    add_closure_routes(app, central, _workstation)  # 日结: the supervisor signs the day off
    add_audit_routes(app, central, _workstation)  # the clerks' audit logs (audit.py)
    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CentralError)
    async def central_error(_request: Request, error: CentralError) -> JSONResponse:
        return _error(error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        places = "，".join(".".join(str(part) for part in e["loc"]) for e in error.errors()[:5])
        return _error(422, "invalid_request", f"请求内容不正确：{places}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = _HTTP_MESSAGES.get(error.status_code, "请求无法处理")
        return _error(error.status_code, "http_error", message)

    @app.exception_handler(DBAPIError)
    async def database_error(_request: Request, error: DBAPIError) -> JSONResponse:
        # Only the error's type: its text may quote a row, and rows carry identity numbers.
        log.error("数据库错误：%s", type(error.orig).__name__)
        return _error(503, "database_unavailable", "中心数据库暂时不可用，请稍后重试")

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.error("未预期的错误：%s", type(error).__name__)
        return _error(500, "internal_error", "中心服务内部错误，请稍后重试")


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = ErrorResponse(error=code, message=message)
    return JSONResponse(status_code=status, content=body.model_dump())


async def _credentials(  # async: FastAPI would run a plain function on a worker thread
    authorization: Annotated[str | None, Header()] = None,
    version: Annotated[
        str | None, Header(alias=VERSION_HEADER, max_length=MAX_VERSION_HEADER)
    ] = None,
    # No max_length: an unreadable clock is ignored (enrollment.clock_offset_ms), never refused.
    clock: Annotated[str | None, Header(alias=CLOCK_HEADER)] = None,
) -> Credentials:
    """What a request says about its workstation, not yet checked: it is checked in
    `_workstation` (the pull and the push read theirs by hand, request_params.py)."""
    return credentials_of(authorization, version, clock)


async def _workstation(
    request: Request,
    credentials: Annotated[Credentials, Depends(_credentials)],
    outbox: OutboxHeader = None,
) -> Workstation:
    """The workstation whose device token the request carries (Authorization: Bearer …)."""
    store: CentralStore = request.app.state.store
    workstation = await run_in_threadpool(
        store.authenticate,
        credentials.token,
        app_version=credentials.app_version,
        clock=credentials.clock,
    )
    await note_outbox(request, workstation, outbox)  # for 日结 (closure_routes.py)
    return workstation


Authenticated = Annotated[Workstation, Depends(_workstation)]


def _routes(app: FastAPI, store: CentralStore, notifier: Notifier) -> None:
    app.state.versions = versions = Announcement(store.database)
    long_poll = LongPoll(store, notifier)

    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "epoch": await run_in_threadpool(store.epoch)}

    @app.post("/v1/enroll")
    async def enroll(body: EnrollRequest) -> EnrollResponse:
        redeemed, epoch = await run_in_threadpool(
            store.redeem, body.code, app_version=body.app_version
        )
        w = redeemed.workstation
        return EnrollResponse(
            device_id=w.device_id,
            token=redeemed.token,
            center_code=w.center_code,
            center_name=redeemed.center_name,
            site_code=w.site_code,
            workstation_number=w.number,
            workstation_name=w.name,
            epoch=epoch,
            **(await _announced(versions)),
        )

    @app.get("/v1/status")
    async def status(ws: Authenticated) -> StatusResponse:
        epoch, current = await run_in_threadpool(store.status, ws)
        return StatusResponse(
            epoch=epoch,
            device_id=current.device_id,
            center_code=current.center_code,
            site_code=current.site_code,
            workstation_number=current.number,
            expected_sequence=current.expected_sequence,
            server_time=store.now(),
            **(await _announced(versions)),
        )

    @app.post("/v1/push", response_model=PushResponse, openapi_extra=_PUSH_OPENAPI)
    async def push(request: Request) -> Response:
        # The push's own transaction authenticates: one thread and one transaction a request.
        given = sent(request)  # headers read by hand, as FastAPI's are slow (request_params.py)
        body = await _push_request(request, store, given.credentials)
        events = [e.to_event() for e in body.events]
        ws, pushed = await run_in_threadpool(
            partial(store.authenticated_push, given.credentials, events, origin=notifier.origin)
        )
        outcome = pushed.outcome
        notifier.pushed_here(outcome.centers)
        await note_outbox(request, ws, given.outbox)  # for 日结 (closure_routes.py)
        return _json(
            PushResponse(
                epoch=pushed.epoch,
                results=[
                    PushResult(
                        event_id=r.event_id, sequence=r.sequence, outcome=r.outcome, reason=r.reason
                    )
                    for r in outcome.results
                ],
                expected_sequence=outcome.expected_sequence,
                quarantined=outcome.quarantine_reason is not None,
                quarantine_reason=outcome.quarantine_reason,
            )
        )

    @app.get("/v1/pull", response_model=PullResponse, openapi_extra=PULL_PARAMETERS)
    async def pull(request: Request) -> Response:
        # The look authenticates (long_poll.py): a workstation that asks again and waits costs
        # no database work until its answer. An outbox report to write (for 日结) is written
        # after a look at once, not after the wait: the supervisor's sign-off reads it.
        given, query = sent(request), pull_query(request)  # read by hand (request_params.py)
        wait = query.wait
        if outbox_to_note(request, long_poll.known(given.credentials), given.outbox):
            wait = 0
        ws, pulled = await long_poll.pull(
            given.credentials, query.cursor, wait=wait, limit=query.limit
        )
        await note_outbox(request, ws, given.outbox)  # for 日结 (closure_routes.py)
        batch = pulled.batch
        return _json(
            PullResponse(
                epoch=pulled.epoch,
                cursor=str(batch.cursor),
                reset=batch.reset,
                more=batch.more,
                events=[WireEvent.of_held(e) for e in batch.events],
                catalog_revisions=[
                    CatalogRevisionInfo(
                        revision=r.revision, effective_from=r.effective_from, checksum=r.checksum
                    )
                    for r in pulled.catalog_revisions
                ],
                clerks_revision=pulled.clerks_revision,
                closed_days=[
                    ClosedDayInfo(day=c.day, signed_by=c.signed_by, signed_at=c.signed_at)
                    for c in pulled.closed_days
                ],
                **(await _announced(versions)),
            )
        )

    @app.get("/v1/catalog/{revision}")
    async def catalog(revision: str, _ws: Authenticated) -> CatalogResponse:
        found = await run_in_threadpool(store.catalog, revision)
        return CatalogResponse(
            revision=found.revision,
            effective_from=found.effective_from,
            checksum=found.checksum,
            content=found.content,
        )

    @app.get("/v1/clerks")
    async def clerks(ws: Authenticated) -> ClerksResponse:
        revision, accounts = await run_in_threadpool(store.clerks, ws)
        return ClerksResponse(
            revision=revision,
            clerks=[
                ClerkAccount(
                    number=a.number,
                    name=a.name,
                    role=a.role.value,
                    center_code=a.center_code,
                    active=a.active,
                    password_hash=a.password_hash,
                )
                for a in accounts
            ],
        )


# The push's body is read by the endpoint itself (_push_request); its schema is still named.
_PUSH_OPENAPI = {
    **PUSH_PARAMETERS,
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PushRequest.model_json_schema()}},
    },
}


def _json(answer: BaseModel) -> Response:
    """An answer already made and checked by its model: FastAPI would validate it once more."""
    return Response(answer.model_dump_json(), media_type="application/json")


async def _push_request(
    request: Request, store: CentralStore, credentials: Credentials
) -> PushRequest:
    """The push's events, validated by pydantic straight from the JSON (a batch of 500 is the
    service's biggest body). A body that does not validate is 422 only for a workstation whose
    token is good; any other gets 401, as if the body had never been read. (FastAPI would
    validate a declared body before the push's own transaction could check the token.)"""
    try:
        raw = await request.body()
    except ClientDisconnect:  # gone, or cut off by BodyLimit (which has answered 413 itself)
        raise StarletteHTTPException(400) from None
    try:
        return push_request_of_json(raw)
    except ValidationError as invalid:
        await run_in_threadpool(store.authenticate, credentials.token)  # 401 / 403 here
        places = [{**error, "loc": ("body", *error["loc"])} for error in invalid.errors()]
        raise RequestValidationError(places) from None


async def _announced(versions: Announcement) -> dict[str, str | None]:
    """The announced program versions as answer fields (central/versions.py)."""
    known = versions.fresh() or await run_in_threadpool(versions.get)  # no thread hop when kept
    return {"current_app_version": known.current, "minimum_app_version": known.minimum}
