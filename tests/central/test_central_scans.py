"""Scans in the central store, over HTTP, on PostgreSQL and SQLite: chunks checked one by one and
the whole file at the end, uploads resumed where the stored bytes end, and only the case's two
centers let in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from central_support import CENTER_A, CENTER_B, CENTER_C, Counter, bearer, enrolled, http

from tongban.central.app import create_app
from tongban.central.schema import ScanChunkRow, ScanFileRow
from tongban.central.store import CentralStore
from tongban.models.scans import CHUNK_BYTES, CHUNK_SHA256_HEADER, CONTENT_SHA256_HEADER
from tongban.models.store import EventKind, ScanAttached

CONTENT = b"%PDF-1.7\n" + bytes(range(256)) * (CHUNK_BYTES // 256) + b"tail of the scan"
SHA = hashlib.sha256(CONTENT).hexdigest()


def pushed(store: CentralStore, counter: Counter) -> None:
    results = store.push(counter.workstation, counter.outbox()).outcome.results
    assert {r.outcome for r in results} == {"accepted"}, results
    counter.synced([r.event_id for r in results])


def attach(counter: Counter, case: str, content: bytes = CONTENT) -> str:
    sha = hashlib.sha256(content).hexdigest()
    payload = ScanAttached(
        material="身份证",
        file_name="身份证.pdf",
        media_type="application/pdf",
        size=len(content),
        sha256=sha,
    )
    counter.record(case, EventKind.SCAN_ATTACHED, payload)
    return sha


@pytest.fixture
def scene(store: CentralStore, tmp_path: Path) -> tuple[Counter, Counter, Counter, str]:
    """A accepted a separated case for B and attached a scan; C is a third center."""
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    c = enrolled(store, tmp_path, CENTER_C)
    case = a.accept(processing_center=CENTER_B)
    attach(a, case)
    pushed(store, a)
    return a, b, c, case


@pytest.fixture
def client(store: CentralStore) -> Iterator[httpx.Client]:
    with http(create_app(store)) as live:
        yield live


def put(
    client: httpx.Client,
    counter: Counter,
    case: str,
    offset: int,
    data: bytes,
    *,
    sha: str = SHA,
    checksum: str | None = None,
) -> httpx.Response:
    headers = {
        **bearer(counter.token),
        CHUNK_SHA256_HEADER: checksum or hashlib.sha256(data).hexdigest(),
    }
    params: dict[str, str | int] = {"case": case, "offset": offset}
    return client.put(f"/v1/scans/{sha}/chunks", params=params, content=data, headers=headers)


def status(client: httpx.Client, counter: Counter, case: str, sha: str = SHA) -> httpx.Response:
    return client.get(f"/v1/scans/{sha}", params={"case": case}, headers=bearer(counter.token))


def content(client: httpx.Client, counter: Counter, case: str) -> httpx.Response:
    return client.get(
        f"/v1/scans/{SHA}/content", params={"case": case}, headers=bearer(counter.token)
    )


def test_an_upload_resumes_where_the_stored_bytes_end(scene, client, store) -> None:
    a, b, _c, case = scene
    first, rest = CONTENT[:CHUNK_BYTES], CONTENT[CHUNK_BYTES:]
    assert status(client, a, case).json() == {
        "sha256": SHA,
        "size": len(CONTENT),
        "received": 0,
        "complete": False,
    }
    assert put(client, a, case, 0, first).json()["received"] == CHUNK_BYTES
    # The answer was lost: the same chunk again is refused, and the status says where to go on.
    again = put(client, a, case, 0, first)
    assert (again.status_code, again.json()["error"]) == (409, "wrong_offset")
    assert "中心已收到" in again.json()["message"]
    assert status(client, b, case).json()["received"] == CHUNK_BYTES
    assert content(client, b, case).status_code == 404  # not complete yet

    done = put(client, a, case, CHUNK_BYTES, rest).json()
    assert (done["received"], done["complete"]) == (len(CONTENT), True)
    fetched = content(client, b, case)
    assert fetched.status_code == 200 and fetched.content == CONTENT
    assert fetched.headers[CONTENT_SHA256_HEADER] == SHA
    assert fetched.headers["content-type"] == "application/pdf"
    assert content(client, a, case).content == CONTENT


def test_a_chunk_that_does_not_match_its_checksum_is_not_stored(scene, client, store) -> None:
    a, _b, _c, case = scene
    chunk = CONTENT[:1000]
    refused = put(client, a, case, 0, chunk, checksum="0" * 64)
    assert (refused.status_code, refused.json()["error"]) == (400, "chunk_refused")
    assert "分块校验不符" in refused.json()["message"]
    too_far = put(client, a, case, 0, CONTENT[: CHUNK_BYTES + 1])
    assert too_far.status_code == 400
    assert status(client, a, case).json()["received"] == 0
    with store.database.reading() as session:
        assert session.query(ScanChunkRow).count() == 0


def test_a_whole_file_that_does_not_match_is_discarded(store, client, tmp_path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    case = a.accept()
    claimed = b"%PDF-1.4 what the event says"
    sha = attach(a, case, claimed)
    pushed(store, a)
    other = b"%PDF-1.4 what arrived instead"[:28]  # same length, every chunk checksum right
    assert len(other) == len(claimed)
    half = len(other) // 2
    assert put(client, a, case, 0, other[:half], sha=sha).status_code == 200
    refused = put(client, a, case, half, other[half:], sha=sha)
    assert (refused.status_code, refused.json()["error"]) == (422, "scan_checksum")
    assert status(client, a, case, sha).json()["received"] == 0  # starts again from 0
    with store.database.reading() as session:
        assert session.query(ScanChunkRow).count() == 0
        assert session.get(ScanFileRow, sha).complete is False  # type: ignore[union-attr]
    assert put(client, a, case, 0, claimed, sha=sha).json()["complete"] is True


def test_only_the_two_centers_of_the_case_get_in(scene, client) -> None:
    a, _b, c, case = scene
    put(client, a, case, 0, CONTENT[:CHUNK_BYTES])
    put(client, a, case, CHUNK_BYTES, CONTENT[CHUNK_BYTES:])
    for response in (
        content(client, c, case),
        status(client, c, case),
        put(client, c, case, 0, CONTENT[:10]),
    ):
        assert (response.status_code, response.json()["error"]) == (403, "forbidden")
        assert "既不是此案的受理中心，也不是办理中心" in response.json()["message"]
    # A party asking for a file the case never attached, or through an unknown case.
    assert status(client, a, case, "cd" * 32).status_code == 404
    assert status(client, a, "310104003-260302-001-9999-X").status_code == 403
    unauthenticated = client.get(f"/v1/scans/{SHA}", params={"case": case})
    assert unauthenticated.status_code == 401


def test_bytes_are_taken_only_for_a_scan_whose_event_arrived(store, client, tmp_path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    case = a.accept()
    pushed(store, a)
    sha = attach(a, case)  # recorded, not pushed yet
    refused = put(client, a, case, 0, CONTENT[:100], sha=sha)
    assert refused.status_code == 404 and "此案没有这份扫描件" in refused.json()["message"]
