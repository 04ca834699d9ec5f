"""The command line as scripts use it: JSON keys, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tongban.desktop.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_catalog_stats_on_each_stage_of_the_reform(capsys):
    before = run_json(capsys, "catalog", "stats", "--on", "2018-02-28")
    march = run_json(capsys, "catalog", "stats", "--on", "2018-04-01")
    july = run_json(capsys, "catalog", "stats", "--on", "2018-07-01")
    assert before["city_wide"] == 0 and before["not_city_wide"] == 174
    assert march == march | {"total": 174, "city_wide": 161, "not_city_wide": 13}
    assert march["city_wide_by_mode"] == {"direct": 135, "separated": 26}
    assert july["city_wide"] == 172 and july["not_city_wide"] == 2
    assert july["city_wide_by_mode"]["direct"] + july["city_wide_by_mode"]["separated"] == 172


def test_catalog_list_and_search_give_the_documented_keys(capsys):
    items = run_json(capsys, "catalog", "list")
    assert len(items) == 174
    keys = {"code", "name", "department", "mode", "city_wide_from"}
    assert all(keys <= set(item) for item in items)
    assert {item["mode"] for item in items} == {"direct", "separated", "home_district"}
    found = run_json(capsys, "catalog", "search", "jlk")
    assert "敬老卡" in found[0]["name"]
    by_chinese = run_json(capsys, "catalog", "search", "敬老卡")
    assert by_chinese[0]["code"] == found[0]["code"]


def test_catalog_show_gives_materials_and_an_unknown_code_is_one_line(capsys):
    first = run_json(capsys, "catalog", "list")[0]
    shown = run_json(capsys, "catalog", "show", first["code"])
    assert shown["code"] == first["code"] and shown["materials"]
    code, out, err = run(capsys, "catalog", "show", "ZZ999")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "ZZ999" in err


def test_catalog_check_reports_a_broken_file_precisely(capsys, tmp_path):
    good = run_json(capsys, "catalog", "check")
    assert good["valid"] is True and good["items"] == 174
    broken = tmp_path / "broken.yaml"
    broken.write_text("revision: x\nitems: [\n", encoding="utf-8")
    code, out, _ = run(capsys, "catalog", "check", str(broken), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False and report["problems"][0]["file"] == "broken.yaml"


def test_centers_list(capsys):
    centers = run_json(capsys, "centers", "list")
    assert len(centers) == 220
    assert all({"code", "name", "district", "streets"} <= set(c) for c in centers)
    served = [street for c in centers for street in c["streets"]]
    assert len(served) == len(set(served)) == 234
    xuhui = run_json(capsys, "centers", "list", "--district", "310104")
    assert xuhui and all(c["district"] == "310104" for c in xuhui)


def test_id_check_valid_invalid_and_legacy(capsys):
    ok = run_json(capsys, "id", "check", "11010519491231002X")
    assert ok == ok | {"valid": True, "birth_date": "1949-12-31", "gender": "F", "reason": None}
    code, out, _ = run(capsys, "id", "check", "110105194912310021", "--json")
    bad = json.loads(out)
    assert code == 1 and bad["valid"] is False and bad["reason"]
    legacy = run_json(capsys, "id", "check", "110105491231002")
    assert legacy["valid"] is True and legacy["birth_date"] == "1949-12-31"


# A household in 天平路街道 (徐汇区), accepting at 南京东路街道 (黄浦区).
XUHUI_TIANPING = "310104003"
HUANGPU_NANJING = "310101002"


def _first_code(capsys, mode: str) -> str:
    return next(i["code"] for i in run_json(capsys, "catalog", "list") if i["mode"] == mode)


def test_route_direct_separated_and_home_district(capsys):
    common = [
        "--center",
        HUANGPU_NANJING,
        "--household-street",
        XUHUI_TIANPING,
        "--on",
        "2019-05-06",
    ]
    direct = run_json(capsys, "route", "--item", _first_code(capsys, "direct"), *common)
    assert direct["decision"] == "handle_here" and direct["processing_center"] == HUANGPU_NANJING
    separated = run_json(capsys, "route", "--item", _first_code(capsys, "separated"), *common)
    assert separated["decision"] in {"forward", "handle_here"} and separated["reason"]
    home = run_json(capsys, "route", "--item", _first_code(capsys, "home_district"), *common)
    assert home["decision"] == "refuse" and home["processing_center"] == XUHUI_TIANPING


def test_route_with_an_unknown_street_is_one_line_exit_2(capsys):
    code, out, err = run(
        capsys,
        "route",
        "--center",
        HUANGPU_NANJING,
        "--item",
        "XX001",
        "--household-street",
        "310104003",
    )
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_deadline_skips_national_day(capsys):
    due = run_json(capsys, "deadline", "--from", "2025-09-30", "--working-days", "1")
    assert due["due"] == "2025-10-09"
    same_day = run_json(capsys, "deadline", "--from", "2025-09-30", "--working-days", "0")
    assert same_day["due"] == "2025-09-30"


@pytest.mark.parametrize(
    "argv",
    [
        ["deadline", "--from", "2025-13-01", "--working-days", "1"],
        ["deadline", "--from", "2025-01-01", "--working-days", "-3"],
        ["catalog", "stats", "--on", "yesterday"],
        ["no-such-command"],
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_installed_command_runs():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tongban",
            "deadline",
            "--from",
            "2025-09-30",
            "--working-days",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "2025-10-09" in result.stdout


def test_version_names_the_installed_release(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.metadata

    from tongban.cli import main as tongban

    assert tongban(["--version"]) == 0
    assert capsys.readouterr().out == f"tongban {importlib.metadata.version('tongban')}\n"
