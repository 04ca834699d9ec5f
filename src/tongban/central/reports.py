"""A center's intake report from the central store (PostgreSQL or SQLite).

The store gathers the facts with a few indexed queries (migration c0003) and hands them to the
counting shared with the workstation (tongban.models.reports.build_report):
- the events the center's workstations wrote in the period: events (author_center, created_at);
  the service lets only the accepting center write reprints and cancellations, and a center
  record only its own acceptances and visits, so these are exactly the center's own;
- the cases accepted elsewhere that the center processes: case_index (processing_center,
  accepted_at);
- the cases still open: undecided ones past their promised date, and recent ones accepted here
  with their 容缺 materials (the accepted event, less the deferred_supplied events);
- sync problems (rejections of the center's workstations) and each workstation's health: last
  contact, the outbox and the clock offset it last reported, retired or not.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from tongban.central.enrollment import list_workstations
from tongban.central.errors import NotFound
from tongban.central.events import stored_event
from tongban.central.reference import catalog_revision, catalog_revisions
from tongban.central.schema import (
    CaseIndexRow,
    CenterRow,
    EventRow,
    OutboxReportRow,
    RejectionRow,
    WorkstationRow,
)
from tongban.central.sql import one_of
from tongban.models.catalog import Catalog, CatalogError
from tongban.models.catalog.loader import parse_catalog
from tongban.models.reports import (
    NOT_FINAL,
    UNDECIDED,
    Anomaly,
    IntakeReport,
    OpenCase,
    Period,
    ReceivedCase,
    ReportFacts,
    Source,
    WorkstationHealth,
    build_report,
    center_hours,
    deferred_since,
    owed_materials,
)
from tongban.models.rules import WorkingCalendar
from tongban.models.store.events import Event, EventKind, StreamType
from tongban.models.store.report_facts import ACCEPTING_SIDE, COUNTED_KINDS

EVENT_COLUMNS = (
    EventRow.id,
    EventRow.workstation_id,
    EventRow.sequence,
    EventRow.hlc,
    EventRow.clerk,
    EventRow.kind,
    EventRow.stream_type,
    EventRow.stream_id,
    EventRow.payload,
    EventRow.created_at,
)


class CatalogShelf:
    """Parsed catalog revisions, kept by checksum: parsing one takes longer than a report."""

    def __init__(self) -> None:
        self._parsed: dict[str, Catalog] = {}
        self._lock = threading.Lock()

    def catalog_on(self, session: Session, day: date) -> Catalog | None:
        """The newest published revision in effect on `day` (the oldest when none is yet)."""
        revisions = catalog_revisions(session)
        if not revisions:
            return None
        in_effect = [r for r in revisions if r.effective_from <= day] or revisions[:1]
        chosen = in_effect[-1]
        with self._lock:
            known = self._parsed.get(chosen.checksum)
        if known is not None:
            return known
        stored = catalog_revision(session, chosen.revision)
        if stored is None:
            return None
        try:
            parsed = parse_catalog(stored.content, file_name=f"catalog-{chosen.revision}")
        except CatalogError:
            return None  # items are then shown by code, departments as unknown
        with self._lock:
            self._parsed[chosen.checksum] = parsed
        return parsed


def intake_report(
    session: Session, center: str, period: Period, *, shelf: CatalogShelf, now: datetime
) -> IntakeReport:
    """The center's report for the period; NotFound for an unknown center.

    The center's service hours (its rest-day afternoon) come from the reference data the store
    was initialised from, as on the workstation; the time at the counter travels inside the
    decision events (`started_at`), like everything else counted."""
    row = session.get(CenterRow, center)
    if row is None:
        raise NotFound(f"未知的中心代码：{center}")
    events = center_events(session, center, period)
    facts = ReportFacts(
        center=center,
        center_name=row.name,
        period=period,
        events=events,
        item_codes=reprinted_or_cancelled_items(session, events),
        received=received_cases(session, center, period),
        open_cases=open_cases(session, center, period),
        source=Source.CENTRAL,
        sync_problems=sync_problems(session, center, period),
        workstations=workstation_health(session, center),
        hours=center_hours(center),
    )
    catalog = shelf.catalog_on(session, period.last)
    calendar = WorkingCalendar(catalog.holiday_tables if catalog else ())
    return build_report(facts, catalog=catalog, calendar=calendar, prepared_at=now)


def center_events(session: Session, center: str, period: Period) -> list[Event]:
    start, end = period.bounds()
    query = select(*EVENT_COLUMNS).where(
        EventRow.author_center == center,
        EventRow.created_at >= start,
        EventRow.created_at < end,
        EventRow.kind.in_([str(k) for k in COUNTED_KINDS]),
    )
    return [stored_event(row) for row in session.execute(query)]


def reprinted_or_cancelled_items(session: Session, events: Sequence[Event]) -> dict[str, str]:
    """The item of each case these events reprint or cancel, from the case index."""
    cases = {e.stream_id for e in events if e.kind in ACCEPTING_SIDE}
    if not cases:
        return {}
    query = select(CaseIndexRow.case_number, CaseIndexRow.item_code).where(
        one_of(session, CaseIndexRow.case_number, sorted(cases))
    )
    return {number: item for number, item in session.execute(query)}


def received_cases(session: Session, center: str, period: Period) -> list[ReceivedCase]:
    start, end = period.bounds()
    query = select(
        CaseIndexRow.case_number,
        CaseIndexRow.item_code,
        CaseIndexRow.accepting_center,
        CaseIndexRow.accepted_at,
    ).where(
        CaseIndexRow.processing_center == center,
        CaseIndexRow.accepted_at >= start,
        CaseIndexRow.accepted_at < end,
        CaseIndexRow.accepting_center != center,
    )
    return [ReceivedCase(*row) for row in session.execute(query)]


def open_cases(session: Session, center: str, period: Period) -> list[OpenCase]:
    """Undecided cases of the center promised before the last day, and the recent open cases
    accepted here (for their 容缺 materials)."""
    _start, end = period.bounds()
    late = and_(
        CaseIndexRow.status.in_(UNDECIDED),
        CaseIndexRow.due_date < period.last,
        or_(CaseIndexRow.accepting_center == center, CaseIndexRow.processing_center == center),
    )
    recent = and_(
        CaseIndexRow.accepting_center == center,
        CaseIndexRow.status.in_(NOT_FINAL),
        CaseIndexRow.accepted_at >= deferred_since(period),
        CaseIndexRow.accepted_at < end,
    )
    rows = session.execute(
        select(
            CaseIndexRow.case_number,
            CaseIndexRow.item_code,
            CaseIndexRow.status,
            CaseIndexRow.accepting_center,
            CaseIndexRow.processing_center,
            CaseIndexRow.accepted_at,
            CaseIndexRow.due_date,
        ).where(or_(late, recent))
    ).all()
    mine = [r.case_number for r in rows if r.accepting_center == center]
    owed = _owed(session, mine)
    return [OpenCase(*row, owed=owed.get(row.case_number, ())) for row in rows]


def _owed(session: Session, case_numbers: list[str]) -> dict[str, tuple[tuple[str, date], ...]]:
    """Each case's 容缺 materials not yet supplied, from its accepted and supplied events."""
    if not case_numbers:
        return {}
    # Only the materials (accepted) or the material (deferred_supplied) leave the database: the
    # rest of an accepted payload (the applicant) is neither needed nor worth decoding here.
    details = case(
        (EventRow.kind == EventKind.ACCEPTED.value, EventRow.payload["materials"]),
        else_=EventRow.payload["material"],
    )
    query = select(EventRow.stream_id, EventRow.kind, details).where(
        EventRow.stream_type == StreamType.CASE,
        EventRow.stream_id.in_(case_numbers),
        EventRow.kind.in_([EventKind.ACCEPTED.value, EventKind.DEFERRED_SUPPLIED.value]),
    )
    accepted: dict[str, dict] = {}
    supplied: dict[str, list[str]] = defaultdict(list)
    for number, kind, detail in session.execute(query):
        if kind == EventKind.ACCEPTED:
            accepted[number] = {"materials": detail or []}
        else:
            supplied[number].append(str(detail or ""))
    owed = {n: owed_materials(payload, supplied[n]) for n, payload in accepted.items()}
    return {n: materials for n, materials in owed.items() if materials}


