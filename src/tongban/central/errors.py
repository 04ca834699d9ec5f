"""Errors of the central service. Each carries the HTTP status it maps to and a zh_CN message."""

from __future__ import annotations


class CentralError(Exception):
    """A request or command the service cannot carry out; the message is shown to people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(CentralError):
    status = 401
    code = "not_authenticated"


class Forbidden(CentralError):
    status = 403
    code = "forbidden"


class Quarantined(Forbidden):
    code = "quarantined"


class NotFound(CentralError):
    status = 404
    code = "not_found"


class Conflict(CentralError):
    status = 409
    code = "conflict"


class Expired(CentralError):
    status = 410
    code = "expired"
