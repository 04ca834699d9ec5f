"""Bundled fonts and the glyph check: a rare character falls back or warns, never prints a box."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle

from printing_checks import flat_text, fonts
from printing_samples import FULL_ID, receipt_data
from tongban.assets import fallback_font, font_paths, primary_font
from tongban.printing import (
    MISSING_GLYPH_MARK,
    AcceptanceReceipt,
    MissingGlyphsError,
    PersonOnPaper,
    bundled_fonts,
)
from tongban.printing.fonts import FALLBACK_FONT_NAME, PRIMARY_FONT_NAME
from tongban.printing.text import text_paragraph

# 䶮 (U+4DAE, CJK Extension A, as in 刘䶮) is missing from WenQuanYi Micro Hei and present in
# Zen Hei; 𫖯 (U+2B5AF, Extension C, as in the painter 赵孟𫖯) is in neither.
FALLBACK_ONLY = "䶮"
IN_NO_FONT = "𫖯"


def test_bundled_fonts_ship_with_their_licences() -> None:
    for font in (primary_font(), fallback_font()):
        assert font.path.is_file() and font.path.stat().st_size > 1_000_000
        licence = font.licence.read_text(encoding="utf-8")
        assert "Copyright" in licence
    assert "Apache License" in primary_font().licence.read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in fallback_font().licence.read_text(encoding="utf-8")
    assert "Font embedding exception" in fallback_font().licence.read_text(encoding="utf-8")
    assert font_paths() == (primary_font().path, fallback_font().path)


def test_each_character_goes_to_the_font_that_has_it() -> None:
    fonts_ = bundled_fonts()
    assert fonts_.font_for("王") == PRIMARY_FONT_NAME
    assert fonts_.font_for("A") == PRIMARY_FONT_NAME
    assert fonts_.font_for(FALLBACK_ONLY) == FALLBACK_FONT_NAME
    assert fonts_.font_for(IN_NO_FONT) is None
    assert fonts_.uncovered(f"刘{FALLBACK_ONLY}赵孟{IN_NO_FONT}") == (IN_NO_FONT,)


def test_a_character_no_font_has_stops_the_print_with_a_warning() -> None:
    data = receipt_data(applicant=PersonOnPaper(f"赵孟{IN_NO_FONT}", FULL_ID))
    document = AcceptanceReceipt(data)
    assert document.missing_glyphs() == (IN_NO_FONT,)
    with pytest.raises(MissingGlyphsError) as raised:
        document.build()
    assert raised.value.characters == (IN_NO_FONT,)
    message = str(raised.value)
    assert IN_NO_FONT in message and "U+2B5AF" in message and "手写" in message


def test_printing_anyway_marks_the_missing_character_for_hand_completion() -> None:
    data = receipt_data(applicant=PersonOnPaper(f"赵孟{IN_NO_FONT}", FULL_ID))
    pdf = AcceptanceReceipt(data, substitute_missing_glyphs=True).build()
    text = flat_text(pdf)
    assert f"赵孟{MISSING_GLYPH_MARK}" in text
    assert IN_NO_FONT not in text


def test_a_clean_document_needs_no_fallback_font() -> None:
    document = AcceptanceReceipt(receipt_data())
    assert document.missing_glyphs() == ()
    names = {font.name for font in fonts(document.build())}
    assert names and all("MicroHei" in name for name in names), names


def test_variation_selectors_are_dropped_not_reported() -> None:
    assert bundled_fonts().uncovered("王\ufe00丽\u200d华") == ()
    assert bundled_fonts().runs("王\ufe00丽")[0] == ((PRIMARY_FONT_NAME, "王丽"),)


def test_runs_switch_font_only_where_needed() -> None:
    runs, uncovered = bundled_fonts().runs(f"刘{FALLBACK_ONLY}{FALLBACK_ONLY}与赵孟{IN_NO_FONT}")
    assert runs == (
        (PRIMARY_FONT_NAME, "刘"),
        (FALLBACK_FONT_NAME, FALLBACK_ONLY * 2),
        (PRIMARY_FONT_NAME, f"与赵孟{MISSING_GLYPH_MARK}"),
    )
    assert uncovered == (IN_NO_FONT,)


@given(st.text(max_size=40))
def test_every_run_is_drawable_by_its_font_and_lays_out(text: str) -> None:
    fonts_ = bundled_fonts()
    runs, uncovered = fonts_.runs(text)
    for font, run in runs:
        assert run and all(fonts_.font_for(ch) == font for ch in run)
    assert set(uncovered) <= set(text)
    assert not set(uncovered) & set("".join(run for _, run in runs))
    style = ParagraphStyle("probe", fontName=PRIMARY_FONT_NAME, wordWrap="CJK")
    text_paragraph(runs, style).wrap(200, 1000)


def test_markup_characters_in_data_are_printed_as_they_are() -> None:
    data = receipt_data(applicant=PersonOnPaper("<b>王&amp;丽</b>", FULL_ID))
    assert "<b>王&amp;丽</b>" in flat_text(AcceptanceReceipt(data).build())