def sync_problems(session: Session, center: str, period: Period) -> list[Anomaly]:
    start, end = period.bounds()
    query = (
        select(RejectionRow)
        .join(WorkstationRow, WorkstationRow.device_id == RejectionRow.workstation_id)
        .where(
            WorkstationRow.center_code == center,
            RejectionRow.received_at >= start,
            RejectionRow.received_at < end,
        )
        .order_by(RejectionRow.received_at)
    )
    return [
        Anomaly(
            kind="sync_problem",
            reference=row.stream_id,
            item_code=str(row.event.get("payload", {}).get("item_code", "") or ""),
            clerk=str(row.event.get("clerk", "")),
            at=row.received_at,
            detail=f"{row.kind}：{row.reason}",
        )
        for row in session.scalars(query)
    ]


def workstation_health(session: Session, center: str) -> list[WorkstationHealth]:
    """Each workstation of the center: status (retired ones too), last contact, program version,
    the events its outbox held when it last reported (X-Tongban-Outbox), and its clock offset
    (X-Tongban-Clock, the workstation's clock minus the service's)."""
    query = select(OutboxReportRow.device_id, OutboxReportRow.pending).join(
        WorkstationRow, WorkstationRow.device_id == OutboxReportRow.device_id
    )
    rows = session.execute(query.where(WorkstationRow.center_code == center))
    pending = {device_id: count for device_id, count in rows}
    return [
        WorkstationHealth(
            number=w.number,
            name=w.name,
            site_code=w.site_code,
            status=w.status,
            last_contact=w.last_contact_at,
            app_version=w.app_version,
            pending_events=pending.get(w.device_id),
            clock_offset_seconds=None if w.clock_offset_ms is None else w.clock_offset_ms / 1000,
        )
        for w in list_workstations(session, center)
    ]
