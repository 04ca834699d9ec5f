"""The service's own lockout for the 日结 password (central/signoff_guard.py), over HTTP against
PostgreSQL and SQLite: five wrong passwords within 15 minutes stop a clerk's sign-offs for 15
minutes at every instance, guesses sent at once all count, a right password resets the count,
and every check is audited; and the window arithmetic, by hypothesis."""

from __future__ import annotations

from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from central_support import (
    CENTER_A,
    CENTER_B,
    PASSWORD,
    T0,
    FakeClock,
    bearer,
    enrolled,
    http,
    password_hash,
)
from central_support import Counter as Desk
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tongban.central.app import create_app
from tongban.central.clerks import ClerkRole, set_clerk_password
from tongban.central.database import open_database
from tongban.central.schema import SignOffAuditRow
from tongban.central.signoff_guard import (
    FAILURE_WINDOW,
    LOCKOUT,
    MAX_FAILURES,
    locked_until,
)
from tongban.central.store import CentralStore
from tongban.models.clock import SHANGHAI

SUPERVISOR = "9101"
DAY = T0.astimezone(SHANGHAI).date()  # not over at T0: a right password is answered 400


def add_supervisor(store: CentralStore, number: str = SUPERVISOR, center: str = CENTER_A) -> None:
    store.add_clerk(
        number=number,
        name="李主管",
        role=ClerkRole.SUPERVISOR,
        center_code=center,
        password_hash=password_hash(),
    )


def sign(
    client: httpx.Client, desk: Desk, password: str, clerk: str = SUPERVISOR
) -> httpx.Response:
    body = {"center": desk.center, "day": DAY.isoformat(), "clerk": clerk, "password": password}
    return client.post("/v1/closures", json=body, headers=bearer(desk.token))


def outcomes(store: CentralStore, clerk: str = SUPERVISOR) -> list[str]:
    with store.database.reading() as session:
        query = (
            select(SignOffAuditRow.outcome)
            .where(SignOffAuditRow.clerk == clerk)
            .order_by(SignOffAuditRow.position)
        )
        return list(session.scalars(query))


def assert_wrong(answer: httpx.Response) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.json()["message"] == "工号或密码错误"


def assert_password_passed(answer: httpx.Response) -> None:
    # The day is not over at T0: refused for the day (400), so the password and role passed.
    assert answer.status_code == 400, answer.text
    assert "尚未结束" in answer.json()["message"]


