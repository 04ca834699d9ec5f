"""A ceiling on request bodies, so one client cannot make an instance read without end.

The largest legitimate body is a push of 500 events (well under 2 MB) or a 1 MB scan chunk; the
ceiling leaves room for both. A request that declares a longer body (Content-Length) is answered
413 at once, unread; one that streams without a length is cut off as soon as it passes the ceiling.
Errors are JSON in the service's usual shape, {"error", "message"} with a zh_CN message.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 8 * 1024 * 1024
_BODILESS = frozenset({"GET", "HEAD"})
_MESSAGE = f"请求内容过大（上限 {MAX_BODY_BYTES // 1024 // 1024} MB）"


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # No route reads the body of a GET (the long-poll's hundreds of requests among them),
        # so those pass without the counting wrapper around every message.
        if scope["type"] != "http" or scope["method"] in _BODILESS:
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(receive, send, self.limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await exchange.refuse()
            return
        await self.app(scope, exchange.receive, exchange.send)


class _Exchange:
    """One request: counts its streamed body. Past the ceiling it answers 413 itself and tells
    the application the client has gone, so the application stops reading; whatever the
    application answers after that is dropped."""

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self._receive = receive
        self._send = send
        self._limit = limit
        self._seen = 0
        self._refused = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._seen += len(message.get("body", b""))
            if self._seen > self._limit:
                await self.refuse()
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if not self._refused:
            await self._send(message)

    async def refuse(self) -> None:
        if self._refused:
            return
        self._refused = True
        body = json.dumps({"error": "body_too_large", "message": _MESSAGE}, ensure_ascii=False)
        await self._send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8")],
            }
        )
        await self._send({"type": "http.response.body", "body": body.encode("utf-8")})
