"""The sync view's lists from a real store: every waiting event, every sync problem."""

from __future__ import annotations

import dataclasses

import pytest

from counter_support import (
    DemoCounter,
    applicant,
    demo_counter,
    everything,
    item_named,
    request,
    resident_id,
)
from tongban.desktop.services import DEMO_PASSWORD, ServiceError
from tongban.models.store import mark_synced, pending_events
from tongban.models.store.sync_state import record_sync_problem


@pytest.fixture
def demo(tmp_path) -> DemoCounter:
    demo = demo_counter(tmp_path / "demo")
    assert demo.counter.login("1001", DEMO_PASSWORD).ok
    return demo


def _accept_cases(demo: DemoCounter, how_many: int) -> tuple[list[str], list[str]]:
    """Accepted cases (numbers, in order) and the applicants' identity numbers."""
    item = item_named("敬老卡申领")
    numbers, ids = [], []
    for serial in range(how_many):
        id_number = resident_id(serial=400 + serial)
        who = applicant(id_number=id_number, name=f"申请人{serial}")
        numbers.append(demo.counter.accept(request(item, everything(item), who)).case_number)
        ids.append(id_number)
        demo.clock.advance(minutes=1)
    return numbers, ids


def test_every_waiting_event_is_listed_oldest_first_without_identity_numbers(demo):
    numbers, ids = _accept_cases(demo, 7)
    demo.counter.notify(request(item_named("最低生活保障"), {}))
    pending, problems = demo.counter.sync_details()
    assert len(pending) == 15 == demo.counter.pending_sync_count()  # more than one page of ten
    assert problems == []
    cases = [row.case_or_visit for row in pending[:-1]]
    assert cases == [n for n in numbers for _ in range(2)]  # 受理 and 出具回执 for each case
    assert [row.event for row in pending[:2]] == ["受理", "出具回执"]
    assert pending[-1].event == "一次性告知"
    assert all(row.clerk.startswith("1001 ") for row in pending)
    times = [row.at for row in pending]
    assert times == sorted(times)
    shown = " ".join(str(v) for row in pending for v in dataclasses.astuple(row))
    assert not any(id_number in shown for id_number in ids)


def test_synced_events_leave_the_list_and_a_problem_is_listed_with_its_reason(demo):
    numbers, _ = _accept_cases(demo, 3)
    with demo.context.store.transaction() as session:
        first, refused, *_ = pending_events(session)
        mark_synced(session, [first.id], at=demo.clock())
        record_sync_problem(session, refused.id, "中心拒收：受理编号已被占用", at=demo.clock())
    pending, problems = demo.counter.sync_details()
    assert len(pending) == 5
    assert pending[0].case_or_visit == numbers[0] and pending[0].event == "出具回执"
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.event, problem.case_or_visit) == ("出具回执", numbers[0])
    assert problem.reason == "中心拒收：受理编号已被占用"


def test_only_a_logged_in_clerk_sees_the_lists(demo):
    _accept_cases(demo, 1)
    demo.counter.lock()
    with pytest.raises(ServiceError, match="锁定"):
        demo.counter.sync_details()
    demo.counter.logout()
    with pytest.raises(ServiceError, match="请先登录"):
        demo.counter.sync_details()
