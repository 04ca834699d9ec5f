"""Rows that are caches of the event log: a case's row and materials, a visit's row.

`write_case` stores a CaseState (always the fold of the case's events) in cases and
case_materials; `verify_case` re-folds the events and reports every column that differs, so
tests (and a supervisor's check tool) can prove the cache is true. Event rows are converted to
and from the Event dataclass here too, so no ORM row leaves the store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.models.store import payloads as p
from tongban.models.store.applicants import remember_applicant
from tongban.models.store.events import CaseState, Event, EventKind, StreamType, fold
from tongban.models.store.schema import ApplicantRow, CaseMaterialRow, CaseRow, EventRow, VisitRow


def to_event(row: EventRow) -> Event:
    return Event.from_columns(row)


def to_row(event: Event, *, synced_at: Any = None) -> EventRow:
    return EventRow(**event.columns(), synced_at=synced_at)


def stream_events(session: Session, stream_type: StreamType, stream_id: str) -> list[Event]:
    query = (
        select(EventRow)
        .where(EventRow.stream_type == stream_type, EventRow.stream_id == stream_id)
        .order_by(EventRow.hlc, EventRow.workstation_id, EventRow.sequence, EventRow.id)
    )
    return [to_event(row) for row in session.scalars(query)]


def case_columns(state: CaseState) -> dict[str, Any]:
    """The cases-row columns a state determines (all but applicant_id)."""
    agent = state.agent
    return {
        "item_code": state.item_code,
        "catalog_revision": state.catalog_revision,
        "mode": str(state.mode),
        "agent_name": agent.name if agent else None,
        "agent_document_type": agent.document_type if agent else None,
        "agent_id_number": agent.id_number if agent else None,
        "agent_relationship": agent.relationship if agent else None,
        "accepting_center": state.accepting_center,
        "accepting_site": state.accepting_site,
        "processing_center": state.processing_center,
        "status": str(state.status),
        "accepted_at": state.accepted_at,
        "due_date": state.due_date,
        "clerk": state.clerk,
        "receipt_prints": state.receipt_prints,
        "signed_documents": list(state.signed_documents),
        "forwarded_at": state.forwarded_at,
        "supplement_due": state.supplement_due,
        "decided_at": state.decided_at,
        "ready_at": state.ready_at,
        "closed_at": state.closed_at,
        "closing_reason": state.closing_reason,
        "last_event_id": state.last_event_id,
        "last_event_hlc": state.last_event_hlc.to_int() if state.last_event_hlc else 0,
        "event_count": state.event_count,
        "problems": [
            {"event_id": x.event_id, "kind": x.kind, "message": x.message} for x in state.problems
        ],
    }


def material_columns(state: CaseState) -> list[dict[str, Any]]:
    return [
        {
            "position": position,
            "name": m.name,
            "original_seen": m.original_seen,
            "copies_received": m.copies_received,
            "deferred": m.deferred,
            "deferred_due": m.deferred_due,
            "supplied_at": m.supplied_at,
        }
        for position, m in enumerate(state.materials)
    ]


def write_case(session: Session, state: CaseState) -> None:
    """Store a folded state. A stream with no accepted event yet has no row to write."""
    if not state.exists or state.applicant is None:
        return
    applicant = _applicant_row(session, state.applicant)
    row = session.get(CaseRow, state.case_number)
    if row is None:
        row = CaseRow(case_number=state.case_number)
        session.add(row)
    row.applicant_id = applicant.id
    for column, value in case_columns(state).items():
        setattr(row, column, value)
    session.flush()
    _write_materials(session, state)


def _applicant_row(session: Session, person: p.Person) -> ApplicantRow:
    query = select(ApplicantRow).where(
        ApplicantRow.document_type == person.document_type,
        ApplicantRow.id_number == person.id_number,
    )
    return session.scalars(query).one()


def _write_materials(session: Session, state: CaseState) -> None:
    existing = {row.name: row for row in _material_rows(session, state.case_number)}
    wanted = material_columns(state)
    for values in wanted:
        row = existing.pop(values["name"], None)
        if row is None:
            session.add(CaseMaterialRow(case_number=state.case_number, **values))
            continue
        for column, value in values.items():
            setattr(row, column, value)
    for stale in existing.values():
        session.delete(stale)
    session.flush()


def _material_rows(session: Session, case_number: str) -> list[CaseMaterialRow]:
    query = (
        select(CaseMaterialRow)
        .where(CaseMaterialRow.case_number == case_number)
        .order_by(CaseMaterialRow.position)
    )
    return list(session.scalars(query))


def remember_people(session: Session, event: Event) -> None:
    """Keep the applicant an event names (accepted, or an identified visit) in applicants."""
    person = _person_in(event)
    if person is not None:
        remember_applicant(session, person, event.hlc, event.created_at)


def _person_in(event: Event) -> p.Person | None:
    raw = event.payload.get("applicant")
    if event.kind not in _KINDS_NAMING_PEOPLE or raw is None:
        return None
    try:
        return p.load_payload(p.Person, raw)
    except p.PayloadError:
        return None  # the fold reports the unreadable payload; nothing to remember


_VISIT_TYPES: dict[EventKind, type[p.VisitFacts]] = {
    EventKind.NOTIFIED: p.Notified,
    EventKind.REFUSED: p.Refused,
    EventKind.GUIDED: p.Guided,
}
_KINDS_NAMING_PEOPLE = frozenset({EventKind.ACCEPTED, *_VISIT_TYPES})
_VISIT_DETAILS = ("missing", "note", "reason", "guidance")


def write_visit(session: Session, event: Event) -> bool:
    """Project a visit event into visits; False when it cannot be read or the visit exists."""
    if session.get(VisitRow, event.stream_id) is not None:
        return False
    try:
        facts = event.read_payload(_VISIT_TYPES[EventKind(event.kind)])
    except (ValueError, KeyError):
        return False
    applicant_id = None
    if facts.applicant is not None:
        applicant_id = _applicant_row(session, facts.applicant).id
    session.add(
        VisitRow(
            id=event.stream_id,
            event_id=event.id,
            outcome=event.kind,
            center_code=facts.center_code,
            site_code=facts.site_code,
            item_code=facts.item_code,
            catalog_revision=facts.catalog_revision,
            applicant_id=applicant_id,
            clerk=event.clerk,
            visited_at=event.created_at,
            details={k: v for k, v in p.dump_payload(facts).items() if k in _VISIT_DETAILS},
        )
    )
    session.flush()
    return True


def verify_case(session: Session, case_number: str) -> list[str]:
    """Every way the stored case differs from the fold of its events; empty when they agree."""
    events = stream_events(session, StreamType.CASE, case_number)
    row = session.get(CaseRow, case_number)
    if not events:
        return [] if row is None else [f"案件 {case_number} 有状态记录但没有事件"]
    state = fold(events)
    if row is None:
        return [f"案件 {case_number} 缺少状态记录"] if state.exists else []
    differences = [
        _difference(column, getattr(row, column), value)
        for column, value in case_columns(state).items()
        if getattr(row, column) != value
    ]
    applicant = session.get(ApplicantRow, row.applicant_id)
    expected = state.applicant
    if (
        applicant is None
        or expected is None
        or (
            (applicant.document_type, applicant.id_number)
            != (expected.document_type, expected.id_number)
        )
    ):
        differences.append("applicant_id: 记录的申请人与受理事件中的申请人不符")
    stored_materials = [_material_values(m) for m in _material_rows(session, case_number)]
    if stored_materials != material_columns(state):
        differences.append("case_materials: 材料记录与事件推算不符")
    return differences


def _difference(column: str, stored: Any, folded: Any) -> str:
    if column == "agent_id_number":  # never put an identity number into a message
        return f"{column}: 记录与事件推算不符"
    return f"{column}: 记录为 {stored!r}，事件推算为 {folded!r}"


def _material_values(row: CaseMaterialRow) -> dict[str, Any]:
    return {
        "position": row.position,
        "name": row.name,
        "original_seen": row.original_seen,
        "copies_received": row.copies_received,
        "deferred": row.deferred,
        "deferred_due": row.deferred_due,
        "supplied_at": row.supplied_at,
    }
