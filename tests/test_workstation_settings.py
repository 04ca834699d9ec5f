"""`tongban settings show|set`: what an administrator changes after the first run."""

import json
from pathlib import Path

import pytest

from tongban.desktop.cli import main
from tongban.desktop.settings import (
    Paper,
    ServerAddressError,
    Settings,
    load_settings,
    normalised_server_url,
    save_settings,
)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workstation(tmp_path: Path) -> Path:
    save_settings(tmp_path, Settings(server_url="http://10.12.0.8:8470", secret_store="file"))
    return tmp_path


def test_show_and_change_the_printer_and_the_paper(workstation: Path, capsys) -> None:
    code, out, _ = run(capsys, "settings", "show", "--json", "--data-dir", workstation)
    shown = json.loads(out)
    assert code == 0 and shown["printer"] is None and shown["paper"] == "a4"
    assert shown["secret-store"] == "file"

    code, out, _ = run(capsys, "settings", "set", "printer", "HP-1", "--data-dir", workstation)
    assert code == 0 and "已更改 printer：HP-1" in out
    code, out, _ = run(capsys, "settings", "set", "paper", "roll80", "--data-dir", workstation)
    assert code == 0
    settings = load_settings(workstation)
    assert settings is not None and (settings.printer, settings.paper) == ("HP-1", Paper.ROLL_80MM)
    assert settings.server_url == "http://10.12.0.8:8470"  # the rest stays

    code, out, _ = run(capsys, "settings", "set", "printer", "default", "--data-dir", workstation)
    assert code == 0 and "系统默认打印机" in out
    code, out, _ = run(capsys, "settings", "show", "--data-dir", workstation)
    assert "printer: 系统默认打印机" in out and "paper: roll80" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["set", "paper", "a5"], "设置值无效：paper = a5"),
        (["set", "idle-lock-minutes", "0"], "设置值无效：idle-lock-minutes = 0"),
        (["set", "secret-store", "file"], "参数错误"),
        (["set", "server-url", "ftp://10.12.0.9"], "地址格式不正确：ftp://10.12.0.9"),
        (["set", "server-url", "http://[::1"], "地址格式不正确：http://[::1"),
    ],
)
def test_wrong_values_are_one_line_and_change_nothing(
    workstation: Path, capsys, argv: list[str], message: str
) -> None:
    before = (workstation / "settings.json").read_bytes()
    code, out, err = run(capsys, "settings", *argv, "--data-dir", workstation)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert (workstation / "settings.json").read_bytes() == before


def test_an_unconfigured_workstation_has_no_settings(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "settings", "show", "--data-dir", tmp_path / "none")
    assert code == 2 and "尚未配置" in err


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("http://10.12.0.8:8470", "http://10.12.0.8:8470"),
        (" 10.12.0.8:8470 ", "http://10.12.0.8:8470"),  # as typed at a desk: http:// added
        ("https://sync.example.cn/", "https://sync.example.cn"),
        ("http://[::1]:8470", "http://[::1]:8470"),
        ("ftp://10.12.0.8", None),
        ("http://", None),
        ("http://10.12.0.8:0", None),
        ("http://10.12.0.8:99999", None),
        ("http://10.12.0.8:port", None),
        ("http://10.12.0.8 :8470", None),
    ],
)
def test_the_server_address_is_checked_before_anything_connects(
    typed: str, kept: str | None
) -> None:
    if kept is not None:
        assert normalised_server_url(typed) == kept
        assert Settings(server_url=typed).server_url == kept
        return
    with pytest.raises(ServerAddressError) as refused:
        normalised_server_url(typed)
    assert str(refused.value) == f"地址格式不正确：{typed.strip()}（例如 http://10.12.0.8:8470）"


def test_a_typed_address_is_kept_with_its_scheme(workstation: Path, capsys) -> None:
    argv = ("settings", "set", "server-url", "10.12.0.9:8470", "--data-dir", workstation)
    code, out, _ = run(capsys, *argv)
    settings = load_settings(workstation)
    assert code == 0 and "已更改 server-url：http://10.12.0.9:8470" in out
    assert settings is not None and settings.server_url == "http://10.12.0.9:8470"


def test_a_cleared_server_address_means_the_workstation_works_alone(workstation: Path) -> None:
    assert Settings(server_url="  ").server_url is None
    code = main(["settings", "set", "server-url", "", "--data-dir", str(workstation)])
    settings = load_settings(workstation)
    assert code == 0 and settings is not None and settings.server_url is None
