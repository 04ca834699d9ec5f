"""Clerk accounts: argon2 hashing, password complexity, lockout, unlock, and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from counter_support import Clock, DemoCounter, demo_counter, fast_passwords
from tongban.desktop.services import (
    DEMO_PASSWORD,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    Accounts,
    Counter,
    Passwords,
    ServiceError,
    password_problem,
)
from tongban.models.clock import SHANGHAI
from tongban.models.store import AuditOutcome, audit_between
from tongban.models.store.clerks import ClerkRole, add_clerk, get_clerk
from tongban.models.store.schema import ClerkRow


@pytest.fixture
def demo(tmp_path) -> DemoCounter:
    return demo_counter(tmp_path / "demo")


def audit(demo: DemoCounter):
    start = demo.clock.now - timedelta(days=1)
    with demo.context.store.reading() as session:
        return audit_between(session, start, demo.clock.now + timedelta(days=1))


def stored_hash(demo: DemoCounter, number: str) -> str:
    with demo.context.store.reading() as session:
        clerk = get_clerk(session, number)
    assert clerk is not None and clerk.password_hash is not None
    return clerk.password_hash


def test_passwords_are_stored_as_argon2id_hashes_only(demo):
    stored = stored_hash(demo, "1001")
    assert stored.startswith("$argon2id$") and DEMO_PASSWORD not in stored
    assert demo.counter.login("1001", DEMO_PASSWORD).ok
    assert not demo.counter.login("1001", DEMO_PASSWORD.upper()).ok


def test_a_hash_with_weaker_parameters_is_replaced_at_the_next_login(tmp_path):
    demo = demo_counter(tmp_path / "demo")
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    counter = Counter(demo.context, passwords=stronger)
    before = stored_hash(demo, "1002")
    assert counter.login("1002", DEMO_PASSWORD).ok
    after = stored_hash(demo, "1002")
    assert after != before and "t=2" in after and "m=2048" in after


@pytest.mark.parametrize(
    ("password", "problem"),
    [("abc123", "至少 8 位"), ("abcdefgh", "数字"), ("12345678", "字母"), ("abcd 1234", "空格")],
)
def test_new_accounts_need_a_complex_password(demo, password, problem):
    accounts = Accounts(demo.context, fast_passwords())
    with pytest.raises(ServiceError, match=problem):
        accounts.create(
            number="1003", name="新受理员", role=ClerkRole.CLERK, password=password, by="9001"
        )
    with demo.context.store.reading() as session:
        assert get_clerk(session, "1003") is None


@given(st.text(max_size=20))
def test_an_accepted_password_has_length_letters_and_digits(password):
    if password_problem(password) is None:
        assert len(password) >= 8
        assert any(c.isascii() and c.isalpha() for c in password)
        assert any(c.isascii() and c.isdigit() for c in password)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(demo):
    counter, clock = demo.counter, demo.clock
    for left in range(MAX_FAILED_LOGINS - 1, 0, -1):
        result = counter.login("1001", "wrong-password-1")
        assert not result.ok and result.message == f"密码错误，还可尝试 {left} 次"
    locked = counter.login("1001", "wrong-password-1")
    until = (clock.now + LOCKOUT).astimezone(SHANGHAI)
    assert not locked.ok and f"锁定至 {until:%H:%M}" in locked.message
    clock.advance(minutes=14, seconds=59)
    still = counter.login("1001", DEMO_PASSWORD)
    assert not still.ok and "锁定" in still.message
    clock.advance(seconds=1)
    assert counter.login("1001", DEMO_PASSWORD).ok
    # The lock ran out and a success cleared the count: five fresh attempts again.
    counter.logout()
    assert counter.login("1001", "wrong-password-1").message.endswith("还可尝试 4 次")


def test_a_success_resets_the_count_of_failures(demo):
    counter = demo.counter
    for _ in range(MAX_FAILED_LOGINS - 1):
        counter.login("1002", "wrong-password-1")
    assert counter.login("1002", DEMO_PASSWORD).ok
    counter.logout()
    assert counter.login("1002", "wrong-password-1").message.endswith("还可尝试 4 次")


def test_a_lockout_of_one_clerk_leaves_the_others_alone(demo):
    for _ in range(MAX_FAILED_LOGINS):
        demo.counter.login("1001", "wrong-password-1")
    assert demo.counter.login("1002", DEMO_PASSWORD).ok


def test_unknown_numbers_and_other_centers_are_refused(demo):
    assert demo.counter.login("7777", DEMO_PASSWORD).message == "工号或密码错误"
    with demo.context.store.transaction() as session:
        hashed = fast_passwords().hash("other1234")
        add_clerk(
            session,
            number="2001",
            name="他中心受理员",
            role=ClerkRole.CLERK,
            center_code="310105001",
            password_hash=hashed,
        )
    refused = demo.counter.login("2001", "other1234")
    assert not refused.ok and "不属于本中心" in refused.message


def test_a_disabled_account_cannot_log_in(demo):
    with demo.context.store.transaction() as session:
        session.scalars(select(ClerkRow).where(ClerkRow.number == "1002")).one().active = False
    result = demo.counter.login("1002", DEMO_PASSWORD)
    assert not result.ok and "停用" in result.message


def test_a_locked_screen_opens_only_with_the_same_clerks_password(demo):
    accounts = Accounts(demo.context, fast_passwords())
    accounts.create(
        number="1003", name="演示受理员丙", role=ClerkRole.CLERK, password="other5678", by="9001"
    )
    counter = demo.counter
    assert counter.login("1001", DEMO_PASSWORD).ok
    counter.lock()
    with pytest.raises(ServiceError, match="锁定"):
        counter.search_cases("张三")
    other = counter.unlock("other5678")  # 1003's password does not open 1001's session
    assert not other.ok and not other.session_ended
    opened = counter.unlock(DEMO_PASSWORD)
    assert opened.ok and opened.session is not None and opened.session.clerk_number == "1001"
    assert counter.search_cases("张三") == []


def test_failed_unlocks_count_and_the_fifth_ends_the_session(demo):
    counter = demo.counter
    counter.login("1001", DEMO_PASSWORD)
    counter.lock()
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert not counter.unlock("wrong-password-1").session_ended
    ended = counter.unlock("wrong-password-1")
    assert ended.session_ended and "锁定至" in ended.message
    with pytest.raises(ServiceError, match="请先登录"):
        counter.search_cases("张三")
    assert not counter.login("1001", DEMO_PASSWORD).ok
    demo.clock.advance(minutes=15)
    assert counter.login("1001", DEMO_PASSWORD).ok


def test_every_login_lock_unlock_and_logout_is_audited_with_its_outcome(demo):
    counter = demo.counter
    counter.login("1001", "wrong-password-1")
    counter.login("1001", DEMO_PASSWORD)
    counter.lock()
    counter.unlock("wrong-password-1")
    counter.unlock(DEMO_PASSWORD)
    counter.logout()
    for _ in range(MAX_FAILED_LOGINS):
        counter.login("1002", "wrong-password-1")
    entries = [(e.clerk, e.action, e.outcome) for e in audit(demo) if e.action != "create_clerk"]
    assert entries == [
        ("1001", "login", AuditOutcome.DENIED),
        ("1001", "login", AuditOutcome.SUCCESS),
        ("1001", "lock", AuditOutcome.SUCCESS),
        ("1001", "unlock", AuditOutcome.DENIED),
        ("1001", "unlock", AuditOutcome.SUCCESS),
        ("1001", "logout", AuditOutcome.SUCCESS),
        *[("1002", "login", AuditOutcome.DENIED)] * MAX_FAILED_LOGINS,
        ("1002", "account_locked", AuditOutcome.SUCCESS),
    ]
    assert all(e.subject_ref == e.clerk for e in audit(demo) if e.action != "create_clerk")
    # The window was the way in for every one of them, the refused ones included.
    assert all(e.detail.endswith("渠道：窗口") for e in audit(demo) if e.action != "create_clerk")


def test_an_identity_number_typed_as_a_clerk_number_is_audited_masked(demo):
    typed = "310104195001011235"
    assert not demo.counter.login(typed, "whatever1").ok
    entry = audit(demo)[-1]
    assert entry.action == "login" and entry.outcome is AuditOutcome.DENIED
    assert typed not in entry.subject_ref and typed not in entry.clerk


def test_the_session_tells_the_window_who_is_where(tmp_path):
    demo = demo_counter(tmp_path / "demo", Clock())
    info = demo.counter.workstation()
    assert (info.site_code, info.workstation_name, info.demo) == ("310104003", "1号窗口", True)
    assert "9001" in info.demo_hint and DEMO_PASSWORD in info.demo_hint
    session = demo.counter.login("9001", DEMO_PASSWORD).session
    assert session is not None
    assert (session.clerk_name, session.role) == ("演示主管", "中心主管")
    assert session.center_name == "天平路街道社区事务受理服务中心"
