"""The headers and query of the two requests every workstation sends all day, read by hand.

FastAPI reads a declared parameter by looking at its annotation again on every request: for the
pull's eight parameters that is ~0.3 ms of the service's CPU a request, as much as the pull's
own work when it answers from memory (long_poll.py). Hundreds of waiting workstations ask again
after every answer, so GET /v1/pull and POST /v1/push read theirs here instead, with the same
limits and the same answers: no usable Authorization is 401 (NotAuthenticated); a parameter out
of bounds is 422, naming it as FastAPI does ("query.wait"). Every other endpoint declares its
parameters to FastAPI as usual (app.py `_credentials`).

The parameters still appear in the service's OpenAPI description (`PUSH_PARAMETERS`,
`PULL_PARAMETERS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from tongban.central.enrollment import Credentials
from tongban.central.errors import NotAuthenticated
from tongban.central.pull import Cursor
from tongban.models.closures import MAX_OUTBOX_HEADER, OUTBOX_HEADER
from tongban.models.sync_wire import MAX_PULL_BATCH, MAX_WAIT_SECONDS, VERSION_HEADER
from tongban.models.workstation_clock import CLOCK_HEADER

MAX_VERSION_HEADER = 32
MAX_CURSOR = 120
DEFAULT_PULL_BATCH = 500
Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class PullQuery:
    cursor: Cursor | None
    wait: float  # seconds, 0 to MAX_WAIT_SECONDS
    limit: int  # events, 1 to MAX_PULL_BATCH


@dataclass(frozen=True)
class Sent:
    """What a push or a pull says about its workstation: its credentials (not yet checked) and
    its outbox report (header OUTBOX_HEADER, closure_routes.py)."""

    credentials: Credentials
    outbox: str | None


def sent(request: Request) -> Sent:
    """The credentials and outbox report of a push or pull; NotAuthenticated without a bearer
    token, RequestValidationError when a header is too long."""
    headers = request.headers
    errors = _too_long(headers.get(VERSION_HEADER), ("header", VERSION_HEADER), MAX_VERSION_HEADER)
    errors += _too_long(headers.get(OUTBOX_HEADER), ("header", OUTBOX_HEADER), MAX_OUTBOX_HEADER)
    if errors:
        raise RequestValidationError(errors)
    credentials = credentials_of(
        headers.get("authorization"), headers.get(VERSION_HEADER), headers.get(CLOCK_HEADER)
    )
    return Sent(credentials, headers.get(OUTBOX_HEADER))


def credentials_of(
    authorization: str | None, version: str | None, clock: str | None
) -> Credentials:
    """The bearer token of an Authorization header, with the program version and clock
    (X-Tongban-Clock, as sent) the request reports; NotAuthenticated without a token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("缺少工作站令牌")
    return Credentials(token.strip(), app_version=version, clock=clock)


def pull_query(request: Request) -> PullQuery:
    """cursor, wait and limit of GET /v1/pull; RequestValidationError naming each bad one."""
    query = request.query_params
    cursor = query.get("cursor")
    errors = _too_long(cursor, ("query", "cursor"), MAX_CURSOR)
    wait = _number(query.get("wait"), float, 0.0, MAX_WAIT_SECONDS, ("query", "wait"), errors)
    limit = _number(query.get("limit"), int, 1, MAX_PULL_BATCH, ("query", "limit"), errors)
    if errors:
        raise RequestValidationError(errors)
    return PullQuery(
        Cursor.parse(cursor) if cursor else None,
        wait if wait is not None else 0.0,
        limit if limit is not None else DEFAULT_PULL_BATCH,
    )


def _number(
    text: str | None,
    kind: type[Number],
    low: Number,
    high: Number,
    loc: tuple[str, str],
    errors: list[dict[str, Any]],
) -> Number | None:
    """The number a parameter gives (None when it is absent or bad; a bad one adds its error)."""
    if text is None:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or math.isnan(value) or not low <= value <= high:
        errors.append(_error(loc, f"须是 {low} 到 {high} 之间的数"))
        return None
    return value


def _too_long(text: str | None, loc: tuple[str, str], limit: int) -> list[dict[str, Any]]:
    if text is None or len(text) <= limit:
        return []
    return [_error(loc, f"不能超过 {limit} 个字符")]


def _error(loc: tuple[str, str], message: str) -> dict[str, Any]:
    return {"loc": loc, "msg": message, "type": "value_error"}


def _parameter(name: str, where: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": where, "required": False, "schema": schema}


_SENT_PARAMETERS = [
    _parameter("Authorization", "header", {"type": "string"}),
    _parameter(VERSION_HEADER, "header", {"type": "string", "maxLength": MAX_VERSION_HEADER}),
    _parameter(CLOCK_HEADER, "header", {"type": "string"}),
    _parameter(OUTBOX_HEADER, "header", {"type": "string", "maxLength": MAX_OUTBOX_HEADER}),
]
PUSH_PARAMETERS = {"parameters": _SENT_PARAMETERS}
PULL_PARAMETERS = {
    "parameters": [
        *_SENT_PARAMETERS,
        _parameter("cursor", "query", {"type": "string", "maxLength": MAX_CURSOR}),
        _parameter("wait", "query", {"type": "number", "minimum": 0, "maximum": MAX_WAIT_SECONDS}),
        _parameter(
            "limit",
            "query",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PULL_BATCH,
                "default": DEFAULT_PULL_BATCH,
            },
        ),
    ]
}
