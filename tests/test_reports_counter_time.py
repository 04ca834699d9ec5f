"""Time at the counter (identification to decision) and each center's rest-day service hours, on
hand-made events: the statistics, the fallback to the decision interval, the service-hours rule
with the working calendar (调休), the centers data, and the payloads that carry `started_at`.
The same figures from cases made through the real intake path: test_reports_counter_time_e2e.py.
"""

from __future__ import annotations

import math
import statistics
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_reports_model import CALENDAR, HERE, MONDAY, accepted, at, event
from tongban.models.catalog import default_catalog
from tongban.models.clock import SHANGHAI
from tongban.models.geography import GeographyError, rest_day_afternoon, shanghai
from tongban.models.reports import (
    COUNTER_TIME_LIMIT,
    CounterTimeBasis,
    IntakeReport,
    Period,
    ReportFacts,
    ServiceHours,
    Source,
    build_report,
    center_hours,
    percentile,
    started_at_of,
)
from tongban.models.store.payloads import Accepted, Guided, dump_payload, load_payload

# 2026: 劳动节 1–5 May are rest days, Saturday 9 May is a 调休 working day.
MAY_DAY, WORKING_SATURDAY = date(2026, 5, 1), date(2026, 5, 9)
SATURDAY = MONDAY + timedelta(days=5)  # 7 March, an ordinary rest day
AFTERNOON = (time(13, 30), time(16, 30))
seconds_at_counter = st.integers(min_value=0, max_value=int(COUNTER_TIME_LIMIT.total_seconds()))


def decided(
    when: datetime, spent: float | None, *, kind: str = "accepted", clerk: str = "A01"
) -> object:
    """A decision at `when`, whose applicant was identified `spent` seconds before (None: the
    decision does not carry its start, as events written before it was recorded)."""
    extra = {} if spent is None else {"started_at": (when - timedelta(seconds=spent)).isoformat()}
    if kind == "accepted":
        made = accepted(when, clerk=clerk)
        made.payload.update(extra)
        return made
    facts = {"center_code": HERE, "item_code": "MZ010", **extra}
    return event(kind, facts, when, clerk=clerk)


def report_of(events: list, *, period: Period | None = None, hours: ServiceHours | None = None):  # type: ignore[no-untyped-def]
    facts = ReportFacts(
        center=HERE,
        center_name="天平路",
        period=period or Period.day(MONDAY),
        events=events,
        received=(),
        open_cases=(),
        source=Source.CENTRAL,
        hours=hours or ServiceHours(),
    )
    return build_report(
        facts, catalog=default_catalog(), calendar=CALENDAR, prepared_at=at(MONDAY, 18)
    )


def nearest_rank(values: list[float], rank: int) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(rank / 100 * len(ordered)) - 1]


# The statistics --------------------------------------------------------------------------------


@given(st.lists(st.floats(min_value=0, max_value=28_800, allow_nan=False), min_size=1))
def test_the_90th_percentile_is_a_time_someone_spent_with_90_percent_at_or_below(
    values: list[float],
) -> None:
    p90 = percentile(values, 90)
    assert p90 in values
    at_or_below = sum(v <= p90 for v in values)
    below = sum(v < p90 for v in values)
    assert at_or_below >= 0.9 * len(values) > below


@settings(deadline=None)  # a whole report per example, on a shared machine
@given(st.lists(st.tuples(seconds_at_counter, st.sampled_from(["A01", "A02", "B07"])), max_size=40))
def test_the_centers_and_each_clerks_figures_are_those_of_their_visits(
    visits: list[tuple[int, str]],
) -> None:
    kinds = ("accepted", "notified", "refused", "guided")
    events = [
        decided(at(MONDAY, 9) + timedelta(minutes=7 * n), spent, kind=kinds[n % 4], clerk=clerk)
        for n, (spent, clerk) in enumerate(visits)
    ]
    made = report_of(events)
    spent = [float(s) for s, _ in visits]
    assert made.counter_time_cases == len(visits) == made.decisions
    if not visits:
        assert made.counter_time_basis == CounterTimeBasis.NONE
        assert made.counter_time_median_seconds is None
        return
    assert made.counter_time_basis == CounterTimeBasis.STARTED_AT
    assert made.decision_interval_median_seconds is None  # only a fallback
    assert made.counter_time_median_seconds == round(statistics.median(spent), 1)
    assert made.counter_time_p90_seconds == nearest_rank(spent, 90)
    assert min(spent) <= made.counter_time_median_seconds <= made.counter_time_p90_seconds
    for line in made.clerks:
        own = [float(s) for s, c in visits if c == line.clerk]
        assert line.counter_time_cases == len(own)
        assert line.counter_time_p90_seconds == nearest_rank(own, 90)
        assert line.counter_time_median_seconds == round(statistics.median(own), 1)
    assert IntakeReport.from_json_dict(made.to_json_dict()) == made
    assert made.to_json_dict()["counter_time_basis"] == "started_at"


