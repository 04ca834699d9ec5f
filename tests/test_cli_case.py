"""`tongban case …` and `tongban lookup` on the demo workstation: a 直接受理 case processed at
the accepting center itself, as a script drives it (--json), and every refusal as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_support import HERE, item_named, resident_id
from tongban.desktop.cli import main
from tongban.models.store import SubjectType, audit_trail, open_store

ID_NUMBER = resident_id(serial=321)


@pytest.fixture(autouse=True)
def no_data_dir_from_the_environment(monkeypatch):
    monkeypatch.delenv("TONGBAN_DATA_DIR", raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def one_line_error(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def demo(tmp_path, capsys) -> Path:
    directory = tmp_path / "demo"
    code, _, err = run(capsys, "demo", "--prepare", "--data-dir", directory)
    assert code == 0, err
    return directory


def accept_direct_case(capsys, tmp_path: Path, directory: Path) -> str:
    case = {
        "applicant": {
            "id_number": ID_NUMBER,
            "name": "测试申请人",
            "phone": "13800138000",
            "household_street": HERE,
        },
        "item": item_named("敬老卡申领").code,
        "materials": "all",
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    answer = run_json(capsys, "intake", "--file", path, "--clerk", "1001", "--data-dir", directory)
    assert answer["outcome"] == "accepted" and not answer["forwarded"]
    return answer["case_number"]


def case(capsys, directory: Path, action: str, number: str, *options: str):
    return run_json(
        capsys, "case", action, number, *options, "--clerk", "1001", "--data-dir", directory
    )


def test_a_direct_case_from_inbox_to_collection(capsys, tmp_path, demo) -> None:
    number = accept_direct_case(capsys, tmp_path, demo)
    inbox = run_json(capsys, "case", "inbox", "--clerk", "1001", "--data-dir", demo)
    [entry] = [e for e in inbox["inbox"] if e["case_number"] == number]
    assert entry["status"] == "accepted" and entry["received"] is False
    assert (
        entry["applicant_id_masked"] != ID_NUMBER and ID_NUMBER[-4:] in entry["applicant_id_masked"]
    )

    signed = case(capsys, demo, "sign", number)
    assert (signed["action"], signed["status_label"], signed["received"]) == (
        "sign",
        "已签收",
        True,
    )
    waiting = case(
        capsys, demo, "supplement", number, "--materials", "户口簿、照片", "--reason", "照片不清晰"
    )
    assert waiting["status"] == "supplement_requested"
    assert waiting["supplement_materials"] == ["户口簿", "照片"]
    assert waiting["supplement_due"] is not None
    back = case(capsys, demo, "supplied", number)
    assert back["status"] == "accepted" and back["supplement_materials"] == []
    approved = case(capsys, demo, "approve", number, "--note", "符合条件")
    assert approved["status"] == "approved"
    assert case(capsys, demo, "ready", number)["status"] == "ready"

    looked = run_json(
        capsys,
        "lookup",
        number,
        "--id-last4",
        ID_NUMBER[-4:].lower(),
        "--clerk",
        "1001",
        "--data-dir",
        demo,
    )
    assert {"case_number", "status", "processing_center", "events"} <= looked.keys()
    assert (looked["case_number"], looked["status"]) == (number, "ready")
    assert looked["processing_center"] == HERE and looked["collect_here"] is True
    assert looked["source"] == "local"  # the demo has no central service
    assert [e["kind"] for e in looked["events"]][:1] == ["accepted"]
    assert "received_for_processing" in [e["kind"] for e in looked["events"]]
    assert ID_NUMBER not in json.dumps(looked, ensure_ascii=False)

    collected = case(capsys, demo, "collect", number, "--by", "测试申请人")
    assert collected["status"] == "collected"
    store = open_store(demo / "tongban.sqlite3")
    try:
        with store.reading() as session:
            actions = [
                e.action
                for e in audit_trail(session, subject_type=SubjectType.CASE, subject_ref=number)
            ]
    finally:
        store.close()
    assert actions.count("lookup_case") == 1
    assert "case_received_for_processing" in actions and "case_collected" in actions


def test_refusals_are_one_line(capsys, tmp_path, demo) -> None:
    number = accept_direct_case(capsys, tmp_path, demo)
    base = ("--clerk", "1001", "--data-dir", demo)
    early = one_line_error(run(capsys, "case", "approve", number, *base))
    assert early == "tongban: 请先签收此案件，再作补正或办结"
    assert "案件当前为" in one_line_error(run(capsys, "case", "collect", number, *base))
    unknown = one_line_error(run(capsys, "case", "sign", "310104003-261128-012-0042-8", *base))
    assert "没有受理编号为" in unknown
    missing = one_line_error(run(capsys, "case", "reject", number, *base))
    assert missing.startswith("tongban: 参数错误")
    wrong = one_line_error(run(capsys, "lookup", number, "--id-last4", "0000", *base))
    short = one_line_error(run(capsys, "lookup", number, "--id-last4", "12", *base))
    assert wrong == "tongban: 没有找到该办件，或证件号码后四位不符"
    assert short == "tongban: 请输入申请人证件号码的后四位"
    nowhere = one_line_error(
        run(capsys, "lookup", "310104003-261128-012-0042-8", "--id-last4", "1234", *base)
    )
    assert nowhere == wrong  # no oracle: an unknown case reads the same


def test_text_output_for_people(capsys, tmp_path, demo) -> None:
    number = accept_direct_case(capsys, tmp_path, demo)
    code, out, err = run(capsys, "case", "sign", number, "--clerk", "1001", "--data-dir", demo)
    assert code == 0, err
    assert out.strip().endswith("已签收")
    code, out, _ = run(capsys, "case", "inbox", "--clerk", "1001", "--data-dir", demo)
    assert code == 0 and out.startswith("本中心待办：") and "已签收" in out
