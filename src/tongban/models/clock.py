"""Time as the counters see it: Shanghai local time, whatever zone the machine is set to."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


def shanghai_today() -> date:
    return shanghai_now().date()
