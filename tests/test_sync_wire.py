"""The push body as the service reads it: a U+0000 anywhere in an event is refused, however the
JSON spells it, and nothing else is (sync_wire.push_request_of_json)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tongban.models.sync_wire import push_request_of_json

# Text that is hard on a search of the raw JSON: NULs, backslashes, a literal "\u0000", quotes.
PIECES = st.sampled_from(["a", "受", "\x00", "\\", "u", "0", '"', "\\u0000", "\n"])
TRICKY = st.lists(PIECES, max_size=6).map("".join)
PAYLOADS = st.recursive(
    st.none() | st.integers(-5, 5) | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=8,
)


def wire_event(clerk: str, stream_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "0b6f4f57-4cc9-4d0c-8c1f-1f7d2f0d5a11",
        "workstation_id": "5e0c7f43-9a43-4a6a-9d0c-2b9e2c9d1a22",
        "sequence": 1,
        "hlc": 123,
        "clerk": clerk or "C",
        "kind": "accepted",
        "stream_type": "case",
        "stream_id": stream_id or "S",
        "payload": payload,
        "created_at": "2026-03-02T01:30:00+00:00",
    }


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(holds_nul(v) for v in value)


@given(
    clerk=TRICKY,
    stream_id=TRICKY,
    payload=st.dictionaries(TRICKY, PAYLOADS, max_size=4),
    ascii_only=st.booleans(),
)
def test_a_push_body_is_refused_exactly_when_an_event_holds_a_nul(
    clerk: str, stream_id: str, payload: dict[str, Any], ascii_only: bool
) -> None:
    event = wire_event(clerk[:20], stream_id[:64], payload)
    body = json.dumps({"events": [event]}, ensure_ascii=ascii_only).encode()
    nul = any(holds_nul(event[name]) for name in ("clerk", "stream_id", "payload"))
    try:
        [read] = push_request_of_json(body).events
    except ValidationError as refused:
        assert nul, refused
        assert "U+0000" in str(refused)
    else:
        assert not nul
        assert read.payload == payload
