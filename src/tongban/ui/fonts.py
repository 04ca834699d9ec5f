"""The window's font: the bundled CJK font, so Chinese never renders as boxes.

Qt's wheels ship no fonts and a counter PC may have no CJK font installed; tongban.assets ships
WenQuanYi. The application calls `install_application_font` once, after creating QApplication.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

DEFAULT_POINT_SIZE = 11


def install_application_font(app: QApplication, *, point_size: int = DEFAULT_POINT_SIZE) -> str:
    """Register the bundled fonts and make the first one the application font.

    Returns the family in use. When no bundled font can be loaded (an installation missing its
    assets), the system's default family stays and the problem is logged.
    """
    families: list[str] = []
    for path in _bundled_font_paths():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("无法加载随附字体：%s", path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    font = QFont(app.font())
    if families:
        # The first family is the primary face; the others fill in characters it lacks.
        font.setFamilies(_unique(families))
    font.setPointSize(point_size)
    app.setFont(font)
    return font.family()


def _bundled_font_paths() -> tuple[Path, ...]:
    try:
        from tongban.assets import font_paths

        return tuple(font_paths())
    except (ImportError, FileNotFoundError) as error:
        log.warning("随附字体不可用，使用系统字体：%s", error)
        return ()


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
