"""日结 over HTTP: GET /v1/closures (a day's status) and POST /v1/closures (sign it off).

Both answer with tongban.models.closures.DayStatus as JSON: signed off (`closure`, with the
day's report as recorded), or not yet and why (`day_over`, `stragglers`: the workstations that
have not shown they synced the day). A sign-off refused for the signer (not a supervisor of the
center, a wrong password, a clerk locked out after too many wrong passwords: signoff_guard.py)
is 403; for the day (not over yet, signed already) 400.

Every request may carry the workstation's outbox (header X-Tongban-Outbox, see
models/closures.py); `note_outbox` records it, called by the service's token authentication.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tongban.central.closures import (
    OutboxNotes,
    Signer,
    close_day,
    day_status,
    password_is_right,
    record_outbox,
)
from tongban.central.enrollment import Workstation
from tongban.central.errors import Forbidden
from tongban.central.reports import CatalogShelf
from tongban.central.signoff_guard import WRONG, close_check, open_check
from tongban.central.store import CentralStore
from tongban.models.closures import CloseDayRequest, OutboxReport

CenterCode = Annotated[str, Query(pattern=r"^\d{9}$")]


def add_closure_routes(
    app: FastAPI, store: CentralStore, workstation: Callable[..., Awaitable[Workstation]]
) -> None:
    """Register the endpoints; `workstation` is the service's token authentication."""
    authenticated = Depends(workstation)
    shelf = CatalogShelf()
    app.state.outbox_notes = OutboxNotes()
    router = APIRouter()

    def status(ws: Workstation, center: str, day: date) -> JSONResponse:
        _own_center(ws, center)
        with store.database.reading() as session:
            found = day_status(session, center, day, now=store.now())
        return JSONResponse(found.to_json_dict())

    def sign(ws: Workstation, body: CloseDayRequest) -> JSONResponse:
        _own_center(ws, body.center)
        signer = _checked_signer(store, ws, body)
        with store.database.transaction() as session:
            found = close_day(session, ws, body.day, signer, now=store.now(), shelf=shelf)
        return JSONResponse(found.to_json_dict())

    @router.get("/v1/closures")
    async def closure_status(
        center: CenterCode,
        day: Annotated[date, Query(alias="date")],
        ws: Workstation = authenticated,
    ) -> JSONResponse:
        return await run_in_threadpool(status, ws, center, day)

    @router.post("/v1/closures")
    async def close(body: CloseDayRequest, ws: Workstation = authenticated) -> JSONResponse:
        return await run_in_threadpool(sign, ws, body)

    app.include_router(router)


def _checked_signer(store: CentralStore, ws: Workstation, body: CloseDayRequest) -> Signer:
    """The signer, once the password is right and the clerk not locked out (signoff_guard.py).
    Each step commits its audit row before anything is refused."""
    with store.database.transaction() as session:
        opened = open_check(session, ws, body.clerk, at=store.now())
    if isinstance(opened, Forbidden):
        raise opened
    right = password_is_right(opened, body.password)  # argon2 takes a moment: no transaction
    with store.database.transaction() as session:
        close_check(session, ws, opened, right=right, at=store.now())
    if not right:
        raise Forbidden(WRONG)
    return opened


def _own_center(ws: Workstation, center: str) -> None:
    if center != ws.center_code:
        raise Forbidden("只能查看或日结本中心的受理")


def _reported(request: Request, header: str | None) -> tuple[OutboxNotes, OutboxReport] | None:
    """The service's notes and the outbox a request reports; None when there is nothing to
    note (no notes kept, or the header absent or unreadable)."""
    notes: OutboxNotes | None = getattr(request.app.state, "outbox_notes", None)
    report = None if header is None else OutboxReport.parse(header)
    return None if notes is None or report is None else (notes, report)


def outbox_to_note(request: Request, ws: Workstation | None, header: str | None) -> bool:
    """Whether the outbox this request reports must be written now (`ws` None: the
    workstation is not known yet, so it may well be)."""
    reported = _reported(request, header)
    if reported is None:
        return False
    notes, report = reported
    store: CentralStore = request.app.state.store
    return ws is None or notes.needs_writing(ws.device_id, report, store.now())


async def note_outbox(request: Request, ws: Workstation, header: str | None) -> None:
    """Record the outbox a request reports (unreadable or absent: nothing is recorded)."""
    reported = _reported(request, header)
    if reported is None:
        return
    notes, report = reported
    store: CentralStore = request.app.state.store
    at = store.now()
    if notes.needs_writing(ws.device_id, report, at):
        await run_in_threadpool(_write_outbox, store, ws.device_id, report, at)
        notes.written(ws.device_id, report, at)


def _write_outbox(store: CentralStore, device_id: str, report: OutboxReport, at: datetime) -> None:
    with store.database.transaction() as session:
        record_outbox(session, device_id, report, at=at)
