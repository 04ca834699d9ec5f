"""The next case number of this workstation (format: tongban.models.rules.case_number).

A case number is center code + day + workstation number + the workstation's daily serial. The
serial must never repeat for a day, across restarts and even when the machine's date goes back,
so it is not kept in a counter that could disagree with the log: the next serial is one past the
highest serial of that day found among the case streams in the event log. Call this in the same
write transaction as the accepted event (the write lock makes it race-free); a number whose
acceptance was rolled back was never issued and is given out again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.models.rules import is_valid_case_number, make_case_number
from tongban.models.rules.case_number import MAX_SERIAL
from tongban.models.store.errors import StoreError
from tongban.models.store.events import StreamType
from tongban.models.store.schema import EventRow
from tongban.models.store.workstation import this_workstation_row

_SERIAL_DIGITS = 4


def next_case_number(session: Session, *, workstation: str, day: date) -> str:
    """A new case number for `day` (the Shanghai date of acceptance)."""
    ws = this_workstation_row(session, workstation)
    prefix = f"{ws.center_code}{day:%y%m%d}{ws.number:03d}"
    # ':' sorts right after '9': a range the (stream_type, stream_id) index can answer.
    numbers = session.scalars(
        select(EventRow.stream_id)
        .where(
            EventRow.stream_type == StreamType.CASE,
            EventRow.stream_id >= prefix,
            EventRow.stream_id < prefix + ":",
        )
        .distinct()
    )
    used = [
        int(number[len(prefix) : len(prefix) + _SERIAL_DIGITS])
        for number in numbers
        if is_valid_case_number(number)
    ]
    serial = max(used, default=0) + 1
    if serial > MAX_SERIAL:
        raise StoreError("本工作站当日受理编号已用完")
    return make_case_number(ws.center_code, day, ws.number, serial)
