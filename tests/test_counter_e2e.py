"""The counter window on the real services, end to end, by keyboard.

Each test prepares a fresh demo workstation (天平路街道, clerks 1001/1002, password demo1234) in
its own directory, builds the window as the application does (desktop.app) with the real worker
thread, and drives it like a clerk (counter_driver.Clerk): the login page, the applicant typed by
hand, the streets and the item found by pinyin, materials ticked with Space, the decision by its
function key. What the window shows is checked against what the store recorded and against the
paper the printer received. The services' clock stands at Tuesday 2026-03-10 10:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QLineEdit, QWidget
from sqlalchemy import func, select

from counter_driver import Applicant, Clerk, resident_id
from counter_support import HERE, Clock, fast_passwords
from printing_checks import flat_text
from tongban.desktop.app import build_counter_window
from tongban.desktop.services import Counter, CounterContext, open_counter, prepare_demo
from tongban.models.catalog import Mode
from tongban.models.geography import shanghai
from tongban.models.rules import display_case_number, mask_identity, normalise_case_number
from tongban.models.store import CaseStatus, load_case
from tongban.models.store.schema import CaseRow, VisitRow
from tongban.ui.fonts import install_application_font
from tongban.ui.window import CounterWindow

HUAYANG = "310105001"  # 华阳路街道, 长宁区: another district than the demo's 徐汇区
HUAYANG_CENTER = shanghai().center_for_street(HUAYANG)
ELDER = Applicant(  # 76 on the services' day: 敬老卡 is for 65 and over
    resident_id("310104", date(1950, 1, 1), 123), "李建国", "13800138000", "tpl"
)
MOTHER = Applicant(  # household in 长宁区, applying at 徐汇区's center
    resident_id("310105", date(1992, 5, 1), 246), "陈静", "13900139000", "hyl"
)
_CASE_NUMBER = re.compile(r"受理编号：(\S+)")


@dataclass
class Printed:
    """What reached the printer: (pdf, title, printer) per job."""

    jobs: list[tuple[bytes, str, str]] = field(default_factory=list)

    def __call__(self, pdf: bytes, title: str, printer: str) -> None:
        self.jobs.append((pdf, title, printer))


@dataclass
class Workstation:
    context: CounterContext
    printed: Printed
    clock: Clock


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


@pytest.fixture
def workstation(tmp_path) -> Iterator[Workstation]:
    clock = Clock()
    prepare_demo(tmp_path / "demo", clock=clock, passwords=fast_passwords())
    context = open_counter(tmp_path / "demo", clock=clock)
    yield Workstation(context, Printed(), clock)
    context.close()


def open_window(qtbot, station: Workstation, *, idle_minutes: float | None = None) -> Clerk:
    counter = Counter(station.context, passwords=fast_passwords(), printer=station.printed)
    window = build_counter_window(station.context, services=counter, idle_minutes=idle_minutes)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    clerk = Clerk(window)
    clerk.settle()  # the workstation's name on the login page
    return clerk


@pytest.fixture
def clerk(qtbot, workstation) -> Iterator[Clerk]:
    clerk = open_window(qtbot, workstation)
    yield clerk
    clerk.window.close()


def logged_in(clerk: Clerk) -> Clerk:
    assert clerk.log_in("1001") == ""
    assert clerk.window.status.clerk.text() == "1001 演示受理员甲（窗口受理员）"
    return clerk


def case_number_shown(window: CounterWindow) -> str:
    found = _CASE_NUMBER.fullmatch(window.counter.decision.case_number.text())
    assert found, window.counter.decision.case_number.text()
    return normalise_case_number(found.group(1))


def counts(station: Workstation) -> tuple[int, int]:
    """(cases, visits) in the store."""
    with station.context.store.reading() as session:
        cases = session.scalar(select(func.count()).select_from(CaseRow)) or 0
        visits = session.scalar(select(func.count()).select_from(VisitRow)) or 0
    return cases, visits


def only_visit(station: Workstation) -> VisitRow:
    with station.context.store.reading() as session:
        return session.scalars(select(VisitRow)).one()


def visible_texts(root: QWidget) -> str:
    """Everything a person could read in `root` now: labels, fields, lists and tables."""
    texts: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            texts += [
                str(model.index(row, column).data() or "")
                for row in range(model.rowCount())
                for column in range(model.columnCount())
            ]
    return "\n".join(texts)


# Deciding ----------------------------------------------------------------------------------------


def test_a_direct_item_is_accepted_printed_and_cleared_for_the_next(clerk, workstation):
    window = logged_in(clerk).window
    clerk.identify(ELDER, by_hand=True)
    assert (
        window.counter.applicant.id_info.text() == "有效 · 居民身份证 · 男 · 1950-01-01 · 76 周岁"
    )
    clerk.pick_item("jlksl")
    assert window.items.chosen().name == "敬老卡申领"
    assert window.counter.items.routing.text() == "直接受理：本中心受理并办理"
    assert not window.counter.items.warnings.isVisible()
    assert not window.counter.decision.accept.isEnabled()
    clerk.tick_materials(1)  # 申请人身份证件, the only one without an agent
    assert window.counter.materials.status.text() == "材料齐全"
    clerk.decide(Qt.Key.Key_F5)

    number = case_number_shown(window)
    with workstation.context.store.reading() as session:
        case = load_case(session, number)
    assert case is not None and case.status is CaseStatus.ACCEPTED
    assert (case.item_code, case.processing_center, case.clerk) == ("MZ010", HERE, "1001")
    assert case.applicant is not None and case.applicant.id_number == ELDER.id_number

    clerk.print_document()  # Enter on the receipt's preview
    [(pdf, title, printer)] = workstation.printed.jobs
    assert (title, printer) == ("受理回执", "")
    text = flat_text(pdf)
    assert display_case_number(number) in text
    assert mask_identity(ELDER.id_number) in text and ELDER.id_number not in text
    assert window.documents.preview is None
    assert clerk.focused() == "action.next"

    clerk.next_applicant()
    applicant = window.counter.applicant
    assert applicant.id_number.text() == applicant.name.text() == applicant.phone.text() == ""
    assert window.applicant.state().household.street is None
    assert window.counter.items.search.text() == "" and window.items.chosen() is None
    assert window.materials.rowCount() == 0
    assert window.counter.decision.case_number.text() == ""
    assert window.counter.items.routing.text() == "请先选择事项"
    assert ELDER.name not in visible_texts(window.counter)

    clerk.type(ELDER.id_number)  # the same card again: the store remembers the details
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    assert applicant.name.text() == ELDER.name and applicant.phone.text() == ELDER.phone
    assert window.applicant.state().household.street == HERE
    assert "已带出上次登记信息，请与申请人核对" in applicant.id_info.text()


def test_a_separated_item_of_another_district_is_forwarded_to_its_center(clerk, workstation):
    window = logged_in(clerk).window
    clerk.identify(MOTHER)
    assert window.applicant.state().household.street == HUAYANG
    assert window.counter.applicant.household.district.currentText() == "长宁区"
    clerk.pick_item("sybxdysl")
    item = window.items.chosen()
    assert item.name == "生育保险待遇申领" and item.mode is Mode.SEPARATED
    routing = window.counter.items.routing.text()
    assert routing == f"收受分离 → 转{HUAYANG_CENTER.name}办理（户籍地）"
    clerk.tick_materials(window.materials.rowCount())
    clerk.decide(Qt.Key.Key_F5)

    number = case_number_shown(window)
    with workstation.context.store.reading() as session:
        case = load_case(session, number)
    assert case is not None and case.mode is Mode.SEPARATED
    assert (case.accepting_center, case.processing_center) == (HERE, HUAYANG_CENTER.code)
    assert window.documents.preview.windowTitle() == "打印预览 — 受理回执"
    clerk.print_document()
    [(pdf, _title, _printer)] = workstation.printed.jobs
    assert HUAYANG_CENTER.name in flat_text(pdf)


def test_a_missing_material_gets_the_notice_and_no_case(clerk, workstation):
    window = logged_in(clerk).window
    clerk.identify(ELDER)
    clerk.pick_item("jlksl")
    assert window.counter.decision.blocker.text() == "尚缺必需材料：申请人身份证件"
    assert window.counter.decision.notify.isEnabled()
    clerk.decide(Qt.Key.Key_F6)
    assert window.documents.preview is not None
    assert window.documents.preview.windowTitle() == "打印预览 — 一次性告知单"
    assert window.counter.decision.case_number.text() == ""
    assert counts(workstation) == (0, 1)
    visit = only_visit(workstation)
    assert (visit.outcome, visit.item_code, visit.clerk) == ("notified", "MZ010", "1001")
    assert visit.details["missing"] == ["申请人身份证件"]
    clerk.print_document()
    [(pdf, title, _printer)] = workstation.printed.jobs
    assert title == "一次性告知单" and "申请人身份证件" in flat_text(pdf)


def test_a_refusal_is_recorded_with_the_clerks_reason(clerk, workstation):
    window = logged_in(clerk).window
    clerk.identify(ELDER)
    clerk.pick_item("jlksl")
    clerk.refuse("申请人已持有有效敬老卡")
    assert not window.refuse_dialog.isVisible()
    assert window.documents.preview.windowTitle() == "打印预览 — 不予受理通知书"
    assert counts(workstation) == (0, 1)
    visit = only_visit(workstation)
    assert visit.outcome == "refused" and visit.details["reason"] == "申请人已持有有效敬老卡"


def test_a_home_district_item_at_another_center_is_guided_there(clerk, workstation):
    window = logged_in(clerk).window
    clerk.identify(MOTHER)
    clerk.pick_item("lzzfsq")
    assert window.items.chosen().name == "廉租住房申请"
    assert window.counter.items.routing.text().startswith("不予通办：本事项仅由户籍地受理")
    actions = window.intake.actions()
    assert not actions.accept and not actions.notify and actions.guide
    clerk.tick_materials(window.materials.rowCount())
    clerk.press(Qt.Key.Key_F5)  # nothing happens: this center may not accept it
    clerk.settle()
    assert counts(workstation) == (0, 0) and window.documents.preview is None
    clerk.decide(Qt.Key.Key_F8)
    assert window.documents.preview.windowTitle() == "打印预览 — 办理地点告知"
    assert counts(workstation) == (0, 1)
    visit = only_visit(workstation)
    assert visit.outcome == "guided" and HUAYANG_CENTER.name in visit.details["guidance"]


# Accounts and the lock ---------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(clerk):
    answers = [clerk.log_in("1001", "wrong-password")]
    answers += [clerk.retype_password("wrong-password") for _ in range(4)]
    assert answers[:4] == [f"密码错误，还可尝试 {n} 次" for n in (4, 3, 2, 1)]
    assert answers[4] == "密码连续错误 5 次，账户已锁定至 10:15"
    assert clerk.retype_password("demo1234") == "密码连续错误，账户已锁定至 10:15，请届时再试"
    assert clerk.window.pages.currentWidget() is clerk.window.login_view
    clerk.press(Qt.Key.Key_Backtab)  # back to the number, selected: another clerk logs in
    assert clerk.log_in("1002") == ""


def test_the_idle_lock_shows_nobody_and_the_same_password_unlocks(qtbot, workstation):
    clerk = open_window(qtbot, workstation, idle_minutes=0.015)  # 900 ms without a key
    window = clerk.window
    # The path must not pause that long: the item index (built at start-up) is ready first.
    clerk.wait_until(lambda: window.items.model.rowCount() > 0, "事项索引未就绪")
    logged_in(clerk)
    clerk.identify(ELDER)
    clerk.pick_item("jlksl")
    clerk.wait_until(lambda: window.pages.currentWidget() is window.lock_view, "未自动锁屏")
    clerk.settle()
    shown = visible_texts(window)
    assert "工号 1001 的会话已锁定" in shown
    for private in (ELDER.name, ELDER.id_number, mask_identity(ELDER.id_number), ELDER.phone):
        assert private not in shown
    assert "敬老卡申领" not in shown
    clerk.press(Qt.Key.Key_F5)  # the counter's keys are dead while locked
    clerk.settle()
    assert counts(workstation) == (0, 0)
    clerk.unlock("wrong-password")
    assert window.lock_view.error.text() == "密码错误，还可尝试 4 次"
    clerk.unlock()
    assert window.pages.currentWidget() is window.counter
    assert window.counter.applicant.name.text() == ELDER.name  # the intake is as it was
    assert window.items.chosen().name == "敬老卡申领"
    window.close()


def test_ctrl_l_locks_and_f12_starts_afresh_after_unlocking(clerk):
    window = logged_in(clerk).window
    clerk.identify(ELDER)
    clerk.lock()
    assert window.pages.currentWidget() is window.lock_view
    assert ELDER.name not in visible_texts(window)
    clerk.unlock()
    clerk.next_applicant()
    assert window.counter.applicant.name.text() == ""
    assert window.counter.applicant.id_info.text() == "刷身份证或扫码可从任意位置直接录入"
