"""A workstation's clock: the header (models/workstation_clock.py), the offset in words, and the
supervisor desk's workstation table that shows it with the retired status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.reports import WorkstationHealth
from tongban.models.workstation_clock import (
    clock_header,
    is_notable,
    offset_in_words,
    parse_clock_header,
)

MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
)


@given(MOMENTS)
def test_the_header_carries_a_moment_to_the_millisecond(moment: datetime) -> None:
    parsed = parse_clock_header(clock_header(moment))
    assert parsed is not None and abs(parsed - moment) <= timedelta(milliseconds=1)


@given(st.text(max_size=30))
def test_any_header_text_is_read_or_ignored_never_raised(text: str) -> None:
    parsed = parse_clock_header(text)
    assert parsed is None or parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [None, "", " ", "abc", "-1", "1.5", "1e12", "+1700000000000", "1" * 21, "946684799999"],
)
def test_unreadable_or_impossible_clocks_are_ignored(text: str | None) -> None:
    assert parse_clock_header(text) is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "未知"),
        (0, "正常"),
        (-60, "正常"),
        (60.0, "正常"),
        (60.4, "快 1 分"),  # more than a minute: flagged, to the second
        (61, "快 1 分 1 秒"),
        (192, "快 3 分 12 秒"),
        (-180, "慢 3 分"),
        (-7_500, "慢 2 小时 5 分"),
        (3_600, "快 1 小时"),
        (86_400, "快 1 天"),
        (-(86_400 * 3 + 3_600 * 5 + 59), "慢 3 天 5 小时"),
    ],
)
def test_the_offset_in_words(seconds: float | None, words: str) -> None:
    assert offset_in_words(seconds) == words
    assert is_notable(seconds) == (words not in ("未知", "正常"))


def test_the_desk_table_shows_the_offset_in_words_and_retired_workstations(qapp) -> None:
    from tongban.ui.supervisor_tables import workstations_model

    def health(number: int, status: str, offset: float | None) -> WorkstationHealth:
        return WorkstationHealth(
            number=number,
            name=f"{number}号窗口",
            site_code="310104003",
            status=status,
            last_contact=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
            app_version="0.3.0",
            pending_events=number - 1,
            clock_offset_seconds=offset,
        )

    model = workstations_model()
    model.set_rows(
        [health(1, "active", 192.4), health(2, "retired", -3.0), health(3, "active", None)]
    )

    def row(r: int) -> list[str]:
        return [model.data(model.index(r, c)) for c in range(model.columnCount())]

    assert row(0) == ["001", "1号窗口", "使用中", "03-02 09:30", "0", "0.3.0", "快 3 分 12 秒"]
    assert row(1) == ["002", "2号窗口", "已停用", "03-02 09:30", "1", "0.3.0", "正常"]
    assert row(2)[-1] == "—"
