"""`tongban central …`: init, enroll, add-clerk, new-epoch and serve, with one-line errors."""

import io
import json
import os
import socket
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
from central_pg import Cluster
from central_support import CENTER_A, CENTER_B, enrolled
from sqlalchemy.exc import IntegrityError, OperationalError

from tongban.central.cli import main
from tongban.central.database import database_problem, open_database
from tongban.central.serving import connection_shortfall
from tongban.central.store import CentralStore
from tongban.models.store import Approved, EventKind


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


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the socket is closed


@pytest.mark.parametrize(
    "argv",
    [
        ["init"],
        ["serve", "--listen", "127.0.0.1:0"],  # the port: one nobody uses (below)
        ["serve", "--listen", "127.0.0.1:0", "--workers", "2"],
        ["enroll", "--center", "310104003", "--workstation", "1号窗口"],
        ["workstations", "--center", "310104003"],
    ],
)
def test_a_database_out_of_reach_is_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://tongban@127.0.0.1:{a_closed_port()}/central"
    listen = f"127.0.0.1:{a_closed_port()}"
    argv = [listen if a == "127.0.0.1:0" else a for a in argv]
    code, out, err = run([*argv, "--db", url], capsys)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("tongban central: 中心数据库不可用，命令未完成：")
    assert "Connection refused" in err and "Traceback" not in err


