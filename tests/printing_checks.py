"""Reading printed output back: text (pypdf), fonts, text positions, and barcodes (pdftoppm + zbar).

Needs the Debian packages poppler-utils (pdftoppm) and zbar-tools (zbarimg); a missing tool fails
the test with the package to install rather than skipping it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

TOOLS = {"pdftoppm": "poppler-utils", "zbarimg": "zbar-tools", "tesseract": "tesseract-ocr"}


def require_tool(name: str) -> str:
    path = shutil.which(name)
    assert path, (
        f"缺少命令 {name}：请安装 Debian 软件包 {TOOLS[name]}（见 scripts/apt-packages.txt）"
    )
    return path


def reader(pdf: bytes | Path) -> PdfReader:
    return PdfReader(BytesIO(pdf) if isinstance(pdf, bytes) else pdf)


def page_texts(pdf: bytes | Path) -> list[str]:
    return [page.extract_text() or "" for page in reader(pdf).pages]


def flat_text(pdf: bytes | Path) -> str:
    """All text without whitespace: a phrase wrapped over two lines still matches."""
    return "".join("".join(page_texts(pdf)).split())


@dataclass(frozen=True)
class FontUse:
    name: str
    embedded: bool


def fonts(pdf: bytes | Path) -> list[FontUse]:
    """Every font any page (or form inside it) names, and whether its program is in the file."""
    found: dict[str, FontUse] = {}
    for page in reader(pdf).pages:
        for font in _fonts_in(_resolve(page.get("/Resources"))):
            found[str(font.get("/BaseFont"))] = FontUse(str(font.get("/BaseFont")), _embedded(font))
    return list(found.values())


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _fonts_in(resources: DictionaryObject | None) -> Iterator[DictionaryObject]:
    if not resources:
        return
    for font in (_resolve(resources.get("/Font")) or {}).values():
        yield _resolve(font)
    for xobject in (_resolve(resources.get("/XObject")) or {}).values():
        yield from _fonts_in(_resolve(_resolve(xobject).get("/Resources")))


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type0":
        return all(_embedded(_resolve(d)) for d in _resolve(font["/DescendantFonts"]))
    descriptor = _resolve(font.get("/FontDescriptor"))
    if descriptor is None:
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def text_origins(pdf: bytes | Path) -> list[tuple[int, float, float, str]]:
    """(page index, x, y, text) of every text run, in page coordinates."""
    origins: list[tuple[int, float, float, str]] = []
    for index, page in enumerate(reader(pdf).pages):

        def visit(text: str, cm: list[float], tm: list[float], *_: Any, index: int = index) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                origins.append((index, x, y, text))

        page.extract_text(visitor_text=visit)
    return origins


def rasterise(pdf: bytes | Path, out_dir: Path, *, dpi: int = 300, gray: bool = True) -> list[Path]:
    """Every page as a PNG (pdftoppm), in page order."""
    require_tool("pdftoppm")
    source = pdf
    if isinstance(pdf, bytes):
        source = out_dir / "input.pdf"
        source.write_bytes(pdf)
    args = ["pdftoppm", "-png", "-r", str(dpi), *(["-gray"] if gray else []), str(source)]
    subprocess.run([*args, str(out_dir / "page")], check=True, capture_output=True)
    return sorted(out_dir.glob("page-*.png"))


def barcodes(png: Path) -> list[tuple[str, str]]:
    """(symbology, data) of every code zbar finds; identical 1-D codes on one image count once."""
    require_tool("zbarimg")
    done = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True, check=False)
    # zbarimg exits 4 when it finds nothing; that is an answer (empty), not an error.
    assert done.returncode in (0, 4), done.stderr
    found = []
    for line in done.stdout.splitlines():
        symbology, _, data = line.partition(":")
        found.append((symbology, data))
    return found


def barcodes_in_pdf(pdf: bytes | Path, *, dpi: int = 200) -> list[list[tuple[str, str]]]:
    """The codes found on each page."""
    with tempfile.TemporaryDirectory() as scratch:
        return [barcodes(png) for png in rasterise(pdf, Path(scratch), dpi=dpi)]
