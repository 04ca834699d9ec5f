"""The counter's widgets and controllers one at a time, driven by the keyboard (offscreen)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from test_ui_support import (
    AGENT_ID,
    CATALOG,
    OLD_MAN_ID,
    SESSION,
    TIANPING,
    TODAY,
    WORKSTATION,
    RecordingServices,
    a_case,
    a_pdf,
    streets_geography,
    type_chinese,
)
from tongban.models.search import ItemSearch
from tongban.ui.applicant import ApplicantController, ApplicantView
from tongban.ui.cases import CasesController, CasesView
from tongban.ui.documents import DocumentController
from tongban.ui.fonts import install_application_font
from tongban.ui.item_picker import ItemPicker, ItemPickerView
from tongban.ui.lock import IdleWatcher, LockController, LockView
from tongban.ui.login import LoginController, LoginView
from tongban.ui.materials import MaterialsController, MaterialsModel, MaterialsView
from tongban.ui.pinyin_filter import PinyinFilter
from tongban.ui.ports import CaseEvent, KnownApplicant, ServiceError, WorkstationInfo
from tongban.ui.scanner import IdScanFilter
from tongban.ui.street_picker import StreetChoice, StreetPicker, StreetPickerView
from tongban.ui.tasks import TaskRunner

GEOGRAPHY = streets_geography()
STREET_NAMES = PinyinFilter({s.code: s.name for s in GEOGRAPHY.streets.values()})


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


@pytest.fixture
def runner(qapp) -> TaskRunner:
    return TaskRunner(synchronous=True)


def test_the_bundled_cjk_font_is_the_application_font(bundled_font: str) -> None:
    assert bundled_font == "WenQuanYi Micro Hei"


# The task runner ------------------------------------------------------------------------------


def test_work_runs_off_the_gui_thread_and_answers_on_it(qtbot) -> None:
    runner = TaskRunner()
    answers: list[tuple[str, bool]] = []
    gui_thread = threading.get_ident()

    def work() -> str:
        return "worker" if threading.get_ident() != gui_thread else "gui"

    runner.run(work, on_success=lambda r: answers.append((r, threading.get_ident() == gui_thread)))
    qtbot.waitUntil(lambda: answers == [("worker", True)], timeout=3000)
    assert runner.pending() == 0


def test_a_service_error_reaches_the_clerk_as_written_a_fault_does_not(qtbot) -> None:
    runner = TaskRunner()
    messages: list[str] = []

    def refuse() -> None:
        raise ServiceError("打印机未连接")

    def crash() -> None:
        raise RuntimeError("connection string with secrets")

    runner.run(refuse, on_success=print, on_failure=messages.append)
    runner.run(crash, on_success=print, on_failure=messages.append)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=3000)
    assert messages[0] == "打印机未连接"
    assert "secrets" not in messages[1] and messages[1].startswith("系统错误")


def test_tasks_run_one_at_a_time_in_order(qtbot) -> None:
    runner = TaskRunner()
    order: list[int] = []
    for n in range(5):
        runner.run(lambda n=n: n, on_success=order.append)
    qtbot.waitUntil(lambda: len(order) == 5, timeout=3000)
    assert order == [0, 1, 2, 3, 4]


def test_a_synchronous_runner_answers_at_once(runner: TaskRunner) -> None:
    got: list[int] = []
    runner.run(lambda: 41 + 1, on_success=got.append)
    assert got == [42]


# The street picker ------------------------------------------------------------------------------


@pytest.fixture
def household(qtbot) -> StreetPicker:
    view = StreetPickerView("applicant.household", "户籍地")
    qtbot.addWidget(view)
    view.show()
    return StreetPicker(view, GEOGRAPHY, STREET_NAMES, allow_outside=True)


def test_typing_pinyin_and_enter_picks_the_street_and_its_district(qtbot, household) -> None:
    line = household.view.street.lineEdit()
    qtbot.keyClicks(line, "tianping")
    assert household.view.street.completer().completionModel().rowCount() == 1
    with qtbot.waitSignal(household.picked):
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert household.value() == StreetChoice(TIANPING)
    assert household.view.district.currentText() == "徐汇区"
    assert household.view.street.currentText() == "天平路街道"


def test_chinese_from_an_input_method_filters_too(qtbot, household) -> None:
    type_chinese(household.view.street.lineEdit(), "南京东")
    qtbot.keyClick(household.view.street.lineEdit(), Qt.Key.Key_Return)
    assert household.value() == StreetChoice("310101002")


def test_a_chosen_district_limits_the_streets(qtbot, household) -> None:
    household.view.district.setCurrentIndex(household.view.district.findData("310101"))
    assert household.view.street.count() == len(GEOGRAPHY.streets_in("310101"))
    qtbot.keyClicks(household.view.street.lineEdit(), "tpl")  # 天平路 is in 徐汇, not 黄浦
    qtbot.keyClick(household.view.street.lineEdit(), Qt.Key.Key_Return)
    assert household.value() == StreetChoice()
    assert household.view.street.currentText() == ""


def test_outside_shanghai_disables_the_street(qtbot, household) -> None:
    household.set_value(StreetChoice(TIANPING))
    household.view.district.setCurrentIndex(household.view.district.count() - 1)
    assert household.value() == StreetChoice(outside_shanghai=True)
    assert not household.view.street.isEnabled()
    household.clear()
    assert household.value() == StreetChoice() and household.view.street.isEnabled()


# The item picker ----------------------------------------------------------------------------------


def test_item_search_by_initials_arrow_and_enter(qtbot) -> None:
    view = ItemPickerView()
    qtbot.addWidget(view)
    picker = ItemPicker(view)
    picker.set_search(ItemSearch(CATALOG.items))
    assert picker.model.rowCount() == len(CATALOG.items)
    qtbot.keyClicks(view.search, "jlk")
    assert [picker.model.item_at(r).code for r in range(picker.model.rowCount())] == ["MZ001"]
    with qtbot.waitSignal(picker.item_chosen) as chosen:
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert chosen.args[0].code == "MZ001"
    assert view.chosen.text().startswith("已选：MZ001 敬老卡申领 · 直接受理")
    view.search.clear()
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert picker.chosen() is CATALOG.items[1]


# The materials checklist --------------------------------------------------------------------------


def test_the_checklist_is_worked_with_the_keyboard(qtbot) -> None:
    view = MaterialsView()
    qtbot.addWidget(view)
    model = MaterialsModel()
    MaterialsController(view, model, parent=view)
    model.set_item(CATALOG.item("MZ001"))
    table = view.table
    assert table.currentIndex().row() == 0
    qtbot.keyClick(table, Qt.Key.Key_Space)  # 申请人身份证 received
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_R)  # 户口簿 deferred
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Plus)  # 近期一寸照片: one of two copies
    assert view.status.text() == (
        "尚缺 1 项：近期一寸照片；容缺 1 项：户口簿（申请人须签署承诺书）"
    )
    qtbot.keyClick(table, Qt.Key.Key_Plus)
    assert view.status.text() == "容缺 1 项：户口簿（申请人须签署承诺书）"
    qtbot.keyClick(table, Qt.Key.Key_Minus)
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.keyClick(table, Qt.Key.Key_O)  # 户口簿 original seen: copy still missing
    assert model.check(1).original_seen
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert model.check(1).copies_received == 1


def test_t_marks_a_condition_as_applying(qtbot) -> None:
    view = MaterialsView()
    qtbot.addWidget(view)
    model = MaterialsModel()
    MaterialsController(view, model, parent=view)
    model.set_item(CATALOG.item("WJ001"))
    view.table.setCurrentIndex(model.index(2, 0))  # 离婚证明, 条件：再婚的
    assert "离婚证明" not in view.status.text()
    qtbot.keyClick(view.table, Qt.Key.Key_T)
    assert "离婚证明" in view.status.text()


# The ID scanner --------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.step = 5.0  # ms between keys

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def typing_target(qtbot, qapp) -> Iterator[tuple[QLineEdit, IdScanFilter, FakeClock]]:
    holder = QWidget()
    qtbot.addWidget(holder)
    line = QLineEdit()
    QVBoxLayout(holder).addWidget(line)
    clock = FakeClock()
    scanner = IdScanFilter(max_gap_ms=35, clock=clock)
    qapp.installEventFilter(scanner)
    yield line, scanner, clock
    qapp.removeEventFilter(scanner)


def test_a_fast_burst_of_18_and_enter_is_a_scan(qtbot, typing_target) -> None:
    line, scanner, _clock = typing_target
    line.setText("tpl")
    with qtbot.waitSignal(scanner.scanned) as scanned:
        qtbot.keyClicks(line, OLD_MAN_ID.lower())
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert scanned.args == [OLD_MAN_ID]
    assert line.text() == "tpl"  # nothing of the scan landed in the focused field


def test_a_person_typing_digits_is_left_alone(qtbot, typing_target) -> None:
    line, scanner, clock = typing_target
    clock.step = 120.0
    with qtbot.assertNotEmitted(scanner.scanned):
        qtbot.keyClicks(line, OLD_MAN_ID)
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert line.text() == OLD_MAN_ID


def test_fast_digits_that_are_no_id_reach_their_field_in_order(qtbot, typing_target) -> None:
    line, _scanner, _clock = typing_target
    qtbot.keyClicks(line, "138")
    assert line.text() == ""  # held while they might be a scan
    qtbot.waitUntil(lambda: line.text() == "138", timeout=1000)  # released after the gap
    qtbot.keyClicks(line, "0013")
    qtbot.keyClicks(line, "a")  # any other key releases them at once, before itself
    assert line.text() == "1380013a"


def test_a_burst_longer_than_an_id_is_not_a_scan(qtbot, typing_target) -> None:
    line, scanner, _clock = typing_target
    with qtbot.assertNotEmitted(scanner.scanned):
        qtbot.keyClicks(line, "1" * 40)
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert line.text() == "1" * 40


def test_a_disabled_scanner_holds_nothing(qtbot, typing_target) -> None:
    line, scanner, _clock = typing_target
    scanner.set_enabled(False)
    qtbot.keyClicks(line, "12")
    assert line.text() == "12"


# The applicant -----------------------------------------------------------------------------------


@pytest.fixture
def applicant(qtbot, runner) -> tuple[ApplicantController, RecordingServices]:
    services = RecordingServices(
        known={
            OLD_MAN_ID: KnownApplicant("李建国", "13800138000", TIANPING, "310101002"),
        }
    )
    view = ApplicantView()
    qtbot.addWidget(view)
    view.show()
    controller = ApplicantController(
        view,
        geography=GEOGRAPHY,
        pinyin=STREET_NAMES,
        services=services,
        runner=runner,
        today=lambda: TODAY,
    )
    return controller, services


def test_the_number_is_checked_as_it_is_typed(qtbot, applicant) -> None:
    controller, _ = applicant
    qtbot.keyClicks(controller.view.id_number, OLD_MAN_ID[:6])
    assert controller.view.id_info.text() == "已输入 6 位"
    qtbot.keyClicks(controller.view.id_number, OLD_MAN_ID[6:])
    assert controller.view.id_info.text().startswith(
        "有效 · 居民身份证 · 男 · 1958-03-07 · 67 周岁"
    )
    controller.view.id_number.setText(OLD_MAN_ID[:-1] + "0")
    controller.view.id_number.editingFinished.emit()
    assert controller.view.id_info.text() == "无效：校验码错误"


def test_a_returning_applicant_is_prefilled(qtbot, applicant) -> None:
    controller, services = applicant
    type_chinese(controller.view.name, "李建国")
    controller.fill_from_scan(OLD_MAN_ID)
    assert ("find_applicant", ("resident_id", OLD_MAN_ID)) in services.calls
    state = controller.state()
    assert state.phone == "13800138000"
    assert state.household == StreetChoice(TIANPING)
    assert state.separated and state.residence == StreetChoice("310101002")
    assert "已带出上次登记信息" in controller.view.id_info.text()
    assert state.problems() == []


def test_an_unknown_applicant_is_typed_in_full(qtbot, applicant) -> None:
    controller, _ = applicant
    controller.fill_from_scan(AGENT_ID)
    assert controller.state().name == ""
    assert controller.state().problems()[:2] == ["请录入姓名", "请录入联系电话"]


def test_f10_opens_the_residence_and_outside_shanghai_requires_it(qtbot, applicant) -> None:
    controller, _ = applicant
    assert not controller.view.residence.isEnabled()
    controller.toggle_separated()
    assert controller.view.residence.isEnabled() and controller.state().separated
    controller.toggle_separated()
    assert not controller.state().separated
    controller.household.set_value(StreetChoice(outside_shanghai=True))
    assert controller.state().separated and not controller.view.separated.isEnabled()
    assert "请选择居住地街道" in controller.state().problems()


def test_an_agent_must_be_someone_else_and_complete(qtbot, applicant) -> None:
    controller, _ = applicant
    controller.fill_from_scan(OLD_MAN_ID)
    controller.view.has_agent.setChecked(True)
    assert controller.view.agent_box.isVisibleTo(controller.view)
    assert controller.state().agent_problem == "请录入代办人的有效证件号码"
    qtbot.keyClicks(controller.view.agent_id_number, OLD_MAN_ID)
    assert controller.state().agent_problem == "代办人不能是申请人本人"
    controller.view.agent_id_number.clear()
    qtbot.keyClicks(controller.view.agent_id_number, AGENT_ID)
    type_chinese(controller.view.agent_name, "李小红")
    type_chinese(controller.view.relationship.lineEdit(), "子女")
    state = controller.state()
    assert state.agent is not None and state.agent.relationship == "子女"


# Login and lock ---------------------------------------------------------------------------------


@pytest.fixture
def login(qtbot, runner) -> tuple[LoginController, RecordingServices]:
    services = RecordingServices()
    view = LoginView()
    qtbot.addWidget(view)
    view.show()
    return LoginController(view, services=services, runner=runner), services


def test_login_with_the_keyboard(qtbot, login) -> None:
    controller, _ = login
    qtbot.keyClicks(controller.view.clerk, "1001")
    qtbot.keyClick(controller.view.clerk, Qt.Key.Key_Return)
    qtbot.keyClicks(controller.view.password, "wrong")
    qtbot.keyClick(controller.view.password, Qt.Key.Key_Return)
    assert controller.view.error.text() == "工号或密码不正确，还可尝试 4 次"
    assert controller.view.password.text() == ""
    qtbot.keyClicks(controller.view.password, "secret-1001")
    with qtbot.waitSignal(controller.logged_in) as logged_in:
        qtbot.keyClick(controller.view.password, Qt.Key.Key_Return)
    assert logged_in.args[0].clerk_number == "1001"


def test_login_asks_for_both_fields(qtbot, login) -> None:
    controller, services = login
    controller.submit()
    assert controller.view.error.text() == "请输入工号和密码"
    assert "login" not in services.names()


def test_demo_accounts_show_only_on_a_demo_installation(qtbot, login) -> None:
    controller, _ = login
    controller.show_workstation(WORKSTATION)
    assert controller.view.demo_hint.isVisible()
    assert "1001" in controller.view.demo_hint.text()
    real = WorkstationInfo("310104003", "天平路街道社区事务受理服务中心", "3号窗口", False, "x")
    controller.show_workstation(real)
    assert not controller.view.demo_hint.isVisible()


def test_idle_fires_after_the_timeout_and_activity_restarts_it(qtbot, qapp) -> None:
    watcher = IdleWatcher(minutes=0.003)  # 180 ms
    qapp.installEventFilter(watcher)
    try:
        line = QLineEdit()
        qtbot.addWidget(line)
        watcher.start()
        qtbot.wait(120)
        qtbot.keyClick(line, Qt.Key.Key_A)
        qtbot.wait(120)
        assert watcher.is_running()  # 240 ms after start, but only 120 ms idle
        with qtbot.waitSignal(watcher.idle, timeout=1000):
            pass
    finally:
        qapp.removeEventFilter(watcher)


def test_unlock_with_the_same_password(qtbot, runner) -> None:
    services = RecordingServices()
    view = LockView()
    qtbot.addWidget(view)
    controller = LockController(view, services=services, runner=runner)
    controller.show_for(SESSION)
    assert "1001" in view.clerk.text()
    qtbot.keyClicks(view.password, "nope")
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert view.error.text() == "密码不正确"
    qtbot.keyClicks(view.password, "secret-1001")
    with qtbot.waitSignal(controller.unlocked):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    with qtbot.waitSignal(controller.session_ended) as ended:
        view.logout.click()
    assert ended.args == ["已注销"]
    assert services.names() == ["unlock", "unlock", "logout"]


# Documents and cases ------------------------------------------------------------------------------


def test_a_document_is_previewed_then_printed_on_enter(qtbot) -> None:
    services = RecordingServices()
    owner = QWidget()
    qtbot.addWidget(owner)
    controller = DocumentController(owner, services=services, runner=TaskRunner())
    controller.show_document(title="受理回执", summary="受理编号：1", pdf=a_pdf(pages=2))
    preview = controller.preview
    assert preview is not None and preview.isVisible()
    assert preview.view.document().pageCount() == 2
    with qtbot.waitSignal(controller.message) as started:
        qtbot.keyClick(preview.print_button, Qt.Key.Key_Return)
    assert started.args == ["正在打印：受理回执"]
    qtbot.waitUntil(lambda: services.names() == ["print_document"], timeout=3000)
    assert services.last("print_document") == ("受理回执", "")
    qtbot.waitUntil(lambda: controller.preview is None, timeout=3000)  # closed and deleted


def test_without_a_pdf_there_is_a_summary_and_nothing_to_print(qtbot, runner) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    controller = DocumentController(owner, services=RecordingServices(), runner=runner)
    controller.show_document(title="已受理（未生成回执）", summary="受理编号：1", pdf=None)
    assert controller.summary.isVisible() and controller.preview is None
    assert controller.summary.text.text() == "受理编号：1"
    assert controller.summary.note.text() == "未生成可打印的文书"
    controller.close_all()
    assert not controller.summary.isVisible()


def test_case_search_timeline_and_reprint(qtbot, runner) -> None:
    services = RecordingServices(
        cases=[a_case()],
        events=[CaseEvent(datetime(2026, 3, 2, 9, 41), "受理", "1001 王敏", "天平路", "", False)],
        receipt_pdf=None,
    )
    shown: list[dict[str, object]] = []
    view = CasesView()
    qtbot.addWidget(view)
    controller = CasesController(
        view, services=services, runner=runner, show_document=lambda **kw: shown.append(kw)
    )
    qtbot.keyClicks(view.search, "310104003-260302-003-0015-9")  # check character wrong
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.message.text() == "受理编号校验位不符，请核对"
    assert "search_cases" not in services.names()
    view.search.clear()
    type_chinese(view.search, "李建国")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.message.text() == "找到 1 件"
    assert controller.results.index(0, 0).data() == "310104003-260302-003-0015-X"
    assert controller.events.index(0, 5).data() == "待同步"
    view.reprint.click()
    assert shown[-1]["pdf"] is None
    assert "没有可补打的回执" in str(shown[-1]["summary"])


def test_tab_out_of_a_typed_street_takes_it_without_moving_on(qtbot, household) -> None:
    qtbot.keyClicks(household.view.street.lineEdit(), "njdl")
    with qtbot.assertNotEmitted(household.picked):
        household.view.street.lineEdit().editingFinished.emit()  # what leaving the field does
    assert household.value() == StreetChoice("310101002")


def test_a_list_is_read_whole_rows_at_a_time_and_tab_leaves_it(qtbot) -> None:
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from tongban.ui.tables import list_table

    form = QWidget()
    table = list_table("test.list", "办件经过")
    after = QLineEdit()
    layout = QVBoxLayout(form)
    layout.addWidget(table)
    layout.addWidget(after)
    model = QStandardItemModel(2, 3)
    for row in range(2):
        for column in range(3):
            model.setItem(row, column, QStandardItem(f"{row}-{column}"))
    table.setModel(model)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=3000)
    table.setFocus()
    table.setCurrentIndex(model.index(0, 1))

    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert [i.row() for i in table.selectionModel().selectedRows()] == [1]  # the whole row
    qtbot.keyClick(table, Qt.Key.Key_F2)  # the usual edit key changes nothing
    assert table.indexWidget(table.currentIndex()) is None and model.item(1, 1).text() == "1-1"
    assert table.state() != table.State.EditingState
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    qtbot.waitUntil(after.hasFocus, timeout=1000)  # the next field, not the next cell
    assert table.accessibleName() == "办件经过"
