"""Scans of materials: what a scan file may be, and the upload protocol's shared terms.

A clerk attaches scans (image or PDF files) to a case; they travel to the central store in
chunks and can be opened only by the case's accepting and processing centers (docs/SYNC.md,
"Scans"). Both sides, the workstation and the central service, use these rules:

- a scan is recognised by its first bytes, never by its file name: PDF, PNG, JPEG or TIFF;
- it is at most MAX_SCAN_BYTES (20 MB: a multi-page scan at 300 dpi fits; a phone video does not);
- it is named everywhere by the SHA-256 of its content (64 lower-case hex digits), so a file is
  stored once however many cases it is attached to, and every copy can be checked;
- it travels in chunks of at most CHUNK_BYTES, each with its own SHA-256 in CHUNK_SHA256_HEADER.

Pure: no I/O beyond what the caller hands in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

MAX_SCAN_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
CHUNK_SHA256_HEADER = "X-Tongban-Chunk-Sha256"
CONTENT_SHA256_HEADER = "X-Tongban-Sha256"
SNIFF_BYTES = 8  # enough to tell the four formats apart

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
MEDIA_NAMES = {PDF: "PDF", PNG: "PNG 图片", JPEG: "JPEG 图片", TIFF: "TIFF 图片"}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),  # little-endian TIFF
    (b"MM\x00*", TIFF),  # big-endian TIFF
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ScanRefused(ValueError):
    """A file that cannot be a scan; the message is for the clerk (zh_CN)."""


def media_type_of(head: bytes) -> str | None:
    """The media type the file's first bytes show, or None when it is none of the four."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def check_scan(head: bytes, size: int) -> str:
    """The media type of a file that may be attached as a scan; ScanRefused otherwise."""
    if size <= 0:
        raise ScanRefused("扫描件是空文件")
    if size > MAX_SCAN_BYTES:
        raise ScanRefused(
            f"扫描件过大（{size / 1024 / 1024:.1f} MB），"
            f"不能超过 {MAX_SCAN_BYTES // 1024 // 1024} MB：请降低扫描分辨率或分页扫描"
        )
    media_type = media_type_of(head)
    if media_type is None:
        raise ScanRefused("扫描件须为 PDF、PNG、JPEG 或 TIFF 文件")
    return media_type


def is_sha256(text: str) -> bool:
    return bool(_SHA256.match(text))


def sha256_of(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def describe_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class ScanProgress(BaseModel):
    """How much of a scan the central store holds (GET /v1/scans/…, and every chunk's answer)."""

    model_config = ConfigDict(extra="ignore")

    sha256: str
    size: int = Field(ge=0)  # the whole file, as the case's scan_attached event says
    received: int = Field(ge=0)  # bytes stored so far: the next chunk starts here
    complete: bool  # every byte is there and the whole file's SHA-256 matched
