"""The status look-up's JSON body (GET /v1/lookup/{case_number}), shared by service and client.

What any center may tell an applicant who gives a case number and the last four characters of
their identity number: the status, the centers, the dates and the timeline (kinds, times, the
center that wrote each event). The applicant appears masked only; no clerk numbers, no full ID.
`answer_from_state` builds the answer from a folded case, so the service and the workstation's
offline fallback say the same thing. Unknown keys are ignored, so a newer peer may add fields.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tongban.models.processing import status_label, waits
from tongban.models.rules import mask_identity, normalise_identity
from tongban.models.store.events import CaseState, Event

IdLast4 = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{4}$")]
CLERK_HEADER = "X-Tongban-Clerk"
NOT_FOUND = "没有找到该办件，或证件号码后四位不符"


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LookupEvent(_Body):
    kind: str  # an EventKind value (or one a newer version wrote)
    at: AwareDatetime
    center: str  # the center whose workstation wrote it


class LookupResponse(_Body):
    case_number: str
    status: str  # a CaseStatus value
    status_label: str
    item_code: str
    accepting_center: str
    processing_center: str
    collection_center: str
    applicant_name_masked: str
    applicant_id_masked: str
    accepted_at: AwareDatetime
    due_date: date | None  # as promised at acceptance
    # Waits for supplements as [requested, supplied] dates (an open one ends on the answer's
    # day): the promised date moves on by their working days (WorkingCalendar.extended_due).
    waits: list[tuple[date, date]]
    received: bool  # 签收 by the processing center
    supplement_materials: list[str]  # an open 补正 request: what is needed, by when
    supplement_due: date | None
    closing_reason: str  # the reason of a rejection or cancellation
    events: list[LookupEvent]


def id_matches(state: CaseState, id_last4: str) -> bool:
    """Whether the last four characters of the applicant's number are these (X in any case)."""
    if state.applicant is None:
        return False
    number = normalise_identity(state.applicant.id_number)
    return len(number) >= 4 and number[-4:].upper() == id_last4.strip().upper()


def mask_name(name: str) -> str:
    """王五 → 王*, 欧阳小明 → 欧***: enough for the applicant to recognise, no more."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def answer_from_state(
    state: CaseState, events: list[tuple[Event, str]], *, today: date
) -> LookupResponse:
    """The answer for a folded case and its events (each with the center that wrote it), on
    `today` (a Shanghai date)."""
    applicant = state.applicant
    assert applicant is not None and state.accepted_at is not None
    return LookupResponse(
        case_number=state.case_number,
        status=str(state.status),
        status_label=status_label(state),
        item_code=state.item_code,
        accepting_center=state.accepting_center,
        processing_center=state.processing_center,
        collection_center=state.collection_center,
        applicant_name_masked=mask_name(applicant.name),
        applicant_id_masked=mask_identity(applicant.id_number),
        accepted_at=state.accepted_at,
        due_date=state.due_date,
        waits=list(waits(state, today)),
        received=state.received_for_processing_at is not None,
        supplement_materials=list(state.supplement_materials),
        supplement_due=state.supplement_due,
        closing_reason=state.closing_reason,
        events=[LookupEvent(kind=e.kind, at=e.created_at, center=c) for e, c in events],
    )
