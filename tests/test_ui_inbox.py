"""办件 (Ctrl+F7) and 进度查询 (Ctrl+F6) in the counter window, on a recording fake of
ProcessingServices: the lists and their flags, opening a case by keyboard, each action and its
dialog, refusals shown in words, the applicant revealed on request, scans opened, the look-up's
checks, its out-of-date note and 领取.

Screenshots of the steps go to /tmp/ui-shots.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from processing_fake import (
    ELSEWHERE,
    FORWARDED,
    ID_LAST4,
    SCAN_SHA,
    SCANNER_FOLDER,
    WAITING,
    RecordingProcessing,
    work_item,
)
from test_ui_support import RecordingServices, type_chinese
from test_ui_window import back_to, focused, key, log_in, make_window, shoot
from tongban.models.rules import display_case_number
from tongban.ui.inbox_models import ALARM_COLOUR, flags_text, inbox_model
from tongban.ui.processing import ProcessingTabs
from tongban.ui.processing_ports import Action
from tongban.ui.window import CounterWindow

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def processing() -> RecordingProcessing:
    return RecordingProcessing()


@pytest.fixture
def opened_files() -> list[Path]:
    return []


@pytest.fixture
def window(qtbot, processing, opened_files) -> Iterator[CounterWindow]:
    window = make_window(qtbot, RecordingServices(), processing=processing)
    assert window.processing is not None
    # The system's viewer is not started in tests: the opener records the path instead.
    window.processing.inbox._open_file = lambda path: opened_files.append(path) or True
    log_in(qtbot, window)
    yield window
    window.close()


def wait_focus(qtbot, name: str) -> None:
    """A dialog just shown gets the focus once the (offscreen) window system activates it."""
    qtbot.waitUntil(lambda: focused() == name, timeout=3000)


def tabs(window: CounterWindow) -> ProcessingTabs:
    assert window.processing is not None
    return window.processing


def open_inbox(window: CounterWindow) -> ProcessingTabs:
    key(window, Qt.Key.Key_F7, CTRL)
    return tabs(window)


def open_row(window: CounterWindow, downs: int) -> ProcessingTabs:
    t = open_inbox(window)
    for _ in range(downs):
        key(window, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_Return)
    return t


# The lists ---------------------------------------------------------------------------------------


def test_flags_are_words_and_red(qapp):
    model = inbox_model()
    late = work_item(FORWARDED, overdue=True, due=date(2026, 2, 27))
    waiting = work_item(WAITING, supplement_due=date(2026, 3, 20))
    model.set_rows([late, waiting])
    assert model.index(0, 7).data() == "已超期（承诺 2026-02-27）"
    assert model.index(0, 7).data(Qt.ItemDataRole.ForegroundRole) == QColor(ALARM_COLOUR)
    assert model.index(1, 7).data() == "待补正至 2026-03-20"
    assert model.index(1, 7).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data() == display_case_number(FORWARDED)
    late_supplement = work_item(WAITING, supplement_due=date(2026, 2, 27), supplement_overdue=True)
    assert flags_text(late_supplement) == "补正超期（限 2026-02-27）"


def test_ctrl_f7_shows_both_lists_with_their_counts_and_flags(qtbot, window, processing):
    t = open_inbox(window)
    assert window.counter.tabs.currentWidget() is t.inbox_view
    assert focused() == "inbox.list"
    assert t.inbox.inbox.rowCount() == 2 and t.inbox.elsewhere.rowCount() == 1
    assert t.inbox_view.lists.tabText(0) == "待办（2） · 超期 1"
    assert t.inbox_view.lists.tabText(1) == "本中心受理、他中心办理（1） · 超期 1"
    assert t.inbox.inbox.index(1, 7).data() == "补正超期（限 2026-02-27）"
    assert t.inbox.inbox.index(0, 2).data() == "陈*"  # masked in the list
    assert "超期提醒 2 件" in t.inbox_view.message.text()
    key(window, Qt.Key.Key_Tab, CTRL)  # the other list
    assert t.inbox_view.lists.currentIndex() == 1
    assert t.inbox.elsewhere.index(0, 6).data().startswith("已超期")
    assert processing.names().count("case_file") == 0  # passing over rows opens nothing


def test_enter_opens_the_case_and_only_its_actions_are_enabled(qtbot, window, processing):
    t = open_row(window, 0)
    assert processing.last("case_file") == FORWARDED
    f = t.inbox_view.file
    assert t.inbox.opened is not None and t.inbox.opened.item.case_number == FORWARDED
    assert [a for a, b in f.actions.items() if b.isEnabled()] == [Action.SIGN]
    assert focused() == "inbox.action.sign"
    assert f.applicant.text() == "陈*　310105********123X"
    assert t.inbox.materials.rowCount() == 2 and t.inbox.timeline.rowCount() == 2
    assert "办理：天平路街道社区事务受理服务中心" in f.centers.text()
    shoot(window, "inbox-opened")
    key(window, Qt.Key.Key_Escape)
    assert focused() == "inbox.list"
    key(window, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_Return)
    assert processing.last("case_file") == WAITING
    assert f.flags.isVisible() and "补正超期" in f.flags.text()
    assert focused() == "inbox.action.supplied"


def test_sign_by_alt_1_records_and_reads_the_lists_again(qtbot, window, processing):
    open_row(window, 0)
    lists_read = processing.names().count("work_lists")
    key(window, Qt.Key.Key_1, ALT)
    assert processing.last("sign_for") == (FORWARDED, None)
    assert processing.names().count("work_lists") == lists_read + 1
    message = tabs(window).inbox_view.message.text()
    assert message == f"已签收：{display_case_number(FORWARDED)}（已签收）"


def test_a_refusal_is_shown_in_words_and_nothing_breaks(qtbot, window, processing):
    t = open_row(window, 0)
    processing.refuse = (
        "本中心不是此案的办理中心（办理中心：华阳路街道社区事务受理服务中心），不能办理"
    )
    key(window, Qt.Key.Key_1, ALT)
    assert t.inbox_view.message.text() == processing.refuse
    assert "b3261e" in t.inbox_view.message.styleSheet()
    assert t.inbox_view.file.actions[Action.SIGN].isEnabled()  # still there to try again


def test_an_action_not_open_for_the_case_does_nothing(qtbot, window, processing):
    open_row(window, 0)
    key(window, Qt.Key.Key_4, ALT)  # 准予办理 before 签收
    assert "approve" not in processing.names()
    assert not tabs(window).inbox.approve_dialog.isVisible()


def test_supplement_dialog_checklist_reason_and_the_services_due_date(qtbot, window, processing):
    processing.lists = type(processing.lists)(
        inbox=(
            work_item(
                FORWARDED,
                status_label="已签收",
                actions=frozenset({Action.SUPPLEMENT, Action.APPROVE, Action.REJECT}),
            ),
        ),
        elsewhere=(),
    )
    t = open_row(window, 0)
    key(window, Qt.Key.Key_2, ALT)
    dialog = t.inbox.supplement_dialog
    assert dialog.isVisible()
    wait_focus(qtbot, "supplement.materials")
    assert dialog.due.date().toPython() == date(2026, 3, 16)  # the service's default
    assert dialog.materials.count() == 3
    key(window, Qt.Key.Key_Return)  # nothing ticked
    assert dialog.message.text() == "请勾选或填写需要补正的材料"
    assert "request_supplement" not in processing.names()
    key(window, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_Space)  # 结婚证
    type_chinese(dialog.other, "户口簿、离婚证明")
    key(window, Qt.Key.Key_Return)
    assert dialog.message.text() == "请填写补正理由"
    type_chinese(dialog.reason, "结婚证复印件不清晰")
    shoot(window, "inbox-supplement")
    key(window, Qt.Key.Key_Return)
    number, (materials, reason, due) = processing.last("request_supplement")
    assert number == FORWARDED
    assert materials == ("结婚证", "户口簿", "离婚证明")
    assert (reason, due) == ("结婚证复印件不清晰", date(2026, 3, 16))
    assert not dialog.isVisible()


def test_a_refused_dialog_stays_open_with_the_reason(qtbot, window, processing):
    t = open_row(window, 1)  # waiting for a supplement
    key(window, Qt.Key.Key_5, ALT)
    dialog = t.inbox.reject_dialog
    wait_focus(qtbot, "reject.text")
    key(window, Qt.Key.Key_Return)
    assert dialog.message.text() == "请填写不予批准的理由"
    assert "reject" not in processing.names()
    type_chinese(dialog.text, "申请人不符合条件")
    processing.refuse = "请先签收此案件，再作补正或办结"
    key(window, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.message.text() == processing.refuse
    processing.refuse = None
    key(window, Qt.Key.Key_Return)
    assert processing.last("reject") == (WAITING, "申请人不符合条件")
    assert not dialog.isVisible()


def test_supplied_ticks_everything_asked_for(qtbot, window, processing):
    t = open_row(window, 1)
    key(window, Qt.Key.Key_3, ALT)
    assert t.inbox.supplied_dialog.materials.count() == 1
    wait_focus(qtbot, "supplied.materials")
    key(window, Qt.Key.Key_Return)
    assert processing.last("supplied") == (WAITING, ("户口簿",))


def test_approve_ready_and_collect_each_by_their_key(qtbot, window, processing):
    every = frozenset({Action.APPROVE, Action.READY, Action.COLLECT})
    processing.lists = type(processing.lists)(
        inbox=(work_item(FORWARDED, actions=every),), elsewhere=()
    )
    t = open_row(window, 0)
    key(window, Qt.Key.Key_4, ALT)
    wait_focus(qtbot, "approve.text")
    qtbot.keyClicks(t.inbox.approve_dialog.text, "ok")
    key(window, Qt.Key.Key_Return)
    assert processing.last("approve") == (FORWARDED, "ok")
    back_to(qtbot, window)
    key(window, Qt.Key.Key_6, ALT)
    assert processing.last("ready") == (FORWARDED, None)
    back_to(qtbot, window)
    key(window, Qt.Key.Key_7, ALT)
    assert t.inbox.collect_dialog.text.text() == "申请人"  # the usual collector, ready
    wait_focus(qtbot, "collect.text")
    key(window, Qt.Key.Key_Return)
    assert processing.last("collect") == (FORWARDED, "申请人")


def test_the_applicant_is_revealed_only_when_asked(qtbot, window, processing):
    t = open_row(window, 0)
    assert "reveal_applicant" not in processing.names()
    assert "陈静" not in t.inbox_view.file.applicant.text()
    key(window, Qt.Key.Key_X, ALT)
    assert processing.last("reveal_applicant") == FORWARDED
    assert "陈静　居民身份证 31010519920501246X" in t.inbox_view.file.applicant.text()
    assert "此次查看已记录" in t.inbox_view.message.text()
    key(window, Qt.Key.Key_Escape)
    key(window, Qt.Key.Key_Return)  # opened again: masked again
    assert "陈静" not in t.inbox_view.file.applicant.text()


def test_enter_on_a_scan_opens_it_with_the_system_viewer(qtbot, window, processing, opened_files):
    t = open_row(window, 0)
    scans = t.inbox_view.file.scans
    scans.setFocus()
    scans.setCurrentIndex(t.inbox.scans.index(0, 0))
    key(window, Qt.Key.Key_Return)
    assert processing.last("open_scan") == (FORWARDED, SCAN_SHA)
    assert opened_files == [Path("/tmp/scan.pdf")]
    assert t.inbox_view.message.text() == "已用系统查看器打开扫描件"


def test_a_scan_is_attached_by_keyboard_and_a_refusal_shown(qtbot, window, processing):
    chosen: list[tuple[object, Path]] = []
    picked = SCANNER_FOLDER / "hukou.pdf"

    def choose(parent: object, folder: Path) -> Path | None:
        chosen.append((parent, folder))
        return picked

    t = open_row(window, 1)  # waiting for 户口簿
    t.inbox._choose_file = choose
    key(window, Qt.Key.Key_8, ALT)
    dialog = t.inbox.scan_dialog
    wait_focus(qtbot, "scan.material")
    materials = [dialog.material.itemText(i) for i in range(dialog.material.count())]
    assert materials == ["夫妻双方身份证件", "结婚证", "户口簿"]  # with the supplement asked for
    key(window, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_Return)  # no file yet
    assert dialog.message.text() == "请选择扫描件文件（Alt+F）"
    assert focused() == "scan.browse" and "attach_scan" not in processing.names()
    key(window, Qt.Key.Key_F, ALT)
    assert chosen == [(dialog, SCANNER_FOLDER)]  # the scanner's folder, from the service
    assert dialog.file.text() == str(picked) and focused() == "scan.ok"
    shoot(window, "inbox-scan")
    processing.refuse = "扫描件须为 PDF、PNG、JPEG 或 TIFF 文件"
    key(window, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.message.text() == processing.refuse
    assert processing.last("attach_scan") == (WAITING, "户口簿", picked)
    assert t.inbox.scans.rowCount() == 1
    processing.refuse = None
    key(window, Qt.Key.Key_Return)  # the focus is back on 浏览: Enter chooses again
    assert focused() == "scan.ok"
    key(window, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert processing.names().count("attach_scan") == 2
    assert t.inbox.scans.rowCount() == 2  # the scans table read anew
    assert t.inbox.scans.row_at(1).file_name == "hukou.pdf"
    assert t.inbox_view.message.text() == "已附扫描件：户口簿（hukou.pdf）"


def test_attach_scan_is_offered_only_where_the_case_allows_it(qtbot, window, processing):
    t = open_row(window, 0)  # the fake allows 签收 only
    assert not t.inbox_view.file.actions[Action.SCAN].isEnabled()
    key(window, Qt.Key.Key_8, ALT)
    assert "scan_folder" not in processing.names()
    assert not t.inbox.scan_dialog.isVisible()


def test_the_session_ending_empties_the_tabs(qtbot, window, processing):
    t = open_row(window, 0)
    window.lock.session_ended.emit("已注销")
    assert t.inbox.inbox.rowCount() == 0 and t.inbox.opened is None
    assert t.inbox.timeline.rowCount() == 0


# 进度查询 ---------------------------------------------------------------------------------------


def ask(qtbot, window: CounterWindow, number: str, suffix: str) -> ProcessingTabs:
    """Ctrl+F6, the case number, Enter, the ID's last four, Enter (ASCII typed)."""
    key(window, Qt.Key.Key_F6, CTRL)
    t = tabs(window)
    assert focused() == "lookup.case"
    t.lookup_view.case.clear()
    qtbot.keyClicks(t.lookup_view.case, number)
    key(window, Qt.Key.Key_Return)
    if focused() == "lookup.idLast4":
        qtbot.keyClicks(t.lookup_view.id_last4, suffix)
        key(window, Qt.Key.Key_Return)
    return t


