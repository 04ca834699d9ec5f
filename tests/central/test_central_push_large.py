"""A big push (a workstation back after a day offline) is stored exactly as a small one.

On PostgreSQL a push of COPY_FROM_ROWS events or more goes in by COPY (central/sql.py), past the
INSERT path: these tests hold the two paths to the same result — the same events pulled back,
the same case index, the feed ordered and complete, one effect on a replay.
"""

from pathlib import Path

import pytest
from central_support import CENTER_A, CENTER_B, Counter, central_event_ids, enrolled

from tongban.central.sql import COPY_FROM_ROWS
from tongban.central.store import CentralStore
from tongban.models.store import EventKind, ReceiptPrinted

CASES = COPY_FROM_ROWS  # two events a case: well past the threshold


@pytest.fixture
def pair(store: CentralStore, tmp_path: Path) -> tuple[Counter, Counter]:
    return enrolled(store, tmp_path, CENTER_A), enrolled(store, tmp_path, CENTER_B)


def offline_day(a: Counter) -> list[str]:
    """CASES separated cases for B, each with its receipt printed; the case numbers."""
    cases = []
    for _ in range(CASES):
        case = a.accept(processing_center=CENTER_B)
        a.record(case, EventKind.RECEIPT_PRINTED, ReceiptPrinted())
        cases.append(case)
    return cases


def test_a_big_push_is_pulled_back_event_for_event(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, b = pair
    offline_day(a)
    batch = a.outbox()
    assert len(batch) >= COPY_FROM_ROWS
    pushed = store.push(a.workstation, batch)
    assert {r.outcome for r in pushed.outcome.results} == {"accepted"}
    assert pushed.outcome.expected_sequence == batch[-1].sequence + 1
    pulled = store.pull(b.workstation, None, limit=len(batch) + 10)
    assert list(pulled.batch.events) == batch  # payloads, times and clocks unchanged
    assert central_event_ids(store) == [e.id for e in batch]


def test_a_big_push_indexes_every_case(store: CentralStore, pair: tuple[Counter, Counter]) -> None:
    a, _b = pair
    cases = offline_day(a)
    store.push(a.workstation, a.outbox())
    for case in cases:
        entry = store.case(case)
        assert entry is not None
        assert (entry.processing_center, entry.event_count) == (CENTER_B, 2)


def test_a_big_push_replayed_has_one_effect(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, _b = pair
    offline_day(a)
    batch = a.outbox()
    store.push(a.workstation, batch)
    again = store.push(a.workstation, batch)
    assert {r.outcome for r in again.outcome.results} == {"duplicate"}
    assert len(central_event_ids(store)) == len(batch)


def test_the_feed_continues_after_a_big_push(
    store: CentralStore, pair: tuple[Counter, Counter]
) -> None:
    a, b = pair
    offline_day(a)
    first = a.outbox()
    store.push(a.workstation, first)
    a.synced([e.id for e in first])
    head = store.pull(b.workstation, None, limit=len(first) + 10)
    case = a.accept(processing_center=CENTER_B)  # one more, by the small path
    store.push(a.workstation, a.outbox())
    after = store.pull(b.workstation, head.batch.cursor, limit=10)
    assert [e.stream_id for e in after.batch.events] == [case]
