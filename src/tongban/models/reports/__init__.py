"""Reports for the supervisor's desk: a center's intake for a day or a range, Qt-free.

`build_report(ReportFacts, …)` counts; `IntakeReport` is the result every format and chart is
made from. The central store and the workstation's store each gather the facts (central/reports.py,
models/store/report_facts.py) and share the counting.
"""

from tongban.models.reports.build import (
    DEFERRED_HORIZON,
    DEFERRED_LOOKBACK,
    NOT_FINAL,
    UNDECIDED,
    OpenCase,
    ReceivedCase,
    ReportFacts,
    build_report,
    deferred_since,
    owed_materials,
)
from tongban.models.reports.counter_time import (
    COUNTER_TIME_LIMIT,
    CounterTimeBasis,
    CounterTimes,
    counter_seconds,
    percentile,
    started_at_of,
)
from tongban.models.reports.period import (
    MAX_RANGE_DAYS,
    Period,
    PeriodError,
    ServiceHours,
    center_hours,
)
from tongban.models.reports.report import (
    Anomaly,
    ClerkLine,
    DeferredDue,
    IntakeReport,
    IntakeReportBody,
    ItemLine,
    OverdueCase,
    Source,
    WorkstationHealth,
)

__all__ = [
    "COUNTER_TIME_LIMIT",
    "DEFERRED_HORIZON",
    "DEFERRED_LOOKBACK",
    "MAX_RANGE_DAYS",
    "NOT_FINAL",
    "UNDECIDED",
    "Anomaly",
    "ClerkLine",
    "CounterTimeBasis",
    "CounterTimes",
    "DeferredDue",
    "IntakeReport",
    "IntakeReportBody",
    "ItemLine",
    "OpenCase",
    "OverdueCase",
    "Period",
    "PeriodError",
    "ReceivedCase",
    "ReportFacts",
    "ServiceHours",
    "Source",
    "WorkstationHealth",
    "build_report",
    "center_hours",
    "counter_seconds",
    "deferred_since",
    "owed_materials",
    "percentile",
    "started_at_of",
]
