"""Files written where a person asked (a command's `--out` or `--pdf`, the supervisor's export):
whole or not at all.

The bytes go to a temporary file beside the target, are flushed to disk, and only then take the
target's name, so a full disk never leaves half a PDF or spreadsheet under the real name. A
link is followed to the file it names (the link stays a link). A target that is not a regular
file (a device, a folder, a pipe) is refused rather than replaced: renaming over /dev/… would
swap a device for a file. A replaced file keeps its permissions; a new one is readable by its
owner only, as the documents carry personal data.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


class OutputError(Exception):
    """The file was not written (and nothing was left half-written); one zh_CN line."""


def write_output(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically; OutputError, naming the file, when it cannot."""
    target = path.resolve()
    if target.exists() and not target.is_file():
        raise OutputError(f"{path} 不是普通文件，未写入")
    try:
        _replace(target, data)
    except OSError as error:
        raise OutputError(f"无法写入 {path}：{_reason(error)}") from None


def _replace(target: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        if target.exists():
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "磁盘已满"
    if error.errno == errno.ENOENT:
        return "所在文件夹不存在"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有写入权限"
    return error.strerror or type(error).__name__
