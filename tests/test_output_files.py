"""Files written where a person asked (`--out`, `--pdf`, the supervisor's export): whole or not
at all, never over something that is not a file, and a failure named in one line."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tongban.desktop import output_files
from tongban.desktop.output_files import OutputError, write_output


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_a_new_file_and_a_replaced_one_get_the_whole_content(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    write_output(target, b"%PDF-first")
    assert target.stat().st_mode & 0o777 == 0o600  # personal data: the owner's only
    target.chmod(0o640)  # shared on purpose
    write_output(target, b"%PDF-second")
    assert target.read_bytes() == b"%PDF-second" and leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_full_disk_keeps_the_old_file_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-yesterday")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output_files.os, "fsync", full)
    with pytest.raises(OutputError) as refused:
        write_output(target, b"%PDF-today")
    assert str(refused.value) == f"无法写入 {target}：磁盘已满"
    assert target.read_bytes() == b"%PDF-yesterday" and leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["folder", "device"])
def test_something_that_is_not_a_file_is_refused_untouched(tmp_path: Path, name: str) -> None:
    if name == "folder":
        target = tmp_path / "folder"
        target.mkdir()
    else:
        target = Path(os.devnull)
    before = target.stat()
    with pytest.raises(OutputError) as refused:
        write_output(target, b"%PDF")
    assert str(refused.value) == f"{target} 不是普通文件，未写入"
    after = target.stat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "report.pdf"
    with pytest.raises(OutputError) as refused:
        write_output(target, b"%PDF")
    assert str(refused.value) == f"无法写入 {target}：所在文件夹不存在"


def test_a_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    write_output(link, b"%PDF-new")
    assert link.is_symlink() and real.read_bytes() == b"%PDF-new"
