"""Processing rules: 签收 in the fold, the collection center, the clock stopped for supplements,
overdue flags, and who may write the processing events at the central store (pure checks)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.central.authorization import Author, Parties, check_accepted, check_case_event
from tongban.models.catalog import Mode
from tongban.models.processing import effective_due, overdue, status_label
from tongban.models.rules import WorkingCalendar, make_case_number
from tongban.models.store import (
    Accepted,
    Approved,
    CaseStatus,
    Collected,
    Event,
    EventKind,
    Forwarded,
    MaterialReceived,
    Pause,
    Person,
    Ready,
    ReceivedForProcessing,
    SupplementRequested,
    Supplied,
    Timestamp,
    fold,
)
from tongban.models.store.payloads import dump_payload

ACCEPTING = "310104003"
PROCESSING = "310105001"
THIRD = "310101002"
WS = "01900000-0000-7000-8000-00000000000a"
# Monday 2 March 2026, 09:30 in Shanghai.
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
CALENDAR = WorkingCalendar()


def accepted(*, separated: bool = True, collection: str | None = None) -> Accepted:
    return Accepted(
        item_code="MZ003",
        catalog_revision="2018-07-01",
        mode=Mode.SEPARATED if separated else Mode.DIRECT,
        applicant=Person(document_type="resident_id", id_number="310105199001011234", name="王五"),
        accepting_center=ACCEPTING,
        accepting_site=ACCEPTING,
        processing_center=PROCESSING if separated else ACCEPTING,
        due_date=date(2026, 3, 20),
        materials=(MaterialReceived(name="身份证", original_seen=True),),
        collection_center=collection,
    )


def history(*steps: tuple[EventKind, Any, timedelta]) -> list[Event]:
    return [
        Event(
            id=f"00000000-0000-7000-8000-{n:012d}",
            workstation_id=WS,
            sequence=n,
            hlc=Timestamp(int((T0 + delay).timestamp() * 1000), 0),
            clerk="0001",
            kind=str(kind),
            stream_type="case",
            stream_id="C1",
            payload=dump_payload(payload),
            created_at=T0 + delay,
        )
        for n, (kind, payload, delay) in enumerate(steps, start=1)
    ]


def day(n: float) -> timedelta:
    return timedelta(days=n)


SEPARATED_START = (
    (EventKind.ACCEPTED, accepted(), day(0)),
    (EventKind.FORWARDED, Forwarded(processing_center=PROCESSING), day(0)),
)


# --- 签收 ----------------------------------------------------------------------------------


def test_taking_in_a_forwarded_case_is_a_flag_not_a_status() -> None:
    state = fold(
        history(
            *SEPARATED_START, (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing(), day(1))
        )
    )
    assert state.problems == ()
    assert state.status is CaseStatus.FORWARDED
    assert state.received_for_processing_at == T0 + day(1)
    assert status_label(state) == "已签收"


def test_a_separated_case_cannot_be_taken_in_before_it_is_forwarded() -> None:
    state = fold(
        history(
            (EventKind.ACCEPTED, accepted(), day(0)),
            (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing(), day(1)),
        )
    )
    assert [p.message for p in state.problems] == ["案件尚未流转到办理中心，不能签收"]
    assert state.received_for_processing_at is None


def test_a_direct_case_is_taken_in_where_it_was_accepted_and_only_once() -> None:
    state = fold(
        history(
            (EventKind.ACCEPTED, accepted(separated=False), day(0)),
            (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing(), day(0)),
            (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing(), day(1)),
        )
    )
    assert state.status is CaseStatus.ACCEPTED and status_label(state) == "已签收"
    assert [p.message for p in state.problems] == ["案件已签收，不能重复签收"]


def test_a_decided_case_cannot_be_taken_in() -> None:
    state = fold(
        history(
            *SEPARATED_START,
            (EventKind.APPROVED, Approved(), day(1)),
            (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing(), day(2)),
        )
    )
    assert state.status is CaseStatus.APPROVED and len(state.problems) == 1


# --- the collection center -------------------------------------------------------------------


def test_the_collection_center_defaults_to_the_accepting_center() -> None:
    raw = dump_payload(accepted())
    del raw["collection_center"]  # an event written before the field existed
    first = history((EventKind.ACCEPTED, accepted(), day(0)))[0]
    state = fold([replace(first, payload=raw)])
    assert state.problems == () and state.collection_center == ACCEPTING


def test_a_collection_center_must_be_one_of_the_two_parties() -> None:
    state = fold(history((EventKind.ACCEPTED, accepted(collection=THIRD), day(0))))
    assert not state.exists
    assert state.problems[0].message == f"领取中心 {THIRD} 只能是受理中心或办理中心"


def test_collected_elsewhere_than_chosen_is_refused_by_the_fold() -> None:
    steps = (
        (EventKind.ACCEPTED, accepted(collection=PROCESSING), day(0)),
        (EventKind.FORWARDED, Forwarded(processing_center=PROCESSING), day(0)),
        (EventKind.APPROVED, Approved(), day(1)),
        (EventKind.READY, Ready(collect_at_site=PROCESSING), day(1)),
    )
    wrong = fold(
        history(
            *steps, (EventKind.COLLECTED, Collected(collected_by="王五", center=ACCEPTING), day(2))
        )
    )
    assert wrong.status is CaseStatus.READY
    assert wrong.problems[0].message == f"申请人选择在 {PROCESSING} 领取，不能在 {ACCEPTING} 领取"
    right = fold(
        history(
            *steps, (EventKind.COLLECTED, Collected(collected_by="王五", center=PROCESSING), day(2))
        )
    )
    assert right.status is CaseStatus.COLLECTED and right.problems == ()


# --- the clock stops while waiting for a supplement ------------------------------------------


def supplement(requested: float, supplied: float | None) -> list[Event]:
    steps = [
        *SEPARATED_START,
        (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing(), day(0)),
        (
            EventKind.SUPPLEMENT_REQUESTED,
            SupplementRequested(materials=("户口簿",), reason="缺页", due_date=date(2026, 3, 13)),
            day(requested),
        ),
    ]
    if supplied is not None:
        given = Supplied(materials=(MaterialReceived(name="户口簿", original_seen=True),))
        steps.append((EventKind.SUPPLIED, given, day(supplied)))
    return history(*steps)


def test_a_finished_wait_moves_the_due_date_by_its_working_days() -> None:
    # Requested Tuesday 3 March, supplied Friday 6 March: Wed, Thu, Fri = 3 working days.
    state = fold(supplement(1, 4))
    assert state.status is CaseStatus.FORWARDED and state.problems == ()
    assert state.pauses == (Pause(date(2026, 3, 3), date(2026, 3, 6)),)
    assert state.supplement_materials == () and state.supplement_requested_at is None
    # 20 March (Friday) + 3 working days = Wednesday 25 March.
    assert effective_due(state, date(2026, 3, 30), CALENDAR) == date(2026, 3, 25)


def test_an_open_wait_moves_the_due_date_day_by_day_and_never_makes_the_case_late() -> None:
    state = fold(supplement(1, None))
    assert state.status is CaseStatus.SUPPLEMENT_REQUESTED
    assert state.supplement_materials == ("户口簿",)
    assert effective_due(state, date(2026, 3, 3), CALENDAR) == date(2026, 3, 20)
    # Wed 4 to Tue 10 March: 5 working days waited so far.
    assert effective_due(state, date(2026, 3, 10), CALENDAR) == date(2026, 3, 27)
    far = date(2026, 4, 30)
    flags = overdue(state, far, CALENDAR)
    assert not flags.case and flags.supplement  # the supplement was due 13 March


def test_overdue_flags() -> None:
    on_time = fold(history(*SEPARATED_START))
    assert not overdue(on_time, date(2026, 3, 20), CALENDAR).any  # the due day itself
    late = overdue(on_time, date(2026, 3, 23), CALENDAR)
    assert late.case and not late.supplement and late.due == date(2026, 3, 20)
    decided = fold(history(*SEPARATED_START, (EventKind.APPROVED, Approved(), day(1))))
    assert not overdue(decided, date(2026, 5, 1), CALENDAR).any
    on_the_spot = fold(history((EventKind.ACCEPTED, replace(accepted(), due_date=None), day(0))))
    assert not overdue(on_the_spot, date(2027, 1, 1), CALENDAR).any


# --- working days: properties ----------------------------------------------------------------

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=150, deadline=None)
@given(due=days, start=days, length=st.integers(min_value=0, max_value=40))
def test_a_wait_moves_the_due_date_by_exactly_its_working_days(
    due: date, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    waited = CALENDAR.working_days_after(start, end)
    moved = CALENDAR.extended_due(due, [(start, end)])
    assert moved >= due
    assert CALENDAR.working_days_after(due, moved) == waited
    if waited:
        assert CALENDAR.is_working_day(moved)
    else:
        assert moved == due


@settings(max_examples=100, deadline=None)
@given(
    due=days,
    start=days,
    first=st.integers(0, 20),
    gap=st.integers(0, 20),
    second=st.integers(0, 20),
)
def test_waits_add_up_and_a_longer_wait_never_moves_the_date_less(
    due: date, start: date, first: int, gap: int, second: int
) -> None:
    one = (start, start + timedelta(days=first))
    later = one[1] + timedelta(days=gap)
    two = (later, later + timedelta(days=second))
    both = CALENDAR.extended_due(due, [one, two])
    in_turn = CALENDAR.extended_due(CALENDAR.extended_due(due, [one]), [two])
    assert both == in_turn
    longer = (start, start + timedelta(days=first + gap))
    assert CALENDAR.extended_due(due, [longer]) >= CALENDAR.extended_due(due, [one])


def test_a_wait_over_a_weekend_or_within_one_day_costs_nothing() -> None:
    saturday, sunday = date(2026, 3, 7), date(2026, 3, 8)
    assert CALENDAR.working_days_after(date(2026, 3, 6), sunday) == 0
    assert CALENDAR.extended_due(date(2026, 3, 20), [(saturday, sunday)]) == date(2026, 3, 20)
    assert CALENDAR.extended_due(date(2026, 3, 20), [(saturday, saturday)]) == date(2026, 3, 20)


# --- who may write what at the central store -------------------------------------------------

PARTIES = Parties(ACCEPTING, PROCESSING, collection_center=ACCEPTING)


def author(center: str) -> Author:
    return Author(center_code=center, site_code=center, workstation_number=1)


def event(kind: EventKind, payload: object) -> Event:
    return history((kind, payload, day(0)))[0]


def test_processing_events_only_from_the_processing_center() -> None:
    for kind, payload in (
        (EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing()),
        (EventKind.READY, Ready(collect_at_site=ACCEPTING)),
        (EventKind.APPROVED, Approved()),
    ):
        assert check_case_event(author(PROCESSING), event(kind, payload), PARTIES) is None
        refusal = check_case_event(author(ACCEPTING), event(kind, payload), PARTIES)
        assert refusal == f"只有办理中心 {PROCESSING} 可以记录此事件（{kind.value}）"


def test_a_supplement_may_be_handed_in_at_either_center_but_not_a_third() -> None:
    supplied = event(EventKind.SUPPLIED, Supplied(materials=(MaterialReceived(name="户口簿"),)))
    assert check_case_event(author(ACCEPTING), supplied, PARTIES) is None
    assert check_case_event(author(PROCESSING), supplied, PARTIES) is None
    assert check_case_event(author(THIRD), supplied, PARTIES) is not None


def test_collection_only_at_the_chosen_center_and_the_payload_must_not_lie() -> None:
    collected_here = event(EventKind.COLLECTED, Collected(collected_by="王五", center=ACCEPTING))
    assert check_case_event(author(ACCEPTING), collected_here, PARTIES) is None
    assert check_case_event(author(PROCESSING), collected_here, PARTIES) == (
        f"申请人选择在 {ACCEPTING} 领取，只有该中心可以记录领取"
    )
    unknown_choice = Parties(ACCEPTING, PROCESSING)  # an index row without the choice
    lying = event(EventKind.COLLECTED, Collected(collected_by="王五", center=ACCEPTING))
    assert check_case_event(author(PROCESSING), lying, unknown_choice) == (
        f"领取记录写明的中心 {ACCEPTING} 不是本工作站所属中心 {PROCESSING}"
    )
    old_style = event(EventKind.COLLECTED, Collected(collected_by="王五"))
    assert check_case_event(author(PROCESSING), old_style, unknown_choice) is None


def test_an_accepted_event_names_a_collection_center_of_its_parties() -> None:
    number = make_case_number(ACCEPTING, T0.date(), 1, 1)
    for collection, expected in (
        (THIRD, f"领取中心 {THIRD} 只能是受理中心或办理中心"),
        (PROCESSING, None),
        (None, None),
    ):
        data = accepted(collection=collection)
        first = replace(event(EventKind.ACCEPTED, data), stream_id=number)
        assert check_accepted(author(ACCEPTING), first, data, lambda _code: True) == expected
