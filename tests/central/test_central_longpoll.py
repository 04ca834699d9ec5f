"""Long-poll: a waiting pull returns within a second of a push that concerns its center.

Real uvicorn servers on 127.0.0.1; on PostgreSQL also two service instances sharing the database
(the push reaches one, the waiting pull the other: NOTIFY carries the news).
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from central_support import (
    CENTER_A,
    CENTER_B,
    Counter,
    FakeClock,
    bearer,
    enrolled,
    serving,
)
from sqlalchemy import text

from tongban.central.app import create_app
from tongban.central.database import open_database
from tongban.central.store import CentralStore
from tongban.models.sync_wire import WireEvent

WAKE_LIMIT = 1.0  # seconds from the push being sent to the waiting pull's answer


class WaitingPull:
    """GET /v1/pull?wait=… in a thread; records when the answer came."""

    def __init__(self, base: str, counter: Counter, *, wait: float = 20) -> None:
        self.answer: dict | None = None
        self.answered_at = 0.0
        self._thread = threading.Thread(target=self._run, args=(base, counter, wait), daemon=True)

    def _run(self, base: str, counter: Counter, wait: float) -> None:
        with httpx.Client(base_url=base, timeout=wait + 10) as client:
            response = client.get("/v1/pull", params={"wait": wait}, headers=bearer(counter.token))
        self.answered_at = time.monotonic()
        self.answer = response.json()

    def start(self) -> None:
        self._thread.start()
        time.sleep(0.4)  # let it reach the wait

    def join(self) -> dict:
        self._thread.join(timeout=30)
        assert self.answer is not None
        return self.answer


def push_over_http(base: str, counter: Counter) -> float:
    """Push the counter's outbox; returns when the push was sent (monotonic)."""
    body = {"events": [WireEvent.from_event(e).model_dump(mode="json") for e in counter.outbox()]}
    sent_at = time.monotonic()
    with httpx.Client(base_url=base, timeout=10) as client:
        response = client.post("/v1/push", json=body, headers=bearer(counter.token))
    assert response.status_code == 200, response.text
    return sent_at


@pytest.fixture
def pair(store: CentralStore, tmp_path: Path) -> tuple[Counter, Counter]:
    return enrolled(store, tmp_path, CENTER_A), enrolled(store, tmp_path, CENTER_B)


def test_a_waiting_pull_wakes_on_a_push(store: CentralStore, pair: tuple[Counter, Counter]) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        waiting = WaitingPull(base, b)
        waiting.start()
        assert waiting.answer is None
        a.accept(processing_center=CENTER_B)
        sent_at = push_over_http(base, a)
        answer = waiting.join()
    assert [e["id"] for e in answer["events"]] == [e.id for e in a.outbox()]
    assert waiting.answered_at - sent_at < WAKE_LIMIT


def test_a_push_for_another_center_does_not_answer_the_wait(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        waiting = WaitingPull(base, b, wait=1.5)
        started = time.monotonic()
        waiting.start()
        a.accept()  # a direct case: B has nothing to do with it
        push_over_http(base, a)
        answer = waiting.join()
    assert answer["events"] == []
    assert waiting.answered_at - started >= 1.5


@pytest.fixture
def second_instance(pg_url: str) -> Iterator[CentralStore]:
    other = CentralStore(open_database(pg_url), clock=FakeClock())
    yield other
    other.database.close()


def test_another_instance_wakes_the_waiting_pull(
    pg_url: str, second_instance: CentralStore, tmp_path: Path
) -> None:
    first = CentralStore(open_database(pg_url), clock=FakeClock())
    try:
        a = enrolled(first, tmp_path, CENTER_A)
        b = enrolled(first, tmp_path, CENTER_B)
        with serving(create_app(first)) as base_1, serving(create_app(second_instance)) as base_2:
            waiting = WaitingPull(base_1, b)
            waiting.start()
            a.accept(processing_center=CENTER_B)
            sent_at = push_over_http(base_2, a)
            answer = waiting.join()
    finally:
        first.database.close()
    assert [e["id"] for e in answer["events"]] == [e.id for e in a.outbox()]
    assert waiting.answered_at - sent_at < WAKE_LIMIT


def test_an_unrelated_open_transaction_delays_the_feed_only_while_open(
    pg_url: str, tmp_path: Path
) -> None:
    store = CentralStore(open_database(pg_url), clock=FakeClock())
    try:
        a = enrolled(store, tmp_path, CENTER_A)
        b = enrolled(store, tmp_path, CENTER_B)
        with serving(create_app(store)) as base, store.database.engine.connect() as blocker:
            blocker.execute(text("SELECT pg_current_xact_id()"))  # an open transaction with an id
            waiting = WaitingPull(base, b)
            waiting.start()
            a.accept(processing_center=CENTER_B)
            push_over_http(base, a)  # committed, but above the horizon the open transaction holds
            time.sleep(0.5)
            assert waiting.answer is None
            released_at = time.monotonic()
            blocker.rollback()  # ends without any NOTIFY: the waiter must look again by itself
            answer = waiting.join()
    finally:
        store.database.close()
    assert [e["id"] for e in answer["events"]] == [e.id for e in a.outbox()]
    assert waiting.answered_at - released_at < WAKE_LIMIT
