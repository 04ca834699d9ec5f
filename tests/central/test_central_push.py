"""Push: in order, exactly one effect per event, and only what the author's center may write."""

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from central_support import (
    CENTER_A,
    CENTER_B,
    CENTER_C,
    T0,
    Counter,
    FakeClock,
    bearer,
    central_event_ids,
    enrolled,
    http,
    next_event,
    serving,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.central.app import create_app
from tongban.central.body_limit import MAX_BODY_BYTES
from tongban.central.database import open_database
from tongban.central.errors import CentralError, Forbidden
from tongban.central.retirement import retire
from tongban.central.store import CentralStore
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.models.catalog import Mode
from tongban.models.rules import make_case_number
from tongban.models.store import (
    Accepted,
    Approved,
    Event,
    EventKind,
    Forwarded,
    Notified,
    Person,
    Ready,
    ReceiptPrinted,
    Signed,
    record_visit,
)
from tongban.models.sync_wire import WireEvent


@pytest.fixture
def a(store: CentralStore, tmp_path: Path) -> Counter:
    return enrolled(store, tmp_path, CENTER_A)


@pytest.fixture
def b(store: CentralStore, tmp_path: Path) -> Counter:
    return enrolled(store, tmp_path, CENTER_B)


@pytest.fixture
def c(store: CentralStore, tmp_path: Path) -> Counter:
    return enrolled(store, tmp_path, CENTER_C)


def forwarded_case(a: Counter, to: str) -> str:
    case = a.accept(processing_center=to)
    a.record(case, EventKind.FORWARDED, Forwarded(processing_center=to))
    return case


def outcomes(pushed: object) -> list[str]:
    return [r.outcome for r in pushed.outcome.results]  # type: ignore[attr-defined]


def test_the_same_batch_twice_has_one_effect(store: CentralStore, a: Counter) -> None:
    case = a.accept()
    a.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    batch = a.outbox()
    assert outcomes(store.push(a.workstation, batch)) == ["accepted", "accepted"]
    again = store.push(a.workstation, batch)
    assert outcomes(again) == ["duplicate", "duplicate"]
    assert again.outcome.expected_sequence == 3
    assert central_event_ids(store) == [e.id for e in batch]
    entry = store.case(case)
    assert entry is not None and entry.event_count == 2


def test_a_replay_after_a_lost_response_has_exactly_one_effect(
    store: CentralStore, a: Counter
) -> None:
    case = a.accept()
    a.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    with http(create_app(store)) as client:
        body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in a.outbox()]}
        first = client.post("/v1/push", json=body, headers=bearer(a.token))
        assert first.status_code == 200
        # The response never reached the workstation: nothing was marked synced, and the clerk
        # went on working. The next push re-sends everything.
        a.record(case, EventKind.SIGNED, Signed(document="申请表", signer="王五"))
        body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in a.outbox()]}
        second = client.post("/v1/push", json=body, headers=bearer(a.token)).json()
    assert [r["outcome"] for r in second["results"]] == ["duplicate", "duplicate", "accepted"]
    assert second["expected_sequence"] == 4
    assert len(central_event_ids(store)) == 3


def test_a_processing_event_from_another_center_is_rejected_and_kept(
    store: CentralStore, a: Counter, b: Counter, c: Counter
) -> None:
    case = forwarded_case(a, to=CENTER_B)
    store.push(a.workstation, a.outbox())
    c.apply(a.outbox())  # C learned of the case somehow; it is not the processing center
    c.record(case, EventKind.APPROVED, Approved())
    pushed = store.push(c.workstation, c.outbox())
    [result] = pushed.outcome.results
    assert result.outcome == "rejected"
    assert result.reason == f"只有办理中心 {CENTER_B} 可以记录此事件（approved）"
    assert pushed.outcome.expected_sequence == 2  # counted: never asked for again
    assert [(r.event_id, r.reason) for r in store.rejections(c.device_id)] == [
        (result.event_id, result.reason)
    ]
    assert store.case(case).status == "forwarded"  # type: ignore[union-attr]
    replay = store.push(c.workstation, c.outbox())
    assert replay.outcome.results == pushed.outcome.results
    assert len(store.rejections()) == 1

    b.apply(a.outbox())
    b.record(case, EventKind.APPROVED, Approved())
    assert outcomes(store.push(b.workstation, b.outbox())) == ["accepted"]
    assert store.case(case).status == "approved"  # type: ignore[union-attr]


