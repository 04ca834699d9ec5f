"""The whole counter window with a recording service: the clerk's day, by keyboard.

Every test saves screenshots of the steps to /tmp/ui-shots (popups and dialogs painted in).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from test_ui_support import (
    AGENT_ID,
    CATALOG,
    NANJING_EAST,
    OLD_MAN_ID,
    TIANPING,
    TODAY,
    YOUNG_WOMAN_ID,
    RecordingServices,
    a_case,
    a_pdf,
    streets_geography,
    type_chinese,
)
from tongban.models.intake import MaterialCheck
from tongban.ui.fonts import install_application_font
from tongban.ui.ports import CaseEvent, IntakeRequest, KnownApplicant
from tongban.ui.tasks import TaskRunner
from tongban.ui.window import CounterWindow

SHOTS = Path("/tmp/ui-shots")
GEOGRAPHY = streets_geography()
REQUIRED_NAMES = [
    "login.clerk",
    "login.password",
    "login.submit",
    "login.error",
    "applicant.idType",
    "applicant.idNumber",
    "applicant.idInfo",
    "applicant.name",
    "applicant.phone",
    "applicant.householdStreet",
    "applicant.residenceStreet",
    "item.search",
    "item.results",
    "item.routing",
    "materials.list",
    "materials.status",
    "action.accept",
    "action.notify",
    "action.refuse",
    "action.next",
    "case.number",
    "cases.search",
    "cases.results",
    "status.sync",
    "status.syncProblems",
    "banner.demo",
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


def make_window(qtbot, services: RecordingServices, **options: object) -> CounterWindow:
    window = CounterWindow(
        services,
        GEOGRAPHY,
        CATALOG,
        runner=TaskRunner(synchronous=True),
        today=lambda: TODAY,
        **options,  # type: ignore[arg-type]
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


@pytest.fixture
def services() -> RecordingServices:
    return RecordingServices(sync_count=2, receipt_pdf=a_pdf(), notice_pdf=a_pdf())


@pytest.fixture
def window(qtbot, services: RecordingServices) -> Iterator[CounterWindow]:
    window = make_window(qtbot, services)
    yield window
    window.close()


def shoot(window: CounterWindow, name: str) -> None:
    """The window with its open popups and dialogs painted where they are."""
    QApplication.processEvents()
    if window.documents.preview is not None:  # QPdfView renders pages on a thread of its own
        for _ in range(20):
            time.sleep(0.01)
            QApplication.processEvents()
    image = window.grab().toImage()
    painter = QPainter(image)
    for top in QApplication.topLevelWidgets():
        is_popup = top.windowType() == Qt.WindowType.Popup
        if top is window or not top.isVisible() or not (is_popup or _belongs_to(top, window)):
            continue
        at = window.mapFromGlobal(top.mapToGlobal(QPoint(0, 0)))
        if top.isModal():  # dialogs open centred over the window
            at = QPoint((window.width() - top.width()) // 2, (window.height() - top.height()) // 2)
        painter.drawPixmap(at, top.grab())
    painter.end()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SHOTS / f"{name}.png"))


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


def key(window: CounterWindow, which: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed wherever the focus is, as the clerk would."""
    QTest.keyClick(QApplication.focusWidget() or window, which, modifier)


def back_to(qtbot, window: CounterWindow) -> None:
    """After a dialog or popup closes, the window manager activates the window again.

    The offscreen platform activates a popup late (on the next event loop pass) and never gives
    activation back, so the tests do it.
    """
    qtbot.wait(10)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def today_at(hour: int, minute: int) -> datetime:
    return datetime(TODAY.year, TODAY.month, TODAY.day, hour, minute)


def focused() -> str:
    widget = QApplication.focusWidget()
    return widget.objectName() if widget is not None else ""


def type_digits(qtbot, widget: QLineEdit, digits: str) -> None:
    """Digits typed quickly are held back briefly by the ID scanner filter, then delivered."""
    widget.setFocus()
    qtbot.keyClicks(widget, digits)
    qtbot.waitUntil(lambda: widget.text().endswith(digits), timeout=2000)


