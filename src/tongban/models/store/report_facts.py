"""What the workstation's own store knows of its center's period, for an offline report.

The same facts the central store gathers (central/reports.py), read from the local tables: the
events in the period (this workstation's own and those it pulled from the center), the cases
received from other centers, the open cases with their 容缺 materials (case_materials), and this
workstation's sync problems, and the center's service hours from the bundled reference data
(as the central store has them). Counting is shared: tongban.models.reports.build_report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tongban.models.reports import (
    NOT_FINAL,
    UNDECIDED,
    Anomaly,
    OpenCase,
    Period,
    ReceivedCase,
    ReportFacts,
    Source,
    WorkstationHealth,
    center_hours,
    deferred_since,
)
from tongban.models.store.closed_days import LOCKED_KINDS
from tongban.models.store.events import Event, EventKind
from tongban.models.store.projection import to_event
from tongban.models.store.schema import CaseMaterialRow, CaseRow, EventRow, SyncProblemRow

# What the day report counts, here and in the central store's reports (central/reports.py):
# the kinds a sign-off locks, so that a signed-off day's report cannot change.
COUNTED_KINDS = tuple(sorted(LOCKED_KINDS))
ACCEPTING_SIDE = frozenset({EventKind.REPRINTED, EventKind.CANCELLED})


def local_report_facts(
    session: Session,
    *,
    center: str,
    center_name: str,
    period: Period,
    partial_reason: str,
    workstations: Sequence[WorkstationHealth] = (),
) -> ReportFacts:
    events, item_codes = _center_events(session, center, period)
    return ReportFacts(
        center=center,
        center_name=center_name,
        period=period,
        events=events,
        item_codes=item_codes,
        received=_received(session, center, period),
        open_cases=_open_cases(session, center, period),
        source=Source.LOCAL,
        partial_reason=partial_reason,
        sync_problems=_sync_problems(session, period),
        workstations=workstations,
        hours=center_hours(center),
    )


def _center_events(
    session: Session, center: str, period: Period
) -> tuple[list[Event], dict[str, str]]:
    """The period's events written at the center: acceptances and visits name their center;
    reprints and cancellations are written only by the case's accepting center. With them, the
    item of each case reprinted or cancelled."""
    start, end = period.bounds()
    query = select(EventRow).where(
        EventRow.created_at >= start,
        EventRow.created_at < end,
        EventRow.kind.in_(COUNTED_KINDS),
    )
    events = [to_event(row) for row in session.scalars(query)]
    cases = {e.stream_id for e in events if e.kind in ACCEPTING_SIDE}
    ours: dict[str, str] = {}
    if cases:
        query = select(CaseRow.case_number, CaseRow.item_code).where(
            CaseRow.case_number.in_(cases), CaseRow.accepting_center == center
        )
        ours = {number: item for number, item in session.execute(query)}
    kept = [e for e in events if e.kind not in ACCEPTING_SIDE or e.stream_id in ours]
    return kept, ours


def _received(session: Session, center: str, period: Period) -> list[ReceivedCase]:
    start, end = period.bounds()
    query = select(
        CaseRow.case_number, CaseRow.item_code, CaseRow.accepting_center, CaseRow.accepted_at
    ).where(
        CaseRow.processing_center == center,
        CaseRow.accepting_center != center,
        CaseRow.accepted_at >= start,
        CaseRow.accepted_at < end,
    )
    return [ReceivedCase(*row) for row in session.execute(query)]


def _open_cases(session: Session, center: str, period: Period) -> list[OpenCase]:
    _start, end = period.bounds()
    late = and_(
        CaseRow.status.in_(UNDECIDED),
        CaseRow.due_date < period.last,
        or_(CaseRow.accepting_center == center, CaseRow.processing_center == center),
    )
    recent = and_(
        CaseRow.accepting_center == center,
        CaseRow.status.in_(NOT_FINAL),
        CaseRow.accepted_at >= deferred_since(period),
        CaseRow.accepted_at < end,
    )
    rows = list(session.scalars(select(CaseRow).where(or_(late, recent))))
    owed = _owed(session, [r.case_number for r in rows if r.accepting_center == center])
    return [
        OpenCase(
            case_number=r.case_number,
            item_code=r.item_code,
            status=r.status,
            accepting_center=r.accepting_center,
            processing_center=r.processing_center,
            accepted_at=r.accepted_at,
            due_date=r.due_date,
            owed=tuple(owed.get(r.case_number, ())),
        )
        for r in rows
    ]


def _owed(session: Session, case_numbers: list[str]) -> dict[str, list[tuple[str, date]]]:
    if not case_numbers:
        return {}
    query = (
        select(CaseMaterialRow.case_number, CaseMaterialRow.name, CaseMaterialRow.deferred_due)
        .where(
            CaseMaterialRow.case_number.in_(case_numbers),
            CaseMaterialRow.deferred.is_(True),
            CaseMaterialRow.supplied_at.is_(None),
            CaseMaterialRow.deferred_due.is_not(None),
        )
        .order_by(CaseMaterialRow.case_number, CaseMaterialRow.position)
    )
    owed: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for case, name, due in session.execute(query):
        owed[case].append((name, due))
    return owed


def _sync_problems(session: Session, period: Period) -> list[Anomaly]:
    start, end = period.bounds()
    query = (
        select(SyncProblemRow, EventRow)
        .join(EventRow, EventRow.id == SyncProblemRow.event_id)
        .where(SyncProblemRow.recorded_at >= start, SyncProblemRow.recorded_at < end)
        .order_by(SyncProblemRow.recorded_at)
    )
    return [
        Anomaly(
            kind="sync_problem",
            reference=event.stream_id,
            item_code=str(event.payload.get("item_code", "") or ""),
            clerk=event.clerk,
            at=problem.recorded_at,
            detail=f"{event.kind}：{problem.reason}",
        )
        for problem, event in session.execute(query)
    ]
