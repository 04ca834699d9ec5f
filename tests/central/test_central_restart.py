"""A service restart keeps everything: tokens, sequences, cursors, the log, clerks, catalog."""

from pathlib import Path

import httpx
from central_support import CENTER_A, CENTER_B, FakeClock, bearer, enrolled, serving

from tongban.central.app import create_app
from tongban.central.database import open_database
from tongban.central.store import CentralStore
from tongban.models.store import EventKind, Forwarded
from tongban.models.sync_wire import WireEvent


def body(events: list) -> dict:
    return {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in events]}


def test_a_restart_keeps_everything(db_url: str, tmp_path: Path) -> None:
    first = CentralStore(open_database(db_url), clock=FakeClock())
    a = enrolled(first, tmp_path, CENTER_A)
    b = enrolled(first, tmp_path, CENTER_B)
    case = a.accept(processing_center=CENTER_B)
    sent_before = a.outbox()
    with serving(create_app(first)) as base, httpx.Client(base_url=base) as client:
        client.post("/v1/push", json=body(sent_before), headers=bearer(a.token))
        before = client.get("/v1/pull", headers=bearer(b.token)).json()
    first.database.close()

    second = CentralStore(open_database(db_url), clock=FakeClock())
    a.record(case, EventKind.FORWARDED, Forwarded(processing_center=CENTER_B))
    try:
        with serving(create_app(second)) as base, httpx.Client(base_url=base) as client:
            status = client.get("/v1/status", headers=bearer(a.token)).json()
            replay = client.post("/v1/push", json=body(a.outbox()), headers=bearer(a.token)).json()
            after = client.get(
                "/v1/pull", params={"cursor": before["cursor"]}, headers=bearer(b.token)
            ).json()
            clerks = client.get("/v1/clerks", headers=bearer(b.token)).json()
    finally:
        second.database.close()
    assert [e["id"] for e in before["events"]] == [e.id for e in sent_before]
    assert status["expected_sequence"] == 2 and status["epoch"] == before["epoch"]
    assert [r["outcome"] for r in replay["results"]] == ["duplicate", "accepted"]
    assert [e["id"] for e in after["events"]] == [a.outbox()[1].id]  # only what is new
    assert after["reset"] is False
    assert [c["number"] for c in clerks["clerks"]] == [b.clerk]