def log_in(qtbot, window: CounterWindow) -> None:
    qtbot.keyClicks(window.login_view.clerk, "1001")
    qtbot.keyClick(window.login_view.clerk, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login_view.password, "secret-1001")
    qtbot.keyClick(window.login_view.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.counter


def scan(qtbot, number: str) -> None:
    """A card reader: 18 characters and Enter within milliseconds, into whatever has focus."""
    target = QApplication.focusWidget()
    qtbot.keyClicks(target, number)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def fill_applicant(qtbot, window: CounterWindow, number: str, name: str, street: str) -> None:
    """From the empty form: scan, name, phone, household street by pinyin; ends on the item."""
    scan(qtbot, number)
    assert focused() == "applicant.name"
    type_chinese(window.counter.applicant.name, name)
    qtbot.keyClick(window.counter.applicant.name, Qt.Key.Key_Return)
    type_digits(qtbot, window.counter.applicant.phone, "13800138000")
    qtbot.keyClick(window.counter.applicant.phone, Qt.Key.Key_Return)
    assert focused() == "applicant.householdStreet"
    line = window.counter.applicant.household.street.lineEdit()
    qtbot.keyClicks(line, street)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    back_to(qtbot, window)


def pick_item(qtbot, window: CounterWindow, query: str) -> None:
    key(window, Qt.Key.Key_F3)
    assert focused() == "item.search"
    qtbot.keyClicks(window.counter.items.search, query)
    qtbot.keyClick(window.counter.items.search, Qt.Key.Key_Return)
    assert focused() == "materials.list"


# Login, status bar, banner ---------------------------------------------------------------------


def test_login_then_the_counter_with_the_session_in_the_status_bar(qtbot, window, services):
    login = window.login_view
    assert login.demo_hint.isVisible() and window.banner.isVisible()
    shoot(window, "01-login")
    qtbot.keyClicks(login.clerk, "1001")
    qtbot.keyClicks(login.password, "wrong")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert login.error.text() == "工号或密码不正确，还可尝试 4 次"
    shoot(window, "01b-login-refused")
    qtbot.keyClicks(login.password, "secret-1001")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.counter
    status = window.status
    assert status.center.text() == "天平路街道社区事务受理服务中心"
    assert status.clerk.text() == "1001 王敏（窗口受理员）"
    assert status.workstation.text() == "3号窗口"
    assert status.sync.text() == "单机 · 待同步 2"
    assert focused() == "applicant.idNumber"
    shoot(window, "02-counter-empty")


def test_every_named_widget_exists_once_with_a_chinese_accessible_name(window):
    for name in REQUIRED_NAMES:
        found = window.findChildren(QWidget, name)
        assert len(found) == 1, name
        assert _CJK.search(found[0].accessibleName()), name


def test_the_status_bar_shows_background_sync(qtbot, window, services):
    services.sync_online, services.sync_count = True, 3
    services.last_contact = datetime(TODAY.year, TODAY.month, TODAY.day, 2, 42, tzinfo=UTC)
    log_in(qtbot, window)
    sync, problems = window.status.sync, window.status.sync_problems
    assert sync.text() == "在线 · 待同步 3 · 最近联系 10:42"  # Shanghai time
    assert problems.isHidden()

    services.sync_online, services.sync_count, services.sync_problems = False, 12, 2
    services.last_contact = None
    window.session.refresh_sync_count()
    assert sync.text() == "离线 · 待同步 12"
    assert not problems.isHidden() and problems.text() == "同步问题 2"
    assert "#b3261e" in problems.styleSheet()

    services.sync_online, services.sync_problems = False, 0
    services.last_contact = datetime(2026, 2, 27, 9, 5, tzinfo=UTC)
    window.session.refresh_sync_count()
    assert sync.text() == "离线 · 待同步 12 · 最近联系 02-27 17:05"  # an old contact, dated
    assert problems.isHidden()

    window.status.show_sync(None)  # the store could not be read
    assert sync.text() == "同步状态未知"


# The intake path -------------------------------------------------------------------------------


def test_the_intake_path_by_keyboard_ends_in_a_case_and_its_receipt(qtbot, window, services):
    log_in(qtbot, window)
    c = window.counter
    window.counter.items.search.setFocus()  # a card read lands in the form from anywhere
    scan(qtbot, OLD_MAN_ID)
    assert c.applicant.id_number.text() == OLD_MAN_ID
    assert c.items.search.text() == ""
    assert c.applicant.id_info.text() == "有效 · 居民身份证 · 男 · 1958-03-07 · 67 周岁"
    type_chinese(c.applicant.name, "李建国")
    qtbot.keyClick(c.applicant.name, Qt.Key.Key_Return)
    type_digits(qtbot, c.applicant.phone, "13800138000")
    qtbot.keyClick(c.applicant.phone, Qt.Key.Key_Return)
    qtbot.keyClicks(c.applicant.household.street.lineEdit(), "tpl")
    shoot(window, "03-applicant-street-popup")
    qtbot.keyClick(c.applicant.household.street.lineEdit(), Qt.Key.Key_Return)
    assert c.applicant.household.district.currentText() == "徐汇区"
    assert focused() == "item.search"
    back_to(qtbot, window)
    c.items.search.setFocus()
    shoot(window, "04-applicant-done")

    qtbot.keyClicks(c.items.search, "jlk")
    shoot(window, "05-item-search")
    qtbot.keyClick(c.items.search, Qt.Key.Key_Return)
    assert c.items.routing.text() == "直接受理：本中心受理并办理"
    assert not c.items.warnings.isVisible()
    assert focused() == "materials.list"
    assert not c.decision.accept.isEnabled()
    assert c.decision.blocker.text() == "尚缺必需材料：申请人身份证、户口簿、近期一寸照片"

    table = c.materials.table
    qtbot.keyClick(table, Qt.Key.Key_Space)  # 申请人身份证
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_R)  # 户口簿: 容缺
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Space)  # 近期一寸照片
    assert c.materials.status.text() == "容缺 1 项：户口簿（申请人须签署承诺书）"
    assert c.decision.accept.isEnabled() and not c.decision.notify.isEnabled()
    shoot(window, "06-materials")

    key(window, Qt.Key.Key_F5)
    request: IntakeRequest = services.last("accept")
    assert request.item_code == "MZ001"
    assert request.applicant.id_number == OLD_MAN_ID
    assert request.applicant.name == "李建国"
    assert request.applicant.household_street == TIANPING
    assert request.applicant.residence_street is None
    assert request.agent is None
    assert request.checks["户口簿"] == MaterialCheck(deferred=True)
    assert request.checks["近期一寸照片"] == MaterialCheck(copies_received=2)
    assert c.decision.case_number.text() == "受理编号：310104003-260302-003-0015-X"
    assert window.documents.preview is not None and window.documents.preview.isVisible()
    assert window.status.sync.text() == "单机 · 待同步 2"
    assert services.names().count("sync_state") == 2  # at login, after the case
    shoot(window, "07-accepted-receipt")

    assert not (c.decision.accept.isEnabled() or c.decision.refuse.isEnabled())
    qtbot.keyClick(window.documents.preview, Qt.Key.Key_Escape)
    back_to(qtbot, window)
    assert focused() == "action.next"
    key(window, Qt.Key.Key_F12)
    assert c.applicant.id_number.text() == "" and c.applicant.name.text() == ""
    assert c.items.search.text() == "" and window.materials.rowCount() == 0
    assert c.decision.case_number.text() == ""
    assert focused() == "applicant.idNumber"
    shoot(window, "08-next-applicant")