def test_lookup_accepts_the_display_form_and_shows_the_answer(qtbot, window, processing):
    t = ask(qtbot, window, display_case_number(FORWARDED), ID_LAST4.lower())
    assert processing.last("lookup") == (FORWARDED, ID_LAST4)  # upper-cased as typed
    v = t.lookup_view
    assert v.status.text() == f"{display_case_number(FORWARDED)}　已签收"
    assert v.fields["applicant"].text() == "陈*　310105********123X"
    assert v.fields["processing"].text() == "天平路街道社区事务受理服务中心"
    assert t.lookup.events.rowCount() == 2
    assert not v.stale.isVisible() and not v.collect.isEnabled()
    shoot(window, "lookup-answer")


def test_lookup_checks_the_check_character_before_asking(qtbot, window, processing):
    wrong = FORWARDED[:-1] + ("0" if FORWARDED[-1] != "0" else "1")
    t = ask(qtbot, window, wrong, ID_LAST4)
    assert t.lookup_view.message.text() == "受理编号校验位不符，请核对"
    assert focused() == "lookup.case"
    assert "lookup" not in processing.names()


def test_lookup_with_a_wrong_suffix_says_so_and_shows_nothing(qtbot, window, processing):
    t = ask(qtbot, window, FORWARDED, ID_LAST4)
    ask(qtbot, window, FORWARDED, "9999")
    assert t.lookup_view.message.text() == "没有找到该办件，或证件号码后四位不符"
    assert t.lookup_view.status.text() == "" and t.lookup.events.rowCount() == 0


