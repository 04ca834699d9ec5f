"""What the counter's service and command tests share: a settable clock, valid identity numbers,
catalog items found by name, a fast password hasher and a prepared demo counter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from stdnum.iso7064 import mod_11_2

from tongban.desktop.services import Counter, CounterContext, Passwords, open_counter, prepare_demo
from tongban.models.catalog import Item, MaterialForm, Requirement, default_catalog
from tongban.models.clock import SHANGHAI
from tongban.models.intake import ApplicantInput, MaterialCheck
from tongban.ui.ports import IntakeRequest

# A Tuesday in an ordinary March: 15 working days later is 31 March, 5 working days 17 March.
T0 = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
HERE = "310104003"  # the demo's center: 天平路街道 (徐汇区)
OTHER_DISTRICT_STREET = "310105001"  # 华阳路街道 (长宁区)


class Clock:
    """A clock the test moves by hand; each reading is a microsecond after the last, as on a
    real machine, so that records made one after another are ordered in time."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def fast_passwords() -> Passwords:
    # Real argon2id, with the cost turned down so that a test logs in in milliseconds.
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def resident_id(area: str = "310104", birth: date = date(1950, 1, 1), serial: int = 123) -> str:
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + mod_11_2.calc_check_digit(body)


def item_named(name: str) -> Item:
    matches = [item for item in default_catalog().items if item.name == name]
    assert len(matches) == 1, name
    return matches[0]


def everything(item: Item, *, deferred: tuple[str, ...] = ()) -> dict[str, MaterialCheck]:
    """Every required material handed in as the item asks, except those deferred (容缺)."""
    checks = {
        m.name: MaterialCheck(
            original_seen=m.form is not MaterialForm.COPY,
            copies_received=m.copies if m.form is not MaterialForm.ORIGINAL else 0,
        )
        for m in item.materials
        if m.requirement is Requirement.REQUIRED and m.name not in deferred
    }
    checks.update({name: MaterialCheck(deferred=True) for name in deferred})
    return checks


def applicant(
    *,
    id_number: str | None = None,
    name: str = "测试申请人",
    phone: str = "13800138000",
    household: str | None = HERE,
    residence: str | None = None,
) -> ApplicantInput:
    return ApplicantInput(
        document_type="resident_id",
        id_number=id_number or resident_id(),
        name=name,
        phone=phone,
        household_street=household,
        residence_street=residence,
    )


def request(
    item: Item, checks: Mapping[str, MaterialCheck], who: ApplicantInput | None = None
) -> IntakeRequest:
    return IntakeRequest(who or applicant(), None, item.code, dict(checks))


@dataclass
class DemoCounter:
    context: CounterContext
    counter: Counter
    clock: Clock
    directory: Path


def demo_counter(directory: Path, clock: Clock | None = None) -> DemoCounter:
    clock = clock or Clock()
    passwords = fast_passwords()
    prepare_demo(directory, clock=clock, passwords=passwords)
    context = open_counter(directory, clock=clock)
    return DemoCounter(context, Counter(context, passwords=passwords), clock, directory)