def test_intake_events_only_from_the_accepting_center(
    store: CentralStore, a: Counter, b: Counter
) -> None:
    case = forwarded_case(a, to=CENTER_B)
    store.push(a.workstation, a.outbox())
    b.apply(a.outbox())
    b.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    b.record(case, EventKind.SIGNED, Signed(document="承诺书", signer="王五"))
    pushed = store.push(b.workstation, b.outbox())
    assert outcomes(pushed) == ["rejected", "accepted"]  # signing: either party
    assert pushed.outcome.results[0].reason == (
        f"只有受理中心 {CENTER_A} 可以记录此事件（receipt_printed）"
    )


def test_the_accepting_center_cannot_decide_a_separated_case(
    store: CentralStore, a: Counter
) -> None:
    case = forwarded_case(a, to=CENTER_B)
    a.record(case, EventKind.APPROVED, Approved())
    assert outcomes(store.push(a.workstation, a.outbox())) == ["accepted", "accepted", "rejected"]


def test_either_party_may_mark_a_result_ready(store: CentralStore, a: Counter, b: Counter) -> None:
    case = forwarded_case(a, to=CENTER_B)
    store.push(a.workstation, a.outbox())
    b.apply(a.outbox())
    b.record(case, EventKind.APPROVED, Approved())
    b.record(case, EventKind.READY, Ready(collect_at_site=CENTER_A))
    assert outcomes(store.push(b.workstation, b.outbox())) == ["accepted", "accepted"]


def test_a_case_number_of_another_workstation_is_refused(
    store: CentralStore, a: Counter, tmp_path: Path
) -> None:
    second = enrolled(store, tmp_path, CENTER_A, "2号窗口")
    assert second.workstation.number == 2
    stolen = make_case_number(CENTER_A, T0.date(), a.workstation.number, 7)
    second.record(stolen, EventKind.ACCEPTED, _accepted_payload(second))
    [result] = store.push(second.workstation, second.outbox()).outcome.results
    assert result.reason == f"受理编号 {stolen} 不是本工作站编发的编号"
    assert store.case(stolen) is None


def _accepted_payload(counter: Counter) -> Accepted:
    return Accepted(
        item_code="MZ003",
        catalog_revision="2018-07-01",
        mode=Mode.DIRECT,
        applicant=Person(document_type="resident_id", id_number="310104199001011234", name="甲"),
        accepting_center=counter.center,
        accepting_site=counter.center,
        processing_center=counter.center,
    )


def test_a_clerk_of_another_center_is_refused(store: CentralStore, a: Counter, b: Counter) -> None:
    a.accept()
    [event] = a.outbox()
    [result] = store.push(a.workstation, [replace(event, clerk=b.clerk)]).outcome.results
    assert result.reason == f"经办人工号 {b.clerk} 不是本中心登记的工作人员"


def test_a_gap_stops_the_batch_until_the_missing_event_comes(
    store: CentralStore, a: Counter
) -> None:
    case = a.accept()
    a.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    a.record(case, EventKind.SIGNED, Signed(document="申请表", signer="王五"))
    first, *rest = a.outbox()
    gap = store.push(a.workstation, rest)
    assert gap.outcome.results == () and gap.outcome.expected_sequence == 1
    assert outcomes(store.push(a.workstation, [first, *rest])) == ["accepted"] * 3


def test_only_the_workstations_own_events_in_order(
    store: CentralStore, a: Counter, b: Counter
) -> None:
    b.accept()
    with pytest.raises(Forbidden, match="只能提交本工作站记录的事件"):
        store.push(a.workstation, b.outbox())
    case = a.accept()
    a.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
    with pytest.raises(CentralError, match="按序号从小到大"):
        store.push(a.workstation, list(reversed(a.outbox())))


def test_an_unknown_kind_is_kept_when_a_party_writes_it(
    store: CentralStore, a: Counter, c: Counter
) -> None:
    case = a.accept()
    [accepted] = a.outbox()
    newer = next_event(a, accepted, kind="archived", payload={"shelf": "A-12"})
    assert outcomes(store.push(a.workstation, [accepted, newer])) == ["accepted", "accepted"]
    entry = store.case(case)
    assert entry is not None and entry.problem_count == 1  # this version's fold cannot apply it
    c.accept()
    [own] = c.outbox()
    stranger = next_event(c, own, kind="archived", stream_id=case, payload={})
    pushed = store.push(c.workstation, [own, stranger])
    assert outcomes(pushed) == ["accepted", "rejected"]