def test_accept_without_a_receipt_shows_a_summary_never_a_receipt(qtbot, window, services):
    services.receipt_pdf = None
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    pick_item(qtbot, window, "MZ001")
    for _ in range(3):
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_F5)
    summary = window.documents.summary
    assert summary.isVisible() and window.documents.preview is None
    assert summary.heading.text() == "已受理（未生成回执）"
    assert "受理编号：310104003-260302-003-0015-X" in summary.text.text()
    assert "310104********" in summary.text.text() and OLD_MAN_ID not in summary.text.text()
    shoot(window, "09-accepted-summary")


def test_a_service_refusal_keeps_the_form_and_says_why(qtbot, window, services):
    services.fail_accept = "本地数据库不可用，请联系管理员"
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    pick_item(qtbot, window, "MZ001")
    for _ in range(3):
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_F5)
    assert window.counter.decision.blocker.text() == "本地数据库不可用，请联系管理员"
    assert window.counter.decision.accept.isEnabled()
    assert window.counter.applicant.name.text() == "李建国"


def test_notify_lists_what_is_missing_and_opens_no_case(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    pick_item(qtbot, window, "jlk")
    qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
    assert window.counter.decision.notify.isEnabled()
    key(window, Qt.Key.Key_F6)
    assert services.names()[-2:] == ["notify", "sync_state"]
    assert window.counter.decision.case_number.text() == ""
    assert window.documents.preview is not None
    shoot(window, "10-notified")


def test_refusal_needs_a_reason(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    pick_item(qtbot, window, "jlk")
    key(window, Qt.Key.Key_F7)
    dialog = window.refuse_dialog
    assert dialog.isVisible() and not dialog.ok.isEnabled()
    type_chinese(dialog.reason, "申请人不符合本事项的申请条件")
    assert dialog.ok.isEnabled()
    shoot(window, "11-refuse-dialog")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    request, reason = services.last("refuse")
    assert reason == "申请人不符合本事项的申请条件"
    assert request.item_code == "MZ001"
    assert not dialog.isVisible()


# Routing and eligibility as the clerk sees them --------------------------------------------------


def test_a_separated_item_is_forwarded_to_the_household_center(qtbot, window):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, YOUNG_WOMAN_ID, "陈静", "njdl")
    assert window.applicant.state().household.street == NANJING_EAST
    pick_item(qtbot, window, "shengyu")
    routing = window.counter.items.routing.text()
    assert routing == "收受分离 → 转南京东路街道社区事务受理服务中心办理（户籍地）"
    shoot(window, "12-separated-forward")


def test_a_home_district_item_elsewhere_is_guidance_not_acceptance(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, YOUNG_WOMAN_ID, "陈静", "njdl")
    pick_item(qtbot, window, "lianzu")
    assert window.counter.items.routing.text().startswith("不予通办：本事项仅由户籍地受理")
    actions = window.intake.actions()
    assert not actions.accept and not actions.notify and actions.guide
    shoot(window, "13-home-district-elsewhere")
    key(window, Qt.Key.Key_F5)
    assert "accept" not in services.names()
    key(window, Qt.Key.Key_F8)
    assert services.last("guide").item_code == "ZJ001"


def test_eligibility_warnings_show_under_the_routing(qtbot, window):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, YOUNG_WOMAN_ID, "陈静", "tpl")
    pick_item(qtbot, window, "jlk")
    warnings = window.counter.items.warnings
    assert warnings.isVisible()
    assert "申请人未满 65 周岁（可于 2055-01-03 起申请）" in warnings.text()
    shoot(window, "14-eligibility-warning")


