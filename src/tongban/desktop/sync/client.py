"""HTTP client of the central sync service (docs/SYNC.md "Endpoints").

Every failure becomes a SyncError with a short Chinese message and a kind: the engine retries
OFFLINE and SERVER later (with backoff), stops for QUARANTINED and NOT_AUTHENTICATED (an
administrator must act), and REFUSED means this client sent something the service would not take.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from enum import StrEnum
from types import TracebackType
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from tongban.models.store import Event
from tongban.models.sync_wire import (
    MAX_WAIT_SECONDS,
    CatalogResponse,
    ClerksResponse,
    EnrollRequest,
    EnrollResponse,
    ErrorResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    StatusResponse,
    WireEvent,
)

VERSION_HEADER = "X-Tongban-Version"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0  # beyond a long-poll's own wait
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


def app_version() -> str:
    try:
        return importlib.metadata.version("tongban")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


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
        headers = {VERSION_HEADER: app_version()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._read_timeout = timeout
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

    def enroll(self, code: str) -> EnrollResponse:
        body = EnrollRequest(code=code.strip(), app_version=app_version())
        return self._call("POST", "/v1/enroll", EnrollResponse, json=body.model_dump())

    def status(self) -> StatusResponse:
        return self._call("GET", "/v1/status", StatusResponse)

    def push(self, events: Sequence[Event]) -> PushResponse:
        body = PushRequest(events=[WireEvent.from_event(e) for e in events])
        return self._call("POST", "/v1/push", PushResponse, json=body.model_dump(mode="json"))

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

    def _call(self, method: str, path: str, answer: type[B], **options: object) -> B:
        try:
            response = self._http.request(method, path, **options)  # type: ignore[arg-type]
        except httpx.TransportError:
            raise SyncError(
                SyncErrorKind.OFFLINE, f"无法连接同步服务器 {self.base_url}（网络不通或服务器未开）"
            ) from None
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