def test_a_port_already_taken_is_one_line_before_anything_is_announced(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = run(["serve", "--db", sqlite_url, "--listen", f"127.0.0.1:{port}"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"无法监听 127.0.0.1:{port}：端口 {port} 已被占用" in err


def test_an_address_this_machine_does_not_have_is_one_line(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["serve", "--db", sqlite_url, "--listen", "192.0.2.1:8470"], capsys)
    assert code == 2 and out == "" and "无法监听 192.0.2.1:8470：本机没有地址 192.0.2.1" in err


def test_a_refused_statement_is_named_by_its_kind_never_by_its_row() -> None:
    row_text = "duplicate key value violates unique constraint\nDETAIL:  (310104195001011235)"
    refused = IntegrityError("INSERT …", {}, Exception(row_text))
    assert database_problem(refused) == "中心数据库拒绝了这次操作（Exception），命令未完成"
    lost = OperationalError("SELECT 1", {}, Exception("server closed the connection\nDETAIL: x"))
    assert database_problem(lost) == "中心数据库不可用，命令未完成：server closed the connection"


def test_serving_an_uninitialised_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    listen = f"127.0.0.1:{a_closed_port()}"
    code, _, err = run(["serve", "--db", url, "--listen", listen], capsys)
    assert code == 2 and "尚未初始化，请先运行 tongban central init" in err


@pytest.mark.parametrize(
    ("workers", "message"),
    [("2", "多个服务进程需要 PostgreSQL"), ("0", "服务进程数应在 1 到 16 之间")],
)
def test_serve_workers_mistakes_are_one_line(
    sqlite_url: str, workers: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["serve", "--db", sqlite_url, "--listen", "127.0.0.1:1", "--workers", workers]
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


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


def start_serving(pg_url: str, port: int, *options: str) -> subprocess.Popen[str]:
    """`tongban central serve` on the port, the database named by the environment."""
    command = [
        sys.executable,
        "-c",
        "import sys; from tongban.central.cli import main; sys.exit(main(sys.argv[1:]))",
        "serve",
        "--listen",
        f"127.0.0.1:{port}",
        *options,
    ]
    environment = {**os.environ, "TONGBAN_CENTRAL_DB": pg_url}
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("access_log", [False, True], ids=["quiet", "access-log"])
def test_serve_answers_until_stopped(pg_url: str, access_log: bool) -> None:
    port = free_port()
    server = start_serving(pg_url, port, *(["--access-log"] if access_log else []))
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}/v1/health")
        assert health["status"] == "ok"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    # uvicorn shuts down cleanly, then lets SIGTERM end the process as it would have.
    assert "Application shutdown complete" in err
    assert f"中心同步服务：http://127.0.0.1:{port}" in out
    # A request line only when asked for: every long-poll answer is followed by a new request.
    assert ('"GET /v1/health HTTP/1.1" 200' in out) is access_log


def test_serve_with_two_processes_answers_from_both(pg_url: str) -> None:
    port = free_port()
    server = start_serving(pg_url, port, "--workers", "2")
    try:
        url = f"http://127.0.0.1:{port}/v1/health"
        # Each worker is a new interpreter importing the service: slow on a loaded machine.
        assert _wait_for_health(url, within=90)["status"] == "ok"
        deadline = time.monotonic() + 60
        while _started_workers(server) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert {httpx.get(url, timeout=5).status_code for _ in range(20)} == {200}
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "2 个进程" in out
    assert err.count("Application startup complete") == 2


def _started_workers(server: subprocess.Popen[str]) -> int:
    """Worker processes uvicorn has started under the server process (Linux /proc)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return len(children.read_text().split()) if children.exists() else 0


def _wait_for_health(url: str, *, within: float = 20) -> dict:
    deadline = time.monotonic() + within
    while True:
        try:
            return httpx.get(url, timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_deactivating_a_clerk_reaches_the_centers_workstations(
    db_url: str, store: CentralStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    revision, _ = store.clerks(counter.workstation)
    code, out, _ = run(["deactivate-clerk", "--db", db_url, "--number", counter.clerk], capsys)
    assert code == 0 and f"工作人员 {counter.clerk}" in out and "已停用" in out
    new_revision, [account] = store.clerks(counter.workstation)
    assert not account.active and new_revision > revision  # workstations refresh on a new one
    assert run(["activate-clerk", "--db", db_url, "--number", counter.clerk], capsys)[0] == 0
    assert store.clerks(counter.workstation)[1][0].active
    code, out, err = run(["deactivate-clerk", "--db", db_url, "--number", "NOBODY1"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "没有工号为 NOBODY1" in err


def test_publishing_a_catalog_revision(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled = files("tongban.models.data.catalog").joinpath("2018-07-01.yaml").read_text("utf-8")

    def publish(content: str) -> tuple[int, str, str]:
        return run(["publish-catalog", "--db", sqlite_url, str(write(tmp_path, content))], capsys)

    code, out, _ = publish(bundled)  # already published by init: the same again changes nothing
    assert code == 0 and "事项目录修订 2018-07-01 已发布" in out
    newer = bundled.replace('revision: "2018-07-01"', 'revision: "2018-07-01b"', 1)
    assert newer != bundled
    code, out, _ = publish(newer)
    assert code == 0 and "事项目录修订 2018-07-01b 已发布" in out
    code, out, err = publish(newer.replace("敬老卡申领", "敬老卡办理", 1))
    assert code == 2 and "已发布且内容不同" in err and err.count("\n") == 1
    code, out, err = publish("revision: [")
    assert code == 2 and "事项目录无效" in err and err.count("\n") == 1
    missing = str(tmp_path / "none.yaml")
    code, out, err = run(["publish-catalog", "--db", sqlite_url, missing], capsys)
    assert code == 2 and "无法读取事项目录文件" in err


def test_rejections_are_listed_with_their_reasons(
    db_url: str, store: CentralStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = enrolled(store, tmp_path, CENTER_A)
    case = a.accept(processing_center=CENTER_B)
    a.record(case, EventKind.APPROVED, Approved())  # only the processing center decides
    store.push(a.workstation, a.outbox())
    code, out, _ = run(["rejections", "--db", db_url, "--json"], capsys)
    [refused] = json.loads(out)
    assert code == 0 and refused["kind"] == "approved" and refused["stream_id"] == case
    assert refused["reason"] == f"只有办理中心 {CENTER_B} 可以记录此事件（approved）"
    code, out, _ = run(["rejections", "--db", db_url, "--workstation", a.device_id], capsys)
    assert code == 0 and case in out and out.rstrip().endswith("共 1 条")


def write(folder: Path, content: str) -> Path:
    path = folder / f"revision-{abs(hash(content))}.yaml"
    path.write_text(content, encoding="utf-8")
    return path


def test_serve_warns_when_its_processes_could_exhaust_the_database(pg_url: str) -> None:
    """The test cluster accepts 200 connections (197 for ordinary users): four processes fit
    (4 × 41), five do not."""
    database = open_database(pg_url)
    try:
        assert connection_shortfall(database.engine, 4) is None
        warning = connection_shortfall(database.engine, 5)
    finally:
        database.close()
    assert warning is not None and "205" in warning and "max_connections 200" in warning
