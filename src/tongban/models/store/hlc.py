"""Hybrid logical clock (HLC): the order of events across workstations.

A timestamp is a pair (physical milliseconds since the Unix epoch, logical counter). A clock keeps
the largest pair it has issued or seen; `now()` issues a pair strictly greater than every pair
before it, taking the wall clock when it is ahead and otherwise counting up the logical part, so
a wall clock that jumps back (NTP, a clerk changing the date, a flat CMOS battery) never makes
time run backwards. `observe(remote)` merges a timestamp received from another workstation, so
whatever this workstation does after seeing a remote event sorts after that event, even when the
two clocks disagree by a day. The wall-clock time of an event is kept separately (`created_at`):
the HLC orders, it does not tell a clerk what time it was.

Encoding: one 64-bit integer, physical << 16 | logical. It sorts the same as the pair, fits SQLite
INTEGER and PostgreSQL BIGINT, and needs no parsing. `str()` gives a fixed-width hex form that sorts
the same as text. Physical time up to year 6400 fits in the 47 bits left; when the logical counter
would pass 65535 within one millisecond the clock borrows the next millisecond instead.

The wall clock is injected (a function returning milliseconds), so tests can make it jump.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

LOGICAL_BITS = 16
LOGICAL_MAX = (1 << LOGICAL_BITS) - 1
PHYSICAL_MAX = (1 << (63 - LOGICAL_BITS)) - 1

WallClock = Callable[[], int]


def system_wall_clock() -> int:
    """Milliseconds since the Unix epoch from the operating system."""
    return time.time_ns() // 1_000_000


def datetime_to_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("时间必须带时区")
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    physical_ms: int
    logical: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.physical_ms <= PHYSICAL_MAX:
            raise ValueError(f"HLC physical part out of range: {self.physical_ms}")
        if not 0 <= self.logical <= LOGICAL_MAX:
            raise ValueError(f"HLC logical part out of range: {self.logical}")

    def to_int(self) -> int:
        return (self.physical_ms << LOGICAL_BITS) | self.logical

    @classmethod
    def from_int(cls, value: int) -> Timestamp:
        if value < 0:
            raise ValueError(f"HLC value must not be negative: {value}")
        return cls(value >> LOGICAL_BITS, value & LOGICAL_MAX)

    def __str__(self) -> str:
        return f"{self.to_int():016x}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        if len(text) != 16:
            raise ValueError(f"HLC text must be 16 hex digits: {text!r}")
        return cls.from_int(int(text, 16))

    def wall_time(self) -> datetime:
        """The physical part as a UTC datetime (for display and diagnostics only)."""
        return datetime.fromtimestamp(self.physical_ms / 1000, tz=UTC)


ZERO = Timestamp(0, 0)


class HybridClock:
    """One workstation's clock. Not thread-safe: the store serialises writers."""

    def __init__(self, wall_clock: WallClock = system_wall_clock, last: Timestamp = ZERO) -> None:
        self._wall_clock = wall_clock
        self._last = last

    @property
    def last(self) -> Timestamp:
        return self._last

    def now(self) -> Timestamp:
        """A timestamp greater than every one issued or observed before."""
        return self._advance(self._wall_clock(), self._last)

    def observe(self, remote: Timestamp) -> Timestamp:
        """Merge a timestamp from another workstation; returns the new, greater, local time."""
        return self._advance(self._wall_clock(), max(self._last, remote))

    def _advance(self, wall_ms: int, floor: Timestamp) -> Timestamp:
        if wall_ms > floor.physical_ms:
            issued = Timestamp(wall_ms, 0)
        elif floor.logical < LOGICAL_MAX:
            issued = Timestamp(floor.physical_ms, floor.logical + 1)
        else:
            issued = Timestamp(floor.physical_ms + 1, 0)
        self._last = issued
        return issued
