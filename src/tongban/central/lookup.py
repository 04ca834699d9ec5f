"""Status look-up anywhere: a case number and the last four characters of the applicant's ID.

Any enrolled workstation may ask (the applicant may walk into any center), on behalf of one of
its center's clerks (the X-Tongban-Clerk header). The answer is the case's fold over the
central log, told as models/lookup_wire.py says: masked applicant, status, centers, timeline.

No oracle: an unknown case number and a wrong ID suffix get the same "not found". Guessing is
limited: after MAX_MISSES failed look-ups of one case number within an hour, further look-ups of
that number are refused for the rest of the hour, whether the case exists or not. Every
look-up, answered or not, is one append-only row in lookup_audit (who, which number, when,
outcome), written in its own transaction even when the answer is a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.central.clerks import clerk_center
from tongban.central.enrollment import Workstation
from tongban.central.errors import CentralError
from tongban.central.events import stored_event
from tongban.central.schema import EventRow, LookupAuditRow
from tongban.models.clock import SHANGHAI
from tongban.models.lookup_wire import LookupResponse, answer_from_state, id_matches
from tongban.models.rules import normalise_case_number
from tongban.models.store.events import Event, StreamType, fold

MAX_MISSES = 10
MISS_WINDOW = timedelta(hours=1)


class TooManyLookups(CentralError):
    status = 429
    code = "too_many_requests"


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    TOO_MANY = "too_many"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class Looked:
    outcome: Outcome
    answer: LookupResponse | None = None


def lookup_case(
    session: Session,
    *,
    workstation: Workstation,
    clerk: str,
    case_number: str,
    id_last4: str,
    at: datetime,
) -> Looked:
    """Look the case up and audit the look-up; the caller commits, then answers the outcome."""
    number = normalise_case_number(case_number)[:64]
    looked = _look(session, workstation, clerk, number, id_last4, at)
    session.add(
        LookupAuditRow(
            at=at,
            device_id=workstation.device_id,
            center_code=workstation.center_code,
            clerk=clerk[:20],
            case_number=number,
            outcome=looked.outcome.value,
        )
    )
    session.flush()
    return looked


def _look(
    session: Session, ws: Workstation, clerk: str, number: str, id_last4: str, at: datetime
) -> Looked:
    if clerk_center(session, clerk) != ws.center_code:
        return Looked(Outcome.FORBIDDEN)
    if _recent_misses(session, number, at) >= MAX_MISSES:
        return Looked(Outcome.TOO_MANY)
    rows = list(
        session.scalars(
            select(EventRow).where(
                EventRow.stream_type == StreamType.CASE, EventRow.stream_id == number
            )
        )
    )
    if not rows:
        return Looked(Outcome.NOT_FOUND)
    pairs = sorted(((stored_event(r), r.author_center) for r in rows), key=_order)
    state = fold(e for e, _center in pairs)
    if not state.exists or not id_matches(state, id_last4):
        return Looked(Outcome.NOT_FOUND)
    today = at.astimezone(SHANGHAI).date()
    return Looked(Outcome.FOUND, answer_from_state(state, pairs, today=today))


def _order(pair: tuple[Event, str]) -> tuple[int, str, int, str]:
    return pair[0].order_key()


def _recent_misses(session: Session, number: str, at: datetime) -> int:
    query = (
        select(func.count())
        .select_from(LookupAuditRow)
        .where(
            LookupAuditRow.case_number == number,
            LookupAuditRow.outcome.in_([Outcome.NOT_FOUND.value, Outcome.TOO_MANY.value]),
            LookupAuditRow.at >= at - MISS_WINDOW,
        )
    )
    return int(session.scalar(query) or 0)
