"""`tongban central rename-clerk | reset-password | set-clerk-role`, on PostgreSQL and SQLite:
each change takes a new clerk revision (so workstations pull it), a reset stores a new argon2id
hash under the password rules, and every mistake is one line with exit code 2."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from central_support import CENTER_A, PASSWORD, Counter, add_clerk, enrolled

from tongban.central.clerks import ClerkAccount, ClerkRole, clerk_center, clerks_revision_of
from tongban.central.cli import main
from tongban.central.store import CentralStore

NEW_PASSWORD = "Neu2mima9"


class Terminal(io.StringIO):
    """Standard input that is a terminal (getpass is replaced, so nothing is read from it)."""

    def isatty(self) -> bool:
        return True


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def account(store: CentralStore, counter: Counter) -> ClerkAccount:
    _revision, accounts = store.clerks(counter.workstation)
    [found] = [a for a in accounts if a.number == counter.clerk]
    return found


def revision(store: CentralStore) -> int:
    with store.database.reading() as session:
        return clerks_revision_of(session, CENTER_A)


def test_rename_reset_and_role_each_take_a_new_revision(
    store: CentralStore,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    number, db = counter.clerk, ["--db", db_url, "--number", counter.clerk]
    before = revision(store)

    code, out, _ = run(["rename-clerk", *db, "--name", " 王小红 "], capsys)
    assert code == 0 and out.startswith(f"工作人员 {number} 的姓名现为 王小红（中心 {CENTER_A}）")
    assert account(store, counter).name == "王小红" and revision(store) > before
    renamed = revision(store)
    assert run(["rename-clerk", *db, "--name", "王小红"], capsys)[0] == 0
    assert revision(store) == renamed  # nothing changed: workstations need not refresh

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{NEW_PASSWORD}\n"))
    code, out, _ = run(["reset-password", *db, "--password-stdin"], capsys)
    assert code == 0 and "密码已重设" in out
    hashed = account(store, counter).password_hash
    assert hashed.startswith("$argon2id$") and revision(store) > renamed
    assert PasswordHasher().verify(hashed, NEW_PASSWORD)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(hashed, PASSWORD)
    reset = revision(store)

    code, out, _ = run(["set-clerk-role", *db, "--role", "supervisor"], capsys)
    assert code == 0 and "现为中心主管" in out
    assert account(store, counter).role is ClerkRole.SUPERVISOR and revision(store) > reset


def test_a_reset_at_the_terminal_asks_twice_without_echo(
    store: CentralStore,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    typed = iter([NEW_PASSWORD, NEW_PASSWORD, NEW_PASSWORD, "Other9pass"])
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("tongban.central.cli.getpass.getpass", getpass)
    monkeypatch.setattr(sys, "stdin", Terminal())
    argv = ["reset-password", "--db", db_url, "--number", counter.clerk]
    assert run(argv, capsys)[0] == 0
    assert prompts == ["新密码：", "再次输入新密码："]
    assert PasswordHasher().verify(account(store, counter).password_hash, NEW_PASSWORD)
    code, _, err = run(argv, capsys)
    assert code == 2 and err == "tongban central: 两次输入的密码不一致\n"


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["reset-password", "--password-stdin"], "short1\n", "密码至少"),
        (["reset-password", "--password-stdin"], "onlyletters\n", "密码须包含数字"),
        (["reset-password"], "Neu2mima9\n", "--password-stdin"),
        (["reset-password", "--number", "NOBODY1", "--password-stdin"], "Neu2mima9\n", "没有工号"),
        (["rename-clerk", "--name", "  "], "", "姓名不能为空"),
        (["rename-clerk", "--name", "长" * 51], "", "不超过 50 个字"),
        (["rename-clerk", "--number", "NOBODY1", "--name", "张三"], "", "没有工号为 NOBODY1"),
        (["set-clerk-role", "--role", "boss"], "", "参数错误：argument --role: invalid choice"),
        (["set-clerk-role"], "", "参数错误：the following arguments are required: --role"),
    ],
)
def test_mistakes_are_one_line(
    store: CentralStore,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    before = (account(store, counter), revision(store))
    if "--number" not in argv:
        argv = [*argv, "--number", counter.clerk]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, err = run([*argv, "--db", db_url], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tongban central: ") and message in err
    assert (account(store, counter), revision(store)) == before


def test_a_clerk_unknown_at_one_push_is_known_at_the_next(store: CentralStore) -> None:
    """clerk_center keeps what it found with the connection, never what it did not find."""
    with store.database.transaction() as session:
        assert clerk_center(session, "Z901") is None
    add_clerk(store, CENTER_A, "Z901")
    for _ in range(3):  # whichever pooled connection answers
        with store.database.transaction() as session:
            assert clerk_center(session, "Z901") == CENTER_A
