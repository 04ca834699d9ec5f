"""`tongban demo`, `intake`, `cases` and `tongban` alone, as a script or a person uses them."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from counter_support import HERE, OTHER_DISTRICT_STREET, item_named, resident_id
from tongban.desktop.cli import counter as counter_cli
from tongban.desktop.cli import launch as launch_cli
from tongban.desktop.cli import main
from tongban.desktop.services import NOT_CONFIGURED
from tongban.desktop.settings import Settings, load_settings, save_settings
from tongban.models.geography import shanghai
from tongban.models.rules import display_case_number, is_valid_case_number, mask_identity
from tongban.models.store import SubjectType, audit_trail, open_store
from tongban.models.store.clerks import list_clerks


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


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def demo_dir(tmp_path, capsys) -> Path:
    directory = tmp_path / "demo"
    code, _, err = run(capsys, "demo", "--prepare", "--data-dir", directory)
    assert code == 0, err
    return directory


def case_file(tmp_path: Path, **fields) -> Path:
    case = {
        "applicant": {
            "id_number": resident_id(serial=fields.pop("serial", 123)),
            "name": "测试申请人",
            "phone": "13800138000",
            "household_street": fields.pop("household_street", HERE),
            "residence_street": None,
        },
        "item": item_named("敬老卡申领").code,
        "materials": "all",
        "agent": None,
        **fields,
    }
    path = tmp_path / f"case-{len(list(tmp_path.glob('case-*')))}.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    return path


def intake(capsys, directory: Path, file: Path, clerk: str = "1001"):
    return run_json(capsys, "intake", "--file", file, "--clerk", clerk, "--data-dir", directory)


def clerks_in(directory: Path) -> list[str]:
    store = open_store(directory / "tongban.sqlite3")
    try:
        with store.reading() as session:
            return [c.number for c in list_clerks(session)]
    finally:
        store.close()


def test_demo_prepare_is_idempotent_and_reset_starts_again(tmp_path, capsys, demo_dir):
    settings = load_settings(demo_dir)
    assert settings is not None and settings.demo
    assert clerks_in(demo_dir) == ["1001", "1002", "9001"]
    code, out, _ = run(capsys, "demo", "--prepare", "--data-dir", demo_dir)
    assert code == 0 and "未改动" in out and "demo1234" in out
    assert intake(capsys, demo_dir, case_file(tmp_path))["outcome"] == "accepted"
    assert len(run_json(capsys, "cases", "list", "--data-dir", demo_dir)) == 1
    code, out, _ = run(capsys, "demo", "--prepare", "--data-dir", demo_dir)
    assert len(run_json(capsys, "cases", "list", "--data-dir", demo_dir)) == 1
    code, out, _ = run(capsys, "demo", "--prepare", "--reset", "--data-dir", demo_dir)
    assert code == 0 and "已准备" in out
    assert run_json(capsys, "cases", "list", "--data-dir", demo_dir) == []
    assert clerks_in(demo_dir) == ["1001", "1002", "9001"]


def test_reset_refuses_a_real_workstations_directory(tmp_path, capsys):
    real = tmp_path / "real"
    save_settings(real, Settings(demo=False))
    (real / "keep.txt").write_text("x")
    line = one_line_error(*run(capsys, "demo", "--prepare", "--reset", "--data-dir", real))
    assert "正式工作站" in line
    assert (real / "keep.txt").exists() and (real / "settings.json").exists()


def test_intake_accepts_a_complete_case(tmp_path, capsys, demo_dir):
    result = intake(capsys, demo_dir, case_file(tmp_path))
    assert result["outcome"] == "accepted" and is_valid_case_number(result["case_number"])
    assert result["processing_center"] == HERE and result["due"]
    assert result["missing"] == [] and result["reason"] == ""
    store = open_store(demo_dir / "tongban.sqlite3")
    try:
        with store.reading() as session:
            trail = audit_trail(
                session, subject_type=SubjectType.CASE, subject_ref=result["case_number"]
            )
    finally:
        store.close()
    assert [(e.clerk, e.action) for e in trail] == [("1001", "accept")]
    assert "渠道：命令行" in trail[0].detail


def test_intake_forwards_a_separated_item_and_defers_what_may_be_deferred(
    tmp_path, capsys, demo_dir
):
    item = item_named("生育保险待遇申领")
    file = case_file(
        tmp_path,
        item=item.code,
        household_street=OTHER_DISTRICT_STREET,
        deferred=["本人实名银行卡"],
    )
    result = intake(capsys, demo_dir, file)
    target = shanghai().center_for_street(OTHER_DISTRICT_STREET)
    assert result["outcome"] == "accepted" and result["forwarded"] is True
    assert result["processing_center"] == target.code
    assert [d["name"] for d in result["deferred"]] == ["本人实名银行卡"]


def test_intake_with_missing_materials_is_told_at_once(tmp_path, capsys, demo_dir):
    item = item_named("最低生活保障")
    file = case_file(tmp_path, item=item.code, materials=["户口簿"])
    result = intake(capsys, demo_dir, file)
    assert result["outcome"] == "notified" and result["case_number"] is None
    assert "户口簿" not in result["missing"]
    assert "最低生活保障申请书" in result["missing"]
    assert run_json(capsys, "cases", "list", "--data-dir", demo_dir) == []


def test_intake_of_a_home_district_item_elsewhere_is_refused(tmp_path, capsys, demo_dir):
    item = item_named("廉租住房申请")
    file = case_file(tmp_path, item=item.code, household_street=OTHER_DISTRICT_STREET)
    result = intake(capsys, demo_dir, file)
    own = shanghai().center_for_street(OTHER_DISTRICT_STREET)
    assert result["outcome"] == "refused" and result["case_number"] is None
    assert result["processing_center"] == own.code and own.name in result["reason"]


def test_intake_can_write_the_receipt(tmp_path, capsys, demo_dir):
    pdf = tmp_path / "receipt.pdf"
    argv = ("intake", "--file", case_file(tmp_path), "--clerk", "1001", "--data-dir", demo_dir)
    result = run_json(capsys, *argv, "--pdf", pdf)
    assert result["pdf"] == str(pdf) and pdf.read_bytes().startswith(b"%PDF")


def test_a_receipt_that_cannot_be_written_leaves_the_case_accepted_and_says_so(
    tmp_path, capsys, demo_dir
):
    folder = tmp_path / "a-folder"  # --pdf names a folder: nothing can be written there
    folder.mkdir()
    argv = ("intake", "--file", case_file(tmp_path), "--clerk", "1001", "--data-dir", demo_dir)
    code, out, err = run(capsys, *argv, "--json", "--pdf", folder)
    decided = json.loads(out)
    assert code == 2 and decided["outcome"] == "accepted" and decided["case_number"]
    assert err.count("\n") == 1 and "本次决定已保存，但文书未写入" in err and str(folder) in err
    [listed] = run_json(capsys, "cases", "list", "--data-dir", demo_dir)
    assert listed["case_number"] == decided["case_number"]  # accepted once, not lost


def test_intake_needs_a_known_clerk(tmp_path, capsys, demo_dir):
    file = case_file(tmp_path)
    line = one_line_error(*run(capsys, "intake", "--file", file, "--data-dir", demo_dir))
    assert "--clerk" in line
    line = one_line_error(
        *run(capsys, "intake", "--file", file, "--clerk", "4242", "--data-dir", demo_dir)
    )
    assert "4242" in line
    assert run_json(capsys, "cases", "list", "--data-dir", demo_dir) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "不是有效的 JSON"),
        ('{"applicant": {}}', "案件文件有误"),
        (
            '{"applicant": {"id_number": "1", "name": "x", "household_street": null}, '
            '"item": "ZZ999", "materials": []}',
            "ZZ999",
        ),
    ],
)
def test_a_bad_case_file_is_one_line_and_writes_nothing(
    tmp_path, capsys, demo_dir, content, expected
):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    argv = ("intake", "--file", bad, "--clerk", "1001", "--data-dir", demo_dir)
    assert expected in one_line_error(*run(capsys, *argv))
    assert run_json(capsys, "cases", "list", "--data-dir", demo_dir) == []


def test_a_bad_identity_number_is_one_line(tmp_path, capsys, demo_dir):
    file = case_file(tmp_path)
    case = json.loads(file.read_text(encoding="utf-8"))
    case["applicant"]["id_number"] = "310104195001011234"  # wrong check character
    file.write_text(json.dumps(case), encoding="utf-8")
    argv = ("intake", "--file", file, "--clerk", "1001", "--data-dir", demo_dir)
    line = one_line_error(*run(capsys, *argv))
    assert "证件号码无效" in line and "310104195001011234" not in line


def test_cases_list_and_show(tmp_path, capsys, demo_dir):
    first = intake(capsys, demo_dir, case_file(tmp_path, serial=101))
    second = intake(capsys, demo_dir, case_file(tmp_path, serial=102))
    listed = run_json(capsys, "cases", "list", "--data-dir", demo_dir)
    assert [c["case_number"] for c in listed] == [second["case_number"], first["case_number"]]
    keys = {"case_number", "item", "status", "accepting_center", "processing_center", "due"}
    assert all(keys <= set(c) for c in listed)
    assert {c["status"] for c in listed} == {"accepted"}
    shown = run_json(
        capsys, "cases", "show", first["case_number"], "--clerk", "9001", "--data-dir", demo_dir
    )
    assert shown["case_number"] == first["case_number"]
    assert shown["applicant_id_masked"].count("*") == 8
    assert [e["event"] for e in shown["events"]] == ["受理"]
    code, out, _ = run(capsys, "cases", "list", "--data-dir", demo_dir)
    assert code == 0 and len(out.strip().splitlines()) == 2
    line = one_line_error(
        *run(
            capsys,
            "cases",
            "show",
            "310104003-260310-001-0099-0",
            "--clerk",
            "9001",
            "--data-dir",
            demo_dir,
        )
    )
    assert "没有受理编号" in line


def test_a_command_on_an_unconfigured_machine_is_one_line(tmp_path, capsys):
    # `tongban` alone opens the setup wizard there instead (tests/test_first_run.py).
    line = one_line_error(*run(capsys, "cases", "list", "--data-dir", tmp_path / "empty"))
    assert line == f"tongban: {NOT_CONFIGURED}"
    assert not (tmp_path / "empty").exists()


def test_the_environment_chooses_the_data_directory(tmp_path, capsys, monkeypatch, demo_dir):
    monkeypatch.setenv("TONGBAN_DATA_DIR", str(demo_dir))
    code, _, err = run(capsys, "intake", "--file", case_file(tmp_path), "--clerk", "1001")
    assert code == 0, err
    assert len(run_json(capsys, "cases", "list")) == 1


def test_two_data_directories_side_by_side_stay_separate(tmp_path, capsys):
    left, right = tmp_path / "left", tmp_path / "right"
    for directory in (left, right):
        assert run(capsys, "demo", "--prepare", "--data-dir", directory)[0] == 0
    first_left = intake(capsys, left, case_file(tmp_path, serial=201))
    intake(capsys, left, case_file(tmp_path, serial=202))
    first_right = intake(capsys, right, case_file(tmp_path, serial=203))
    assert len(run_json(capsys, "cases", "list", "--data-dir", left)) == 2
    assert len(run_json(capsys, "cases", "list", "--data-dir", right)) == 1
    # Both demos are workstation 1 of the same center, so their first case numbers coincide;
    # each directory still holds only its own applicant under it.
    assert first_left["case_number"] == first_right["case_number"]
    number = first_left["case_number"]
    for directory, serial in ((left, 201), (right, 203)):
        shown = run_json(
            capsys, "cases", "show", number, "--clerk", "1001", "--data-dir", directory
        )
        assert shown["applicant_id_masked"] == mask_identity(resident_id(serial=serial))
    run(capsys, "demo", "--prepare", "--reset", "--data-dir", right)
    assert len(run_json(capsys, "cases", "list", "--data-dir", left)) == 2
    assert run_json(capsys, "cases", "list", "--data-dir", right) == []


def test_a_damaged_store_is_one_line(tmp_path, capsys, demo_dir):
    for companion in demo_dir.glob("tongban.sqlite3*"):
        companion.unlink()
    (demo_dir / "tongban.sqlite3").write_bytes(b"not a database at all" * 100)
    line = one_line_error(*run(capsys, "cases", "list", "--data-dir", demo_dir))
    assert "损坏" in line
    line = one_line_error(*run(capsys, "demo", "--prepare", "--data-dir", demo_dir))
    assert "损坏" in line


def test_a_data_directory_that_is_a_file_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    line = one_line_error(*run(capsys, "demo", "--prepare", "--data-dir", blocker / "demo"))
    assert "设置文件" in line or "数据目录" in line


def test_demo_opens_the_window_of_the_prepared_workstation(tmp_path, capsys, monkeypatch):
    opened: list[Path] = []
    fake = types.ModuleType("tongban_fake_app")
    fake.run_counter = lambda directory: opened.append(directory) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tongban_fake_app", fake)
    monkeypatch.setattr(launch_cli, "APP_MODULE", "tongban_fake_app")
    code, _, err = run(capsys, "demo", "--data-dir", tmp_path / "demo")
    assert code == 0, err
    assert opened == [tmp_path / "demo"]  # the app opens the store itself, behind its login page
    settings = load_settings(tmp_path / "demo")
    assert settings is not None and settings.demo  # a new demo was prepared first
    with counter_cli.counter_context(tmp_path / "demo") as context:
        assert context.station.name == "1号窗口"
    code, _, err = run(capsys, "--data-dir", tmp_path / "demo")
    assert code == 0 and opened == [tmp_path / "demo"] * 2


def test_print_receipt_writes_the_pdf_and_records_the_reprint(tmp_path, capsys, demo_dir):
    from pypdf import PdfReader

    number = resident_id(serial=457)
    accepted = intake(capsys, demo_dir, case_file(tmp_path, serial=457))
    case = accepted["case_number"]
    out = tmp_path / "again.pdf"
    argv = ("print", "receipt", case, "--out", str(out), "--clerk", "1001")
    code, _, err = run(capsys, *argv, "--data-dir", str(demo_dir))
    assert code == 0, err
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert display_case_number(case) in text and mask_identity(number) in text
    assert number not in text
    assert run(capsys, *argv, "--data-dir", str(demo_dir))[0] == 0  # and once more
    shown = run_json(capsys, "cases", "show", case, "--clerk", "1001", "--data-dir", demo_dir)
    # The first print is the receipt's issue; every later one is recorded as a reprint.
    assert [e["event"] for e in shown["events"]][-2:] == ["出具回执", "补打回执"]


def test_print_receipt_on_the_roll_is_80_mm_wide(tmp_path, capsys, demo_dir):
    from pypdf import PdfReader

    case = intake(capsys, demo_dir, case_file(tmp_path))["case_number"]
    out = tmp_path / "roll.pdf"
    argv = ("print", "receipt", case, "--out", str(out), "--paper", "roll80")
    code, _, err = run(capsys, *argv, "--clerk", "1001", "--data-dir", str(demo_dir))
    assert code == 0, err
    width_mm = float(PdfReader(out).pages[0].mediabox.width) / 72 * 25.4
    assert abs(width_mm - 80) < 0.5


def test_print_receipt_of_an_unknown_case_is_one_line(tmp_path, capsys, demo_dir):
    out = tmp_path / "none.pdf"
    argv = ("print", "receipt", "310104003-260310-001-0099-0", "--out", str(out))
    code, out_text, err = run(capsys, *argv, "--clerk", "1001", "--data-dir", str(demo_dir))
    assert one_line_error(code, out_text, err) and not out.exists()
