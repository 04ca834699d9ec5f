"""Scans at the workstation: what may be a scan, the scan folder written atomically, the fold of
scan_attached, and attaching, listing and opening through the service and the command line."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from test_cli_case import accept_direct_case, one_line_error, run, run_json
from test_events import WS_P, accepted, ev
from tongban.desktop.scan_files import ScanFiles
from tongban.models.scans import MAX_SCAN_BYTES, ScanRefused, check_scan, media_type_of
from tongban.models.store import (
    EventKind,
    SubjectType,
    SupplementRequested,
    audit_trail,
    case_events,
    fold,
    open_store,
)
from tongban.models.store.scan_uploads import scan_uploads

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture(autouse=True)
def no_data_dir_from_the_environment(monkeypatch):
    monkeypatch.delenv("TONGBAN_DATA_DIR", raising=False)


# What may be a scan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"%PDF-1.4", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JF", "image/jpeg"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    ],
)
def test_scans_are_recognised_by_their_first_bytes(head: bytes, media_type: str) -> None:
    assert media_type_of(head) == media_type
    assert check_scan(head, 1000) == media_type


@pytest.mark.parametrize(
    ("head", "size", "message"),
    [
        (b"GIF89a\x00\x00", 100, "须为 PDF、PNG、JPEG 或 TIFF"),
        (b"PK\x03\x04 doc", 100, "须为 PDF、PNG、JPEG 或 TIFF"),
        (b"%PDF-1.4", 0, "空文件"),
        (b"%PDF-1.4", MAX_SCAN_BYTES + 1, "不能超过 20 MB"),
    ],
)
def test_what_is_not_a_scan_is_refused_in_chinese(head: bytes, size: int, message: str) -> None:
    with pytest.raises(ScanRefused, match=message):
        check_scan(head, size)


# The scan folder ------------------------------------------------------------------------------


def test_a_kept_scan_is_named_by_its_content(tmp_path: Path) -> None:
    source = tmp_path / "身份证.pdf"
    source.write_bytes(PDF)
    files = ScanFiles(tmp_path / "scans")
    kept = files.keep(source)
    sha = hashlib.sha256(PDF).hexdigest()
    assert (kept.sha256, kept.size, kept.media_type) == (sha, len(PDF), "application/pdf")
    assert kept.path == tmp_path / "scans" / sha[:2] / sha
    assert kept.path.read_bytes() == PDF
    assert files.keep(source).path == kept.path  # the same content is kept once
    assert kept.created and not files.keep(source).created
    verified = files.verified(sha)
    assert verified is not None and (verified.path, verified.size) == (kept.path, len(PDF))
    assert _leftovers(files) == []


def test_a_refused_file_leaves_nothing_behind(tmp_path: Path) -> None:
    files = ScanFiles(tmp_path / "scans")
    text = tmp_path / "说明.txt"
    text.write_text("不是扫描件", encoding="utf-8")
    with pytest.raises(ScanRefused, match="须为 PDF"):
        files.keep(text)
    with pytest.raises(ScanRefused, match="找不到文件"):
        files.keep(tmp_path / "missing.pdf")
    assert not (tmp_path / "scans").exists() or _leftovers(files) == []


def test_a_write_cut_off_before_the_rename_leaves_no_scan(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    files = ScanFiles(tmp_path / "scans")

    def power_cut(*_args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        files.keep(source)
    assert not files.has(hashlib.sha256(PDF).hexdigest())
    assert _leftovers(files) == []  # the temporary file is gone too


def test_a_damaged_file_is_not_verified_and_a_fetched_one_must_match(tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    source.write_bytes(PNG)
    files = ScanFiles(tmp_path / "scans")
    kept = files.keep(source)
    kept.path.write_bytes(PNG + b"!")
    assert files.verified(kept.sha256) is None
    with pytest.raises(ScanRefused, match="校验不符"):
        files.keep_bytes(PNG + b"?", kept.sha256)
    assert files.keep_bytes(PNG, kept.sha256).path.read_bytes() == PNG


def _leftovers(files: ScanFiles) -> list[str]:
    return [p.name for p in files.root.rglob(".incoming-*")]


# The fold -------------------------------------------------------------------------------------


def scan_payload(material: str = "户口簿", sha: str = "ab" * 32) -> dict[str, object]:
    return {
        "material": material,
        "file_name": f"{material}.pdf",
        "media_type": "application/pdf",
        "size": 2048,
        "sha256": sha,
    }


def test_the_fold_keeps_the_scans_of_the_case() -> None:
    start = ev(EventKind.ACCEPTED, accepted(), at=0)
    first = ev(EventKind.SCAN_ATTACHED, scan_payload(), at=1, seq=2)
    second = ev(EventKind.SCAN_ATTACHED, scan_payload(sha="cd" * 32), at=2, seq=1, ws=WS_P)
    state = fold([second, start, first])
    assert [s.sha256 for s in state.scans] == ["ab" * 32, "cd" * 32]
    assert state.scans[0].material == "户口簿" and state.scans[0].size == 2048
    assert state.problems == ()


def test_the_fold_refuses_scans_that_do_not_fit_the_case() -> None:
    start = ev(EventKind.ACCEPTED, accepted(), at=0)
    unknown = ev(EventKind.SCAN_ATTACHED, scan_payload("结婚证"), at=1, seq=2)
    twice = [ev(EventKind.SCAN_ATTACHED, scan_payload(), at=t, seq=t + 2) for t in (2, 3)]
    state = fold([start, unknown, *twice])
    assert [s.sha256 for s in state.scans] == ["ab" * 32]
    assert [p.message for p in state.problems] == [
        "「结婚证」不是本案的材料",
        "「户口簿」已附此扫描件",
    ]

    cancelled = ev(EventKind.CANCELLED, {"reason": "撤回"}, at=1, seq=2)
    late = ev(EventKind.SCAN_ATTACHED, scan_payload(), at=2, seq=3)
    assert fold([start, cancelled, late]).problems[0].message.startswith("案件已办结")


def test_a_scan_of_a_requested_supplement_is_allowed() -> None:
    start = ev(EventKind.ACCEPTED, accepted(), at=0)
    request = SupplementRequested(materials=("居住证明",), reason="缺少")
    asked = ev(EventKind.SUPPLEMENT_REQUESTED, request, at=1, seq=2)
    scan = ev(EventKind.SCAN_ATTACHED, scan_payload("居住证明"), at=2, seq=3)
    state = fold([start, asked, scan])
    assert state.problems == () and state.scans[0].material == "居住证明"


# The service and the command line -------------------------------------------------------------


@pytest.fixture
def demo(tmp_path, capsys) -> Path:
    directory = tmp_path / "demo"
    code, _, err = run(capsys, "demo", "--prepare", "--data-dir", directory)
    assert code == 0, err
    return directory


def material_of(directory: Path, number: str) -> str:
    store = open_store(directory / "tongban.sqlite3")
    try:
        with store.reading() as session:
            return fold(case_events(session, number)).materials[0].name
    finally:
        store.close()


def test_attach_list_and_get_from_the_command_line(capsys, tmp_path, demo) -> None:
    number = accept_direct_case(capsys, tmp_path, demo)
    material = material_of(demo, number)
    scan = tmp_path / "扫描 001.pdf"
    scan.write_bytes(PDF)
    common = ("--clerk", "1001", "--data-dir", demo)

    attached = run_json(capsys, "scan", "attach", number, "--material", material, scan, *common)
    sha = hashlib.sha256(PDF).hexdigest()
    assert (attached["sha256"], attached["size"], attached["here"]) == (sha, len(PDF), True)
    assert attached["upload"] == "待同步" and attached["file_name"] == "扫描 001.pdf"
    assert (demo / "scans" / sha[:2] / sha).read_bytes() == PDF

    listed = run_json(capsys, "scan", "list", number, *common)
    assert [(s["material"], s["sha256"]) for s in listed["scans"]] == [(material, sha)]
    code, text, _ = run(capsys, "scan", "list", number, *common[:4])
    assert code == 0 and "1 份扫描件" in text and material in text

    out = tmp_path / "copy.pdf"
    got = run_json(capsys, "scan", "get", number, sha[:10], "--out", out, *common)
    assert got["sha256"] == sha and out.read_bytes() == PDF

    store = open_store(demo / "tongban.sqlite3")
    try:
        with store.reading() as session:
            actions = [
                e.action
                for e in audit_trail(session, subject_type=SubjectType.CASE, subject_ref=number)
            ]
            [upload] = scan_uploads(session, number)
    finally:
        store.close()
    assert {"attach_scan", "list_scans", "open_scan"} <= set(actions)
    assert (upload.sha256, upload.done, upload.problem) == (sha, False, None)


def test_refusals_are_one_line(capsys, tmp_path, demo) -> None:
    number = accept_direct_case(capsys, tmp_path, demo)
    common = ("--clerk", "1001", "--data-dir", demo)
    text = tmp_path / "a.txt"
    text.write_text("hello", encoding="utf-8")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    material = material_of(demo, number)

    wrong_type = one_line_error(
        run(capsys, "scan", "attach", number, "--material", material, text, *common)
    )
    assert "须为 PDF、PNG、JPEG 或 TIFF" in wrong_type
    unknown_material = one_line_error(
        run(capsys, "scan", "attach", number, "--material", "结婚证", pdf, *common)
    )
    assert "不是本案的材料" in unknown_material
    assert _leftovers(ScanFiles(demo / "scans")) == []
    assert not ScanFiles(demo / "scans").has(hashlib.sha256(PDF).hexdigest())  # not kept
    blank = one_line_error(run(capsys, "scan", "attach", number, "--material", " ", pdf, *common))
    assert "材料名称" in blank
    missing = one_line_error(
        run(capsys, "scan", "get", number, "ab" * 32, "--out", tmp_path / "x", *common)
    )
    assert "此案没有这份扫描件" in missing
    bad_number = one_line_error(run(capsys, "scan", "list", "12345", *common))
    assert "受理编号格式不正确" in bad_number
    assert run_json(capsys, "scan", "list", number, *common)["scans"] == []


def test_the_case_timeline_names_the_scan(capsys, tmp_path, demo) -> None:
    number = accept_direct_case(capsys, tmp_path, demo)
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    material = material_of(demo, number)
    common = ("--clerk", "1001", "--data-dir", demo)
    run_json(capsys, "scan", "attach", number, "--material", material, pdf, *common)
    shown = run_json(capsys, "cases", "show", number, *common)
    assert (shown["events"][-1]["event"], shown["events"][-1]["detail"]) == ("附扫描件", material)
