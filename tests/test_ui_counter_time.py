"""The window passes on when the clerk identified the applicant (the visit's start), driven
through the real widgets with a recording service: a card read or the last digit typed starts
the visit, the decision carries that moment (not its own), F12 and a new applicant start anew,
correcting the same number does not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import test_ui_supervisor as supervisor
from counter_support import DemoCounter, demo_counter
from test_ui_supervisor import open_window
from test_ui_support import (
    OLD_MAN_ID,
    TIANPING,
    TODAY,
    YOUNG_WOMAN_ID,
    RecordingServices,
    a_pdf,
)
from test_ui_window import (
    back_to,
    key,
    log_in,
    make_window,
    pick_item,
    scan,
    shoot,
    type_digits,
)
from tongban.desktop.services import DEMO_PASSWORD
from tongban.desktop.services.reports import Reports
from tongban.models.clock import SHANGHAI
from tongban.ui.fonts import install_application_font
from tongban.ui.ports import IntakeRequest, KnownApplicant
from tongban.ui.window import CounterWindow

OPENING = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0, tzinfo=SHANGHAI)


class WallClock:
    """The window's clock, moved by the test."""

    def __init__(self) -> None:
        self.current = OPENING

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture(scope="module", autouse=True)
def bundled_font(qapp) -> str:
    return install_application_font(qapp)


@pytest.fixture
def services() -> RecordingServices:
    known = RecordingServices(sync_count=0, receipt_pdf=a_pdf(), notice_pdf=a_pdf())
    # Returning applicants: the form fills itself, so the test types only the numbers.
    known.known[OLD_MAN_ID] = KnownApplicant("李建国", "13800138000", TIANPING, None)
    known.known[YOUNG_WOMAN_ID] = KnownApplicant("陈晓", "13900139000", TIANPING, None)
    return known


@pytest.fixture
def clock() -> WallClock:
    return WallClock()


@pytest.fixture
def window(qtbot, services: RecordingServices, clock: WallClock) -> Iterator[CounterWindow]:
    window = make_window(qtbot, services, now=clock)
    log_in(qtbot, window)
    yield window
    window.close()


def hand_in_everything(qtbot, window: CounterWindow) -> None:
    for _ in range(3):
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
        qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Down)


def close_the_document(qtbot, window: CounterWindow) -> None:
    window.documents.close_all()
    back_to(qtbot, window)


def test_a_card_read_starts_the_visit_and_the_acceptance_carries_that_moment(
    qtbot, window, services, clock
):
    clock.advance(30)
    identified = clock.current
    scan(qtbot, OLD_MAN_ID)
    assert window.applicant.state().identified_at == identified
    clock.advance(200)  # the clerk checks the materials
    pick_item(qtbot, window, "jlk")
    hand_in_everything(qtbot, window)
    clock.advance(40)
    key(window, Qt.Key.Key_F5)
    request: IntakeRequest = services.last("accept")
    assert request.started_at == identified != clock.current
    close_the_document(qtbot, window)
    key(window, Qt.Key.Key_F12)  # the next applicant: nothing carried over
    assert window.applicant.state().identified_at is None


def test_a_typed_number_starts_the_visit_at_its_last_digit(qtbot, window, services, clock):
    id_field = window.counter.applicant.id_number
    type_digits(qtbot, id_field, YOUNG_WOMAN_ID[:10])
    assert window.applicant.state().identified_at is None  # not yet a valid number
    clock.advance(5)
    type_digits(qtbot, id_field, YOUNG_WOMAN_ID[10:])
    identified = clock.current
    assert window.applicant.state().identified_at == identified
    clock.advance(20)
    qtbot.keyClick(id_field, Qt.Key.Key_Backspace)  # a correction of the same number
    assert window.applicant.state().identity is not None
    assert not window.applicant.state().identity.valid
    type_digits(qtbot, id_field, YOUNG_WOMAN_ID[-1])
    assert window.applicant.state().identified_at == identified  # still the same visit
    back_to(qtbot, window)
    pick_item(qtbot, window, "jlk")
    qtbot.keyClick(window.counter.materials.table, Qt.Key.Key_Space)
    clock.advance(60)
    key(window, Qt.Key.Key_F6)  # 一次性告知
    request: IntakeRequest = services.last("notify")
    assert request.started_at == identified


