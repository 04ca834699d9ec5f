"""Pulls looked at together (CentralStore.authenticated_pulls, central/look_batches.py).

The waiters one push wakes are answered from one look at the database. Each must still get
exactly the answer it would have got alone, and a refused token must fail only its own request.
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_support import CENTER_A, CENTER_B, Counter, enrolled, serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from test_central_longpoll import WaitingPull, push_over_http

from tongban.central import enrollment
from tongban.central.app import create_app
from tongban.central.enrollment import Credentials, get_workstation
from tongban.central.errors import NotAuthenticated
from tongban.central.pull import Cursor
from tongban.central.retirement import retire
from tongban.central.store import CentralStore, Look, LookAnswer

UNKNOWN = Credentials("no-such-token", app_version=None, clock=None)


@pytest.fixture
def desks(store: CentralStore, tmp_path: Path) -> tuple[Counter, Counter, Counter]:
    """A at center A; B1 and B2 at center B. A accepts three cases B processes, B1 one of B's
    own: B1's feed holds A's three, B2's all four, A's none."""
    a = enrolled(store, tmp_path, CENTER_A)
    b1 = enrolled(store, tmp_path, CENTER_B, "1号窗口")
    b2 = enrolled(store, tmp_path, CENTER_B, "2号窗口")
    for _ in range(3):
        a.accept(processing_center=CENTER_B)
    b1.accept()
    for counter in (a, b1):
        store.push(counter.workstation, counter.outbox())
    return a, b1, b2


def credentials(counter: Counter) -> Credentials:
    return Credentials(counter.token, app_version="test", clock=None)


def seen(answer: LookAnswer) -> Any:
    """What the request is told (the workstation's own row is noted after the look)."""
    if isinstance(answer, Exception):
        return type(answer).__name__, str(answer)
    workstation, pulled = answer
    return workstation.device_id, pulled


def alone(store: CentralStore, look: Look) -> Any:
    return seen(store.authenticated_pulls([look])[0])


def test_each_look_of_a_batch_gets_its_own_answer(
    store: CentralStore, desks: tuple[Counter, Counter, Counter]
) -> None:
    a, b1, b2 = desks
    looks = [
        Look(credentials(b1), None, 500),
        Look(credentials(b2), None, 2),
        Look(credentials(a), None, 500),
    ]
    together = store.authenticated_pulls(looks)
    assert [seen(answer) for answer in together] == [alone(store, look) for look in looks]
    (_, to_b1), (_, to_b2), (_, to_a) = together  # type: ignore[misc]
    assert len(to_b1.batch.events) == 3 and not to_b1.batch.more
    assert len(to_b2.batch.events) == 2 and to_b2.batch.more  # its limit
    assert to_a.batch.events == ()


def test_a_refused_token_fails_only_its_own_look(
    store: CentralStore, desks: tuple[Counter, Counter, Counter]
) -> None:
    _a, b1, b2 = desks
    with store.database.transaction() as session:
        retire(session, center_code=CENTER_B, workstation="2号窗口", at=store.now())
    looks = [
        Look(credentials(b1), None, 500),
        Look(UNKNOWN, None, 500),
        Look(credentials(b2), None, 500),
    ]
    to_b1, to_unknown, to_b2 = store.authenticated_pulls(looks)
    assert isinstance(to_unknown, NotAuthenticated) and "令牌无效" in str(to_unknown)
    assert isinstance(to_b2, NotAuthenticated) and "停用" in str(to_b2)
    assert not isinstance(to_b1, Exception)
    assert len(to_b1[1].batch.events) == 3


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_batch_of_looks_answers_as_the_looks_alone(
    store: CentralStore, desks: tuple[Counter, Counter, Counter], data: st.DataObject
) -> None:
    everyone = [credentials(c) for c in desks] + [UNKNOWN]
    epoch = store.epoch()
    cursors = [
        None,
        Cursor.start(epoch),
        Cursor("an-older-epoch", 0, 0),
        *feed_cursors(store, desks),
    ]
    look = st.builds(Look, st.sampled_from(everyone), st.sampled_from(cursors), st.integers(1, 5))
    looks = data.draw(st.lists(look, min_size=1, max_size=8))
    together = store.authenticated_pulls(looks)
    assert [seen(answer) for answer in together] == [alone(store, look) for look in looks]


def feed_cursors(store: CentralStore, desks: tuple[Counter, Counter, Counter]) -> list[Cursor]:
    """Every cursor B2's feed passes through, one event at a time."""
    _a, _b1, b2 = desks
    cursors, cursor = [], None
    while True:
        _ws, pulled = store.authenticated_pulls([Look(credentials(b2), cursor, 1)])[0]  # type: ignore[misc]
        if not pulled.batch.events:
            return cursors
        cursor = pulled.batch.cursor
        cursors.append(cursor)


def test_the_waiters_one_push_wakes_look_in_one_call(
    store: CentralStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    b1 = enrolled(store, tmp_path, CENTER_B, "1号窗口")
    b2 = enrolled(store, tmp_path, CENTER_B, "2号窗口")
    calls: list[list[str]] = []
    real = store.authenticated_pulls

    def counted(looks: list[Look]) -> list[LookAnswer]:
        calls.append(sorted(look.credentials.token for look in looks))
        return real(looks)

    with serving(create_app(store)) as base:
        waiting = [WaitingPull(base, b1), WaitingPull(base, b2)]
        for pull in waiting:
            pull.start()  # looked once each, found nothing: waiting
        monkeypatch.setattr(store, "authenticated_pulls", counted)  # from here: the wake-up
        a.accept(processing_center=CENTER_B)
        pushed = [e.id for e in a.outbox()]
        push_over_http(base, a)
        answers = [pull.join() for pull in waiting]
    assert calls == [sorted([b1.token, b2.token])]
    assert [[e["id"] for e in answer["events"]] for answer in answers] == [pushed, pushed]


def test_a_contact_note_that_cannot_be_written_costs_no_look_its_answer(
    store: CentralStore,
    desks: tuple[Counter, Counter, Counter],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The database reads but refuses B1's note (say, a lock it waited too long for): B1 and B2
    # are still answered, B2's note is still written, and the failure is logged without the
    # error's text.
    _a, b1, b2 = desks
    looks = [Look(credentials(b1), None, 500), Look(credentials(b2), None, 500)]
    expected = [alone(store, look) for look in looks]
    later = store.now() + timedelta(hours=1)  # both contacts are due to be noted again
    monkeypatch.setattr(store, "now", lambda: later)
    real_touch = enrollment.touch

    def refuse_b1(session: Session, workstation_id: int, **noted: Any) -> None:
        if workstation_id == b1.workstation.id:
            raise OperationalError("UPDATE workstations …", {}, TimeoutError("row quoted here"))
        real_touch(session, workstation_id, **noted)

    monkeypatch.setattr(enrollment, "touch", refuse_b1)
    together = store.authenticated_pulls(looks)
    assert [seen(answer) for answer in together] == expected
    assert last_contact(store, b2) == later and last_contact(store, b1) != later
    assert "联系记录未能写入：TimeoutError" in caplog.text and "row quoted" not in caplog.text


def test_a_contact_note_that_cannot_be_written_costs_no_request_its_answer(
    store: CentralStore,
    desks: tuple[Counter, Counter, Counter],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The same for a request that authenticates on its own: its status and its clerks are read
    # and answered, the note is not written, and the failure is logged without its text.
    _a, b1, _b2 = desks
    later = store.now() + timedelta(hours=1)
    monkeypatch.setattr(store, "now", lambda: later)

    def refuse(_session: Session, _workstation_id: int, **_noted: Any) -> None:
        raise OperationalError("UPDATE workstations …", {}, TimeoutError("row quoted here"))

    monkeypatch.setattr(enrollment, "touch", refuse)
    headers = {"Authorization": f"Bearer {b1.token}"}
    with serving(create_app(store)) as base, httpx.Client(base_url=base) as client:
        status = client.get("/v1/status", headers=headers)
        clerks = client.get("/v1/clerks", headers=headers)
    assert status.status_code == 200 and status.json()["device_id"] == b1.device_id
    assert clerks.status_code == 200 and [c["number"] for c in clerks.json()["clerks"]]
    assert last_contact(store, b1) != later
    assert "联系记录未能写入：TimeoutError" in caplog.text and "row quoted" not in caplog.text


def last_contact(store: CentralStore, counter: Counter) -> datetime | None:
    with store.database.reading() as session:
        found = get_workstation(session, counter.workstation.id)
    assert found is not None
    return found.last_contact_at
