"""The status look-up over HTTP: GET /v1/lookup/{case_number}?id_last4=XXXX (central/lookup.py).

Any enrolled workstation may ask, naming the clerk at the counter in X-Tongban-Clerk (a clerk of
the workstation's center, else 403). The answer is models.lookup_wire.LookupResponse; an unknown
case and a wrong ID suffix are the same 404; too many misses on one number are 429.
"""

# No `from __future__ import annotations`: FastAPI must see the dependency declared in the
# function below as a real annotation, not as a name it cannot resolve.

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query
from starlette.concurrency import run_in_threadpool

from tongban.central.enrollment import Workstation
from tongban.central.errors import Forbidden, NotFound
from tongban.central.lookup import Looked, Outcome, TooManyLookups, lookup_case
from tongban.central.store import CentralStore
from tongban.models.lookup_wire import CLERK_HEADER, NOT_FOUND, IdLast4, LookupResponse


def add_lookup_routes(
    app: FastAPI, store: CentralStore, workstation: Callable[..., Awaitable[Workstation]]
) -> None:
    """Register the look-up endpoint; `workstation` is the service's token authentication."""
    Authenticated = Annotated[Workstation, Depends(workstation)]
    router = APIRouter()

    def look(ws: Workstation, clerk: str, case_number: str, id_last4: str) -> Looked:
        with store.database.transaction() as session:
            return lookup_case(
                session,
                workstation=ws,
                clerk=clerk.strip(),
                case_number=case_number,
                id_last4=id_last4,
                at=store.now(),
            )

    @router.get("/v1/lookup/{case_number}")
    async def lookup(
        ws: Authenticated,
        case_number: Annotated[str, Path(min_length=1, max_length=64)],
        id_last4: Annotated[IdLast4, Query()],
        clerk: Annotated[str, Header(alias=CLERK_HEADER, min_length=1, max_length=20)],
    ) -> LookupResponse:
        looked = await run_in_threadpool(look, ws, clerk, case_number, id_last4)
        if looked.outcome is Outcome.FORBIDDEN:
            raise Forbidden(f"经办人工号 {clerk.strip()} 不是本中心登记的工作人员")
        if looked.outcome is Outcome.TOO_MANY:
            raise TooManyLookups("该受理编号查询失败次数过多，请一小时后再试")
        if looked.answer is None:
            raise NotFound(NOT_FOUND)
        return looked.answer

    app.include_router(router)
