"""Uploading scans to the center, chunk by chunk, resuming where the center's bytes end.

Called in every sync round right after the push (engine.py): a scan goes once its
scan_attached event is synced, because the center takes bytes only for a scan that a case it
can see refers to (docs/SYNC.md "Scans"). For each scan the round asks the center how many
bytes it holds (GET /v1/scans/{sha256}) and sends the rest in chunks of at most 1 MB, each
with its SHA-256. The center's answer, never the local count, says where to go on, so an
upload cut off anywhere (the network, the service, this program) resumes at the right byte;
a chunk that arrived although its answer was lost is not sent again. A 409 `wrong_offset`
(another workstation sent the same file meanwhile) makes the round ask again and go on.

The local file is checked against its SHA-256 before it is sent. A scan the center refuses
(403, 404, a whole-file mismatch) or whose file is missing here is given a problem and not
offered again; no answer or a 5xx ends the round as any sync error does, to be retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.desktop.scan_files import ScanFiles
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.models.scans import CHUNK_BYTES, ScanProgress
from tongban.models.store.scan_uploads import (
    ScanUpload,
    record_progress,
    record_upload_problem,
    uploads_ready,
)

if TYPE_CHECKING:
    from tongban.desktop.sync.engine import SyncTarget

MAX_CONFLICTS = 5  # consecutive 409s on one scan before the round gives up on it for now
MISSING = "本机的扫描件文件缺失或已损坏，无法上传：请重新附扫描件"


def upload_scans(target: SyncTarget, client: SyncClient, *, chunk: int = CHUNK_BYTES) -> int:
    """Upload every scan that is ready; returns how many the center now holds whole."""
    files = ScanFiles.beside(target.store)
    with target.store.reading() as session:
        ready = uploads_ready(session)
    finished = 0
    for upload in ready:
        finished += _upload(target, client, files, upload, min(chunk, CHUNK_BYTES))
    return finished


def _upload(
    target: SyncTarget, client: SyncClient, files: ScanFiles, upload: ScanUpload, chunk: int
) -> int:
    if files.verified(upload.sha256) is None:
        _problem(target, upload, MISSING)
        return 0
    try:
        state = client.scan_status(upload.case_number, upload.sha256)
        conflicts = 0
        while not state.complete:
            try:
                data = files.read(upload.sha256, state.received, chunk)
                state = client.put_scan_chunk(
                    upload.case_number, upload.sha256, state.received, data
                )
                conflicts = 0
            except SyncError as error:
                if error.status != 409 or conflicts >= MAX_CONFLICTS:
                    raise
                conflicts += 1
                state = client.scan_status(upload.case_number, upload.sha256)
            _progress(target, upload, state)
    except SyncError as error:
        if error.kind is not SyncErrorKind.REFUSED:
            raise
        _problem(target, upload, str(error))
        return 0
    _progress(target, upload, state)
    return 1


def _progress(target: SyncTarget, upload: ScanUpload, state: ScanProgress) -> None:
    with target.store.transaction() as session:
        record_progress(
            session,
            upload.event_id,
            uploaded_bytes=state.received if not state.complete else state.size,
            done=state.complete,
            at=target.now(),
        )


def _problem(target: SyncTarget, upload: ScanUpload, problem: str) -> None:
    with target.store.transaction() as session:
        record_upload_problem(session, upload.event_id, problem, at=target.now())