def test_separation_and_an_agent_change_routing_input_and_materials(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    key(window, Qt.Key.Key_F10)
    assert focused() == "applicant.residenceStreet"
    qtbot.keyClicks(window.counter.applicant.residence.street.lineEdit(), "njdl")
    qtbot.keyClick(window.counter.applicant.residence.street.lineEdit(), Qt.Key.Key_Return)
    assert focused() == "item.search"
    back_to(qtbot, window)
    window.counter.applicant.has_agent.click()
    assert focused() == "agent.idNumber"
    qtbot.keyClicks(window.counter.applicant.agent_id_number, AGENT_ID)
    qtbot.waitUntil(lambda: window.counter.applicant.agent_id_number.text() == AGENT_ID)
    type_chinese(window.counter.applicant.agent_name, "李小红")
    type_chinese(window.counter.applicant.relationship.lineEdit(), "子女")
    pick_item(qtbot, window, "jlk")
    assert window.materials.rowCount() == 5
    assert "授权委托书" in window.counter.materials.status.text()
    shoot(window, "15-separated-with-agent")
    for _ in range(5):
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_F5)
    request: IntakeRequest = services.last("accept")
    assert request.applicant.residence_street == NANJING_EAST
    assert request.agent is not None and request.agent.id_number == AGENT_ID
    assert request.checks["授权委托书"] == MaterialCheck(original_seen=True)


