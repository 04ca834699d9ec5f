"""Scans of materials in the central database: taking chunks, checking, and who may see them.

A scan is named by the SHA-256 of its content and stored once, in scan_files (size, bytes
received, complete) and scan_chunks (the bytes, at most 1 MB a row: bytea on PostgreSQL), so
the service stays stateless and any instance can take or serve any piece.

Access goes through a case: every request names a case number, and is allowed only for a
workstation of the case's accepting or processing center (case_index) when the case's events
in the central log hold a scan_attached event with that SHA-256. The same rule guards upload and
download, so nobody can park bytes here that no case of theirs refers to, and the size a scan
must have is the one its event states.

Chunks come in order: a chunk must start where the stored bytes end (`received`); its own
SHA-256 (a header) is checked before anything is stored. The scan's row is locked while a chunk
is added (SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer), so two workstations sending
the same file at once cannot interleave. When the last byte arrives the whole file's SHA-256 is
computed over the stored chunks: a match makes the scan complete; a mismatch discards every
chunk (the upload starts again from 0) and the request is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tongban.central.enrollment import Workstation
from tongban.central.errors import CentralError, Conflict, Forbidden, NotFound
from tongban.central.schema import CaseIndexRow, EventRow, ScanChunkRow, ScanFileRow
from tongban.models.scans import CHUNK_BYTES, MAX_SCAN_BYTES, ScanProgress, is_sha256
from tongban.models.store import payloads as p
from tongban.models.store.events import EventKind, StreamType

NOT_A_PARTY = "本中心既不是此案的受理中心，也不是办理中心，不能查看或上传其扫描件"
NOT_IN_CASE = "此案没有这份扫描件"


class ChunkRefused(CentralError):
    """A chunk whose bytes do not match its checksum, or that does not fit the scan."""

    status = 400
    code = "chunk_refused"


class WrongOffset(Conflict):
    """A chunk that does not start where the stored bytes end: ask for the status, resume."""

    code = "wrong_offset"


class ScanChecksumMismatch(CentralError):
    status = 422
    code = "scan_checksum"


@dataclass(frozen=True)
class Received:
    progress: ScanProgress
    discarded: bool = False  # the whole file's SHA-256 did not match: every chunk was dropped


def attached_scan(
    session: Session, workstation: Workstation, case_number: str, sha256: str
) -> p.ScanAttached:
    """The case's scan_attached payload for this file, if the workstation may see it."""
    if not is_sha256(sha256):
        raise CentralError("扫描件标识应为 64 位小写十六进制 SHA-256")
    case = session.get(CaseIndexRow, case_number)
    center = workstation.center_code
    if case is None or center not in (case.accepting_center, case.processing_center):
        raise Forbidden(NOT_A_PARTY)
    payloads = session.scalars(
        select(EventRow.payload).where(
            EventRow.stream_type == StreamType.CASE,
            EventRow.stream_id == case_number,
            EventRow.kind == EventKind.SCAN_ATTACHED,
        )
    )
    for raw in payloads:
        try:
            data = p.load_payload(p.ScanAttached, raw)
        except p.PayloadError:
            continue
        if data.sha256 == sha256:
            return data
    raise NotFound(NOT_IN_CASE)


def progress(session: Session, scan: p.ScanAttached) -> ScanProgress:
    row = session.get(ScanFileRow, scan.sha256)
    received = 0 if row is None else row.received
    complete = row is not None and row.complete
    return ScanProgress(sha256=scan.sha256, size=scan.size, received=received, complete=complete)


def receive_chunk(
    session: Session, scan: p.ScanAttached, *, start: int, data: bytes, checksum: str, at: datetime
) -> Received:
    """Store one chunk of `scan`; the caller commits, then refuses the request if discarded."""
    _check_chunk(scan, start, data, checksum)
    row = session.scalars(
        select(ScanFileRow).where(ScanFileRow.sha256 == scan.sha256).with_for_update()
    ).one_or_none()
    if row is None:
        row = ScanFileRow(
            sha256=scan.sha256, size=scan.size, received=0, complete=False, created_at=at
        )
        session.add(row)
        session.flush()  # a second instance creating it at once fails here: 409, retry
    if row.complete:
        return Received(progress(session, scan))
    if start != row.received:
        raise WrongOffset(f"续传位置不符：中心已收到 {row.received} 字节，本块从 {start} 开始")
    session.add(ScanChunkRow(sha256=scan.sha256, start=start, data=data))
    row.received = start + len(data)
    session.flush()
    if row.received < row.size:
        return Received(progress(session, scan))
    if _whole_file_digest(session, scan.sha256) != scan.sha256:
        session.execute(delete(ScanChunkRow).where(ScanChunkRow.sha256 == scan.sha256))
        row.received = 0
        return Received(progress(session, scan), discarded=True)
    row.complete, row.completed_at = True, at
    return Received(progress(session, scan))


def _check_chunk(scan: p.ScanAttached, start: int, data: bytes, checksum: str) -> None:
    if not data:
        raise ChunkRefused("分块为空")
    if len(data) > CHUNK_BYTES:
        raise ChunkRefused(f"分块过大：每块不能超过 {CHUNK_BYTES} 字节")
    if hashlib.sha256(data).hexdigest() != checksum.strip().lower():
        raise ChunkRefused("分块校验不符：传输中可能损坏，请重新发送")
    if scan.size > MAX_SCAN_BYTES:
        raise ChunkRefused("扫描件超过大小上限")
    if start < 0 or start + len(data) > scan.size:
        raise ChunkRefused(f"分块超出扫描件的大小（{scan.size} 字节）")


def _whole_file_digest(session: Session, sha256: str) -> str:
    digest = hashlib.sha256()
    for piece in chunk_data(session, sha256):
        digest.update(piece)
    return digest.hexdigest()


def chunk_starts(session: Session, sha256: str) -> list[int]:
    """Where the stored chunks of a complete scan start, in order; NotFound if not complete."""
    row = session.get(ScanFileRow, sha256)
    if row is None or not row.complete:
        raise NotFound("扫描件尚未完整上传到中心，请稍后再试")
    query = select(ScanChunkRow.start).where(ScanChunkRow.sha256 == sha256)
    return list(session.scalars(query.order_by(ScanChunkRow.start)))


def chunk_at(session: Session, sha256: str, start: int) -> bytes:
    row = session.get(ScanChunkRow, (sha256, start))
    if row is None:
        raise NotFound("扫描件的分块缺失")
    return bytes(row.data)


def chunk_data(session: Session, sha256: str) -> Iterator[bytes]:
    query = (
        select(ScanChunkRow.data)
        .where(ScanChunkRow.sha256 == sha256)
        .order_by(ScanChunkRow.start)
        .execution_options(yield_per=4)
    )
    for data in session.scalars(query):
        yield bytes(data)