def test_an_unreadable_payload_is_rejected(store: CentralStore, a: Counter) -> None:
    case = a.accept()
    [accepted] = a.outbox()
    broken = next_event(a, accepted, kind="forwarded", payload={"processing_center": "nowhere"})
    pushed = store.push(a.workstation, [accepted, broken])
    assert outcomes(pushed) == ["accepted", "rejected"]
    assert "processing_center" in (pushed.outcome.results[1].reason or "")
    assert store.case(case).event_count == 1  # type: ignore[union-attr]


def test_visits_are_recorded_only_for_the_own_center(
    store: CentralStore, a: Counter, b: Counter
) -> None:
    with a.local.transaction() as session:
        record_visit(
            session,
            workstation=a.device_id,
            clerk=a.clerk,
            kind=EventKind.NOTIFIED,
            payload=Notified(center_code=CENTER_A, site_code=CENTER_A, missing=("户口簿",)),
            at=T0,
        )
    with b.local.transaction() as session:
        record_visit(
            session,
            workstation=b.device_id,
            clerk=b.clerk,
            kind=EventKind.NOTIFIED,
            payload=Notified(center_code=CENTER_A, site_code=CENTER_A, missing=("户口簿",)),
            at=T0,
        )
    assert outcomes(store.push(a.workstation, a.outbox())) == ["accepted"]
    [result] = store.push(b.workstation, b.outbox()).outcome.results
    assert result.reason == "来访记录的中心或受理点不是本工作站所在地"


def test_errors_over_http_are_json_in_chinese(store: CentralStore, a: Counter, b: Counter) -> None:
    b.accept()
    body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in b.outbox()]}
    with http(create_app(store)) as client:
        forbidden = client.post("/v1/push", json=body, headers=bearer(a.token))
        malformed = client.post("/v1/push", json={"events": [{"id": 1}]}, headers=bearer(a.token))
        unknown = client.get("/v1/nothing-here")
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "forbidden", "message": "只能提交本工作站记录的事件"}
    assert malformed.status_code == 422
    assert malformed.json()["message"].startswith("请求内容不正确：body.events.0")
    assert unknown.status_code == 404 and unknown.json()["message"] == "没有这个接口"


def test_a_malformed_push_with_a_bad_token_is_refused_as_unauthenticated(
    store: CentralStore, a: Counter
) -> None:
    # What is wrong with a body is told only to a workstation whose token is good.
    with http(create_app(store)) as client:
        stranger = client.post(
            "/v1/push", json={"events": [{"id": 1}]}, headers=bearer("not-a-token")
        )
        not_json = client.post("/v1/push", content=b"{", headers=bearer("not-a-token"))
        own = client.post("/v1/push", content=b"{", headers=bearer(a.token))
    assert (stranger.status_code, not_json.status_code) == (401, 401)
    assert "events" not in stranger.text
    assert own.status_code == 422
    assert own.json()["message"].startswith("请求内容不正确：body")


def test_a_nul_character_is_refused_with_its_place_and_nothing_is_stored(
    store: CentralStore, a: Counter
) -> None:
    # The workstation sends its events without validating them again; the service still
    # refuses what PostgreSQL could not hold, naming where it is, never a server error.
    a.accept()
    [event] = a.outbox()
    poisoned = replace(event, payload={**event.payload, "catalog_revision": "2018\x00"})
    with serving(create_app(store)) as base, SyncClient(base, a.token) as client:
        with pytest.raises(SyncError) as refused:
            client.push([poisoned])
        accepted = client.push([event])
    assert refused.value.kind is SyncErrorKind.REFUSED
    assert "body.events.0.payload" in str(refused.value)
    assert [r.outcome for r in accepted.results] == ["accepted"]
    assert central_event_ids(store) == [event.id]


# Replays in any order and overlap: each event ends up stored exactly once. -------------------

