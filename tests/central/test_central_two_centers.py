"""Two centers, one case: A accepts a 收受分离 application whose household is in B's street; B
pulls it, decides, and A hands the result over. Real local stores on both sides, and clocks that
disagree by a day, which must not reorder the case's history."""

from datetime import timedelta
from pathlib import Path

from central_support import CENTER_A, CENTER_B, T0, Counter, enrolled

from tongban.central.pull import Cursor
from tongban.central.store import CentralStore
from tongban.models.catalog import default_catalog
from tongban.models.geography import shanghai
from tongban.models.routing import Decision, route
from tongban.models.store import (
    Approved,
    CaseStatus,
    Collected,
    EventKind,
    Forwarded,
    Ready,
    load_case,
)

DAY = timedelta(days=1)
ITEM = "MZ001"  # 最低生活保障: 收受分离, processed by the household's center


def sync(store: CentralStore, counter: Counter, cursor: Cursor | None = None) -> Cursor:
    """Push the outbox, mark what was taken, pull and apply what concerns the center."""
    outbox = counter.outbox()
    if outbox:
        results = store.push(counter.workstation, outbox).outcome.results
        assert {r.outcome for r in results} <= {"accepted", "duplicate"}, results
        counter.synced([r.event_id for r in results])
    pulled = store.pull(counter.workstation, cursor, limit=500)
    counter.apply(pulled.batch.events)
    return pulled.batch.cursor


def test_a_separated_case_travels_to_the_household_center_and_back(
    store: CentralStore, tmp_path: Path
) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    geography, catalog = shanghai(), default_catalog()
    item = catalog.item(ITEM)
    household = geography.center(CENTER_B).street_codes[0]
    routing = route(
        geography=geography,
        catalog=catalog,
        site=CENTER_A,
        item=item,
        household_street=household,
        residence_street=None,
        on=T0.date(),
    )
    assert routing.decision is Decision.FORWARD and routing.processing_center == CENTER_B

    case = a.accept(
        processing_center=CENTER_B, mode=item.mode, household_street=household, item_code=ITEM
    )
    a.record(case, EventKind.FORWARDED, Forwarded(processing_center=CENTER_B))
    cursor_a = sync(store, a)

    cursor_b = sync(store, b)
    with b.local.reading() as session:
        at_b = load_case(session, case)
    assert at_b is not None and at_b.status is CaseStatus.FORWARDED
    assert at_b.applicant is not None and at_b.applicant.household_street == household

    # B's clock is a day behind: its decision still comes after the forwarding.
    b.record(case, EventKind.APPROVED, Approved(note="符合条件"), at=T0 - DAY)
    cursor_b = sync(store, b, cursor_b)
    entry = store.case(case)
    assert entry is not None and entry.status == "approved" and entry.problem_count == 0

    # The processing center readies the result; the applicant collects it where they applied.
    b.record(case, EventKind.READY, Ready(collect_at_site=CENTER_A), at=T0 + timedelta(hours=2))
    cursor_b = sync(store, b, cursor_b)
    cursor_a = sync(store, a, cursor_a)
    a.record(case, EventKind.COLLECTED, Collected(collected_by="王五"), at=T0 + timedelta(hours=3))
    sync(store, a, cursor_a)
    sync(store, b, cursor_b)

    entry = store.case(case)
    assert entry is not None and entry.status == "collected" and entry.event_count == 5
    with a.local.reading() as session_a, b.local.reading() as session_b:
        state_a, state_b = load_case(session_a, case), load_case(session_b, case)
    assert state_a == state_b
    assert state_a is not None and state_a.status is CaseStatus.COLLECTED
    assert state_a.problems == ()


def test_a_clock_a_day_ahead_does_not_reorder_the_history(
    store: CentralStore, tmp_path: Path
) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    case = a.accept(processing_center=CENTER_B, at=T0 + DAY)  # A's clock runs a day fast
    a.record(case, EventKind.FORWARDED, Forwarded(processing_center=CENTER_B), at=T0 + DAY)
    sync(store, a)
    sync(store, b)
    approved = b.record(case, EventKind.APPROVED, Approved(), at=T0)  # B's clock is right
    sync(store, b)
    entry = store.case(case)
    assert entry is not None and entry.status == "approved" and entry.problem_count == 0
    assert approved.created_at < T0 + DAY  # the wall clocks disagree …
    assert entry.last_hlc == approved.hlc.to_int()  # … the HLC keeps the decision last
