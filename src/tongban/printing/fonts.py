"""The bundled CJK fonts, registered with ReportLab, and the check that every character has a glyph.

Names can hold rare characters (生僻字). Each character is drawn with the primary font when it has a
glyph, else with the fallback font; a character neither font has is reported before anything is
printed, so the clerk is warned instead of the applicant taking home an empty box. Where the clerk
chooses to print anyway, the character is replaced by 〓, the typesetter's mark for a missing
character, to be completed by hand.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from tongban.assets import BundledFont, fallback_font, primary_font

Run = tuple[str, str]  # (registered font name, text drawn in it)

PRIMARY_FONT_NAME = "TongbanSans"
FALLBACK_FONT_NAME = "TongbanSansExt"
MISSING_GLYPH_MARK = "〓"


class MissingGlyphsError(Exception):
    """Characters that no bundled font can draw; the clerk must decide before printing."""

    def __init__(self, characters: tuple[str, ...]) -> None:
        self.characters = characters
        listed = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in characters)
        super().__init__(
            f"以下字符随附字体中没有，打印出来会缺字：{listed}。"
            f"请核对用字；如仍需打印，缺字处将印为“{MISSING_GLYPH_MARK}”，请手写补正。"
        )


@cache
def _is_ignorable(ch: str) -> bool:
    """Control and format characters and variation selectors: nothing to draw, dropped."""
    code = ord(ch)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    return unicodedata.category(ch) in {"Cc", "Cf"}


def _load(name: str, font: BundledFont) -> TTFont:
    loaded = TTFont(name, str(font.path), subfontIndex=font.subfont_index)
    pdfmetrics.registerFont(loaded)
    # CJK faces have no bold or italic: map them to the same face so <b> never fails.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)
    return loaded


class DocumentFonts:
    """The primary and fallback fonts, registered under fixed names for every document.

    The fallback (a 17 MB collection, ~0.35 s to parse) is loaded only when a text needs it.
    """

    def __init__(self, primary: BundledFont, fallback: BundledFont) -> None:
        self._primary = _load(PRIMARY_FONT_NAME, primary)
        self._primary_characters = frozenset(
            ch
            for code, glyph in self._primary.face.charToGlyph.items()
            if glyph and not _is_ignorable(ch := chr(code))
        )
        self._fallback_source = fallback
        self._fallback: TTFont | None = None
        self._lock = threading.Lock()
        self._font_of: dict[str, str | None] = {}  # per character, filled as texts are checked

    @property
    def primary_name(self) -> str:
        return PRIMARY_FONT_NAME

    def _fallback_font(self) -> TTFont:
        with self._lock:
            if self._fallback is None:
                self._fallback = _load(FALLBACK_FONT_NAME, self._fallback_source)
            return self._fallback

    def font_for(self, ch: str) -> str | None:
        """The registered font name that draws this character, or None when no font has it."""
        try:
            return self._font_of[ch]
        except KeyError:
            pass
        code = ord(ch)
        font: str | None = None
        if self._primary.face.charToGlyph.get(code):
            font = PRIMARY_FONT_NAME
        elif self._fallback_font().face.charToGlyph.get(code):
            font = FALLBACK_FONT_NAME
        self._font_of[ch] = font
        return font

    def uncovered(self, text: str) -> tuple[str, ...]:
        """The distinct characters of text that no bundled font can draw, in order of appearance."""
        return self.runs(text)[1]

    def runs(self, text: str) -> tuple[tuple[Run, ...], tuple[str, ...]]:
        """The text cut into runs of one font each, and the characters no font has.

        A character no font has is replaced in its run by the missing-character mark; whether
        that may be printed is the caller's decision.
        """
        if self._primary_characters.issuperset(text):
            # The common case, decided in one set operation: all of it in the primary font.
            return ((PRIMARY_FONT_NAME, text),) if text else (), ()
        runs: list[Run] = []
        uncovered: dict[str, None] = {}
        current_font: str = PRIMARY_FONT_NAME
        current: list[str] = []
        for ch in text:
            if _is_ignorable(ch):
                continue
            font = self.font_for(ch)
            if font is None:
                uncovered.setdefault(ch)
                font, ch = PRIMARY_FONT_NAME, MISSING_GLYPH_MARK
            if font != current_font and current:
                runs.append((current_font, "".join(current)))
                current = []
            current_font = font
            current.append(ch)
        if current:
            runs.append((current_font, "".join(current)))
        return tuple(runs), tuple(uncovered)


@cache
def bundled_fonts() -> DocumentFonts:
    """The application's fonts, parsed and registered once per process (parsing takes ~0.3 s)."""
    return DocumentFonts(primary_font(), fallback_font())
