"""Scans over HTTP (central/scans.py): chunked, resumable, checksummed upload and download.

    GET /v1/scans/{sha256}?case=CASE              how much the center holds: ScanProgress
    PUT /v1/scans/{sha256}/chunks?case=CASE&offset=N
                                                  one chunk (≤ 1 MB, application/octet-stream),
                                                  its SHA-256 in X-Tongban-Chunk-Sha256;
                                                  answers ScanProgress
    GET /v1/scans/{sha256}/content?case=CASE      the whole file (complete scans only), its
                                                  SHA-256 in X-Tongban-Sha256

Every request names the case through which the scan is reached: only a workstation of the
case's accepting or processing center gets anything (403 otherwise), and only for a scan the
case's events attached (404). A chunk that does not start where the stored bytes end is 409
`wrong_offset` (ask for the status and resume there); a chunk whose checksum does not match is
400 `chunk_refused`; a last chunk after which the whole file's SHA-256 does not match is 422
`scan_checksum` and every chunk of that scan is dropped. The body is read with a cap, so a
request cannot make an instance hold more than one chunk.
"""

# No `from __future__ import annotations`: FastAPI must see the dependency declared in the
# functions below as a real annotation, not as a name it cannot resolve.

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from tongban.central import scans
from tongban.central.enrollment import Workstation
from tongban.central.scans import ChunkRefused, ScanChecksumMismatch
from tongban.central.store import CentralStore
from tongban.models.scans import (
    CHUNK_BYTES,
    CHUNK_SHA256_HEADER,
    CONTENT_SHA256_HEADER,
    ScanProgress,
)
from tongban.models.store import payloads as p

Sha256 = Annotated[str, Path(min_length=64, max_length=64)]
CaseNumber = Annotated[str, Query(alias="case", min_length=1, max_length=64)]


def add_scan_routes(
    app: FastAPI, store: CentralStore, workstation: Callable[..., Awaitable[Workstation]]
) -> None:
    """Register the scan endpoints; `workstation` is the service's token authentication."""
    Authenticated = Annotated[Workstation, Depends(workstation)]
    router = APIRouter()

    def status_of(ws: Workstation, case: str, sha256: str) -> ScanProgress:
        with store.database.reading() as session:
            return scans.progress(session, scans.attached_scan(session, ws, case, sha256))

    def receive(
        ws: Workstation, case: str, sha256: str, start: int, data: bytes, checksum: str
    ) -> scans.Received:
        with store.database.transaction() as session:
            scan = scans.attached_scan(session, ws, case, sha256)
            return scans.receive_chunk(
                session, scan, start=start, data=data, checksum=checksum, at=store.now()
            )

    def plan(ws: Workstation, case: str, sha256: str) -> tuple[p.ScanAttached, list[int]]:
        with store.database.reading() as session:
            scan = scans.attached_scan(session, ws, case, sha256)
            return scan, scans.chunk_starts(session, sha256)

    def piece(sha256: str, start: int) -> bytes:
        with store.database.reading() as session:
            return scans.chunk_at(session, sha256, start)

    @router.get("/v1/scans/{sha256}")
    async def scan_status(ws: Authenticated, sha256: Sha256, case: CaseNumber) -> ScanProgress:
        return await run_in_threadpool(status_of, ws, case, sha256)

    @router.put("/v1/scans/{sha256}/chunks")
    async def scan_chunk(
        request: Request,
        ws: Authenticated,
        sha256: Sha256,
        case: CaseNumber,
        offset: Annotated[int, Query(ge=0)],
        checksum: Annotated[str, Header(alias=CHUNK_SHA256_HEADER, min_length=64, max_length=64)],
    ) -> ScanProgress:
        data = await _capped_body(request)
        received = await run_in_threadpool(receive, ws, case, sha256, offset, data, checksum)
        if received.discarded:
            raise ScanChecksumMismatch("整个文件的校验值不符，中心已丢弃收到的部分，请重新上传")
        return received.progress

    @router.get("/v1/scans/{sha256}/content")
    async def scan_content(
        ws: Authenticated, sha256: Sha256, case: CaseNumber
    ) -> StreamingResponse:
        scan, starts = await run_in_threadpool(plan, ws, case, sha256)

        async def body() -> AsyncIterator[bytes]:
            # One short read per chunk: no database connection is held while the client reads.
            for start in starts:
                yield await run_in_threadpool(piece, sha256, start)

        headers = {"Content-Length": str(scan.size), CONTENT_SHA256_HEADER: sha256}
        return StreamingResponse(body(), media_type=scan.media_type, headers=headers)

    app.include_router(router)


async def _capped_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > CHUNK_BYTES:
        raise ChunkRefused(f"分块过大：每块不能超过 {CHUNK_BYTES} 字节")
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > CHUNK_BYTES:
            raise ChunkRefused(f"分块过大：每块不能超过 {CHUNK_BYTES} 字节")
        parts.append(part)
    return b"".join(parts)
