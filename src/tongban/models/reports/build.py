"""Counting a center's intake from its events: one pure function for the central store and the
workstation's own store alike, so both count the same way.

What is counted (all times are Shanghai time; a day is a Shanghai calendar day):
- accepted: `accepted` events written at the center (payload `accepting_center`), whose
  `created_at` (when the clerk accepted) falls in the period. A case cancelled later still
  counts; its cancellation is listed among the anomalies.
- notified / refused / guided: visits (一次性告知, 不予受理, 指引) recorded at the center.
- forwarded_out: of the accepted, the cases whose processing center is another center (收受分离
  sent on). Counted from the case itself, whether or not a `forwarded` event has been written.
- received_in: cases accepted at another center in the period whose processing center is this one.
- by_department / by_item / by_mode / by_clerk / by_hour / by_day: the accepted cases.
- deferred_due: 容缺 materials still owed on open cases accepted here in the DEFERRED_LOOKBACK
  days up to the last day, due within DEFERRED_HORIZON working days after it, or already late.
  (A 容缺 material is due days after acceptance; the lookback keeps the central query bounded.)
- overdue: undecided cases (受理, 已流转, 待补正) accepted or processed here, promised before the
  last day. Both lists are as of when the report is made: a case decided since is not listed.
- anomalies: reprints and cancellations written at the center, refusals, acceptances outside
  the center's service hours (period.py; `ReportFacts.hours`, from centers.yaml), sync problems
  (events refused by the central service). While the center's rest-day afternoon is not
  recorded, an acceptance on a rest-day afternoon is listed with that said, and a note.
- time at the counter (counter_time.py): median and 90th percentile of identification to
  decision, over the visits decided at the center that carry `started_at`, for the center and
  each clerk. Only when none does, the median gap between decisions at a workstation stands in
  (decision_interval_median_seconds, an upper bound); the notes say which it is.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from tongban.models.catalog import Catalog
from tongban.models.clock import SHANGHAI
from tongban.models.reports.counter_time import (
    COUNTER_TIME_LIMIT,
    CounterTimes,
    counter_seconds,
    started_at_of,
)
from tongban.models.reports.period import Period, ServiceHours
from tongban.models.reports.report import (
    Anomaly,
    ClerkLine,
    DeferredDue,
    IntakeReport,
    ItemLine,
    OverdueCase,
    WorkstationHealth,
)
from tongban.models.rules import WorkingCalendar
from tongban.models.store.events import Event, EventKind

DEFERRED_HORIZON = 2  # working days after the report's last day
DEFERRED_LOOKBACK = timedelta(days=60)  # cases accepted this long before the last day, at most
DECISION_GAP_LIMIT = timedelta(minutes=30)  # a longer gap is a break, not a case
UNDECIDED = frozenset({"accepted", "forwarded", "supplement_requested"})
NOT_FINAL = UNDECIDED | {"approved", "ready"}
SERVICE_HOURS = ServiceHours()
VISITS = {EventKind.NOTIFIED: "notified", EventKind.REFUSED: "refused", EventKind.GUIDED: "guided"}
NO_ITEM = ""  # a visit recorded without an item


@dataclass(frozen=True)
class ReceivedCase:
    """A case accepted at another center, processed at the report's center."""

    case_number: str
    item_code: str
    accepting_center: str
    accepted_at: datetime


@dataclass(frozen=True)
class OpenCase:
    """A case not yet final that the center accepted or processes, as it stands now."""

    case_number: str
    item_code: str
    status: str
    accepting_center: str
    processing_center: str
    accepted_at: datetime
    due_date: date | None
    owed: tuple[tuple[str, date], ...] = ()  # 容缺 materials not yet supplied, with due dates