def test_five_wrong_passwords_lock_the_clerk_for_fifteen_minutes(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    desk = enrolled(store, tmp_path, CENTER_A)
    add_supervisor(store)
    with http(create_app(store)) as client:
        for _ in range(MAX_FAILURES - 1):
            assert_wrong(sign(client, desk, "wrong-password1"))
            clock.advance(timedelta(minutes=1))
        assert_password_passed(sign(client, desk, PASSWORD))  # the count starts again
        for _ in range(MAX_FAILURES - 1):
            assert_wrong(sign(client, desk, "wrong-password1"))
            clock.advance(timedelta(minutes=1))
        fifth = clock.current
        assert_wrong(sign(client, desk, "wrong-password1"))
        refused = sign(client, desk, PASSWORD)  # even the right password, unchecked
        assert refused.status_code == 403
        until = (fifth + LOCKOUT).astimezone(SHANGHAI)
        assert refused.json() == {
            "error": "signoff_locked",
            "message": f"工号 {SUPERVISOR} 的日结密码连续错误 5 次，中心已暂停其日结："
            f"请于 {until:%m-%d %H:%M} 之后再试",
        }
        clock.current = fifth + LOCKOUT - timedelta(seconds=1)
        assert sign(client, desk, PASSWORD).json()["error"] == "signoff_locked"
        clock.current = fifth + LOCKOUT
        assert_password_passed(sign(client, desk, PASSWORD))
    checks = ["checking", "wrong_password"]
    assert outcomes(store) == [
        *checks * 4,
        "checking",
        "accepted",
        *checks * 5,
        "locked",
        "locked",
        "checking",
        "accepted",
    ]


def test_a_password_reset_by_the_administrator_lifts_the_lockout(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    desk = enrolled(store, tmp_path, CENTER_A)
    add_supervisor(store)
    with http(create_app(store)) as client:
        for _ in range(MAX_FAILURES):
            assert_wrong(sign(client, desk, "wrong-password1"))
        assert sign(client, desk, PASSWORD).json()["error"] == "signoff_locked"
        clock.advance(timedelta(minutes=1))
        with store.database.transaction() as session:  # what `central reset-password` does
            set_clerk_password(session, SUPERVISOR, password_hash=password_hash(), at=clock())
        clock.advance(timedelta(minutes=1))
        assert_password_passed(sign(client, desk, PASSWORD))
        # A new run of guesses counts from the reset on, as before.
        for _ in range(MAX_FAILURES):
            assert_wrong(sign(client, desk, "wrong-password1"))
        assert sign(client, desk, PASSWORD).json()["error"] == "signoff_locked"


def test_the_lockout_holds_at_every_instance_and_for_that_clerk_only(
    db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    one = CentralStore(open_database(db_url), clock=clock)
    two = CentralStore(open_database(db_url), clock=clock)
    try:
        desk = enrolled(one, tmp_path, CENTER_A)
        add_supervisor(one)
        add_supervisor(one, "9102")
        with http(create_app(one)) as first, http(create_app(two)) as second:
            for client in (first, second, first, second, first):
                assert_wrong(sign(client, desk, "wrong-password1"))
            assert sign(second, desk, PASSWORD).json()["error"] == "signoff_locked"
            assert sign(first, desk, PASSWORD).json()["error"] == "signoff_locked"
            assert_password_passed(sign(second, desk, PASSWORD, clerk="9102"))
    finally:
        one.database.close()
        two.database.close()


def test_guesses_sent_at_once_are_all_counted(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    desk = enrolled(store, tmp_path, CENTER_A)
    add_supervisor(store)
    guesses = 12
    with http(create_app(store)) as client, ThreadPoolExecutor(guesses) as pool:
        answers = list(pool.map(lambda n: sign(client, desk, f"guess-{n:03d}x"), range(guesses)))
    codes = Tally(a.json()["error"] for a in answers)
    assert codes == {"forbidden": MAX_FAILURES, "signoff_locked": guesses - MAX_FAILURES}
    assert Tally(outcomes(store))["checking"] == MAX_FAILURES


def test_a_number_that_cannot_sign_here_is_refused_alike_and_audited(
    store: CentralStore, tmp_path: Path
) -> None:
    desk = enrolled(store, tmp_path, CENTER_A)
    add_supervisor(store, "9201", center=CENTER_B)
    with http(create_app(store)) as client:
        for clerk in ("NOBODY1", "9201"):
            for _ in range(MAX_FAILURES + 1):
                assert_wrong(sign(client, desk, PASSWORD, clerk=clerk))
            assert outcomes(store, clerk) == ["not_signer"] * (MAX_FAILURES + 1)


def test_the_audit_only_grows(store: CentralStore, tmp_path: Path) -> None:
    desk = enrolled(store, tmp_path, CENTER_A)
    add_supervisor(store)
    with http(create_app(store)) as client:
        assert_wrong(sign(client, desk, "wrong-password1"))
    for statement in ("UPDATE signoff_audit SET outcome = 'accepted'", "DELETE FROM signoff_audit"):
        with (
            pytest.raises(DatabaseError, match="只能追加"),
            store.database.transaction() as session,
        ):
            session.execute(text(statement))


# The window arithmetic ---------------------------------------------------------------------------

minutes = st.lists(st.integers(min_value=0, max_value=600), max_size=40)


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


Decision = tuple[datetime, bool, list[datetime]]


def simulate(attempts: list[int]) -> tuple[list[datetime], list[Decision]]:
    """A guesser's wrong passwords at these minutes, through the guard: what was checked (and
    so recorded as a failure); each attempt, whether it was refused unchecked, and the failures
    recorded before it."""
    failures: list[datetime] = []
    decisions = []
    for minute in sorted(attempts):
        now = at(minute)
        refused = locked_until(failures, now) is not None
        decisions.append((now, refused, list(failures)))
        if not refused:
            failures.append(now)
    return failures, decisions


def locked_by_last_five(failures: list[datetime], now: datetime) -> bool:
    """The rule told another way: the last five failures came within the window, and the last
    of them less than the lockout ago (true whenever no failure is checked during a lockout)."""
    last = failures[-MAX_FAILURES:]
    return (
        len(last) == MAX_FAILURES
        and last[-1] - last[0] < FAILURE_WINDOW
        and now < last[-1] + LOCKOUT
    )


@given(minutes)
def test_a_guesser_gets_at_most_five_checks_in_any_window(attempts: list[int]) -> None:
    failures, decisions = simulate(attempts)
    for f in failures:
        assert sum(1 for g in failures if f - FAILURE_WINDOW < g <= f) <= MAX_FAILURES
    for now, refused, before in decisions:
        assert refused == locked_by_last_five(before, now)


@given(minutes, st.integers(min_value=0, max_value=700))
def test_only_the_last_half_hour_matters_and_a_lock_lasts_at_most_fifteen_minutes(
    failure_minutes: list[int], now_minute: int
) -> None:
    failures = [at(m) for m in failure_minutes]
    now = at(now_minute)
    until = locked_until(failures, now)
    recent = [f for f in failures if now - FAILURE_WINDOW - LOCKOUT < f <= now]
    if all(f <= now for f in failures):
        assert until == locked_until(recent, now)
    if until is not None:
        assert now < until <= max(failures) + LOCKOUT
    if len(failures) < MAX_FAILURES:
        assert until is None


@given(st.integers(min_value=0, max_value=14), st.integers(min_value=0, max_value=29))
def test_five_failures_in_the_window_lock_until_fifteen_minutes_after_the_fifth(
    spread: int, later: int
) -> None:
    failures = [at(spread * k / (MAX_FAILURES - 1)) for k in range(MAX_FAILURES)]
    fifth = failures[-1]
    until = locked_until(failures, fifth + timedelta(minutes=later))
    assert until == (fifth + LOCKOUT if later < 15 else None)
