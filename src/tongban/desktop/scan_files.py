"""The workstation's scan folder: scan files by content, written so none is ever half there.

Scans live beside the store file, in DATA/scans/ab/abcdef… (the first two hex digits of the
sha256 as a folder, the whole sha256 as the name), so one file attached to several cases, or
fetched again, is kept once. A file is read once while it is copied: its first bytes decide
whether it is a scan at all (models/scans.py: PDF, PNG, JPEG, TIFF, at most 20 MB) and its
SHA-256 is computed on the way. It is written to a temporary file in the same folder, flushed to
the disk (fsync), then renamed into place (atomic on one file system) and the folder synced: a
crash leaves either the whole file or a stray temporary file, never a half scan under a real
name. The caller records the scan_attached event only after `keep` returned.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tongban.models.scans import (
    MAX_SCAN_BYTES,
    SNIFF_BYTES,
    ScanRefused,
    check_scan,
    is_sha256,
    media_type_of,
)
from tongban.models.store import Store

SCAN_FOLDER = "scans"
READ_BLOCK = 256 * 1024


@dataclass(frozen=True)
class KeptScan:
    sha256: str
    size: int
    media_type: str
    path: Path
    created: bool = False  # this call put the file there (it was not kept before)


class ScanFiles:
    """The scan folder of one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def beside(cls, store: Store) -> ScanFiles:
        """The scan folder of the data directory that holds `store`."""
        return cls(store.path.parent / SCAN_FOLDER)

    def path_of(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError("not a sha256")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def keep(self, source: Path) -> KeptScan:
        """Copy a file the clerk chose into the folder; ScanRefused when it is not a scan."""
        try:
            file = source.open("rb")
        except FileNotFoundError:
            raise ScanRefused(f"找不到文件：{source}") from None
        except IsADirectoryError:
            raise ScanRefused(f"{source} 是文件夹，不是扫描件文件") from None
        except PermissionError:
            raise ScanRefused(f"没有读取文件的权限：{source}") from None
        with file:
            media_type = check_scan(file.read(SNIFF_BYTES), os.fstat(file.fileno()).st_size)
            file.seek(0)
            return self._write(_blocks(file, limit=MAX_SCAN_BYTES), media_type)

    def keep_bytes(self, content: bytes, sha256: str) -> KeptScan:
        """Keep a scan fetched from the center; ScanRefused unless its SHA-256 is `sha256`."""
        media_type = check_scan(content[:SNIFF_BYTES], len(content))
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ScanRefused("从中心取得的扫描件校验不符，未保存")
        return self._write([content], media_type)

    def verified(self, sha256: str) -> KeptScan | None:
        """The kept file if it is there and still has this SHA-256; None otherwise."""
        path = self.path_of(sha256)
        try:
            with path.open("rb") as file:
                head = file.read(SNIFF_BYTES)
                file.seek(0)
                digest = hashlib.sha256()
                for block in _blocks(file, limit=MAX_SCAN_BYTES):
                    digest.update(block)
        except FileNotFoundError:
            return None
        if digest.hexdigest() != sha256:
            return None
        media_type = media_type_of(head) or ""
        return KeptScan(sha256=sha256, size=path.stat().st_size, media_type=media_type, path=path)

    def read(self, sha256: str, offset: int, length: int) -> bytes:
        with self.path_of(sha256).open("rb") as file:
            file.seek(offset)
            return file.read(length)

    def _write(self, blocks: Iterable[bytes], media_type: str) -> KeptScan:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                for block in blocks:
                    digest.update(block)
                    size += len(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path_of(sha256)
            target.parent.mkdir(exist_ok=True)
            created = not target.exists()
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(target.parent)
        return KeptScan(sha256, size, media_type, target, created=created)

    def forget(self, kept: KeptScan) -> None:
        """Remove a file this process just kept when what it was kept for was refused."""
        if kept.created:
            kept.path.unlink(missing_ok=True)


def _blocks(file: BinaryIO, *, limit: int) -> Iterator[bytes]:
    """The file's content in blocks; ScanRefused if it grows past `limit` while being read."""
    total = 0
    while block := file.read(READ_BLOCK):
        total += len(block)
        if total > limit:
            raise ScanRefused("扫描件在读取时变大，超过大小上限：请等扫描完成后再附")
        yield block


def _sync_folder(folder: Path) -> None:
    """Make a rename durable: sync the folder's entry (POSIX; Windows has no folder handles)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
