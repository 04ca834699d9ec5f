"""The supervisor's desk (Ctrl+F9) in the real counter window on the real services: the figures,
charts and tables against the report, the drill-down into case search, the offline (partial)
banner, the exports, and 日结 by keyboard against a live central service.

The last test saves /tmp/ui-shots/supervisor.png (copied to docs/screenshots/ for the docs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from counter_support import (
    DemoCounter,
    applicant,
    demo_counter,
    everything,
    fast_passwords,
    item_named,
    request,
    resident_id,
)
from sync_support import CENTER_A, T0, Desk, FakeClock, Server, new_desk
from test_ui_window import focused, shoot
from tongban.desktop.app import build_counter_window
from tongban.desktop.services import DEMO_PASSWORD, Actor, Channel, Counter, Intake, Paperwork
from tongban.desktop.services.reports import Reports
from tongban.models.clock import SHANGHAI
from tongban.models.reports import IntakeReport
from tongban.models.store.clerks import ClerkRole
from tongban.ui.fonts import install_application_font
from tongban.ui.supervisor import FIGURES
from tongban.ui.tasks import TaskRunner
from tongban.ui.window import CounterWindow

pytest_plugins = ("sync_support",)

SUPERVISOR, PASSWORD = "9101", "abc12345"


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


def open_window(qtbot, counter: Counter) -> CounterWindow:
    window = build_counter_window(
        counter._context,
        runner=TaskRunner(synchronous=True),
        services=counter,
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


def log_in(qtbot, window: CounterWindow, clerk: str, password: str) -> None:
    qtbot.keyClicks(window.login_view.clerk, clerk)
    qtbot.keyClick(window.login_view.clerk, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login_view.password, password)
    qtbot.keyClick(window.login_view.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.counter


def press(which: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), which, modifier)


def figure(window: CounterWindow, key: str) -> str:
    return window.findChild(QLabel, f"supervisor.figure.{key}").accessibleDescription()


def assert_shows(window: CounterWindow, report: IntakeReport) -> None:
    desk = window.supervisor
    assert desk is not None
    for key, _caption in FIGURES[:7]:
        assert figure(window, key) == str(getattr(report, key)), key
    assert figure(window, "anomalies") == str(report.anomaly_count)
    hours = desk.view.hours.values()
    assert {h: n for h, n in hours.items() if n} == report.by_hour
    assert desk.view.share.values() == report.by_department
    assert desk.items.rowCount() == len(report.items)
    assert [desk.items.index(r, 0).data() for r in range(len(report.items))] == [
        line.item_name for line in report.items
    ]
    by_clerk = {
        desk.clerks.index(r, 0).data(): int(desk.clerks.index(r, 1).data())
        for r in range(desk.clerks.rowCount())
    }
    assert {c: n for c, n in by_clerk.items() if n} == report.by_clerk
    assert desk.deferred.rowCount() == len(report.deferred_due)
    assert desk.workstations.rowCount() == len(report.workstations)


# Offline: a demo workstation, the report from its own store --------------------------------------


def demo_day(demo: DemoCounter) -> list[str]:
    service = Intake(demo.context, Paperwork(demo.context))
    clerks = [Actor(n, "演示", ClerkRole.CLERK, Channel.COUNTER) for n in ("1001", "1002")]
    made = []
    for serial, (name, deferred) in enumerate(
        (("敬老卡申领", ()), ("生育保险待遇申领", ("本人实名银行卡",)), ("敬老卡申领", ()))
    ):
        item = item_named(name)
        who = applicant(id_number=resident_id(serial=200 + serial))
        checks = everything(item, deferred=deferred)
        done = service.accept(request(item, checks, who), clerks[serial % 2], documents=False)
        made.append(done.case_number)
        demo.clock.advance(hours=1)
    item = item_named("最低生活保障")
    service.refuse(request(item, everything(item)), clerks[1], "不符合申请条件", documents=False)
    demo.clock.advance(hours=5)  # 17:00: after the counters close
    item = item_named("敬老卡申领")
    who = applicant(id_number=resident_id(serial=210))
    late = service.accept(request(item, everything(item), who), clerks[0], documents=False)
    made.append(late.case_number)
    return made


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoCounter]:
    demo = demo_counter(tmp_path)
    yield demo
    demo.context.close()


def test_a_clerk_has_no_desk_and_a_supervisor_opens_it_with_ctrl_f9(qtbot, demo) -> None:
    window = open_window(qtbot, demo.counter)
    log_in(qtbot, window, "1001", DEMO_PASSWORD)
    titles = [window.counter.tabs.tabText(i) for i in range(window.counter.tabs.count())]
    assert not any("主管" in t for t in titles)
    press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    assert window.counter.tabs.currentIndex() == 0
    window.close()


def test_offline_the_figures_are_the_local_report_marked_partial_and_a_row_opens_its_case(
    qtbot, demo
) -> None:
    made = demo_day(demo)
    window = open_window(qtbot, demo.counter)
    log_in(qtbot, window, "9001", DEMO_PASSWORD)
    press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    desk = window.supervisor
    assert window.counter.tabs.currentWidget() is desk.view
    assert focused() == "supervisor.first"
    report = Reports(demo.context).intake(demo.context.today())
    assert report.partial and report.accepted == 4
    assert_shows(window, report)
    assert desk.view.partial.isVisible()
    assert desk.view.partial.text().startswith("部分数据（离线）：本工作站未接入中心同步服务")
    assert "日结情况未知" in desk.view.closure.text()
    # Drill-down: the acceptance after service hours, Enter on its row, the case in case search.
    anomalies = desk.view.anomalies
    kinds = [desk.anomalies.index(r, 0).data() for r in range(desk.anomalies.rowCount())]
    assert kinds == ["不予受理", "服务时间外受理"]
    anomalies.setFocus()
    anomalies.setCurrentIndex(desk.anomalies.index(0, 0))
    press(Qt.Key.Key_Return)  # a refusal is a visit, not a case: nothing to open
    assert window.counter.tabs.currentWidget() is desk.view
    assert "不是办件" in desk.view.message.text()
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Return)
    assert window.counter.tabs.currentWidget() is window.counter.cases
    assert window.cases.results.rowCount() == 1
    assert window.cases.results.row_at(0).case_number == made[-1]
    window.close()


def test_the_sign_off_dialog_by_keyboard_says_why_a_stand_alone_workstation_cannot(
    qtbot, demo, tmp_path: Path
) -> None:
    demo_day(demo)
    window = open_window(qtbot, demo.counter)
    log_in(qtbot, window, "9001", DEMO_PASSWORD)
    press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    desk = window.supervisor
    chosen = tmp_path / "day.csv"
    desk._choose_file = lambda _parent, suggested: chosen
    desk.view.exports["csv"].click()
    assert chosen.read_bytes().startswith(b"\xef\xbb\xbf") and "数据不完整" in chosen.read_text(
        encoding="utf-8-sig"
    )
    desk._choose_file = lambda _parent, suggested: tmp_path  # a folder: refused, said, unharmed
    desk.view.exports["csv"].click()
    qtbot.waitUntil(lambda: f"{tmp_path} 不是普通文件，未写入" in desk.view.message.text())
    assert tmp_path.is_dir() and chosen.is_file()
    press(Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    assert desk.dialog.isVisible()
    qtbot.waitUntil(lambda: focused() == "signoff.password", timeout=3000)
    assert "演示主管（工号 9001）" in desk.dialog.signer.text()
    qtbot.keyClicks(desk.dialog.password, DEMO_PASSWORD)
    press(Qt.Key.Key_Return)
    assert desk.dialog.isVisible()
    assert desk.dialog.message.text().startswith("本工作站未接入中心同步服务")
    press(Qt.Key.Key_Escape)
    assert not desk.dialog.isVisible()
    window.close()


# Online: a central service, two workstations, 日结 by keyboard -----------------------------------


def busy_day(desks: list[Desk], clock: FakeClock) -> None:
    """Acceptances spread over the day at two workstations, a refusal, one 容缺 case."""
    plan = [
        ("敬老卡申领", 0, 0),
        ("敬老卡申领", 1, 40),
        ("生育保险待遇申领", 0, 75),
        ("居住证新办", 1, 110),
        ("敬老卡申领", 0, 150),
        ("跨省异地就医登记备案", 1, 200),
        ("敬老卡申领", 0, 300),
        ("居住证新办", 1, 320),
        ("灵活就业社会保险补贴", 0, 390),
    ]
    start = clock.current
    for serial, (name, which, minutes) in enumerate(plan):
        clock.current = start + timedelta(minutes=minutes)
        desk = desks[which]
        actor = Actor(desk.clerk, "测试员", ClerkRole.CLERK, Channel.COUNTER)
        service = Intake(desk.context, Paperwork(desk.context))
        item = item_named(name)
        deferred = ("本人实名银行卡",) if name == "生育保险待遇申领" else ()
        who = applicant(id_number=resident_id(serial=300 + serial))
        # Identified a few minutes before the decision: the time at the counter.
        started = clock.current - timedelta(minutes=2 + serial % 4, seconds=10 * serial)
        made = replace(request(item, everything(item, deferred=deferred), who), started_at=started)
        service.accept(made, actor, documents=False)
    item = item_named("最低生活保障")
    actor = Actor(desks[1].clerk, "测试员", ClerkRole.CLERK, Channel.COUNTER)
    Intake(desks[1].context, Paperwork(desks[1].context)).refuse(
        request(item, everything(item)), actor, "不符合申请条件", documents=False
    )
    clock.current = start


def test_the_supervisor_signs_the_day_off_by_keyboard_once_every_workstation_synced(
    qtbot, central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a1 = new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    a2 = new_desk(central, tmp_path, CENTER_A, "2号窗口", clock=clock)
    central.store.add_clerk(
        number=SUPERVISOR,
        name="李主管",
        role=ClerkRole.SUPERVISOR,
        center_code=CENTER_A,
        password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD),
    )
    for desk in (a1, a2):
        desk.sync()
    clock.current = T0 - timedelta(minutes=60)  # 08:30 in Shanghai
    busy_day([a1, a2], clock)
    a1.sync()  # a2 has not synced: its cases wait in its outbox
    clock.current = T0 + timedelta(hours=7, minutes=30)  # 17:00
    window = open_window(qtbot, Counter(a1.context, passwords=fast_passwords()))
    log_in(qtbot, window, SUPERVISOR, PASSWORD)
    press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    desk = window.supervisor
    assert not desk.view.partial.isVisible()
    press(Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: focused() == "signoff.password", timeout=3000)
    qtbot.keyClicks(desk.dialog.password, PASSWORD)
    press(Qt.Key.Key_Return)
    stragglers = desk.dialog.stragglers
    assert desk.dialog.isVisible() and stragglers.isVisible()
    assert stragglers.count() == 1 and stragglers.item(0).text().startswith("2号窗口（编号 002")
    assert "暂不能日结" in desk.dialog.message.text()
    shoot(window, "supervisor-blocked")
    a2.sync()
    desk.load()  # the figures now hold a2's cases too
    day = T0.astimezone(SHANGHAI).date()
    report = Reports(a1.context).intake(day)
    assert report.accepted == 9 and report.refused == 1 and not report.partial
    assert_shows(window, report)
    assert focused() == "signoff.password"
    qtbot.keyClicks(desk.dialog.password, PASSWORD)
    press(Qt.Key.Key_Return)
    assert not desk.dialog.isVisible()
    assert desk.view.closure.text().startswith("2026-03-02 已日结：主管 李主管（工号 9101）")
    assert desk.view.message.text() == "已日结：当日受理已锁定，统计数已报送中心"
    desk.view.lists.setCurrentWidget(desk.view.workstations)
    shoot(window, "supervisor")
    window.close()


def test_the_partial_banner_is_gone_for_the_next_session(qtbot, demo) -> None:
    demo_day(demo)
    window = open_window(qtbot, demo.counter)
    log_in(qtbot, window, "9001", DEMO_PASSWORD)
    press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    assert window.supervisor.view.partial.isVisible()
    window.lock.log_out()
    assert window.counter.tabs.indexOf(window.supervisor.view) < 0
    assert window.supervisor.items.rowCount() == 0
    assert not window.supervisor.view.partial.isVisible()
    window.close()
