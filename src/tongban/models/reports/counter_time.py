"""Time at the counter per visit: from the moment the clerk identified the applicant (the
decision's `started_at`, recorded by the window) to the decision itself (the event's time).

A visit counts once, whatever its outcome (受理, 一次性告知, 不予受理, 指引): each took the
counter's time. A decision without `started_at` (written before it was recorded, or by a script)
is not measured. Neither is one whose start is after the decision or more than COUNTER_TIME_LIMIT
before it: the form was left open (overnight, over a lock), or a clock was wrong; the report says
how many were left out.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

COUNTER_TIME_LIMIT = timedelta(hours=8)  # one working day's service hours


class CounterTimeBasis:
    """What the report's counter-time figures rest on."""

    STARTED_AT = "started_at"  # exact: identification to decision, for the cases that carry it
    DECISION_INTERVAL = "decision_interval"  # fallback: gaps between decisions (an upper bound)
    NONE = "none"  # nothing to measure


def started_at_of(payload: Mapping[str, Any]) -> datetime | None:
    """The decision payload's `started_at` (ISO text in a stored payload), None when absent or
    unreadable (a naive time is unreadable: its zone is not known)."""
    raw = payload.get("started_at")
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else None


def counter_seconds(started_at: datetime, decided_at: datetime) -> float | None:
    """Seconds at the counter, or None when the start cannot be the start of this visit."""
    spent = decided_at - started_at
    if spent < timedelta(0) or spent > COUNTER_TIME_LIMIT:
        return None
    return spent.total_seconds()


@dataclass(frozen=True)
class CounterTimes:
    """Median and 90th percentile of the measured visits (seconds, one decimal)."""

    cases: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> CounterTimes:
        if not seconds:
            return cls()
        return cls(
            cases=len(seconds),
            median_seconds=round(statistics.median(seconds), 1),
            p90_seconds=round(percentile(seconds, 90), 1),
        )


def percentile(values: Sequence[float], rank: int) -> float:
    """The nearest-rank percentile: the smallest value with at least `rank` % of the values at
    or below it, so it is always a time actually spent by someone."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]
