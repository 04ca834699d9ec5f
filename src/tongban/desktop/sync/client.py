"""HTTP client of the central sync service (docs/SYNC.md "Endpoints").

Every failure becomes a SyncError with a short Chinese message and a kind: the engine retries
OFFLINE and SERVER later (with backoff), stops for QUARANTINED and NOT_AUTHENTICATED (an
administrator must act), and REFUSED means this client sent something the service would not take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from types import TracebackType
from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from tongban.models.app_versions import installed_version
from tongban.models.audit_wire import (
    AUDIT_PATH,
    AuditPushRequest,
    AuditPushResponse,
    WireAuditEntry,
)
from tongban.models.closures import OUTBOX_HEADER, CloseDayRequest, DayStatus, DayStatusBody
from tongban.models.lookup_wire import CLERK_HEADER, LookupResponse
from tongban.models.reports import IntakeReport, IntakeReportBody
from tongban.models.scans import CHUNK_SHA256_HEADER, ScanProgress
from tongban.models.store import Event
from tongban.models.store.audit import AuditEntry
from tongban.models.sync_wire import (
    MAX_WAIT_SECONDS,
    VERSION_HEADER,
    CatalogResponse,
    ClerksResponse,
    EnrollRequest,
    EnrollResponse,
    ErrorResponse,
    HealthResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    StatusResponse,
    WireEvent,
)
from tongban.models.workstation_clock import CLOCK_HEADER, clock_header

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0  # beyond a long-poll's own wait
JSON_BODY = {"Content-Type": "application/json"}
B = TypeVar("B", bound=BaseModel)


class SyncErrorKind(StrEnum):
    OFFLINE = "offline"  # no answer: network down, server not running, timeout
    SERVER = "server"  # 5xx, 409: the service could not do it now; retry later
    NOT_AUTHENTICATED = "not_authenticated"  # 401: unknown token or enrollment code
    QUARANTINED = "quarantined"  # 403: this workstation may not sync any more
    REFUSED = "refused"  # another 4xx: the request itself was not acceptable


RETRYABLE = frozenset({SyncErrorKind.OFFLINE, SyncErrorKind.SERVER})


class SyncError(Exception):
    """Sync failed; `str(error)` is one Chinese line for the person at the counter."""

    def __init__(self, kind: SyncErrorKind, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


class SyncClient:
    """One workstation's connection to the service; `token` is None only for enrollment."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = READ_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {VERSION_HEADER: installed_version()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._read_timeout = timeout
        # Tells the service the outbox with every request (日结, models/closures.py); set by
        # whoever holds the store (engine.py, services/closures.py). None: not reported.
        self.outbox_header: Callable[[], str] | None = None
        self.wall_clock: Callable[[], datetime] = _wall_clock
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
            transport=transport,
        )

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def health(self) -> HealthResponse:
        """Whether the tongban sync service answers at this address (no token needed)."""
        return self._call("GET", "/v1/health", HealthResponse)

    def enroll(self, code: str) -> EnrollResponse:
        body = EnrollRequest(code=code.strip(), app_version=installed_version())
        return self._call("POST", "/v1/enroll", EnrollResponse, json=body.model_dump())

    def status(self) -> StatusResponse:
        return self._call("GET", "/v1/status", StatusResponse)

    def push(self, events: Sequence[Event]) -> PushResponse:
        body = PushRequest.model_construct(events=[WireEvent.of_held(e) for e in events])
        return self._call(
            "POST", "/v1/push", PushResponse, content=body.model_dump_json(), headers=JSON_BODY
        )

    def pull(self, cursor: str | None, *, wait: float = 0, limit: int = 500) -> PullResponse:
        wait = max(0.0, min(float(wait), MAX_WAIT_SECONDS))
        params: dict[str, str | int | float] = {"wait": int(wait), "limit": limit}
        if cursor:
            params["cursor"] = cursor
        timeout = httpx.Timeout(self._read_timeout + wait, connect=CONNECT_TIMEOUT)
        return self._call("GET", "/v1/pull", PullResponse, params=params, timeout=timeout)

    def catalog(self, revision: str) -> CatalogResponse:
        return self._call("GET", f"/v1/catalog/{revision}", CatalogResponse)

    def clerks(self) -> ClerksResponse:
        return self._call("GET", "/v1/clerks", ClerksResponse)

    def lookup(self, case_number: str, id_last4: str, *, clerk: str) -> LookupResponse:
        """A case's status anywhere (GET /v1/lookup); 404 (REFUSED) when not found or the
        ID suffix does not match."""
        return self._call(
            "GET",
            f"/v1/lookup/{quote(case_number, safe='')}",
            LookupResponse,
            params={"id_last4": id_last4},
            headers={CLERK_HEADER: clerk},
        )

    def intake_report(self, center: str, first: date, last: date) -> IntakeReport:
        """The center's intake report (GET /v1/reports/daily or /range): one day or a range."""
        if first == last:
            path, params = "/v1/reports/daily", {"center": center, "date": first.isoformat()}
        else:
            path = "/v1/reports/range"
            params = {"center": center, "from": first.isoformat(), "to": last.isoformat()}
        return self._call("GET", path, IntakeReportBody, params=params).root

    def day_status(self, center: str, day: date) -> DayStatus:
        """Whether the center's day is signed off (日结), or what stands in the way."""
        params = {"center": center, "date": day.isoformat()}
        return self._call("GET", "/v1/closures", DayStatusBody, params=params).root

    def close_day(self, request: CloseDayRequest) -> DayStatus:
        """Sign the day off (403 for the signer, 400 for the day); the answer says whether it
        was signed or which workstations have not synced the day."""
        body = request.model_dump(mode="json")
        return self._call("POST", "/v1/closures", DayStatusBody, json=body).root

    def scan_status(self, case_number: str, sha256: str) -> ScanProgress:
        """How much of a scan the center holds (docs/SYNC.md "Scans")."""
        params = {"case": case_number}
        return self._call("GET", f"/v1/scans/{sha256}", ScanProgress, params=params)

    def put_scan_chunk(
        self, case_number: str, sha256: str, offset: int, data: bytes
    ) -> ScanProgress:
        """One chunk of a scan, with its own SHA-256; 409 when the center holds other bytes."""
        return self._call(
            "PUT",
            f"/v1/scans/{sha256}/chunks",
            ScanProgress,
            params={"case": case_number, "offset": offset},
            content=data,
            headers={
                CHUNK_SHA256_HEADER: hashlib.sha256(data).hexdigest(),
                "Content-Type": "application/octet-stream",
            },
        )

    def push_audit(self, entries: Sequence[AuditEntry]) -> AuditPushResponse:
        """Audit entries for the center (POST /v1/audit); the answer lists those it holds."""
        body = AuditPushRequest(entries=[WireAuditEntry.from_entry(e) for e in entries])
        return self._call("POST", AUDIT_PATH, AuditPushResponse, json=body.model_dump(mode="json"))

    def scan_content(self, case_number: str, sha256: str) -> bytes:
        """The whole scan (the caller checks its SHA-256)."""
        response = self._send("GET", f"/v1/scans/{sha256}/content", params={"case": case_number})
        if response.is_success:
            return response.content
        raise _error_of(response)

    def _send(self, method: str, path: str, **options: object) -> httpx.Response:
        headers = dict(options.pop("headers", None) or {})  # type: ignore[call-overload]
        # Our wall clock, so the supervisor's desk shows a wrong one (models/workstation_clock.py).
        headers[CLOCK_HEADER] = clock_header(self.wall_clock())
        if self.outbox_header is not None:
            headers[OUTBOX_HEADER] = self.outbox_header()
        options["headers"] = headers
        try:
            return self._http.request(method, path, **options)  # type: ignore[arg-type]
        except httpx.TransportError:
            raise SyncError(
                SyncErrorKind.OFFLINE, f"无法连接同步服务器 {self.base_url}（网络不通或服务器未开）"
            ) from None

    def _call(self, method: str, path: str, answer: type[B], **options: object) -> B:
        response = self._send(method, path, **options)
        if response.is_success:
            try:
                return answer.model_validate_json(response.content)
            except ValidationError:
                raise SyncError(
                    SyncErrorKind.SERVER,
                    "同步服务器的应答无法识别（版本不符？）",
                    response.status_code,
                ) from None
        raise _error_of(response)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _error_of(response: httpx.Response) -> SyncError:
    status = response.status_code
    try:
        body = ErrorResponse.model_validate_json(response.content)
        code, message = body.error, body.message
    except ValidationError:
        code, message = "", ""
    if status == 401:
        text = message or "设备令牌无效"
        return SyncError(SyncErrorKind.NOT_AUTHENTICATED, f"同步服务器拒绝了本工作站：{text}", 401)
    if status == 403 and code == "quarantined":
        return SyncError(SyncErrorKind.QUARANTINED, f"本工作站已被隔离：{message}", 403)
    if status in (409, 429) or status >= 500:
        text = message or f"HTTP {status}"
        return SyncError(SyncErrorKind.SERVER, f"同步服务器暂时无法处理：{text}", status)
    text = message or f"HTTP {status}"
    return SyncError(SyncErrorKind.REFUSED, f"同步服务器拒绝了请求：{text}", status)
