"""Scans of materials at the counter: attach one to a case, list a case's scans, open one.

`attach` copies the file into the workstation's scan folder first (desktop/scan_files.py:
recognised by its first bytes, at most 20 MB, written atomically), then records the
scan_attached event, the upload bookkeeping and an audit entry in one transaction: a scan is
either attached with its file in place, or not attached at all. Sync uploads it afterwards.

`open_scan` gives the path of a scan's file, fetching it from the center when this workstation
does not hold it (the processing center opening the accepting center's scans), checked against
its SHA-256 before it is kept. Only the case's accepting and processing centers may open a
scan; the center enforces the same rule. Every look at a scan, listing a case's scans and every
attempt to open one, is an audit entry (the file name is never written there: it may hold a
person's name or number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tongban.desktop.scan_files import ScanFiles
from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError, checked_case_number, service_errors
from tongban.models.clock import SHANGHAI
from tongban.models.scans import ScanRefused, describe_size, is_sha256
from tongban.models.store import (
    AuditOutcome,
    CaseState,
    EventKind,
    Recorded,
    ScanAttached,
    ScanState,
    load_case,
    record_event,
)
from tongban.models.store.scan_uploads import ScanUpload, note_upload, scan_uploads

if TYPE_CHECKING:
    from tongban.desktop.sync.client import SyncClient

Connect = Callable[[], "SyncClient"]
MAX_FILE_NAME = 200
MIN_SHA_PREFIX = 8
NOT_A_PARTY = "本中心既不是此案的受理中心，也不是办理中心，不能查看其扫描件"


class ScanAccessDenied(ServiceError):
    """This center may not see the case's scans."""


@dataclass(frozen=True)
class ScanInfo:
    """One scan of a case, as the counter shows it."""

    case_number: str
    material: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    attached_at: datetime  # Shanghai time
    clerk: str
    here: bool  # its file is in this workstation's scan folder
    upload: str  # for scans attached here: 待同步, 上传中 …, 已上传, or the problem; else ""

    @property
    def size_text(self) -> str:
        return describe_size(self.size)


