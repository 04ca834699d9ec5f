"""Processing a case after acceptance: its effective due date, overdue flags, and its status label.

Pure rules over a folded CaseState (models/store/events.py), the working calendar and a Shanghai
date; they never read the clock.

Due date
    `CaseState.due_date` is the date promised at acceptance. While the applicant is asked for a
    supplement (补正) the clock stops: every finished wait (`CaseState.pauses`) and the wait still
    open (from the request to `today`) move the date on by their working days
    (WorkingCalendar.extended_due). So an open wait moves the date a day at a time and never
    makes a case overdue by itself.
Overdue
    `case`: not yet decided (已受理, 已流转 or 待补正) and the effective due date is before today
    (the due day itself is still on time). A 即办件 (no due date) is never overdue.
    `supplement`: waiting for a supplement whose due date is before today.
Status label
    The store's labels (STATUS_LABELS), except that a case taken in by the processing center
    (签收) and not yet decided or waiting reads 已签收.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.models.clock import SHANGHAI
from tongban.models.rules import WorkingCalendar
from tongban.models.store.events import STATUS_LABELS, CaseState, CaseStatus

UNDECIDED = frozenset({CaseStatus.ACCEPTED, CaseStatus.FORWARDED, CaseStatus.SUPPLEMENT_REQUESTED})
RECEIVED_LABEL = "已签收"


@dataclass(frozen=True)
class Overdue:
    case: bool  # past its (effective) promised date, not yet decided
    supplement: bool  # the requested supplement is past its due date
    due: date | None  # the effective promised date; None for a 即办件

    @property
    def any(self) -> bool:
        return self.case or self.supplement


def waits(state: CaseState, today: date) -> tuple[tuple[date, date], ...]:
    """Every wait for a supplement as (requested, supplied) dates; an open one ends today."""
    done = tuple((pause.start, pause.end) for pause in state.pauses)
    if state.status is CaseStatus.SUPPLEMENT_REQUESTED and state.supplement_requested_at:
        start = state.supplement_requested_at.astimezone(SHANGHAI).date()
        return (*done, (start, max(start, today)))
    return done


def effective_due(state: CaseState, today: date, calendar: WorkingCalendar) -> date | None:
    """The promised date with the clock stopped while waiting for supplements."""
    if state.due_date is None:
        return None
    return calendar.extended_due(state.due_date, waits(state, today))


def overdue(state: CaseState, today: date, calendar: WorkingCalendar) -> Overdue:
    due = effective_due(state, today, calendar)
    late = state.status in UNDECIDED and due is not None and due < today
    supplement_late = (
        state.status is CaseStatus.SUPPLEMENT_REQUESTED
        and state.supplement_due is not None
        and state.supplement_due < today
    )
    return Overdue(case=late, supplement=supplement_late, due=due)


def status_label(state: CaseState) -> str:
    taken_in = state.received_for_processing_at is not None
    if taken_in and state.status in (CaseStatus.ACCEPTED, CaseStatus.FORWARDED):
        return RECEIVED_LABEL
    return STATUS_LABELS[state.status]