@settings(deadline=None)  # a whole report per example, on a shared machine
@given(
    st.lists(seconds_at_counter, min_size=1, max_size=20),
    st.lists(st.integers(0, 20), max_size=10),
)
def test_decisions_without_their_start_change_nothing_but_the_count(
    measured: list[int], gaps: list[int]
) -> None:
    moments = [at(MONDAY, 9) + timedelta(minutes=5 * n) for n in range(len(measured))]
    with_start = [decided(when, spent) for when, spent in zip(moments, measured, strict=True)]
    without = [decided(at(MONDAY, 14) + timedelta(minutes=g), None) for g in gaps]
    alone, mixed = report_of(with_start), report_of([*without, *with_start])
    figures = ("counter_time_cases", "counter_time_median_seconds", "counter_time_p90_seconds")
    assert [getattr(mixed, f) for f in figures] == [getattr(alone, f) for f in figures]
    assert mixed.decisions == len(measured) + len(gaps)
    assert f"按记录了开始时间的 {len(measured)} 件计" in mixed.notes[0]


def test_the_decision_interval_stands_in_only_when_no_decision_carries_its_start() -> None:
    old = [decided(at(MONDAY, 9, m), None) for m in (0, 4, 10)]
    made = report_of(old)
    assert made.counter_time_basis == CounterTimeBasis.DECISION_INTERVAL
    assert made.decision_interval_median_seconds == 300.0
    assert made.counter_time_cases == 0 and made.counter_time_median_seconds is None
    assert "间隔中位数估计，为上限" in made.notes[0]
    exact = report_of([*old, decided(at(MONDAY, 11), 150)])
    assert exact.counter_time_basis == CounterTimeBasis.STARTED_AT
    assert exact.decision_interval_median_seconds is None
    assert exact.counter_time_median_seconds == exact.counter_time_p90_seconds == 150.0


def test_a_start_that_cannot_be_this_visits_is_left_out_and_said() -> None:
    events = [
        decided(at(MONDAY, 10), 200),
        decided(at(MONDAY, 10, 30), -60),  # after the decision: a clock at fault
        decided(at(MONDAY, 16), COUNTER_TIME_LIMIT.total_seconds() + 60),  # the form left open
    ]
    events[2].payload["started_at"] = (at(MONDAY, 16) - timedelta(hours=9)).isoformat()
    made = report_of(events)
    assert (made.counter_time_cases, made.counter_time_left_out) == (1, 2)
    assert made.counter_time_median_seconds == 200.0
    assert any("2 件的开始时间" in note for note in made.notes)


def test_started_at_is_read_only_with_its_zone() -> None:
    moment = at(MONDAY, 9)
    assert started_at_of({"started_at": moment.isoformat()}) == moment
    assert started_at_of({"started_at": "2026-03-02T09:00:00"}) is None  # zone unknown
    assert started_at_of({"started_at": "soon"}) is None
    assert started_at_of({}) is None


# The payloads ----------------------------------------------------------------------------------


def test_the_decisions_carry_started_at_and_old_events_still_read() -> None:
    started = datetime(2026, 3, 2, 1, 28, tzinfo=UTC)
    facts = {"center_code": HERE, "site_code": HERE, "guidance": "请到户籍地中心办理"}
    stored = dump_payload(Guided(**facts, started_at=started))
    assert stored["started_at"] == "2026-03-02T01:28:00Z"
    assert load_payload(Guided, stored).started_at == started
    assert load_payload(Guided, facts).started_at is None  # written before it was recorded
    old_accepted = {
        "item_code": "MZ010",
        "catalog_revision": "2026.1",
        "mode": "direct",
        "applicant": {"document_type": "resident_id", "id_number": "x", "name": "张三"},
        "accepting_center": HERE,
        "accepting_site": HERE,
        "processing_center": HERE,
    }
    assert load_payload(Accepted, old_accepted).started_at is None


