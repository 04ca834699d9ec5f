"""Files the application ships with it: data only, usable by printing, ui and desktop alike.

The fonts are bundled because printed paperwork must never depend on what the workstation or the
PDF viewer happens to have installed: a machine without a CJK font would print empty boxes.
Each font sits beside its licence file (fonts/LICENSE-*.txt); docs/PRINTING.md explains the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class BundledFont:
    """One face of a bundled TrueType collection."""

    family: str  # the family name inside the font file
    path: Path
    subfont_index: int  # which face of the .ttc (0 is the proportional one)
    licence: Path


def _font_file(name: str) -> Path:
    located = resources.files(__name__).joinpath("fonts", name)
    # A font library needs a real file; the package is always installed as files (pip, PyInstaller).
    if not isinstance(located, Path) or not located.is_file():
        raise FileNotFoundError(f"随附字体文件缺失：{name}（请重新安装本程序）")
    return located


def primary_font() -> BundledFont:
    """WenQuanYi Micro Hei: all 20,9xx unified ideographs of the basic block, 5 MB, Apache-2.0."""
    return BundledFont(
        family="WenQuanYi Micro Hei",
        path=_font_file("wqy-microhei.ttc"),
        subfont_index=0,
        licence=_font_file("LICENSE-wqy-microhei.txt"),
    )


def fallback_font() -> BundledFont:
    """WenQuanYi Zen Hei: adds the whole CJK Extension A block, where rare name characters live."""
    return BundledFont(
        family="WenQuanYi Zen Hei",
        path=_font_file("wqy-zenhei.ttc"),
        subfont_index=0,
        licence=_font_file("LICENSE-wqy-zenhei.txt"),
    )


def font_paths() -> tuple[Path, ...]:
    """The bundled font files, primary first (for QFontDatabase.addApplicationFont and the like)."""
    return (primary_font().path, fallback_font().path)
