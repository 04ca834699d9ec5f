"""The clerks' audit logs over HTTP: POST /v1/audit {entries: […]} (central/audit.py).

A workstation sends its audit entries not yet acknowledged, at most MAX_AUDIT_BATCH at a time;
the answer lists every id of the request the center now holds, so a batch sent again after a
lost answer is stored once and acknowledged all the same. The workstation and its center are
the device token's (quarantined or retired workstations are refused by the authentication); an
entry naming another workstation is 403, an entry holding a full identity number 422.
"""

# No `from __future__ import annotations`: FastAPI must see the dependency declared in the
# function below as a real annotation, not as a name it cannot resolve.

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from tongban.central.audit import AuditReceipt, store_audit_entries
from tongban.central.enrollment import Workstation
from tongban.central.store import CentralStore
from tongban.models.audit_wire import AUDIT_PATH, AuditPushRequest, AuditPushResponse


def add_audit_routes(
    app: FastAPI, store: CentralStore, workstation: Callable[..., Awaitable[Workstation]]
) -> None:
    """Register the audit endpoint; `workstation` is the service's token authentication."""
    Authenticated = Annotated[Workstation, Depends(workstation)]
    router = APIRouter()

    def keep(ws: Workstation, body: AuditPushRequest) -> AuditReceipt:
        with store.database.transaction() as session:
            return store_audit_entries(session, ws, body.entries, at=store.now())

    @router.post(AUDIT_PATH)
    async def push_audit(body: AuditPushRequest, ws: Authenticated) -> AuditPushResponse:
        receipt = await run_in_threadpool(keep, ws, body)
        return AuditPushResponse(received=list(receipt.received), stored=receipt.stored)

    app.include_router(router)