class Scans:
    def __init__(self, context: CounterContext, *, connect: Connect | None = None) -> None:
        """`connect` gives a client of the central service; None: this workstation's server."""
        self._context = context
        self._connect = connect or self._default_connect
        self._files = ScanFiles.beside(context.store)

    def attach(self, case_number: str, material: str, source: Path, actor: Actor) -> ScanInfo:
        """Keep the file and record it as a scan of `material`; ServiceError when refused."""
        number = checked_case_number(case_number)
        state = self._case(number)
        self._require_party(state)
        name = material.strip()
        if not name:
            raise ServiceError("请填写扫描件所属的材料名称")
        try:
            with service_errors():
                kept = self._files.keep(source)
        except ScanRefused as error:
            raise ServiceError(str(error)) from None
        payload = ScanAttached(
            material=name,
            file_name=source.name[-MAX_FILE_NAME:] or kept.sha256,
            media_type=kept.media_type,
            size=kept.size,
            sha256=kept.sha256,
        )
        now = self._context.now()
        try:
            recorded = self._record(number, actor, payload, now)
        except BaseException:
            self._files.forget(kept)  # a refused scan leaves no file nobody refers to
            raise
        return self._info(recorded.state.scans[-1], number, {})

    def _record(self, number: str, actor: Actor, payload: ScanAttached, now: datetime) -> Recorded:
        """The event, its upload bookkeeping and the audit entry, in one transaction."""
        with service_errors(), self._context.store.transaction() as session:
            recorded = record_event(
                session,
                workstation=self._context.station.device_id,
                clerk=actor.number,
                case_number=number,
                kind=EventKind.SCAN_ATTACHED,
                payload=payload,
                at=now,
            )
            note_upload(
                session,
                event_id=recorded.event.id,
                sha256=payload.sha256,
                case_number=number,
                size=payload.size,
                at=now,
            )
            detail = f"{payload.material}；{payload.sha256[:12]}"
            self._audit(session, actor, "attach_scan", number, now, detail)
        return recorded

    def scans_of(self, case_number: str, actor: Actor) -> list[ScanInfo]:
        """The case's scans, oldest first; audited."""
        number = checked_case_number(case_number)
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            state = load_case(session, number)
            uploads = {u.sha256: u for u in scan_uploads(session, number)}
            outcome = AuditOutcome.SUCCESS if state else AuditOutcome.FAILED
            detail = f"{len(state.scans) if state else 0} 份"
            self._audit(session, actor, "list_scans", number, now, detail, outcome)
        if state is None:
            raise ServiceError(f"没有受理编号为 {case_number.strip()} 的办件")
        return [self._info(scan, number, uploads) for scan in state.scans]

    def open_scan(self, case_number: str, sha256: str, actor: Actor) -> Path:
        """The path of the scan's file, fetched from the center if needed; audited."""
        number = checked_case_number(case_number)
        state = self._case(number)
        scan = _find_scan(state, sha256.strip().lower())
        try:
            self._require_party(state)
            path = self._local_or_fetched(number, scan.sha256)
        except ScanAccessDenied:
            self._audit_open(actor, number, scan, AuditOutcome.DENIED)
            raise
        except ServiceError:
            self._audit_open(actor, number, scan, AuditOutcome.FAILED)
            raise
        self._audit_open(actor, number, scan, AuditOutcome.SUCCESS)
        return path

    # Internals --------------------------------------------------------------------------------

    def _case(self, number: str) -> CaseState:
        with service_errors(), self._context.store.reading() as session:
            state = load_case(session, number)
        if state is None:
            raise ServiceError(f"没有受理编号为 {number} 的办件")
        return state

    def _require_party(self, state: CaseState) -> None:
        center = self._context.station.center_code
        if center not in (state.accepting_center, state.processing_center):
            raise ScanAccessDenied(NOT_A_PARTY)

    def _local_or_fetched(self, number: str, sha256: str) -> Path:
        with service_errors():
            kept = self._files.verified(sha256)
        if kept is not None:
            return kept.path
        content = self._fetch(number, sha256)
        try:
            with service_errors():
                return self._files.keep_bytes(content, sha256).path
        except ScanRefused as error:
            raise ServiceError(str(error)) from None

    def _fetch(self, number: str, sha256: str) -> bytes:
        from tongban.desktop.sync.client import SyncError
        from tongban.desktop.sync.setup import SetupError

        try:
            with self._connect() as client:
                return client.scan_content(number, sha256)
        except SetupError:
            raise ServiceError("本机没有这份扫描件，且本工作站没有配置同步服务器") from None
        except SyncError as error:
            if error.status == 403:
                raise ScanAccessDenied(f"中心拒绝：{NOT_A_PARTY}") from None
            raise ServiceError(f"本机没有这份扫描件，从中心取得失败：{error}") from None

    def _default_connect(self) -> SyncClient:
        from tongban.desktop.sync.setup import connect

        return connect(self._context.data_dir, self._context.settings)

    def _info(self, scan: ScanState, number: str, uploads: dict[str, ScanUpload]) -> ScanInfo:
        return ScanInfo(
            case_number=number,
            material=scan.material,
            file_name=scan.file_name,
            media_type=scan.media_type,
            size=scan.size,
            sha256=scan.sha256,
            attached_at=scan.attached_at.astimezone(SHANGHAI),
            clerk=scan.clerk,
            here=self._files.has(scan.sha256),
            upload=_upload_text(uploads.get(scan.sha256), scan, self._context.station.device_id),
        )

    def _audit_open(
        self, actor: Actor, number: str, scan: ScanState, outcome: AuditOutcome
    ) -> None:
        now = self._context.now()
        detail = f"{scan.material}；{scan.sha256[:12]}"
        with service_errors(), self._context.store.transaction() as session:
            self._audit(session, actor, "open_scan", number, now, detail, outcome)

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        number: str,
        at: datetime,
        detail: str,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
    ) -> None:
        audit(
            session,
            self._context,
            actor,
            action=action,
            ref=number,
            detail=detail,
            outcome=outcome,
            at=at,
        )


def _find_scan(state: CaseState, wanted: str) -> ScanState:
    """The case's scan whose sha256 is `wanted` or starts with it (at least 8 hex digits)."""
    if is_sha256(wanted):
        found = [s for s in state.scans if s.sha256 == wanted]
    elif len(wanted) >= MIN_SHA_PREFIX:
        found = [s for s in state.scans if s.sha256.startswith(wanted)]
    else:
        raise ServiceError(f"扫描件标识至少需要 {MIN_SHA_PREFIX} 位（SHA-256 的开头）")
    if not found:
        raise ServiceError("此案没有这份扫描件")
    if len({s.sha256 for s in found}) > 1:
        raise ServiceError("扫描件标识不唯一，请多输入几位")
    return found[0]


def _upload_text(upload: ScanUpload | None, scan: ScanState, device_id: str) -> str:
    if upload is None:
        return "" if scan.workstation_id != device_id else "待同步"
    if upload.problem:
        return f"上传失败：{upload.problem}"
    if upload.done:
        return "已上传"
    if upload.uploaded_bytes == 0:
        return "待同步"
    return f"上传中 {describe_size(upload.uploaded_bytes)} / {describe_size(upload.size)}"
