"""Pulled events the local store refuses or cannot apply are kept (同步问题), once each; a fold
problem that a later page cures is marked resolved. Store level: apply_remote_events and
record_remote_problems in one transaction, as the sync engine calls them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tongban.models.catalog import Mode
from tongban.models.rules import make_case_number
from tongban.models.store import (
    Accepted,
    Approved,
    Cancelled,
    Event,
    EventKind,
    MaterialReceived,
    Person,
    Refused,
    Store,
    apply_remote_events,
    init_workstation,
    open_store,
    pending_events,
    record_event,
    record_visit,
)
from tongban.models.store.remote_problems import (
    UNREADABLE_VISIT,
    record_remote_problems,
    remote_problem_count,
    remote_problems,
)

T0 = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
ACCEPTING = "310104003"
PROCESSING = "310105001"
CASE = make_case_number(ACCEPTING, date(2024, 5, 6), 1, 1)


def _station(store: Store, center: str) -> str:
    with store.transaction() as session:
        return init_workstation(
            session, center_code=center, site_code=center, number=1, at=T0
        ).device_id


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Store, str, Store, str]]:
    """A accepts (徐汇) and P processes (长宁): A's events are shipped to P by hand."""
    a, p = open_store(tmp_path / "a.db"), open_store(tmp_path / "p.db")
    yield a, _station(a, ACCEPTING), p, _station(p, PROCESSING)
    a.close()
    p.close()


def _accepted() -> Accepted:
    return Accepted(
        item_code="MZ003",
        catalog_revision="2024.1",
        mode=Mode.SEPARATED,
        applicant=Person(document_type="resident_id", id_number="310104199001011234", name="张三"),
        accepting_center=ACCEPTING,
        accepting_site=ACCEPTING,
        processing_center=PROCESSING,
        due_date=date(2024, 5, 20),
        materials=(MaterialReceived(name="身份证", original_seen=True),),
    )


def _record(store: Store, ws: str, kind: EventKind, payload: object, at: datetime) -> Event:
    with store.transaction() as session:
        return record_event(
            session,
            workstation=ws,
            clerk="0001",
            case_number=CASE,
            kind=kind,
            payload=payload,
            at=at,
        ).event


def _pull(store: Store, events: Sequence[Event], at: datetime = T0) -> int:
    """What the sync engine does with one page."""
    with store.transaction() as session:
        result = apply_remote_events(session, events, at=at)
        return record_remote_problems(session, events, result, at=at)


def test_an_event_of_an_unknown_case_is_kept_until_its_acceptance_arrives(pair) -> None:
    a, a_ws, p, _p_ws = pair
    accepted = _record(a, a_ws, EventKind.ACCEPTED, _accepted(), T0)
    cancelled = _record(
        a, a_ws, EventKind.CANCELLED, Cancelled(reason="申请人撤回"), T0 + timedelta(hours=1)
    )
    assert _pull(p, [cancelled]) == 1  # the page held only the later event
    [problem] = _listed(p)
    assert (problem.event_id, problem.stream_id, problem.kind) == (cancelled.id, CASE, "cancelled")
    assert problem.reason == "案件尚未受理" and problem.workstation_id == a_ws
    assert _pull(p, [cancelled]) == 0 and len(_listed(p)) == 1  # the same page again: once
    assert _pull(p, [accepted]) == 0  # the acceptance comes: the cancellation fits now
    assert _listed(p) == []


def test_an_event_that_does_not_fit_the_case_stays_a_problem(pair) -> None:
    a, a_ws, p, p_ws = pair
    accepted = _record(a, a_ws, EventKind.ACCEPTED, _accepted(), T0)
    cancelled = _record(
        a, a_ws, EventKind.CANCELLED, Cancelled(reason="撤回"), T0 + timedelta(hours=1)
    )
    _pull(p, [accepted])
    # P approves before it hears of the cancellation; A's cancellation is earlier in fold order.
    approved = _record(p, p_ws, EventKind.APPROVED, Approved(), T0 + timedelta(hours=2))
    assert _pull(a, [approved]) == 1  # A: its own cancellation came first
    [at_a] = _listed(a)
    assert at_a.event_id == approved.id and "已撤销" in at_a.reason
    _pull(p, [cancelled])  # P: its own approval now does not fit, but it is P's own event
    assert _listed(p) == []


def test_events_refused_at_admission_and_unreadable_visits_are_kept(pair) -> None:
    a, a_ws, p, _p_ws = pair
    accepted = _record(a, a_ws, EventKind.ACCEPTED, _accepted(), T0)
    _pull(p, [accepted])
    other_content = replace(accepted, payload={**accepted.payload, "item_code": "MZ004"})
    with a.transaction() as session:
        record_visit(
            session,
            workstation=a_ws,
            clerk="0001",
            kind=EventKind.REFUSED,
            payload=Refused(center_code=ACCEPTING, site_code=ACCEPTING, reason="不属于受理范围"),
            at=T0,
        )
        visit = next(e for e in pending_events(session) if e.stream_type == "visit")
    unreadable = replace(visit, payload={"reason": ""})
    assert _pull(p, [other_content, unreadable]) == 2
    reasons = {x.event_id: x.reason for x in _listed(p)}
    assert reasons == {accepted.id: "同一事件标识下内容不同，未接收", visit.id: UNREADABLE_VISIT}
    assert _pull(p, [other_content, unreadable]) == 0
    with p.reading() as session:
        assert remote_problem_count(session) == 2


def _listed(store: Store) -> list:  # type: ignore[type-arg]
    with store.reading() as session:
        return remote_problems(session)
