"""The counting shared by the central and the local report: definitions, anomalies, due lists,
service hours and the JSON form, on hand-made events (the two-centers test uses real ones)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.catalog import default_catalog
from tongban.models.clock import SHANGHAI
from tongban.models.reports import (
    IntakeReport,
    OpenCase,
    Period,
    PeriodError,
    ReceivedCase,
    ReportFacts,
    ServiceHours,
    Source,
    build_report,
    owed_materials,
)
from tongban.models.rules import WorkingCalendar
from tongban.models.store import Event, Timestamp

HERE, THERE = "310104003", "310105001"
MONDAY = date(2026, 3, 2)
CALENDAR = WorkingCalendar()
_serial = iter(range(1, 10**6))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def event(kind: str, payload: dict, when: datetime, *, clerk: str = "A01", ws: str = "w1") -> Event:
    n = next(_serial)
    stream = "visit" if kind in ("notified", "refused", "guided") else "case"
    return Event(
        id=f"00000000-0000-7000-8000-{n:012d}",
        workstation_id=ws,
        sequence=n,
        hlc=Timestamp.from_int(n),
        clerk=clerk,
        kind=kind,
        stream_type=stream,
        stream_id=f"case-{n}" if stream == "case" else f"visit-{n}",
        payload=payload,
        created_at=when.astimezone(UTC),
    )


def accepted(when: datetime, item: str = "MZ010", processing: str = HERE, **kw: object) -> Event:
    payload = {"item_code": item, "mode": "direct", "accepting_center": HERE}
    payload |= {"processing_center": processing, "materials": kw.pop("materials", [])}
    return event("accepted", payload, when, **kw)  # type: ignore[arg-type]


def report(events: list[Event], *, period: Period | None = None, **kw: object) -> IntakeReport:
    facts = ReportFacts(
        center=HERE,
        center_name="天平路",
        period=period or Period.day(MONDAY),
        events=events,
        received=kw.pop("received", ()),  # type: ignore[arg-type]
        open_cases=kw.pop("open_cases", ()),  # type: ignore[arg-type]
        source=Source.CENTRAL,
        item_codes=kw.pop("item_codes", {}),  # type: ignore[arg-type]
    )
    now = at(MONDAY, 18)
    return build_report(facts, catalog=default_catalog(), calendar=CALENDAR, prepared_at=now)


def test_what_counts_as_the_centers_day() -> None:
    events = [
        accepted(at(MONDAY, 9)),
        accepted(at(MONDAY, 10), item="RS077", processing=THERE, clerk="A02"),
        accepted(at(MONDAY - timedelta(days=1), 23, 59)),  # Sunday night: another day
        accepted(at(MONDAY, 11)),
        event("notified", {"center_code": HERE, "item_code": "MZ010"}, at(MONDAY, 9, 30)),
        event("refused", {"center_code": HERE, "reason": "不符"}, at(MONDAY, 9, 40)),
        event("notified", {"center_code": THERE, "item_code": "MZ010"}, at(MONDAY, 9, 30)),
    ]
    received = [
        ReceivedCase("x1", "RS077", THERE, at(MONDAY, 14)),
        ReceivedCase("x2", "RS077", THERE, at(MONDAY + timedelta(days=1), 9)),
    ]
    made = report(events, received=received)
    assert (made.accepted, made.forwarded_out, made.received_in) == (3, 1, 1)
    assert (made.notified, made.refused) == (1, 1)
    assert made.by_item == {"MZ010": 2, "RS077": 1}
    assert made.by_clerk == {"A01": 2, "A02": 1}
    assert made.by_hour == {"09": 1, "10": 1, "11": 1}
    catalog = default_catalog()
    departments = [catalog.item(code).department for code in ("MZ010", "MZ010", "RS077")]
    assert sum(made.by_department.values()) == 3
    assert set(made.by_department) == set(departments)
    assert [a.detail for a in made.refusals] == ["不符"]
    no_item = [line for line in made.items if line.item_code == ""]
    assert no_item and no_item[0].refused == 1 and no_item[0].item_name == "未指明事项"


def test_reprints_cancellations_and_hours_are_anomalies() -> None:
    saturday = MONDAY + timedelta(days=5)  # 7 March (28 February is a 调休 working Saturday)
    assert CALENDAR.is_working_day(MONDAY - timedelta(days=2))
    events = [
        accepted(at(MONDAY, 8, 29)),  # before opening
        accepted(at(MONDAY, 16, 30)),  # at closing: closed
        accepted(at(MONDAY, 16, 29)),
        accepted(at(saturday, 11, 0)),  # a rest day's morning: open
        accepted(at(saturday, 14, 0)),  # a rest day's afternoon: not known to be open
        event("reprinted", {"reason": "污损"}, at(MONDAY, 9)),
        event("cancelled", {"reason": "撤回"}, at(MONDAY, 9)),
    ]
    reprinted, cancelled = events[-2].stream_id, events[-1].stream_id
    items = {reprinted: "RS077"}  # the cancelled case's item is not known to the store
    made = report(events, period=Period(MONDAY, saturday), item_codes=items)
    assert len(made.outside_hours) == 3
    assert [(a.detail, a.item_code) for a in made.reprints] == [("污损", "RS077")]
    # Named from the catalog, though no RS077 case was counted in the period.
    assert "RS077" not in made.by_item
    assert [a.item_name for a in made.reprints] == [default_catalog().item("RS077").name]
    assert [(a.detail, a.item_code, a.item_name, a.reference) for a in made.cancellations] == [
        ("撤回", "", "", cancelled)
    ]
    assert made.anomaly_count == 5


def test_overdue_and_deferred_lists() -> None:
    recent = at(MONDAY - timedelta(days=3), 10)
    cases = [
        OpenCase("late", "MZ010", "accepted", HERE, HERE, recent, MONDAY - timedelta(days=1)),
        OpenCase("today", "MZ010", "forwarded", HERE, THERE, recent, MONDAY),
        OpenCase("decided", "MZ010", "approved", HERE, HERE, recent, MONDAY - timedelta(days=9)),
        OpenCase(
            "owed",
            "RS077",
            "approved",
            HERE,
            HERE,
            recent,
            None,
            owed=(("银行卡", MONDAY - timedelta(days=1)), ("户籍证明", MONDAY + timedelta(days=9))),
        ),
    ]
    made = report([], open_cases=cases)
    assert [c.case_number for c in made.overdue] == ["late"]
    assert [(d.material, d.late) for d in made.deferred_due] == [("银行卡", True)]


def test_owed_materials_are_the_deferred_ones_not_yet_supplied() -> None:
    payload = {
        "materials": [
            {"name": "身份证", "original_seen": True},
            {"name": "银行卡", "deferred": True, "deferred_due": "2026-03-09"},
            {"name": "证明", "deferred": True, "deferred_due": "2026-03-10"},
        ]
    }
    assert owed_materials(payload, ["证明"]) == (("银行卡", date(2026, 3, 9)),)


def test_the_decision_interval_leaves_out_breaks() -> None:
    events = [accepted(at(MONDAY, 9)), accepted(at(MONDAY, 9, 4)), accepted(at(MONDAY, 13))]
    events.append(accepted(at(MONDAY, 9, 2), ws="w2"))
    assert report(events).decision_interval_median_seconds == 240.0


def test_periods() -> None:
    with pytest.raises(PeriodError):
        Period(MONDAY, MONDAY - timedelta(days=1))
    with pytest.raises(PeriodError):
        Period(MONDAY, MONDAY + timedelta(days=366))
    start, end = Period.day(MONDAY).bounds()
    assert start == datetime(2026, 3, 1, 16, tzinfo=UTC) and end - start == timedelta(days=1)
    assert not ServiceHours().is_open(at(MONDAY, 7), CALENDAR)


@given(st.lists(st.tuples(st.integers(0, 23), st.integers(0, 59), st.booleans()), max_size=30))
def test_the_totals_always_add_up_and_survive_json(moments: list[tuple[int, int, bool]]) -> None:
    events = [
        accepted(at(MONDAY, h, m), processing=THERE if far else HERE, clerk=f"C{h % 3}")
        for h, m, far in moments
    ]
    made = report(events)
    assert made.accepted == len(moments) == sum(made.by_item.values()) == sum(made.by_hour.values())
    assert sum(made.by_clerk.values()) == made.accepted == sum(i.accepted for i in made.items)
    assert made.forwarded_out == sum(far for *_, far in moments)
    body = made.to_json_dict()
    assert body["date"] == "2026-03-02" and IntakeReport.from_json_dict(body) == made
