"""The sync tab (F11) of the counter window, with the recording service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from test_ui_support import TODAY, RecordingServices, case_number
from test_ui_window import focused, key, log_in, make_window, shoot
from tongban.ui.fonts import install_application_font
from tongban.ui.ports import PendingEventRow, ServiceError, SyncProblemRow
from tongban.ui.window import CounterWindow

START = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0)


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


@pytest.fixture
def services() -> RecordingServices:
    pending = [
        PendingEventRow(START + timedelta(minutes=i), "受理", case_number(), "1001 王敏")
        for i in range(25)
    ]
    problem = SyncProblemRow(START, "受理", case_number(), "中心拒收：受理编号已被占用")
    return RecordingServices(sync_count=25, pending_rows=pending, problem_rows=[problem])


@pytest.fixture
def window(qtbot, services: RecordingServices) -> Iterator[CounterWindow]:
    window = make_window(qtbot, services)
    yield window
    window.close()


def test_f11_shows_every_waiting_event_and_the_problems(qtbot, window, services):
    log_in(qtbot, window)
    assert "sync_details" not in services.names()  # read only when the tab is shown
    key(window, Qt.Key.Key_F11)
    assert window.counter.tabs.currentWidget() is window.counter.sync
    assert services.names().count("sync_details") == 1
    assert focused() == "sync.pending"
    pending = window.findChild(QTableView, "sync.pending")
    problems = window.findChild(QTableView, "sync.problems")
    assert pending.model().rowCount() == 25
    assert problems.model().rowCount() == 1
    assert pending.model().index(24, 0).data() == "2026-03-02 09:24:00"
    assert problems.model().index(0, 3).data() == "中心拒收：受理编号已被占用"
    assert window.counter.sync.pending_title.text() == "待同步事件 25"
    assert window.counter.sync.problems_title.text() == "同步问题 1"
    assert pending.accessibleName() == "待同步事件" and problems.accessibleName() == "同步问题"
    shoot(window, "18-sync")


def test_refresh_reads_again_and_leaving_the_tab_drops_the_lists(qtbot, window, services):
    log_in(qtbot, window)
    key(window, Qt.Key.Key_F11)
    services.pending_rows = services.pending_rows[:3]
    services.problem_rows = []
    window.counter.sync.refresh.click()
    assert window.sync.pending.rowCount() == 3 and window.sync.problems.rowCount() == 0
    assert window.counter.sync.message.text() == "以上事件尚未同步到中心"
    key(window, Qt.Key.Key_F11)  # on the tab already: read anew
    assert services.names().count("sync_details") == 3
    key(window, Qt.Key.Key_F2)
    assert window.counter.tabs.currentIndex() == 0
    assert window.sync.pending.rowCount() == 0
    key(window, Qt.Key.Key_F11)
    assert services.names().count("sync_details") == 4
    assert window.sync.pending.rowCount() == 3


def test_a_failed_read_is_shown_in_the_tab(qtbot, window, services):
    def refused() -> tuple[list[PendingEventRow], list[SyncProblemRow]]:
        raise ServiceError("本地数据库无法读取")

    services.sync_details = refused  # type: ignore[method-assign]
    log_in(qtbot, window)
    key(window, Qt.Key.Key_F11)
    assert window.counter.sync.message.text() == "本地数据库无法读取"
    assert window.sync.pending.rowCount() == 0