@dataclass(frozen=True)
class ReportFacts:
    """What one store knows about a center's period, as plain data."""

    center: str
    center_name: str
    period: Period
    events: Sequence[Event]  # written at the center, created in the period (others are ignored)
    received: Sequence[ReceivedCase]
    open_cases: Sequence[OpenCase]
    source: str
    partial_reason: str = ""  # empty: complete (the central store)
    sync_problems: Sequence[Anomaly] = ()
    workstations: Sequence[WorkstationHealth] = ()
    notes: tuple[str, ...] = ()
    hours: ServiceHours = SERVICE_HOURS  # the center's (period.center_hours)
    # The item of each case a reprint or cancellation in `events` concerns: it is on the case's
    # `accepted` event, which may be of another period.
    item_codes: Mapping[str, str] = field(default_factory=dict)


def deferred_since(period: Period) -> datetime:
    """The earliest acceptance whose 容缺 materials the report looks at."""
    return period.bounds()[1] - timedelta(days=1) - DEFERRED_LOOKBACK


def owed_materials(
    accepted: Mapping[str, Any], supplied: Iterable[str]
) -> tuple[tuple[str, date], ...]:
    """The 容缺 materials of an `accepted` payload that no `deferred_supplied` has brought."""
    handed_in = set(supplied)
    owed = []
    for material in accepted.get("materials") or ():
        due = material.get("deferred_due")
        if material.get("deferred") and due and material.get("name") not in handed_in:
            owed.append((str(material["name"]), date.fromisoformat(str(due))))
    return tuple(owed)


@dataclass
class _Tally:
    """The counts while the events are read."""

    items: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    clerks: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_mode: Counter[str] = field(default_factory=Counter)
    by_hour: Counter[str] = field(default_factory=Counter)
    by_day: Counter[str] = field(default_factory=Counter)
    anomalies: dict[str, list[Anomaly]] = field(default_factory=lambda: defaultdict(list))
    decisions: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    counter_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counter_left_out: int = 0  # started_at present but impossible for this visit
    unrecorded_afternoons: int = 0  # rest-day afternoon acceptances, the hours not recorded

    def total(self, what: str) -> int:
        return sum(counts[what] for counts in self.items.values())


def build_report(
    facts: ReportFacts,
    *,
    catalog: Catalog | None,
    calendar: WorkingCalendar,
    prepared_at: datetime,
    hours: ServiceHours | None = None,
) -> IntakeReport:
    """`hours`, when given, stands in for the facts' own (`facts.hours`)."""
    tally = _Tally()
    for event in sorted(facts.events, key=lambda e: (e.created_at, e.id)):
        if facts.period.contains(event.created_at):
            _count(tally, event, facts, calendar, hours or facts.hours)
    for case in facts.received:
        if case.accepting_center != facts.center and facts.period.contains(case.accepted_at):
            tally.items[case.item_code]["received_in"] += 1
    items = _item_lines(tally, catalog)
    counter = CounterTimes.of([s for times in tally.counter_times.values() for s in times])
    return IntakeReport(
        center=facts.center,
        center_name=facts.center_name,
        first_day=facts.period.first,
        last_day=facts.period.last,
        prepared_at=prepared_at,
        source=facts.source,
        partial=bool(facts.partial_reason),
        partial_reason=facts.partial_reason,
        accepted=tally.total("accepted"),
        notified=tally.total("notified"),
        refused=tally.total("refused"),
        guided=tally.total("guided"),
        forwarded_out=tally.total("forwarded_out"),
        received_in=tally.total("received_in"),
        deferred_accepted=tally.total("deferred"),
        by_department=_by_department(items),
        by_item={line.item_code: line.accepted for line in items if line.accepted},
        by_mode=dict(sorted(tally.by_mode.items())),
        by_clerk={c: n["accepted"] for c, n in sorted(tally.clerks.items()) if n["accepted"]},
        by_hour=dict(sorted(tally.by_hour.items())),
        by_day=_by_day(facts.period, tally.by_day),
        items=items,
        clerks=_clerk_lines(tally),
        deferred_due=_deferred_due(facts, calendar),
        overdue=_overdue(facts),
        reprints=_named(tally.anomalies["reprinted"], catalog),
        cancellations=_named(tally.anomalies["cancelled"], catalog),
        refusals=_named(tally.anomalies["refused"], catalog),
        outside_hours=_named(tally.anomalies["outside_hours"], catalog),
        sync_problems=_named(facts.sync_problems, catalog),
        workstations=tuple(facts.workstations),
        decision_interval_median_seconds=(
            None if counter.cases else _decision_interval(tally.decisions)
        ),
        notes=(*facts.notes, *_notes(tally, counter)),
        counter_time_cases=counter.cases,
        counter_time_median_seconds=counter.median_seconds,
        counter_time_p90_seconds=counter.p90_seconds,
        counter_time_left_out=tally.counter_left_out,
    )


