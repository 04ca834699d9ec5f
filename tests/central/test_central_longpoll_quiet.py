"""Asking again right after an answer: the service waits without looking again, never missing news.

central/long_poll.py remembers, per workstation, the cursor of its last answer and whether anything
was published for its center since. These tests hold it to that: a push between two asks is
answered at once, a lost answer (the old cursor again) is answered again, and an unchanged cursor
costs no second look.
"""

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_support import CENTER_A, CENTER_B, Counter, bearer, enrolled, serving
from test_central_longpoll import WAKE_LIMIT, WaitingPull, push_over_http

from tongban.central.app import create_app
from tongban.central.database import open_database
from tongban.central.push import push
from tongban.central.retirement import retire
from tongban.central.schema import OutboxReportRow
from tongban.central.store import CentralStore, Look
from tongban.models.closures import OUTBOX_HEADER, OutboxReport


@pytest.fixture
def pair(store: CentralStore, tmp_path: Path) -> tuple[Counter, Counter]:
    return enrolled(store, tmp_path, CENTER_A), enrolled(store, tmp_path, CENTER_B)


@pytest.fixture
def looks(store: CentralStore, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The cursors of every look at the feed the service makes."""
    seen: list[str | None] = []
    real = store.authenticated_pulls

    def counted(looks: list[Look]) -> Any:
        seen.extend(None if look.cursor is None else str(look.cursor) for look in looks)
        return real(looks)

    monkeypatch.setattr(store, "authenticated_pulls", counted)
    return seen


def ask(
    base: str, counter: Counter, cursor: str, wait: float, headers: dict[str, str] | None = None
) -> tuple[dict, float]:
    """GET /v1/pull with a cursor; the answer and how long it took."""
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=wait + 10) as client:
        response = client.get(
            "/v1/pull",
            params={"wait": wait, "cursor": cursor},
            headers={**bearer(counter.token), **(headers or {})},
        )
    assert response.status_code == 200, response.text
    return response.json(), time.monotonic() - started


def push_new(base: str, counter: Counter) -> list[str]:
    """Push what the counter has not pushed yet; the ids pushed."""
    ids = [e.id for e in counter.outbox()]
    push_over_http(base, counter)
    counter.synced(ids)
    return ids


def first_answer(base: str, a: Counter, b: Counter) -> dict:
    """B waits, A accepts a case B processes: B's answer carries it."""
    waiting = WaitingPull(base, b)
    waiting.start()
    a.accept(processing_center=CENTER_B)
    pushed = push_new(base, a)
    answer = waiting.join()
    assert [e["id"] for e in answer["events"]] == pushed
    return answer


def test_asking_again_with_the_answers_cursor_looks_only_at_the_end(
    store: CentralStore, pair: tuple[Counter, Counter], looks: list[str | None]
) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        looks.clear()
        answer, took = ask(base, b, cursor, wait=1.0)
    assert answer["events"] == [] and answer["cursor"] == cursor
    assert took >= 1.0
    assert looks == [cursor]  # one look, when the wait ended; none on arrival


def test_a_push_between_two_asks_is_answered_at_once(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        a.accept(processing_center=CENTER_B)  # nobody waits while this one is pushed
        pushed = push_new(base, a)
        answer, took = ask(base, b, cursor, wait=20)
    assert [e["id"] for e in answer["events"]] == pushed
    assert took < WAKE_LIMIT


def test_a_lost_answer_is_answered_again_at_once(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        a.accept(processing_center=CENTER_B)
        pushed = push_new(base, a)
        lost, _ = ask(base, b, cursor, wait=20)  # this answer never reaches the workstation
        assert [e["id"] for e in lost["events"]] == pushed
        again, took = ask(base, b, cursor, wait=20)  # so it asks with its old cursor
    assert [e["id"] for e in again["events"]] == pushed
    assert took < WAKE_LIMIT


def test_another_centers_push_does_not_wake_nor_make_it_look(
    store: CentralStore, pair: tuple[Counter, Counter], looks: list[str | None]
) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        looks.clear()
        a.accept()  # a direct case of A's: nothing for B
        push_new(base, a)
        answer, took = ask(base, b, cursor, wait=1.0)
    assert answer["events"] == [] and took >= 1.0
    assert looks == [cursor]


def test_asking_again_checks_no_token_until_the_look(
    store: CentralStore, pair: tuple[Counter, Counter], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair
    checks: list[str] = []
    real = store.authenticate

    def counted(token: str, **options: Any) -> Any:
        checks.append(token)
        return real(token, **options)

    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        monkeypatch.setattr(store, "authenticate", counted)
        answer, _took = ask(base, b, cursor, wait=0.5)
    assert answer["cursor"] == cursor
    assert checks == []  # the pull's own look checked the token


def test_a_workstation_retired_while_it_waits_gets_nothing_more(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, b = pair
    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        with store.database.transaction() as session:
            retire(session, center_code=CENTER_B, workstation="1号窗口", at=store.now())
        a.accept(processing_center=CENTER_B)
        push_new(base, a)
        with httpx.Client(base_url=base, timeout=30) as client:
            response = client.get(
                "/v1/pull", params={"wait": 20, "cursor": cursor}, headers=bearer(b.token)
            )
    assert response.status_code == 401
    assert "停用" in response.json()["message"]
    assert "events" not in response.json()


def test_events_held_back_come_soon_after_the_transaction_holding_them_ends(
    pg_url: str, tmp_path: Path
) -> None:
    """B's answer carries `early` while `later` (committed) waits behind another writer's open
    transaction. `later` was published already, so no signal will come for it: B's next ask
    must look again soon after that writer ends, here by rolling back, publishing nothing."""
    store = CentralStore(open_database(pg_url))
    try:
        a = enrolled(store, tmp_path, CENTER_A)
        blocker = enrolled(store, tmp_path, CENTER_A, "2号窗口")
        b = enrolled(store, tmp_path, CENTER_B)
        a.accept(processing_center=CENTER_B)
        store.push(a.workstation, a.outbox())
        early = [e.id for e in a.outbox()]
        a.synced(early)
        blocker.accept()
        writer = store.database.writers()
        writer.begin()
        push(writer, device_id=blocker.device_id, events=blocker.outbox(), at=store.now())
        a.accept(processing_center=CENTER_B)
        later = [e.id for e in a.outbox()]
        store.push(a.workstation, a.outbox())  # committed above the open writer's horizon
        with serving(create_app(store)) as base:
            with httpx.Client(base_url=base, timeout=30) as client:
                first = client.get("/v1/pull", headers=bearer(b.token)).json()
            assert [e["id"] for e in first["events"]] == early
            writer.rollback()
            writer.close()
            answer, took = ask(base, b, first["cursor"], wait=20)
        assert [e["id"] for e in answer["events"]] == later
        assert took < WAKE_LIMIT
    finally:
        store.database.close()


def test_a_new_outbox_report_is_recorded_at_once_not_after_the_wait(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    """The supervisor's 日结 reads what each workstation last said of its outbox: a pull that
    brings a changed report is answered (and the report written) at once; asking again with
    the same report waits as before."""
    a, b = pair
    emptied = {OUTBOX_HEADER: OutboxReport(0, None).header()}
    with serving(create_app(store)) as base:
        cursor = first_answer(base, a, b)["cursor"]
        changed, took = ask(base, b, cursor, wait=20, headers=emptied)
        with store.database.reading() as session:
            row = session.get(OutboxReportRow, b.device_id)
            assert row is not None and row.pending == 0
        same, waited = ask(base, b, cursor, wait=1.0, headers=emptied)
    assert changed["events"] == [] and took < WAKE_LIMIT
    assert same["events"] == [] and waited >= 1.0


def test_an_unknown_token_is_refused_at_once_even_when_it_would_wait(store: CentralStore) -> None:
    with serving(create_app(store)) as base:
        started = time.monotonic()
        with httpx.Client(base_url=base, timeout=30) as client:
            response = client.get(
                "/v1/pull", params={"wait": 20}, headers=bearer("tbw1_not-a-token")
            )
        took = time.monotonic() - started
    assert response.status_code == 401 and took < WAKE_LIMIT
