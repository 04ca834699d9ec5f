"""Screenshots of the counter window, one per step of a clerk's morning, for docs/screenshots/.

Drives the real window on the real services, offscreen, on a temporary demo workstation, with
the keyboard (the same driver as tests/test_counter_e2e.py), at 1366×768. The services' clock is
fixed at Tuesday 2026-03-10 10:00 so that the pictures do not change from run to run.

    python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtCore import Qt  # noqa: E402

from counter_driver import DEMO_PASSWORD, Applicant, Clerk, resident_id, screenshot  # noqa: E402
from counter_support import Clock  # noqa: E402
from tongban.desktop.app import build_counter_window, create_application  # noqa: E402
from tongban.desktop.services import Counter, open_counter, prepare_demo  # noqa: E402

SIZE = (1366, 768)
ELDER = Applicant(resident_id("310104", date(1950, 1, 1), 123), "李建国", "13800138000", "tpl")
MOTHER = Applicant(resident_id("310105", date(1992, 5, 1), 246), "陈静", "13900139000", "hyl")

Shoot = Callable[[str], None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="tongban-shots-") as folder:
        clock = Clock()
        prepare_demo(Path(folder), clock=clock)
        context = open_counter(Path(folder), clock=clock)
        # Printing goes nowhere: the pictures show the preview, not a printer.
        counter = Counter(context, printer=lambda _pdf, _title, _printer: None)
        window = build_counter_window(context, services=counter)
        try:
            window.resize(*SIZE)
            window.show()
            clerk = Clerk(window)
            clerk.back_to_window()
            clerk.settle()
            saved = take_all(clerk, lambda name: screenshot(window, args.out / f"{name}.png"))
        finally:
            window.close()
            context.close()
    app.processEvents()
    for name in saved:
        print(args.out / f"{name}.png")
    return 0


def take_all(clerk: Clerk, shoot: Shoot) -> list[str]:
    steps = [login, identify, item_and_routing, materials, accepted, separated, guidance]
    steps += [case_search, lock_screen]
    saved: list[str] = []
    for step in steps:
        saved += step(clerk, shoot)
    return saved


def login(clerk: Clerk, shoot: Shoot) -> list[str]:
    clerk.type("1001")
    shoot("01-login")
    clerk.press(Qt.Key.Key_Return)
    assert clerk.retype_password(DEMO_PASSWORD) == ""
    return ["01-login"]


def identify(clerk: Clerk, shoot: Shoot) -> list[str]:
    """The card read, name and phone typed, the household street found by its pinyin."""
    clerk.type(ELDER.id_number)
    clerk.press(Qt.Key.Key_Return)
    clerk.expect_focus("applicant.name")
    clerk.commit(ELDER.name)
    clerk.press(Qt.Key.Key_Return)
    clerk.type(ELDER.phone)
    clerk.press(Qt.Key.Key_Return)
    clerk.expect_focus("applicant.householdStreet")
    clerk.type(ELDER.household)
    shoot("02-identify-street-pinyin")
    clerk.press(Qt.Key.Key_Return)
    clerk.back_to_window()
    clerk.settle()
    return ["02-identify-street-pinyin"]


def item_and_routing(clerk: Clerk, shoot: Shoot) -> list[str]:
    clerk.pick_item("jlksl")
    shoot("03-item-routing")
    return ["03-item-routing"]


def materials(clerk: Clerk, shoot: Shoot) -> list[str]:
    clerk.tick_materials(1)
    shoot("04-materials-checked")
    return ["04-materials-checked"]


def accepted(clerk: Clerk, shoot: Shoot) -> list[str]:
    clerk.decide(Qt.Key.Key_F5)
    shoot("05-accepted-receipt")
    clerk.print_document()
    clerk.next_applicant()
    return ["05-accepted-receipt"]


def separated(clerk: Clerk, shoot: Shoot) -> list[str]:
    """收受分离: the household is in 长宁区, the case goes to its center."""
    clerk.identify(MOTHER)
    clerk.pick_item("sybxdysl")
    clerk.tick_materials(clerk.window.materials.rowCount())
    shoot("06-separated-routing")
    clerk.decide(Qt.Key.Key_F5)
    clerk.print_document()
    clerk.next_applicant()
    return ["06-separated-routing"]


def guidance(clerk: Clerk, shoot: Shoot) -> list[str]:
    """不予通办: 廉租住房 only at the household's own center; the guidance tells where."""
    clerk.identify(MOTHER)
    clerk.pick_item("lzzfsq")
    shoot("07-home-district-refused")
    clerk.decide(Qt.Key.Key_F8)
    shoot("08-guidance-notice")
    clerk.close_document()
    clerk.next_applicant()
    return ["07-home-district-refused", "08-guidance-notice"]


def case_search(clerk: Clerk, shoot: Shoot) -> list[str]:
    clerk.press(Qt.Key.Key_F9)
    clerk.expect_focus("cases.search")
    clerk.commit(ELDER.name)
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    clerk.settle()  # the first result's timeline is asked for once the results arrive
    shoot("09-case-search-timeline")
    clerk.press(Qt.Key.Key_F2)
    return ["09-case-search-timeline"]


def lock_screen(clerk: Clerk, shoot: Shoot) -> list[str]:
    """A returning applicant's card is read, then the clerk steps away (Ctrl+L)."""
    clerk.type(ELDER.id_number)
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    clerk.lock()
    shoot("10-lock-screen")
    return ["10-lock-screen"]


if __name__ == "__main__":
    sys.exit(main())
