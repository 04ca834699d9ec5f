"""What one push costs the database: the statements a counter's one-event push sends.

A counter pushes right after every accept, so this is the service's most frequent write; each
statement is a round trip made while the workstation's row is locked."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from central_support import CENTER_A, CENTER_B, FakeClock, enrolled
from sqlalchemy import event

from tongban.central.enrollment import Credentials
from tongban.central.store import CentralStore


def test_a_one_event_push_writes_the_workstations_row_once(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    a.accept(processing_center=CENTER_B)
    clock.advance(timedelta(minutes=5))  # a new contact to note, with the new sequence
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(store.database.engine, "before_cursor_execute", note)
    try:
        credentials = Credentials(a.token, app_version="test", clock=None)
        _ws, pushed = store.authenticated_push(credentials, a.outbox(), origin="-")
    finally:
        event.remove(store.database.engine, "before_cursor_execute", note)
    assert [r.outcome for r in pushed.outcome.results] == ["accepted"]
    updates = [s for s in sent if s.upper().startswith("UPDATE WORKSTATIONS")]
    assert len(updates) == 1, updates
