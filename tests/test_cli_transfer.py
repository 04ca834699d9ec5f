"""`tongban transfer …` and `tongban print supplement-notice` as a script drives them (--json):
the demo workstation (center A) sends a batch; a workstation of the receiving center B, given
A's events as sync would give them, scans one file in and closes; every refusal is one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_support import item_named, resident_id
from printing_checks import flat_text
from tongban.desktop.cli import main
from tongban.desktop.paths import store_path
from tongban.desktop.settings import Settings, save_settings
from tongban.models.catalog import default_catalog
from tongban.models.rules import display_case_number
from tongban.models.rules.transfer_batch import display_batch_number
from tongban.models.store import (
    apply_remote_events,
    case_events,
    init_workstation,
    open_store,
    set_catalog_revision,
)
from tongban.models.store.clerks import ClerkRole, add_clerk

CENTER_B = "310105001"
B_STREET = "310105001"


@pytest.fixture(autouse=True)
def no_data_dir_from_the_environment(monkeypatch):
    monkeypatch.delenv("TONGBAN_DATA_DIR", raising=False)


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: object):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def one_line_error(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 2 and out == "", (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def demo(tmp_path, capsys) -> Path:
    directory = tmp_path / "demo"
    code, _, err = run(capsys, "demo", "--prepare", "--data-dir", directory)
    assert code == 0, err
    return directory


@pytest.fixture
def center_b(tmp_path) -> Path:
    """A workstation of B with one clerk, set up by hand (no central service in this test)."""
    directory = tmp_path / "center-b"
    directory.mkdir()
    store = open_store(store_path(directory))
    with store.transaction() as session:
        now = datetime.now(UTC)
        init_workstation(session, center_code=CENTER_B, site_code=CENTER_B, number=1, at=now)
        set_catalog_revision(session, default_catalog().revision)
        add_clerk(
            session,
            number="2001",
            name="接收员",
            role=ClerkRole.CLERK,
            center_code=CENTER_B,
            password_hash="unused",
        )
    store.close()
    save_settings(directory, Settings())
    return directory


def accept_for_b(capsys, tmp_path: Path, demo: Path, serial: int) -> str:
    case = {
        "applicant": {
            "id_number": resident_id(area="310105", serial=serial),
            "name": "测试申请人",
            "phone": "13800138000",
            "household_street": B_STREET,
        },
        "item": item_named("残疾人证申领").code,
        "materials": "all",
    }
    path = tmp_path / f"case-{serial}.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    answer = run_json(capsys, "intake", "--file", path, "--clerk", "1001", "--data-dir", demo)
    assert answer["outcome"] == "accepted" and answer["processing_center"] == CENTER_B
    return answer["case_number"]


def hand_over(source: Path, target: Path, cases: list[str]) -> None:
    """What sync does: the accepting center's events of these cases, applied at the other."""
    source_store, target_store = open_store(store_path(source)), open_store(store_path(target))
    try:
        with source_store.reading() as session:
            events = [e for case in cases for e in case_events(session, case)]
        with target_store.transaction() as session:
            result = apply_remote_events(session, events)
        assert not result.conflicts
    finally:
        source_store.close()
        target_store.close()


def test_send_receive_and_close_a_batch(capsys, tmp_path, demo, center_b) -> None:
    first, second = (accept_for_b(capsys, tmp_path, demo, s) for s in (301, 302))
    a = ("--clerk", "1001", "--data-dir", demo)
    pending = run_json(capsys, "transfer", "pending", *a)
    [group] = pending["groups"]
    assert group["destination"] == CENTER_B
    assert [c["case_number"] for c in group["cases"]] == [first, second]

    manifest = tmp_path / "manifest.pdf"
    built = run_json(capsys, "transfer", "build", "--to", CENTER_B, "--out", manifest, *a)
    batch = built["batch_number"]
    assert built["manifest"] == str(manifest) and built["expected"] == [first, second]
    text = "".join(flat_text(manifest.read_bytes()).split())
    assert display_case_number(first) in text and display_case_number(second) in text
    assert resident_id(area="310105", serial=301) not in text
    code, out, err = run(capsys, "transfer", "show", batch, *a)
    assert code == 0 and "应到 2 件" in out and "待核对 2 件" in out, err

    hand_over(demo, center_b, [first, second])
    b = ("--clerk", "2001", "--data-dir", center_b)
    received = run_json(capsys, "transfer", "receive", batch, first, "--close", *b)
    assert received["scans"] == [{"case_number": first, "extra": False, "repeated": False}]
    assert received["received"] == [first] and received["missing"] == [second]
    assert received["closed"] is True
    code, out, _ = run(capsys, "transfer", "show", display_batch_number(batch).lower(), *b)
    assert code == 0 and "未到 1 件" in out and "已核对完毕" in out


def test_refusals_are_one_line(capsys, tmp_path, demo, center_b) -> None:
    a = ("--clerk", "1001", "--data-dir", demo)
    assert "没有待送往" in one_line_error(run(capsys, "transfer", "build", "--to", CENTER_B, *a))
    assert "接收中心不能是本中心" in one_line_error(
        run(capsys, "transfer", "build", "--to", "310104003", *a)
    )
    assert "交接批次号应以 JJ 开头" in one_line_error(
        run(capsys, "transfer", "show", "310104003", *a)
    )
    case = accept_for_b(capsys, tmp_path, demo, 303)
    batch = run_json(capsys, "transfer", "build", "--to", CENTER_B, case, *a)["batch_number"]
    assert "不是本中心" in one_line_error(run(capsys, "transfer", "receive", batch, case, *a))
    assert "已在交接批次" in one_line_error(
        run(capsys, "transfer", "build", "--to", CENTER_B, case, *a)
    )
    b = ("--clerk", "2001", "--data-dir", center_b)
    assert "尚未同步" in one_line_error(run(capsys, "transfer", "show", batch, *b))
    assert "--close" in one_line_error(run(capsys, "transfer", "receive", batch, *b))


def test_print_the_supplement_notice(capsys, tmp_path, demo) -> None:
    # A direct case of the demo center itself, asked for a supplement at the center.
    case = {
        "applicant": {
            "id_number": resident_id(serial=311),
            "name": "测试申请人",
            "phone": "13800138000",
            "household_street": "310104003",
        },
        "item": item_named("敬老卡申领").code,
        "materials": "all",
    }
    path = tmp_path / "direct.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    number = run_json(capsys, "intake", "--file", path, "--clerk", "1001", "--data-dir", demo)[
        "case_number"
    ]
    a = ("--clerk", "1001", "--data-dir", demo)
    out_file = tmp_path / "notice.pdf"
    assert "没有待补正" in one_line_error(
        run(capsys, "print", "supplement-notice", number, "--out", out_file, *a)
    )
    run_json(capsys, "case", "sign", number, *a)
    run_json(
        capsys,
        "case",
        "supplement",
        number,
        "--materials",
        "近期一寸免冠照片",
        "--reason",
        "照片模糊",
        *a,
    )
    code, out, err = run(capsys, "print", "supplement-notice", number, "--out", out_file, *a)
    assert code == 0 and "已写入" in out, err
    text = "".join(flat_text(out_file.read_bytes()).split())
    assert "补正材料通知书" in text and "照片模糊" in text and display_case_number(number) in text
    assert resident_id(serial=311) not in text
