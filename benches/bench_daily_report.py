"""One center-day intake report on a central PostgreSQL holding a year of the whole city.

Run from the repository root:
    python -m benches.bench_daily_report [--cases 1000000] [--samples 40] [--rounds 3]
(one JSON object on stdout, notes on stderr; a throwaway PostgreSQL 15 cluster)

- generation (report_data.fill): CASES cases over the 365 days up to END across all 220 centers,
  with their events, case index rows and the visits that ended without a case, by COPY.
- report: central.reports.intake_report for SAMPLES random (center, day) pairs, ROUNDS times
  each, in a read transaction of its own as the endpoint runs it (the catalog parsed once before).
- baselines, the same pairs: `SELECT count(*)` of the center's accepted cases that day
  (case_index) and of the events its workstations wrote that day (events).
- month: the 31-day range report of a few centers, for scale.
The goal (issue #7): one center-day report ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benches.report_data import fill
from benches.sync_bench_support import central_database, note
from tongban.central.database import CentralDatabase, open_database
from tongban.central.reports import CatalogShelf, intake_report
from tongban.central.schema import CaseIndexRow, EventRow
from tongban.models.clock import shanghai_now
from tongban.models.geography import shanghai
from tongban.models.reports import Period

END = date(2026, 11, 27)
GOAL_MS = 200.0


def figures(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def conninfo(url: str) -> str:
    parsed = make_url(url)
    return f"host={parsed.query['host']} user={parsed.username} dbname={parsed.database}"


def timed(action: Callable[..., object], *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


def report_of(database: CentralDatabase, shelf: CatalogShelf, center: str, period: Period):  # type: ignore[no-untyped-def]
    with database.reading() as session:
        return intake_report(session, center, period, shelf=shelf, now=shanghai_now())


def count_cases(database: CentralDatabase, center: str, period: Period) -> int:
    start, end = period.bounds()
    with database.reading() as session:
        query = select(func.count()).where(
            CaseIndexRow.accepting_center == center,
            CaseIndexRow.accepted_at >= start,
            CaseIndexRow.accepted_at < end,
        )
        return int(session.scalar(query) or 0)


def count_events(database: CentralDatabase, center: str, period: Period) -> int:
    start, end = period.bounds()
    with database.reading() as session:
        query = select(func.count()).where(
            EventRow.author_center == center,
            EventRow.created_at >= start,
            EventRow.created_at < end,
        )
        return int(session.scalar(query) or 0)


def measure(database: CentralDatabase, samples: int, rounds: int) -> dict[str, object]:
    chooser = random.Random(11)
    centers = sorted(shanghai().centers)
    pairs = [
        (chooser.choice(centers), END - timedelta(days=chooser.randrange(365)))
        for _ in range(samples)
    ]
    shelf = CatalogShelf()
    report_of(database, shelf, pairs[0][0], Period.day(pairs[0][1]))  # parse the catalog once
    times: dict[str, list[float]] = {"report": [], "count_cases": [], "count_events": []}
    accepted, agree = [], True
    for _ in range(rounds):
        for center, day in pairs:
            period = Period.day(day)
            seconds, report = timed(report_of, database, shelf, center, period)
            times["report"].append(seconds)
            seconds, cases = timed(count_cases, database, center, period)
            times["count_cases"].append(seconds)
            seconds, _events = timed(count_events, database, center, period)
            times["count_events"].append(seconds)
            accepted.append(report.accepted)  # type: ignore[attr-defined]
            agree = agree and report.accepted == cases  # type: ignore[attr-defined]
    month = []
    for center, day in pairs[:5]:
        period = Period(day - timedelta(days=30), day)
        month.append(timed(report_of, database, shelf, center, period)[0])
    result: dict[str, object] = {name: figures(values) for name, values in times.items()}
    result["month_range_report"] = figures(month)
    result["accepted_per_center_day_median"] = statistics.median(accepted)
    result["report_accepted_equals_count"] = agree
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with central_database(sqlite=False) as databases:
        note(f"生成 {args.cases} 件办件 …")
        started = time.perf_counter()
        counts = fill(conninfo(databases.url), cases=args.cases, end=END)
        generation = time.perf_counter() - started
        note(f"生成完毕：{generation:.0f} 秒；计时 …")
        database = open_database(databases.url, pool_size=2)
        try:
            measured = measure(database, args.samples, args.rounds)
        finally:
            database.close()
    report = measured["report"]
    assert isinstance(report, dict)
    print(
        json.dumps(
            {
                "bench": "daily_report",
                "database": "postgresql",
                "cases": counts.cases,
                "events": counts.events,
                "visits": counts.visits,
                "days": 365,
                "generation_seconds": round(generation, 1),
                "samples": args.samples,
                "rounds": args.rounds,
                **measured,
                "goal_ms": GOAL_MS,
                "goal_met": report["p95_ms"] <= GOAL_MS,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
