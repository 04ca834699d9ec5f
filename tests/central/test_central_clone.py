"""A workstation cloned from another (same device id, its sequence going backwards) is stopped."""

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from central_support import (
    CENTER_A,
    Counter,
    bearer,
    central_event_ids,
    enrolled,
    http,
)

from tongban.central.app import create_app
from tongban.central.errors import Quarantined
from tongban.central.store import CentralStore
from tongban.models.store import EventKind, ReceiptPrinted, Signed, open_store


def clone_of(counter: Counter, folder: Path) -> Counter:
    """What copying the workstation's disk to a second machine gives: the same store and token."""
    counter.local.close()  # the copy is taken at rest, as a disk image would be
    copy = folder / "clone.db"
    shutil.copyfile(counter.local.path, copy)
    counter.local = open_store(counter.local.path)
    return replace(counter, local=open_store(copy))


def test_a_clone_is_quarantined_and_nothing_it_sent_is_taken(
    store: CentralStore, tmp_path: Path
) -> None:
    original = enrolled(store, tmp_path, CENTER_A)
    case = original.accept()
    original.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    store.push(original.workstation, original.outbox())
    clone = clone_of(original, tmp_path)

    original.record(case, EventKind.SIGNED, Signed(document="申请表", signer="王五"))
    assert [
        r.outcome for r in store.push(original.workstation, original.outbox()).outcome.results
    ] == [
        "duplicate",
        "duplicate",
        "accepted",
    ]
    kept = central_event_ids(store)

    clone.record(
        case, EventKind.SIGNED, Signed(document="承诺书", signer="王五")
    )  # sequence 3 again
    pushed = store.push(clone.workstation, clone.outbox()).outcome
    assert [r.outcome for r in pushed.results] == ["duplicate", "duplicate", "rejected"]
    assert pushed.quarantine_reason == "序号 3 已收到过另一事件：本工作站可能被复制，或从备份恢复"
    assert central_event_ids(store) == kept
    [problem] = store.rejections(original.device_id)
    assert problem.sequence == 3 and problem.event_id == clone.outbox()[-1].id

    # Both machines hold the token: both are stopped until an administrator enrolls anew.
    with pytest.raises(Quarantined, match="本工作站已被隔离：序号 3"):
        store.authenticate(original.token)
    with http(create_app(store)) as client:
        answer = client.get("/v1/pull", headers=bearer(original.token))
    assert answer.status_code == 403
    assert answer.json()["error"] == "quarantined"
    [ws] = store.workstations(CENTER_A)
    assert ws.status == "quarantined"


def test_the_same_id_with_other_content_is_quarantined(store: CentralStore, tmp_path: Path) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    counter.accept()
    [event] = counter.outbox()
    store.push(counter.workstation, [event])
    altered = replace(event, payload={**event.payload, "due_date": "2027-01-01"})
    pushed = store.push(counter.workstation, [altered]).outcome
    assert pushed.quarantine_reason == f"事件 {event.id} 已以不同内容提交过：本工作站可能被复制"
    with pytest.raises(Quarantined):
        store.push(counter.workstation, [event])


def test_an_id_used_again_at_a_new_sequence_is_quarantined(
    store: CentralStore, tmp_path: Path
) -> None:
    # A new sequence is not looked up as a replay; the log's unique key catches the reuse and
    # the push, tried again with every id looked up, answers as for other content.
    counter = enrolled(store, tmp_path, CENTER_A)
    case = counter.accept()
    [first] = counter.outbox()
    store.push(counter.workstation, [first])
    counter.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    receipt = counter.outbox()[-1]
    reused = replace(receipt, id=first.id)
    kept = central_event_ids(store)

    pushed = store.push(counter.workstation, [reused]).outcome

    assert [r.outcome for r in pushed.results] == ["rejected"]
    assert pushed.quarantine_reason == f"事件 {first.id} 已以不同内容提交过：本工作站可能被复制"
    assert central_event_ids(store) == kept
    with pytest.raises(Quarantined):
        store.push(counter.workstation, [receipt])


def test_a_new_enrollment_replaces_a_quarantined_workstation(
    store: CentralStore, tmp_path: Path
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    counter.accept()
    [event] = counter.outbox()
    store.push(counter.workstation, [event])
    store.push(counter.workstation, [replace(event, clerk=counter.clerk, payload={})])
    successor = enrolled(store, tmp_path, CENTER_A, "1号窗口（新）", clerk="A0002")
    assert successor.workstation.number == 2  # numbers are never given twice
    assert store.authenticate(successor.token).status == "active"
