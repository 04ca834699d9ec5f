"""The hybrid logical clock: monotonic whatever the wall clock does, and causal across machines."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.store.hlc import (
    LOGICAL_MAX,
    HybridClock,
    Timestamp,
    datetime_to_ms,
)

DAY_MS = 24 * 60 * 60 * 1000
START = datetime_to_ms(datetime(2024, 5, 6, 8, 30, tzinfo=UTC))


class FakeWall:
    """A wall clock the test moves by hand."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_now_follows_the_wall_clock_when_it_moves_forward() -> None:
    wall = FakeWall(START)
    clock = HybridClock(wall)
    assert clock.now() == Timestamp(START, 0)
    wall.ms += 5
    assert clock.now() == Timestamp(START + 5, 0)


def test_now_counts_up_within_one_millisecond() -> None:
    clock = HybridClock(FakeWall(START))
    stamps = [clock.now() for _ in range(3)]
    assert stamps == [Timestamp(START, 0), Timestamp(START, 1), Timestamp(START, 2)]


def test_monotonic_when_the_wall_clock_jumps_back_a_day() -> None:
    wall = FakeWall(START)
    clock = HybridClock(wall)
    before = [clock.now() for _ in range(3)]
    wall.ms -= DAY_MS
    after = [clock.now() for _ in range(3)]
    stamps = before + after
    assert all(a < b for a, b in itertools.pairwise(stamps))
    # The physical part stays where it was until the wall clock catches up again.
    assert after[-1].physical_ms == START
    wall.ms = START + 10
    assert clock.now() == Timestamp(START + 10, 0)


@given(st.lists(st.integers(min_value=-DAY_MS, max_value=DAY_MS), min_size=1, max_size=60))
def test_monotonic_under_any_wall_clock_moves(moves: list[int]) -> None:
    wall = FakeWall(START)
    clock = HybridClock(wall)
    previous = clock.now()
    for move in moves:
        wall.ms = max(0, wall.ms + move)
        current = clock.now()
        assert current > previous
        previous = current


def test_observing_a_clock_a_day_ahead_orders_later_events_after_it() -> None:
    clock = HybridClock(FakeWall(START))
    remote = Timestamp(START + DAY_MS, 7)
    merged = clock.observe(remote)
    assert merged > remote
    assert clock.now() > merged


def test_observing_an_older_remote_time_changes_nothing_but_the_count() -> None:
    clock = HybridClock(FakeWall(START))
    first = clock.now()
    merged = clock.observe(Timestamp(START - DAY_MS, 3))
    assert merged == Timestamp(START, first.logical + 1)


def test_observe_with_equal_physical_parts_takes_the_larger_count() -> None:
    clock = HybridClock(FakeWall(START), last=Timestamp(START, 2))
    assert clock.observe(Timestamp(START, 9)) == Timestamp(START, 10)


def test_logical_overflow_borrows_the_next_millisecond() -> None:
    clock = HybridClock(FakeWall(START), last=Timestamp(START, LOGICAL_MAX))
    assert clock.now() == Timestamp(START + 1, 0)


def test_a_restarted_clock_continues_from_the_stored_time() -> None:
    wall = FakeWall(START - DAY_MS)  # the machine came back with a wrong date
    clock = HybridClock(wall, last=Timestamp(START, 4))
    assert clock.now() == Timestamp(START, 5)


timestamps = st.builds(
    Timestamp,
    st.integers(min_value=0, max_value=(1 << 47) - 1),
    st.integers(min_value=0, max_value=LOGICAL_MAX),
)


@given(timestamps, timestamps)
def test_int_and_text_encodings_sort_like_the_pair(a: Timestamp, b: Timestamp) -> None:
    assert (a < b) == (a.to_int() < b.to_int()) == (str(a) < str(b))
    assert Timestamp.from_int(a.to_int()) == a
    assert Timestamp.parse(str(a)) == a


def test_out_of_range_parts_are_refused() -> None:
    with pytest.raises(ValueError):
        Timestamp(0, LOGICAL_MAX + 1)
    with pytest.raises(ValueError):
        Timestamp(-1, 0)
    with pytest.raises(ValueError):
        Timestamp.parse("123")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        datetime_to_ms(datetime(2024, 5, 6, 8, 30))


def test_wall_time_shows_the_physical_part() -> None:
    moment = datetime(2024, 5, 6, 8, 30, tzinfo=UTC) + timedelta(milliseconds=250)
    assert Timestamp(datetime_to_ms(moment), 3).wall_time() == moment