def test_an_answer_from_this_workstation_says_it_may_be_out_of_date(qtbot, window, processing):
    processing.stale_note = "无法连接中心，以下为本工作站的记录，可能不是最新状态"
    t = ask(qtbot, window, FORWARDED, ID_LAST4)
    assert t.lookup_view.stale.isVisible()
    assert t.lookup_view.stale.text() == processing.stale_note


def test_a_result_waiting_here_is_collected_from_the_lookup(qtbot, window, processing):
    processing.collect_here = True
    t = ask(qtbot, window, FORWARDED, ID_LAST4)
    assert t.lookup_view.collect.isEnabled() and focused() == "lookup.collect"
    key(window, Qt.Key.Key_1, ALT)
    dialog = t.lookup.collect_dialog
    wait_focus(qtbot, "collect.text")
    type_chinese(dialog.text, "陈静")
    key(window, Qt.Key.Key_Return)
    assert processing.last("collect") == (FORWARDED, "陈静")
    assert processing.names()[-1] == "lookup"  # the status read again
    assert t.lookup_view.message.text() == f"已领取：{display_case_number(FORWARDED)}"


def test_the_elsewhere_case_opens_for_following_only(qtbot, window, processing):
    t = open_inbox(window)
    key(window, Qt.Key.Key_Tab, CTRL)
    key(window, Qt.Key.Key_Return)
    assert processing.last("case_file") == ELSEWHERE
    assert not any(b.isEnabled() for b in t.inbox_view.file.actions.values())
    assert focused() == "inbox.timeline"
