"""A workstation's clock as the service sees it: the header carrying it, its offset in words.

Every sync request carries the workstation's wall clock (CLOCK_HEADER, Unix milliseconds). The
service subtracts its own clock at receipt and keeps the offset with the workstation, so the
supervisor's desk can show every workstation whose clock is wrong. Ordering does not depend on
it (the hybrid logical clock protects that); a wrong clock misdates receipts and reports.
A header that cannot be read is ignored: it must never cost a request.
"""

from __future__ import annotations

from datetime import UTC, datetime

CLOCK_HEADER = "X-Tongban-Clock"  # the workstation's wall clock, Unix milliseconds
MAX_CLOCK_HEADER = 20
NOTABLE_OFFSET_SECONDS = 60  # within a minute a clock is shown as right
# A clock before 2000 or after 2200 is not a clock that is merely wrong: the header is ignored.
_EARLIEST_MS = 946_684_800_000
_LATEST_MS = 7_258_118_400_000


def clock_header(now: datetime) -> str:
    """The header value for the aware moment `now`."""
    return str(round(now.timestamp() * 1000))


def parse_clock_header(text: str | None) -> datetime | None:
    """The moment a header holds (aware, UTC); None when absent or unreadable."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > MAX_CLOCK_HEADER or not text.isascii() or not text.isdigit():
        return None
    milliseconds = int(text)
    if not _EARLIEST_MS <= milliseconds <= _LATEST_MS:
        return None
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


def offset_in_words(seconds: float | None) -> str:
    """How a supervisor reads a clock offset (the workstation's clock minus the service's):
    "快 3 分 12 秒", "慢 1 天 2 小时"; "正常" within a minute; "未知" when never measured."""
    if seconds is None:
        return "未知"
    if abs(seconds) <= NOTABLE_OFFSET_SECONDS:
        return "正常"
    direction = "快" if seconds > 0 else "慢"
    return f"{direction} {_duration(round(abs(seconds)))}"


def is_notable(seconds: float | None) -> bool:
    """Whether the offset is worth the supervisor's attention (more than a minute either way)."""
    return seconds is not None and abs(seconds) > NOTABLE_OFFSET_SECONDS


def _duration(total: int) -> str:
    # The two largest units are enough to see how wrong a clock is.
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分 {seconds} 秒" if seconds else f"{minutes} 分"