def _clerk_lines(tally: _Tally) -> tuple[ClerkLine, ...]:
    lines = []
    for clerk, counts in sorted(tally.clerks.items()):
        times = CounterTimes.of(tally.counter_times.get(clerk, []))
        lines.append(
            ClerkLine(
                clerk=clerk,
                **counts,
                counter_time_cases=times.cases,
                counter_time_median_seconds=times.median_seconds,
                counter_time_p90_seconds=times.p90_seconds,
            )
        )
    return tuple(lines)


def _notes(tally: _Tally, counter: CounterTimes) -> list[str]:
    """What the supervisor needs to read the figures right (zh_CN)."""
    notes = []
    decided = sum(len(moments) for moments in tally.decisions.values())
    if counter.cases:
        notes.append(
            f"窗口办理时长：自识别申请人至作出决定，按记录了开始时间的 {counter.cases} 件计"
            f"（本期决定共 {decided} 件）"
        )
    elif decided:
        notes.append(
            "本期各件均无可用的开始时间（旧版本程序、脚本录入或时间有误）：窗口办理时长以"
            "同一工作站相邻两次决定的间隔中位数估计，为上限"
        )
    if tally.counter_left_out:
        limit = int(COUNTER_TIME_LIMIT.total_seconds() // 3600)
        notes.append(
            f"{tally.counter_left_out} 件的开始时间晚于决定时间或早于决定 {limit} 小时以上"
            "（表单久置或时钟有误），未计入窗口办理时长"
        )
    if tally.unrecorded_afternoons:
        notes.append(
            "本中心双休日及节假日下午的服务时间未登记：休息日 11:30 以后的 "
            f"{tally.unrecorded_afternoons} 件受理列为服务时间外受理，请核实"
        )
    return notes


def _count(
    tally: _Tally, event: Event, facts: ReportFacts, calendar: WorkingCalendar, hours: ServiceHours
) -> None:
    center, payload = facts.center, event.payload
    if event.kind == EventKind.ACCEPTED:
        if payload.get("accepting_center") == center:
            _count_accepted(tally, event, center, calendar, hours)
    elif event.kind in VISITS:
        if payload.get("center_code") == center:
            _count_visit(tally, event, VISITS[EventKind(event.kind)])
    elif event.kind in (EventKind.REPRINTED, EventKind.CANCELLED):
        item = facts.item_codes.get(event.stream_id, "")
        reason = str(payload.get("reason", ""))
        tally.anomalies[event.kind].append(
            Anomaly(event.kind, event.stream_id, item, event.clerk, event.created_at, reason)
        )


def _count_accepted(
    tally: _Tally,
    event: Event,
    center: str,
    calendar: WorkingCalendar,
    hours: ServiceHours,
) -> None:
    payload = event.payload
    item = str(payload.get("item_code", NO_ITEM))
    counts = tally.items[item]
    counts["accepted"] += 1
    if any(m.get("deferred") for m in payload.get("materials") or ()):
        counts["deferred"] += 1
    if payload.get("processing_center", center) != center:
        counts["forwarded_out"] += 1
    tally.clerks[event.clerk]["accepted"] += 1
    tally.by_mode[str(payload.get("mode", ""))] += 1
    local = event.created_at.astimezone(SHANGHAI)
    tally.by_hour[f"{local.hour:02d}"] += 1
    tally.by_day[local.date().isoformat()] += 1
    tally.decisions[event.workstation_id].append(event.created_at)
    _time_at_counter(tally, event)
    if not hours.is_open(event.created_at, calendar):
        detail = ""
        if hours.unrecorded_afternoon(event.created_at, calendar):
            tally.unrecorded_afternoons += 1
            detail = "休息日下午（本中心下午服务时间未登记）"
        tally.anomalies["outside_hours"].append(
            Anomaly("outside_hours", event.stream_id, item, event.clerk, event.created_at, detail)
        )


def _count_visit(tally: _Tally, event: Event, outcome: str) -> None:
    payload = event.payload
    item = str(payload.get("item_code") or NO_ITEM)
    tally.items[item][outcome] += 1
    tally.clerks[event.clerk][outcome] += 1
    tally.decisions[event.workstation_id].append(event.created_at)
    _time_at_counter(tally, event)
    if outcome == "refused":
        reason = str(payload.get("reason", ""))
        tally.anomalies["refused"].append(
            Anomaly("refused", event.stream_id, item, event.clerk, event.created_at, reason)
        )


def _time_at_counter(tally: _Tally, event: Event) -> None:
    started = started_at_of(event.payload)
    if started is None:
        return
    seconds = counter_seconds(started, event.created_at)
    if seconds is None:
        tally.counter_left_out += 1
    else:
        tally.counter_times[event.clerk].append(seconds)


def _item_lines(tally: _Tally, catalog: Catalog | None) -> tuple[ItemLine, ...]:
    lines = []
    for code, counts in sorted(tally.items.items()):
        name, department = _describe_item(catalog, code)
        lines.append(ItemLine(item_code=code, item_name=name, department=department, **counts))
    return tuple(lines)


def _named(anomalies: Iterable[Anomaly], catalog: Catalog | None) -> tuple[Anomaly, ...]:
    """The anomalies with their item's name: a reprinted or cancelled case's item need not be
    among the items counted in the period."""
    return tuple(
        replace(a, item_name=_describe_item(catalog, a.item_code)[0]) if a.item_code else a
        for a in anomalies
    )


def _describe_item(catalog: Catalog | None, code: str) -> tuple[str, str]:
    if code == NO_ITEM:
        return "未指明事项", "未指明"
    try:
        item = catalog.item(code) if catalog is not None else None
    except KeyError:
        item = None
    if item is None:
        return code, "目录中无此事项"
    return item.name, item.department


def _by_department(items: Sequence[ItemLine]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for line in items:
        if line.accepted:
            counts[line.department] += line.accepted
    return dict(sorted(counts.items()))


def _by_day(period: Period, counts: Counter[str]) -> dict[str, int]:
    days = (period.first + timedelta(days=n) for n in range(period.day_count))
    return {day.isoformat(): counts[day.isoformat()] for day in days}


def _deferred_due(facts: ReportFacts, calendar: WorkingCalendar) -> tuple[DeferredDue, ...]:
    last = facts.period.last
    horizon = calendar.add_working_days(last, DEFERRED_HORIZON).due
    since = deferred_since(facts.period)
    due = [
        DeferredDue(case.case_number, case.item_code, name, day, late=day < last)
        for case in facts.open_cases
        if case.accepting_center == facts.center
        and case.status in NOT_FINAL
        and case.accepted_at >= since
        for name, day in case.owed
        if day <= horizon
    ]
    return tuple(sorted(due, key=lambda d: (d.due, d.case_number, d.material)))


def _overdue(facts: ReportFacts) -> tuple[OverdueCase, ...]:
    last = facts.period.last
    late = [
        OverdueCase(
            case.case_number,
            case.item_code,
            case.status,
            case.accepting_center,
            case.processing_center,
            case.due_date,
        )
        for case in facts.open_cases
        if case.status in UNDECIDED
        and case.due_date is not None
        and case.due_date < last
        and facts.center in (case.accepting_center, case.processing_center)
    ]
    return tuple(sorted(late, key=lambda c: (c.due, c.case_number)))


def _decision_interval(decisions: Mapping[str, list[datetime]]) -> float | None:
    gaps = [
        (later - earlier).total_seconds()
        for moments in decisions.values()
        for earlier, later in zip(sorted(moments), sorted(moments)[1:], strict=False)
        if later - earlier <= DECISION_GAP_LIMIT
    ]
    return round(statistics.median(gaps), 1) if gaps else None
