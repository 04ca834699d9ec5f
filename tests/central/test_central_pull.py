"""Pull: a center gets what concerns it (its cases, both sides, and its visits), in pages."""

from datetime import timedelta
from pathlib import Path

import pytest
from central_support import (
    CENTER_A,
    CENTER_B,
    CENTER_C,
    T0,
    Counter,
    add_clerk,
    bearer,
    enrolled,
    http,
)

from tongban.central.app import create_app
from tongban.central.errors import CentralError
from tongban.central.pull import Cursor
from tongban.central.reference import checksum
from tongban.central.schema import DayClosureRow
from tongban.central.store import CentralStore
from tongban.models.catalog import Mode, default_catalog_path
from tongban.models.catalog.loader import parse_catalog
from tongban.models.closures import shanghai_day
from tongban.models.store import EventKind, Forwarded, Notified, ReceiptPrinted, record_visit


def pull_all(store: CentralStore, counter: Counter, *, limit: int = 500) -> list[str]:
    """Event ids the counter's center gets, following cursors until nothing more is ready."""
    ids: list[str] = []
    cursor = None
    while True:
        pulled = store.pull(counter.workstation, cursor, limit=limit)
        ids += [e.id for e in pulled.batch.events]
        cursor = pulled.batch.cursor
        if not pulled.batch.more:
            return ids


def test_each_center_gets_only_what_concerns_it(store: CentralStore, tmp_path: Path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    a2 = enrolled(store, tmp_path, CENTER_A, "2号窗口")
    b = enrolled(store, tmp_path, CENTER_B)
    c = enrolled(store, tmp_path, CENTER_C)
    for_b = a.accept(processing_center=CENTER_B)
    a.record(for_b, EventKind.FORWARDED, Forwarded(processing_center=CENTER_B))
    own = a.accept(mode=Mode.DIRECT)
    a.record(own, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    with a.local.transaction() as session:
        visit = record_visit(
            session,
            workstation=a.device_id,
            clerk=a.clerk,
            kind=EventKind.NOTIFIED,
            payload=Notified(center_code=CENTER_A, site_code=CENTER_A, missing=("户口簿",)),
            at=T0,
        )
    c.accept(mode=Mode.DIRECT)
    sent_by_a = a.outbox()
    store.push(a.workstation, sent_by_a)
    store.push(c.workstation, c.outbox())

    def ids(stream_id: str) -> list[str]:
        return [e.id for e in sent_by_a if e.stream_id == stream_id]

    assert pull_all(store, a) == []  # its own events never come back
    assert pull_all(store, a2) == ids(for_b) + ids(own) + ids(visit.id)
    assert pull_all(store, b) == ids(for_b)  # the case it processes, nothing else
    assert pull_all(store, c) == []  # C's own case only


def test_paging_with_the_cursor_returns_every_event_once(
    store: CentralStore, tmp_path: Path
) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    pushed: list[str] = []
    for _ in range(7):
        a.accept(processing_center=CENTER_B)
        batch = a.outbox()[len(pushed) :]
        store.push(a.workstation, batch)  # one transaction each: several txids on PostgreSQL
        pushed += [e.id for e in batch]
    assert pull_all(store, b, limit=3) == pushed
    pulled = store.pull(b.workstation, None, limit=3)
    assert pulled.batch.more and len(pulled.batch.events) == 3
    rest = store.pull(b.workstation, pulled.batch.cursor, limit=100)
    assert [e.id for e in rest.batch.events] == pushed[3:] and not rest.batch.more
    nothing = store.pull(b.workstation, rest.batch.cursor, limit=100)
    assert nothing.batch.events == () and nothing.batch.cursor == rest.batch.cursor


def test_events_arrive_as_they_were_sent(store: CentralStore, tmp_path: Path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    a.accept(processing_center=CENTER_B)
    sent = a.outbox()
    store.push(a.workstation, sent)
    assert list(store.pull(b.workstation, None, limit=10).batch.events) == sent


def test_a_cursor_must_be_well_formed() -> None:
    assert Cursor.parse("e:12:34") == Cursor("e", 12, 34)
    for bad in ("", "e:1", "e:x:1", "e:-1:2", ":1:2"):
        with pytest.raises(CentralError, match="同步游标无效"):
            Cursor.parse(bad)


def test_catalog_and_clerks_over_http(store: CentralStore, tmp_path: Path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    add_clerk(store, CENTER_B, "B900")
    with http(create_app(store)) as client:
        pulled = client.get("/v1/pull", headers=bearer(a.token)).json()
        [info] = pulled["catalog_revisions"]
        document = client.get(f"/v1/catalog/{info['revision']}", headers=bearer(a.token)).json()
        missing = client.get("/v1/catalog/1999-01-01", headers=bearer(a.token))
        clerks = client.get("/v1/clerks", headers=bearer(a.token)).json()
        bad_cursor = client.get("/v1/pull?cursor=nonsense", headers=bearer(a.token))
    assert info["revision"] == "2018-07-01"
    assert checksum(document["content"]) == info["checksum"] == document["checksum"]
    assert len(parse_catalog(document["content"], file_name="x").items) == 174
    assert missing.status_code == 404
    assert [c["number"] for c in clerks["clerks"]] == [a.clerk]  # not B's clerk
    assert clerks["clerks"][0]["password_hash"].startswith("$argon2id$")
    assert clerks["revision"] == pulled["clerks_revision"] > 0
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["message"] == "同步游标无效"


def test_a_new_clerk_changes_the_clerks_revision(store: CentralStore, tmp_path: Path) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    before = store.pull(a.workstation, None, limit=1).clerks_revision
    add_clerk(store, CENTER_B, "B901")
    assert store.pull(a.workstation, None, limit=1).clerks_revision == before
    add_clerk(store, CENTER_A, "A901")
    assert store.pull(a.workstation, None, limit=1).clerks_revision > before


def test_a_revision_or_a_sign_off_after_a_pull_comes_with_the_next(
    store: CentralStore, tmp_path: Path
) -> None:
    """The service keeps what every pull sends besides events (central/kept.py); what is
    published or signed off since must still reach the next pull."""
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    before = store.pull(a.workstation, None, limit=10)
    assert [r.revision for r in before.catalog_revisions] == ["2018-07-01"]
    assert before.closed_days == ()

    bundled = default_catalog_path().read_text(encoding="utf-8")
    newer = bundled.replace('revision: "2018-07-01"', 'revision: "2026-03-01"', 1).replace(
        "effective_from: 2018-07-01", "effective_from: 2026-03-01", 1
    )
    store.publish_catalog(newer, file_name="2026-03-01.yaml")
    day = shanghai_day(store.now()) - timedelta(days=1)
    with store.database.transaction() as session:
        session.add(
            DayClosureRow(
                center_code=CENTER_A,
                day=day,
                signed_by=a.clerk,
                signed_by_name="测试",
                signed_at=store.now(),
                device_id=a.device_id,
                report={},
            )
        )

    after = store.pull(a.workstation, None, limit=10)
    assert [r.revision for r in after.catalog_revisions] == ["2018-07-01", "2026-03-01"]
    assert [(c.day, c.signed_by) for c in after.closed_days] == [(day, a.clerk)]
    other = store.pull(b.workstation, None, limit=10)
    assert other.closed_days == ()  # another center's sign-off is not B's
