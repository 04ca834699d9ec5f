"""`tongban central …`: init, enroll, add-clerk, new-epoch and serve, with one-line errors."""

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from central_pg import Cluster

from tongban.central.cli import main
from tongban.central.database import open_database
from tongban.central.store import CentralStore


@pytest.fixture
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nobody has initialised yet (PostgreSQL: an empty database, no template)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database("template0")
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.url(name).replace("postgresql+psycopg", "postgresql")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("empty_db", ["postgresql", "sqlite"], indirect=True)
def test_init_enroll_and_add_clerk(
    empty_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["init", "--db", empty_db], capsys)
    assert code == 0
    assert "220 个中心，67 个分中心，234 个街道" in out and "事项目录修订 2018-07-01" in out
    assert run(["init", "--db", empty_db], capsys)[0] == 0  # again, after an upgrade: harmless

    monkeypatch.setenv("TONGBAN_CENTRAL_DB", empty_db)
    code, out, _ = run(["enroll", "--center", "310104003", "--workstation", "1号窗口"], capsys)
    assert code == 0 and "编号 001" in out
    enrollment_code = out.split("一次性登记码：")[1].split()[0]

    monkeypatch.setattr(sys, "stdin", io.StringIO("Passw0rd1\n"))
    code, out, _ = run(
        ["add-clerk", "--center", "310104003", "--number", "A0001", "--name", "张三"], capsys
    )
    assert code == 0 and "已新增工作人员 A0001 张三" in out

    database = open_database(empty_db)
    try:
        store = CentralStore(database)
        redeemed, epoch = store.redeem(enrollment_code, app_version=None)
        _revision, [clerk] = store.clerks(redeemed.workstation)
        assert clerk.number == "A0001" and clerk.password_hash.startswith("$argon2id$")
    finally:
        database.close()
    code, out, _ = run(["new-epoch", "--confirm"], capsys)
    assert code == 0 and epoch not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["enroll", "--center", "310104003", "--workstation", "x"], "请用 --db 指定数据库地址"),
        (["serve", "--db", "mysql://x/y"], "只支持 postgresql:// 或 sqlite:/// 数据库地址"),
        (["frobnicate"], "参数错误：argument COMMAND: invalid choice"),
        (["new-epoch", "--db", "sqlite:////tmp/x.db"], "--confirm"),
    ],
)
def test_mistakes_are_one_line(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TONGBAN_CENTRAL_DB", raising=False)
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tongban central: ") and message in err


def test_serving_an_uninitialised_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    code, _, err = run(["serve", "--db", url, "--listen", "127.0.0.1:1"], capsys)
    assert code == 2 and "尚未初始化，请先运行 tongban central init" in err


def test_a_weak_password_is_refused(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    argv = [
        "add-clerk",
        "--db",
        sqlite_url,
        "--center",
        "310104003",
        "--number",
        "A1",
        "--name",
        "甲",
    ]
    code, _, err = run(argv, capsys)
    assert code == 2 and "密码至少 8 位" in err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_until_stopped(pg_url: str) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "import sys; from tongban.central.cli import main; sys.exit(main(sys.argv[1:]))",
        "serve",
        "--listen",
        f"127.0.0.1:{port}",
    ]
    environment = {**os.environ, "TONGBAN_CENTRAL_DB": pg_url}
    server = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}/v1/health")
        assert health["status"] == "ok"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    # uvicorn shuts down cleanly, then lets SIGTERM end the process as it would have.
    assert "Application shutdown complete" in err
    assert f"中心同步服务：http://127.0.0.1:{port}" in out


def _wait_for_health(url: str) -> dict:
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.get(url, timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