WINDOWS = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6)), min_size=1, max_size=6)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(windows=WINDOWS)
def test_any_replay_pattern_stores_each_event_once(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, windows: list[tuple[int, int]]
) -> None:
    folder = tmp_path_factory.mktemp("replay")
    shutil.copyfile(sqlite_template, folder / "central.db")
    database = open_database(f"sqlite:///{folder / 'central.db'}")
    try:
        store = CentralStore(database, clock=FakeClock())
        a = enrolled(store, folder, CENTER_A)
        case = a.accept()
        for document in ("申请表", "承诺书", "委托书", "告知书", "确认书"):
            a.record(case, EventKind.SIGNED, Signed(document=document, signer="王五"))
        outbox = a.outbox()
        received = 0
        for start, end in windows:
            window = outbox[start:end]
            expected, received = _replayed(window, received)
            results = store.push(a.workstation, window).outcome.results
            assert [(r.outcome, r.sequence) for r in results] == expected
        store.push(a.workstation, outbox)
        assert central_event_ids(store) == [e.id for e in outbox]
        assert store.case(case).event_count == 6  # type: ignore[union-attr]
    finally:
        database.close()


def _replayed(window: list[Event], received: int) -> tuple[list[tuple[str, int]], int]:
    """The results the protocol promises: replays are duplicates, new events continue the
    sequence, and the batch stops at the first gap."""
    results = []
    for event in window:
        if event.sequence <= received:
            results.append(("duplicate", event.sequence))
        elif event.sequence == received + 1:
            results.append(("accepted", event.sequence))
            received += 1
        else:
            break
    return results, received


def test_only_the_chosen_center_records_the_collection_of_a_case_indexed_before(
    store: CentralStore, a: Counter, b: Counter
) -> None:
    case = forwarded_case(a, to=CENTER_B)  # the applicant collects at A, the accepting center
    store.push(a.workstation, a.outbox())
    b.apply(a.outbox())
    b.record(case, EventKind.APPROVED, Approved())
    ready = b.record(case, EventKind.READY, Ready(collect_at_site=CENTER_A))
    assert outcomes(store.push(b.workstation, b.outbox())) == ["accepted", "accepted"]
    # B's own fold would refuse this; a buggy or older client might still send it.
    handed_over = next_event(
        b, ready, kind=EventKind.COLLECTED.value, payload={"collected_by": "王五"}
    )
    [result] = store.push(b.workstation, [handed_over]).outcome.results
    assert result.outcome == "rejected"
    assert result.reason == f"申请人选择在 {CENTER_A} 领取，只有该中心可以记录领取"
    assert store.case(case).status == "ready"  # type: ignore[union-attr]


def test_an_oversized_body_is_refused_unread(store: CentralStore, a: Counter) -> None:
    too_big = b"x" * (MAX_BODY_BYTES + 1)

    def streamed() -> Iterator[bytes]:  # no Content-Length: the service counts as it reads
        for start in range(0, len(too_big), 1 << 20):
            yield too_big[start : start + (1 << 20)]

    with http(create_app(store)) as client:
        declared = client.post("/v1/push", content=too_big, headers=bearer(a.token))
        streaming = client.post("/v1/push", content=streamed(), headers=bearer(a.token))
        still_serving = client.post("/v1/push", json={"events": []}, headers=bearer(a.token))
    for answer in (declared, streaming):
        assert answer.status_code == 413
        assert answer.json() == {"error": "body_too_large", "message": "请求内容过大（上限 8 MB）"}
    assert still_serving.status_code == 200


def test_a_push_checks_its_token_and_notes_the_contact_in_its_own_transaction(
    store: CentralStore, a: Counter
) -> None:
    """POST /v1/push authenticates inside the push (store.authenticated_push): a retired
    workstation stores nothing more, and the version a push reports is recorded."""
    a.accept()
    sent = a.outbox()
    with http(create_app(store)) as client:
        body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in sent]}
        versioned = {**bearer(a.token), "X-Tongban-Version": "9.9.9"}
        assert client.post("/v1/push", json=body, headers=versioned).status_code == 200
        a.synced([e.id for e in sent])
        with store.database.transaction() as session:
            retire(session, center_code=CENTER_A, workstation="1号窗口", at=store.now())
        a.accept()
        body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in a.outbox()]}
        refused = client.post("/v1/push", json=body, headers=bearer(a.token))
    assert [w.app_version for w in store.workstations(CENTER_A)] == ["9.9.9"]
    assert refused.status_code == 401 and "停用" in refused.json()["message"]
    assert central_event_ids(store) == [e.id for e in sent]
