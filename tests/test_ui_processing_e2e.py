"""办件 and 进度查询 in the real counter window on the real services, by keyboard.

A direct item accepted at this center (by keyboard, as a clerk does) appears in the center's
inbox and is signed for, approved, made ready and collected, each by its key; the store and the
audit log say so. A scan attached by its dialog lands in the store and the scan folder. The
status look-up with the right and a wrong ID suffix, and, when the center cannot be reached, the
answer from this workstation with its out-of-date note. The window runs its real worker thread;
the services' clock stands at Tuesday 2026-03-10 10:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from counter_driver import Applicant, Clerk, resident_id
from counter_support import Clock, fast_passwords
from processing_shots import seed_cases, shoot_inbox, shoot_lookup
from test_ui_window import SHOTS
from tongban.desktop.app import build_counter_window
from tongban.desktop.scan_files import ScanFiles
from tongban.desktop.services import Counter, CounterContext, open_counter, prepare_demo
from tongban.desktop.services.lookup import STALE_OFFLINE
from tongban.desktop.services.processing_desk import ProcessingDesk
from tongban.desktop.sync.client import SyncError, SyncErrorKind
from tongban.models.lookup_wire import NOT_FOUND
from tongban.models.rules import display_case_number
from tongban.models.store import CaseStatus, SubjectType, audit_trail, load_case
from tongban.ui.fonts import install_application_font
from tongban.ui.processing import ProcessingTabs
from tongban.ui.tasks import TaskRunner
from tongban.ui.window import CounterWindow

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ELDER = Applicant(resident_id("310104", date(1950, 1, 1), 123), "李建国", "13800138000", "tpl")


@dataclass
class Station:
    context: CounterContext
    clock: Clock


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


@pytest.fixture
def station(tmp_path) -> Iterator[Station]:
    clock = Clock()
    prepare_demo(tmp_path / "demo", clock=clock, passwords=fast_passwords())
    context = open_counter(tmp_path / "demo", clock=clock)
    yield Station(context, clock)
    context.close()


def show(qtbot, window: CounterWindow) -> Clerk:
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    clerk = Clerk(window)
    clerk.settle()
    assert clerk.log_in("1001") == ""
    return clerk


def counter(station: Station) -> Counter:
    return Counter(station.context, passwords=fast_passwords(), printer=lambda *_: None)


@pytest.fixture
def clerk(qtbot, station) -> Iterator[Clerk]:
    clerk = show(qtbot, build_counter_window(station.context, services=counter(station)))
    yield clerk
    clerk.window.close()


def tabs(clerk: Clerk) -> ProcessingTabs:
    assert clerk.window.processing is not None
    return clerk.window.processing


def status(station: Station, number: str) -> CaseStatus | None:
    with station.context.store.reading() as session:
        state = load_case(session, number)
    return None if state is None else state.status


def accept_by_keyboard(clerk: Clerk) -> None:
    """敬老卡申领 (直接受理) for an elder of this center, as the clerk takes it in."""
    clerk.identify(ELDER, by_hand=True)
    clerk.pick_item("jlksl")
    clerk.tick_materials(1)
    clerk.decide(Qt.Key.Key_F5)
    clerk.print_document()
    clerk.next_applicant()


def act(clerk: Clerk, digit: Qt.Key) -> None:
    clerk.press(digit, ALT)
    clerk.settle()


def submit_dialog(clerk: Clerk, field: str) -> None:
    clerk.expect_focus(field)
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    clerk.back_to_window()


def test_a_direct_case_is_signed_approved_made_ready_and_collected(clerk, station):
    accept_by_keyboard(clerk)
    clerk.press(Qt.Key.Key_F7, CTRL)
    clerk.settle()
    t = tabs(clerk)
    assert t.inbox.inbox.rowCount() == 1
    number = t.inbox.inbox.row_at(0).case_number
    assert status(station, number) is CaseStatus.ACCEPTED
    assert t.inbox.inbox.index(0, 5).data() == "已受理"
    clerk.expect_focus("inbox.list")
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    clerk.expect_focus("inbox.action.sign")
    assert t.inbox_view.file.applicant.text().startswith("李**")

    act(clerk, Qt.Key.Key_1)  # 签收
    assert t.inbox.inbox.index(0, 5).data() == "已签收"
    act(clerk, Qt.Key.Key_X)  # the applicant in full: audited
    assert ELDER.id_number in t.inbox_view.file.applicant.text()
    act(clerk, Qt.Key.Key_4)  # 准予办理, no note
    submit_dialog(clerk, "approve.text")
    assert status(station, number) is CaseStatus.APPROVED
    act(clerk, Qt.Key.Key_6)  # 结果待领取
    assert status(station, number) is CaseStatus.READY
    act(clerk, Qt.Key.Key_7)  # 领取 by the applicant
    submit_dialog(clerk, "collect.text")
    assert status(station, number) is CaseStatus.COLLECTED

    assert t.inbox.inbox.rowCount() == 0  # a closed case leaves the inbox
    with station.context.store.reading() as session:
        trail = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=number)
    actions = [entry.action for entry in trail]
    for expected in (
        "case_received_for_processing",
        "reveal_applicant",
        "case_approved",
        "case_ready",
        "case_collected",
    ):
        assert expected in actions, expected


def test_a_refusal_from_the_real_service_is_shown_not_raised(clerk, station):
    accept_by_keyboard(clerk)
    clerk.press(Qt.Key.Key_F7, CTRL)
    clerk.settle()
    t = tabs(clerk)
    number = t.inbox.inbox.row_at(0).case_number
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    # Another clerk signs it meanwhile: this window still offers 签收.
    from tongban.desktop.services import Accounts, Channel
    from tongban.desktop.services.processing import Processing

    other = Accounts(station.context).actor_for("1002", Channel.COMMAND_LINE)
    Processing(station.context).sign_for(number, other)
    act(clerk, Qt.Key.Key_1)
    assert "不能重复签收" in t.inbox_view.message.text()


def test_a_scan_attached_by_its_dialog_is_kept_and_listed(clerk, station, tmp_path):
    png, text = tmp_path / "hukou.png", tmp_path / "notes.txt"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    assert image.save(str(png), "PNG")
    text.write_text("not a scan", encoding="utf-8")
    files = [text, png]
    asked: list[Path] = []
    accept_by_keyboard(clerk)
    clerk.press(Qt.Key.Key_F7, CTRL)
    clerk.settle()
    t = tabs(clerk)
    number = t.inbox.inbox.row_at(0).case_number
    t.inbox._choose_file = lambda _parent, folder: asked.append(folder) or files.pop(0)
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    act(clerk, Qt.Key.Key_8)  # 附扫描件
    clerk.expect_focus("scan.material")
    material = t.inbox.scan_dialog.material.currentText()
    assert material
    clerk.press(Qt.Key.Key_F, ALT)
    assert asked == [Path.home()]  # no scanner folder set for the demo workstation
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    assert t.inbox.scan_dialog.message.text() == "扫描件须为 PDF、PNG、JPEG 或 TIFF 文件"
    clerk.expect_focus("scan.browse")
    clerk.press(Qt.Key.Key_Return)  # 浏览 again: the PNG
    clerk.expect_focus("scan.ok")
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    clerk.back_to_window()
    assert not t.inbox.scan_dialog.isVisible()

    assert t.inbox.opened is not None
    assert [(s.material, s.file_name) for s in t.inbox.opened.scans] == [(material, "hukou.png")]
    with station.context.store.reading() as session:
        state = load_case(session, number)
    assert state is not None and len(state.scans) == 1
    kept = ScanFiles.beside(station.context.store).path_of(state.scans[0].sha256)
    assert kept.read_bytes() == png.read_bytes()
    with station.context.store.reading() as session:
        trail = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=number)
    assert "attach_scan" in [entry.action for entry in trail]


def test_lookup_with_the_right_and_a_wrong_suffix(clerk, station):
    seeded = seed_cases(station.context, station.clock)
    shoot_lookup(clerk, seeded, lambda name: None)
    t = tabs(clerk)
    assert t.lookup.answer is not None
    assert t.lookup_view.status.text() == f"{display_case_number(seeded.fresh)}　已受理"
    assert t.lookup_view.fields["applicant"].text().startswith("张*")
    assert not t.lookup_view.stale.isVisible()  # a demo works alone: its own record is all
    t.lookup_view.id_last4.setFocus()
    t.lookup_view.id_last4.selectAll()
    clerk.type("0000")
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    assert t.lookup_view.message.text() == NOT_FOUND
    assert t.lookup.answer is None and t.lookup.events.rowCount() == 0


def offline() -> object:
    raise SyncError(SyncErrorKind.OFFLINE, "无法连接同步服务器")


def test_offline_the_answer_is_this_workstations_and_says_so(qtbot, station):
    seeded = seed_cases(station.context, station.clock)
    services = counter(station)
    desk = ProcessingDesk(station.context, services.signed_in, connect=offline)  # type: ignore[arg-type]
    window = CounterWindow(
        services,
        station.context.geography,
        station.context.catalog,
        runner=TaskRunner(parent=None),
        today=station.context.today,
        processing=desk,
    )
    clerk = show(qtbot, window)
    try:
        shoot_lookup(clerk, seeded, lambda name: None)
        t = tabs(clerk)
        assert t.lookup_view.stale.isVisible()
        assert t.lookup_view.stale.text() == STALE_OFFLINE
    finally:
        window.close()


def test_the_screenshots_of_both_views(clerk, station):
    seeded = seed_cases(station.context, station.clock)
    from counter_driver import screenshot

    def save(name: str) -> None:
        screenshot(clerk.window, SHOTS / f"{name}.png")

    shoot_inbox(clerk, seeded, save)
    t = tabs(clerk)
    assert t.inbox.opened is not None and t.inbox.opened.item.case_number == seeded.waiting
    assert "补正超期" in t.inbox_view.file.flags.text()
    assert t.inbox.elsewhere.rowCount() == 1
    assert t.inbox.elsewhere.index(0, 6).data().startswith("已超期")
    shoot_lookup(clerk, seeded, save)
    assert (SHOTS / "inbox.png").exists() and (SHOTS / "lookup.png").exists()
