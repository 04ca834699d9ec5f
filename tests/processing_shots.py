"""Representative processing work on a demo workstation, and the 办件 / 进度查询 screenshots.

Shared by tests/test_ui_processing_e2e.py and the screenshot script: `seed_cases` records, through
the real services, a morning's worth of cases at 天平路 (a supplement past its due date, a 收受分离
case gone to 长宁区 and now overdue, one approved, one just accepted); `shoot_inbox` and
`shoot_lookup` drive the real window by keyboard to the two pictures. Nothing here is a test.

    python tests/processing_shots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import Qt

from counter_driver import Clerk, screenshot
from counter_support import (
    OTHER_DISTRICT_STREET,
    Clock,
    applicant,
    everything,
    fast_passwords,
    item_named,
    request,
    resident_id,
)
from tongban.desktop.services import (
    Accounts,
    Channel,
    CounterContext,
    Intake,
    Paperwork,
    open_counter,
    prepare_demo,
)
from tongban.desktop.services.processing import Processing
from tongban.models.catalog import Item
from tongban.models.intake import ApplicantInput
from tongban.models.rules import display_case_number

Shoot = Callable[[str], None]
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@dataclass(frozen=True)
class Seeded:
    waiting: str  # direct, 补正 asked for and past its due date
    forwarded: str  # 收受分离 to 长宁区, overdue (follow it from here)
    approved: str  # direct, signed and approved: ready to hand over
    fresh: str  # direct, just accepted
    fresh_id: str  # the fresh case's applicant's ID number


def seed_cases(context: CounterContext, clock: Clock) -> Seeded:
    """Four cases over four weeks; the clock ends on the last day (Wednesday 2026-04-08)."""
    actor = Accounts(context).actor_for("1001", Channel.COMMAND_LINE)
    intake, processing = Intake(context, Paperwork(context)), Processing(context)
    elder, births = item_named("敬老卡申领"), item_named("生育保险待遇申领")

    def accept(item: Item, who: ApplicantInput) -> str:
        done = intake.accept(request(item, everything(item), who), actor, documents=False)
        return done.case_number

    waiting = accept(elder, applicant(name="李建国", id_number=resident_id(serial=123)))
    mother = applicant(
        name="陈静",
        id_number=resident_id("310105", date(1992, 5, 1), 246),
        household=OTHER_DISTRICT_STREET,
    )
    forwarded = accept(births, mother)
    processing.sign_for(waiting, actor)
    processing.request_supplement(
        waiting, actor, materials=["户口簿"], reason="需核对户籍信息", due=date(2026, 3, 20)
    )
    clock.advance(days=29)  # Wednesday 2026-04-08
    approved = accept(elder, applicant(name="王秀英", id_number=resident_id(serial=246)))
    processing.sign_for(approved, actor)
    processing.approve(approved, actor, note="符合条件")
    fresh_id = resident_id(birth=date(1951, 6, 1), serial=357)
    fresh = accept(elder, applicant(name="张伟", id_number=fresh_id))
    return Seeded(waiting, forwarded, approved, fresh, fresh_id)


def shoot_inbox(clerk: Clerk, seeded: Seeded, shoot: Shoot) -> None:
    """Ctrl+F7, down to the case waiting for a supplement, Enter: its file and actions."""
    clerk.press(Qt.Key.Key_F7, CTRL)
    clerk.settle()
    tabs = clerk.window.processing
    assert tabs is not None
    model = tabs.inbox.inbox
    row = next(r for r in range(model.rowCount()) if model.row_at(r).case_number == seeded.waiting)
    for _ in range(row):
        clerk.press(Qt.Key.Key_Down)
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    shoot("inbox")


def shoot_lookup(clerk: Clerk, seeded: Seeded, shoot: Shoot) -> None:
    """Ctrl+F6, the fresh case's number in display form, the ID's last four."""
    clerk.press(Qt.Key.Key_F6, CTRL)
    clerk.expect_focus("lookup.case")
    clerk.type(display_case_number(seeded.fresh))
    clerk.press(Qt.Key.Key_Return)
    clerk.expect_focus("lookup.idLast4")
    clerk.type(seeded.fresh_id[-4:])
    clerk.press(Qt.Key.Key_Return)
    clerk.settle()
    shoot("lookup")


def main(argv: list[str] | None = None) -> int:
    from tongban.desktop.app import build_counter_window, create_application
    from tongban.desktop.services import Counter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="tongban-shots-") as folder:
        clock = Clock()
        prepare_demo(Path(folder), clock=clock, passwords=fast_passwords())
        context = open_counter(Path(folder), clock=clock)
        seeded = seed_cases(context, clock)
        counter = Counter(context, passwords=fast_passwords(), printer=lambda *_: None)
        window = build_counter_window(context, services=counter)
        try:
            window.resize(1366, 768)
            window.show()
            clerk = Clerk(window)
            clerk.back_to_window()
            clerk.settle()
            assert clerk.log_in("1001") == ""
            for step in (shoot_inbox, shoot_lookup):
                step(clerk, seeded, lambda name: screenshot(window, args.out / f"{name}.png"))
        finally:
            window.close()
            context.close()
    app.processEvents()
    print(args.out / "inbox.png")
    print(args.out / "lookup.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