# Service hours ---------------------------------------------------------------------------------


@st.composite
def moments_in_2026(draw: st.DrawFn) -> datetime:
    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    minute = draw(st.integers(0, 24 * 60 - 1))
    return datetime.combine(day, time(minute // 60, minute % 60), SHANGHAI)


@given(moments_in_2026(), st.sampled_from([None, AFTERNOON, (time(12, 0), time(17, 0))]))
def test_service_hours_follow_the_working_calendar_and_the_centers_afternoon(
    moment: datetime, afternoon: tuple[time, time] | None
) -> None:
    hours = ServiceHours(rest_day_afternoon=afternoon)
    at_time, working = moment.time(), CALENDAR.is_working_day(moment.date())
    if working:
        expected = time(8, 30) <= at_time < time(16, 30)
    else:
        in_afternoon = afternoon is not None and afternoon[0] <= at_time < afternoon[1]
        expected = time(8, 30) <= at_time < time(11, 30) or in_afternoon
    assert hours.is_open(moment, CALENDAR) is expected
    unrecorded = afternoon is None and not working and at_time >= time(11, 30)
    assert hours.unrecorded_afternoon(moment, CALENDAR) is unrecorded


def test_holidays_and_adjusted_working_weekends() -> None:
    hours = ServiceHours()
    assert not CALENDAR.is_working_day(MAY_DAY) and CALENDAR.is_working_day(WORKING_SATURDAY)
    assert not hours.is_open(at(MAY_DAY, 14), CALENDAR)  # 劳动节 afternoon
    assert hours.is_open(at(MAY_DAY, 10), CALENDAR)
    assert hours.is_open(at(WORKING_SATURDAY, 15), CALENDAR)  # 调休: a working day's hours
    assert ServiceHours(rest_day_afternoon=AFTERNOON).is_open(at(MAY_DAY, 14), CALENDAR)


def test_a_rest_day_afternoon_is_listed_with_the_reason_while_the_hours_are_not_recorded() -> None:
    events = [
        accepted(at(SATURDAY, 10)),  # morning: open everywhere
        accepted(at(SATURDAY, 14)),  # afternoon: unknown
        accepted(at(SATURDAY, 17)),
        accepted(at(MONDAY, 7)),  # an ordinary early acceptance, not about the afternoon
    ]
    period = Period(MONDAY, SATURDAY)
    unknown = report_of(events, period=period)
    assert len(unknown.outside_hours) == 3
    details = [a.detail for a in unknown.outside_hours]
    assert details.count("休息日下午（本中心下午服务时间未登记）") == 2
    assert any("下午的服务时间未登记" in note and "2 件" in note for note in unknown.notes)
    known = report_of(events, period=period, hours=ServiceHours(rest_day_afternoon=AFTERNOON))
    assert [a.at for a in known.outside_hours] == [at(MONDAY, 7), at(SATURDAY, 17)]
    assert not any("未登记" in note for note in known.notes)
    working_saturday = report_of(
        [accepted(at(WORKING_SATURDAY, 15))], period=Period.day(WORKING_SATURDAY)
    )
    assert working_saturday.outside_hours == ()


def test_the_centers_data_records_no_rest_day_afternoon_yet() -> None:
    assert all(c.rest_day_afternoon is None for c in shanghai().centers.values())
    assert center_hours(HERE) == ServiceHours()
    assert center_hours("999999999").rest_day_afternoon is None


def test_a_rest_day_afternoon_is_written_from_to() -> None:
    assert rest_day_afternoon("13:30-16:30", HERE) == AFTERNOON
    assert rest_day_afternoon(" 13:00 - 17:00 ", HERE) == (time(13), time(17))
    assert rest_day_afternoon("", HERE) is None and rest_day_afternoon(None, HERE) is None
    for wrong in ("下午", "16:30-13:30", "25:00-26:00", "09:00-11:00"):
        with pytest.raises(GeographyError, match=HERE):
            rest_day_afternoon(wrong, HERE)
