"""The supervisor's reports over HTTP: GET /v1/reports/daily and /v1/reports/range.

A workstation may ask only for its own center (403 otherwise). The answer is the report's JSON
(tongban.models.reports.IntakeReport.to_json_dict), read by the workstation with from_json_dict.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tongban.central.enrollment import Workstation
from tongban.central.errors import CentralError, Forbidden
from tongban.central.reports import CatalogShelf, intake_report
from tongban.central.store import CentralStore
from tongban.models.reports import Period, PeriodError

CenterCode = Annotated[str, Query(pattern=r"^\d{9}$")]


def add_report_routes(
    app: FastAPI, store: CentralStore, workstation: Callable[..., Awaitable[Workstation]]
) -> None:
    """Register the report endpoints; `workstation` is the service's token authentication."""
    authenticated = Depends(workstation)
    shelf = CatalogShelf()
    router = APIRouter()

    def answer(ws: Workstation, center: str, period: Period) -> JSONResponse:
        if center != ws.center_code:
            raise Forbidden("只能查看本中心的报表")
        with store.database.reading() as session:
            report = intake_report(session, center, period, shelf=shelf, now=store.now())
        return JSONResponse(report.to_json_dict())

    @router.get("/v1/reports/daily")
    async def daily(
        center: CenterCode,
        day: Annotated[date, Query(alias="date")],
        ws: Workstation = authenticated,
    ) -> JSONResponse:
        return await run_in_threadpool(answer, ws, center, Period.day(day))

    @router.get("/v1/reports/range")
    async def ranged(
        center: CenterCode,
        first: Annotated[date, Query(alias="from")],
        last: Annotated[date, Query(alias="to")],
        ws: Workstation = authenticated,
    ) -> JSONResponse:
        try:
            period = Period(first, last)
        except PeriodError as error:
            raise CentralError(str(error)) from None
        return await run_in_threadpool(answer, ws, center, period)

    app.include_router(router)