def test_a_card_read_after_a_decision_starts_the_next_applicant(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    pick_item(qtbot, window, "jlk")
    key(window, Qt.Key.Key_F6)
    window.documents.close_all()
    back_to(qtbot, window)
    scan(qtbot, YOUNG_WOMAN_ID)
    assert window.counter.applicant.id_number.text() == YOUNG_WOMAN_ID
    assert window.counter.applicant.name.text() == ""
    assert window.items.chosen() is None


# Case search -------------------------------------------------------------------------------------


def test_case_search_timeline_and_reprint(qtbot, window, services):
    services.cases = [a_case()]
    services.events = [
        CaseEvent(today_at(9, 41), "受理", "1001 王敏", "天平路街道社区事务受理服务中心", "", True),
        CaseEvent(
            today_at(9, 42), "打印回执", "1001 王敏", "天平路街道社区事务受理服务中心", "", False
        ),
    ]
    log_in(qtbot, window)
    key(window, Qt.Key.Key_F9)
    assert focused() == "cases.search"
    type_chinese(window.counter.cases.search, "李建国")
    qtbot.keyClick(window.counter.cases.search, Qt.Key.Key_Return)
    assert services.last("search_cases") == "李建国"
    assert window.cases.results.rowCount() == 1
    assert window.cases.events.rowCount() == 2
    assert window.cases.results.index(0, 3).data() == "310104********1234"
    shoot(window, "16-case-search")
    window.counter.cases.reprint.click()
    assert services.last("receipt") == a_case().case_number
    assert window.documents.preview is not None
    shoot(window, "17-reprint")
    key(window, Qt.Key.Key_Escape)
    back_to(qtbot, window)
    key(window, Qt.Key.Key_F2)
    assert window.counter.tabs.currentIndex() == 0 and focused() == "applicant.idNumber"


# Locking -----------------------------------------------------------------------------------------


def test_idle_locks_the_screen_and_the_same_password_unlocks(qtbot, services):
    window = make_window(qtbot, services, idle_minutes=0.005)  # 300 ms
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.lock_view, timeout=3000)
    assert "lock" in services.names()
    assert not window.counter.isVisible()
    shown = " ".join(w.text() for w in window.lock_view.findChildren(QLineEdit))
    shown += " ".join(label.text() for label in window.lock_view.findChildren(type(window.banner)))
    assert "李建国" not in shown and OLD_MAN_ID not in shown
    shoot(window, "18-locked")
    key(window, Qt.Key.Key_F5)  # the counter's keys are dead while locked
    assert "accept" not in services.names()
    qtbot.keyClicks(window.lock_view.password, "wrong")
    qtbot.keyClick(window.lock_view.password, Qt.Key.Key_Return)
    assert window.lock_view.error.text() == "密码不正确"
    qtbot.keyClicks(window.lock_view.password, "secret-1001")
    qtbot.keyClick(window.lock_view.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.counter
    assert window.counter.applicant.name.text() == "李建国"  # the intake is as it was
    window.close()


def test_ctrl_l_locks_and_logging_out_drops_the_intake(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    key(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.lock_view
    window.lock_view.logout.click()
    assert window.pages.currentWidget() is window.login_view
    assert window.login_view.error.text() == "已注销"
    assert window.counter.applicant.name.text() == ""
    assert window.status.clerk.text() == ""


# Keyboard order ----------------------------------------------------------------------------------


def test_tab_follows_the_path(qtbot, window):
    log_in(qtbot, window)
    window.counter.applicant.id_type.setFocus()
    order = [focused()]
    for _ in range(6):
        key(window, Qt.Key.Key_Tab)
        order.append(focused())
    assert order == [
        "applicant.idType",
        "applicant.idNumber",
        "applicant.name",
        "applicant.phone",
        "applicant.householdDistrict",
        "applicant.householdStreet",
        "applicant.separated",
    ]
    window.counter.items.search.setFocus()
    key(window, Qt.Key.Key_Tab)
    assert focused() == "item.results"
    key(window, Qt.Key.Key_Tab)
    assert focused() == "materials.list"


# With the real worker thread -------------------------------------------------------------------


def test_the_window_answers_through_the_worker_thread(qtbot, services):
    window = CounterWindow(services, GEOGRAPHY, CATALOG, today=lambda: TODAY)  # threaded runner
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.login_view.site.text() != "", timeout=3000)
    window.login_view.clerk.setText("1001")
    window.login_view.password.setText("secret-1001")
    qtbot.keyClick(window.login_view.password, Qt.Key.Key_Return)
    assert window.login_view.error.text() == "正在登录…"  # the GUI thread did not wait
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.counter, timeout=3000)
    qtbot.waitUntil(lambda: window.status.sync.text() == "单机 · 待同步 2", timeout=3000)
    qtbot.waitUntil(lambda: window.items.model.rowCount() == len(CATALOG.items), timeout=5000)
    window.intake.fill_from_scan(OLD_MAN_ID)
    qtbot.waitUntil(lambda: "find_applicant" in services.names(), timeout=3000)
    window.close()


def test_a_returning_applicant_goes_straight_to_the_item(qtbot, window, services):
    services.known[OLD_MAN_ID] = KnownApplicant("李建国", "13800138000", TIANPING, None)
    log_in(qtbot, window)
    scan(qtbot, OLD_MAN_ID)
    assert window.counter.applicant.name.text() == "李建国"
    assert window.applicant.state().household.street == TIANPING
    assert "已带出上次登记信息" in window.counter.applicant.id_info.text()
    assert focused() == "item.search"


def test_a_card_read_while_the_receipt_is_open_neither_prints_nor_fills(qtbot, window, services):
    log_in(qtbot, window)
    fill_applicant(qtbot, window, OLD_MAN_ID, "李建国", "tpl")
    pick_item(qtbot, window, "jlk")
    for _ in range(3):
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_F5)
    preview = window.documents.preview
    assert preview is not None
    qtbot.keyClicks(preview.print_button, YOUNG_WOMAN_ID)
    qtbot.keyClick(preview.print_button, Qt.Key.Key_Return)
    assert "print_document" not in services.names()
    assert preview.isVisible()
    assert window.counter.applicant.id_number.text() == OLD_MAN_ID
    assert window.statusBar().currentMessage() == "请先关闭当前窗口，再刷证件"