def test_another_number_is_another_applicant_and_a_card_after_a_decision_starts_anew(
    qtbot, window, services, clock
):
    scan(qtbot, OLD_MAN_ID)
    first = clock.current
    clock.advance(15)
    window.counter.applicant.id_number.setFocus()
    window.counter.applicant.id_number.selectAll()
    scan(qtbot, YOUNG_WOMAN_ID)  # the wrong card was read first
    assert window.applicant.state().identified_at == first + timedelta(seconds=15)
    back_to(qtbot, window)
    pick_item(qtbot, window, "jlk")
    hand_in_everything(qtbot, window)
    key(window, Qt.Key.Key_F5)
    assert services.last("accept").started_at == first + timedelta(seconds=15)
    close_the_document(qtbot, window)
    clock.advance(300)
    scan(qtbot, OLD_MAN_ID)  # the next person's card, straight after the decision
    assert window.applicant.state().identified_at == clock.current
    id_field = window.counter.applicant.id_number
    id_field.setFocus()
    id_field.selectAll()
    qtbot.keyClick(id_field, Qt.Key.Key_Backspace)  # the number emptied: nobody identified
    assert window.applicant.state().identified_at is None


# From the window to the supervisor's desk, on the real services ----------------------------------


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoCounter]:
    demo = demo_counter(tmp_path)
    yield demo
    demo.context.close()


def accept_at_the_window(
    qtbot, window: CounterWindow, demo: DemoCounter, number: str, seconds: int
) -> None:
    """A first-time applicant through the real window and services: card read, details typed,
    accepted `seconds` after the card was read."""
    scan(qtbot, number)
    window.counter.applicant.name.setText("申请人")
    type_digits(qtbot, window.counter.applicant.phone, "13800138000")
    qtbot.keyClick(window.counter.applicant.phone, Qt.Key.Key_Return)
    line = window.counter.applicant.household.street.lineEdit()
    qtbot.keyClicks(line, "tpl")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    back_to(qtbot, window)
    pick_item(qtbot, window, "jlk")
    hand_in_everything(qtbot, window)
    demo.clock.advance(seconds=seconds)
    key(window, Qt.Key.Key_F5)
    assert window.counter.decision.case_number.text().startswith("受理编号"), (
        window.counter.decision.blocker.text()
    )
    close_the_document(qtbot, window)


def test_the_desk_shows_the_time_at_the_counter_of_visits_made_at_the_window(
    qtbot, demo: DemoCounter
) -> None:
    clerk_window = open_window(qtbot, demo.counter)
    supervisor.log_in(qtbot, clerk_window, "1001", DEMO_PASSWORD)
    accept_at_the_window(qtbot, clerk_window, demo, OLD_MAN_ID, 150)
    key(clerk_window, Qt.Key.Key_F12)
    accept_at_the_window(qtbot, clerk_window, demo, YOUNG_WOMAN_ID, 330)
    clerk_window.close()
    report = Reports(demo.context).intake(demo.context.today())
    assert report.counter_time_cases == 2
    # Two reads of the clock (a microsecond each) lie between the card and the decision.
    assert report.counter_time_median_seconds == 240.0
    assert report.counter_time_p90_seconds == 330.0
    desk_window = open_window(qtbot, demo.counter)
    supervisor.log_in(qtbot, desk_window, "9001", DEMO_PASSWORD)
    supervisor.press(Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    desk = desk_window.supervisor
    assert desk is not None
    assert supervisor.figure(desk_window, "counter_median") == "4 分 0 秒"
    assert supervisor.figure(desk_window, "counter_p90") == "5 分 30 秒"
    assert "2 件" in desk.view.figures["counter_median"].toolTip()
    row = [desk.clerks.index(0, c).data() for c in range(desk.clerks.columnCount())]
    assert row[0] == "1001" and row[-2:] == ["4 分 0 秒", "5 分 30 秒"]
    assert desk.view.notes.isVisible() and "2 件" in desk.view.notes.text()
    shoot(desk_window, "supervisor-counter-time")
    desk_window.close()
