"""`tongban setup` and `tongban sync` against a real central service (SQLite central)."""

import json
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from sync_support import CENTER_A, Desk, Server, free_port
from tongban.desktop.cli import main
from tongban.desktop.services.context import open_counter
from tongban.desktop.settings import load_settings
from tongban.models.store import get_workstation, open_store

pytest_plugins = ("sync_support",)  # the live central service fixtures


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def enroll_code(central: Server, site: str | None = None) -> str:
    return central.store.enroll(center_code=CENTER_A, name="3号窗口", site_code=site).code


def test_setup_with_a_file_secret_store(
    central: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "ws"
    code, out, _ = run(
        capsys, "setup", "--server", central.url, "--code", enroll_code(central),
        "--secret-store", "file", "--data-dir", str(directory),
    )  # fmt: skip
    assert code == 0 and "天平路" in out and "device-token" in out
    token_file = directory / "device-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    settings = load_settings(directory)
    assert settings is not None
    assert (settings.server_url, settings.secret_store) == (central.url, "file")
    store = open_store(directory / "tongban.sqlite3")
    try:
        with store.reading() as session:
            station = get_workstation(session)
    finally:
        store.close()
    [enrolled] = central.store.workstations(CENTER_A)
    assert (station.device_id, station.number) == (enrolled.device_id, enrolled.number)
    assert station.center_code == station.site_code == CENTER_A


def test_setup_refuses_without_a_keyring_and_keeps_the_code(
    central: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    one_time = enroll_code(central)
    code, _, err = run(
        capsys, "setup", "--server", central.url, "--code", one_time,
        "--data-dir", str(tmp_path / "ws"),
    )  # fmt: skip
    assert code == 2 and "钥匙串" in err and "--secret-store file" in err
    code, _, _ = run(
        capsys, "setup", "--server", central.url, "--code", one_time,
        "--secret-store", "file", "--data-dir", str(tmp_path / "ws"),
    )  # fmt: skip
    assert code == 0  # the code was not used up by the refused attempt


def test_setup_against_a_dead_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "setup", "--server", f"http://127.0.0.1:{free_port()}", "--code", "ABCD-EFGH",
        "--secret-store", "file", "--data-dir", str(tmp_path / "ws"),
    )  # fmt: skip
    assert code == 2 and "无法连接同步服务器" in err and len(err.strip().splitlines()) == 1


def test_setup_with_an_address_that_is_not_a_web_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Said to be no address, not taken for a network that is down.
    code, _, err = run(
        capsys, "setup", "--server", "ftp://10.12.0.8", "--code", "ABCD-EFGH",
        "--secret-store", "file", "--data-dir", str(tmp_path / "ws"),
    )  # fmt: skip
    assert code == 2 and "地址格式不正确：ftp://10.12.0.8" in err and err.count("\n") == 1
    assert not (tmp_path / "ws").exists()  # nothing was created


def test_sync_once_status_and_offline(
    central: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = str(tmp_path / "ws")
    run(
        capsys, "setup", "--server", central.url, "--code", enroll_code(central),
        "--secret-store", "file", "--data-dir", directory,
    )  # fmt: skip
    code, out, _ = run(capsys, "sync", "--once", "--json", "--data-dir", directory)
    report = json.loads(out)
    assert code == 0 and report["pending"] == 0 and report["clerks"] == 0
    code, out, _ = run(capsys, "sync", "status", "--json", "--data-dir", directory)
    status = json.loads(out)
    assert code == 0 and status["pending"] == 0 and status["last_contact"]
    assert status["problems"] == [] and not status["quarantined"]

    central.stop()
    desk = Desk(context=open_counter(Path(directory)), clerk="A0042", server_url=central.url)
    try:
        for _ in range(12):
            desk.accept()
    finally:
        desk.context.close()
    code, _, err = run(capsys, "sync", "--once", "--data-dir", directory)
    assert code == 1 and err.startswith("tongban: 离线：")
    code, out, _ = run(capsys, "sync", "status", "--data-dir", directory)
    assert code == 0 and "待上传事件：12 件" in out  # all of them, not one page
