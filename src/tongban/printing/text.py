"""Paragraphs made straight from font runs: no markup to escape, no XML parser, layout remembered.

Plain data (names, materials) never passes through ReportLab's mini-HTML: each run of one font
becomes one fragment, exactly what the parser would have produced for `<font name=…>` markup.
Parsing was a third of a receipt's build time; skipping it also means a name containing "<" or
"&" can never break a document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph
from reportlab.platypus.paraparser import ParaFrag

from tongban.printing.fonts import Run


class PlainParagraph(Paragraph):
    """A paragraph of plain text, laid out once per width and drawn line by line when it can be.

    A table measures each cell and then draws it, wrapping it again at the same width; the lines do
    not change, so the second layout is skipped. A paragraph in one font with no decoration (the
    common case) is drawn with one drawString per line, at exactly the positions ReportLab's
    general text-object path would use; anything else takes that general path.
    """

    plain_drawing = True  # tests switch it off to compare both paths
    _laid_out_for: float | None = None
    _laid_out_size: tuple[float, float] = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # Paragraph.split drops blPara (a heading kept with the next flowable is split at a page
        # end): lay out again then, even at the same width.
        if availWidth != self._laid_out_for or not hasattr(self, "blPara"):
            self._laid_out_size = super().wrap(availWidth, availHeight)
            self._laid_out_for = availWidth
        return self._laid_out_size

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        # Most paragraphs are one font and fit on one line: one width sum decides that, instead of
        # measuring character by character to find break points that are not needed.
        widths = maxWidths if isinstance(maxWidths, list | tuple) else [maxWidths]
        frags = self.frags
        if len(frags) == 1 and not self.bulletText and not getattr(self, "_splitpara", 0):
            frag = frags[0]
            width = stringWidth(frag.text, frag.fontName, frag.fontSize)
            if width <= widths[0] and not self.style.endDots:
                size = frag.fontSize
                lines = [(widths[0] - width, [frag.text])]
                return frag.clone(kind=0, lines=lines, ascent=size, descent=-0.2 * size)
        return super().breakLinesCJK(maxWidths)

    def draw(self) -> None:
        if self._drawable_plainly():
            self._draw_lines(self.canv, 0.0, 0.0)
        else:
            super().draw()

    def draw_in_place(self, canvas: Canvas, x: float, y: float) -> bool:
        """Draw with (x, y) as the bottom left, without a graphics-state push of its own.

        For a container that has pushed the state once for all its cells; it sets the font and
        colour it needs. False (nothing drawn) when the paragraph needs the general path.
        """
        if not self._drawable_plainly():
            return False
        self._draw_lines(canvas, x, y)
        return True

    def _draw_lines(self, canvas: Canvas, x0: float, y0: float) -> None:
        lines, style = self.blPara, self.style
        if canvas._fillColorObj != lines.textColor:  # most text is in the canvas's colour already
            canvas.setFillColor(lines.textColor)
        canvas.setFont(lines.fontName, lines.fontSize, style.leading)
        # ReportLab puts the first baseline one font size below the top (paraFontSizeHeightOffset).
        y = y0 + self.height - lines.fontSize
        shift = {TA_LEFT: 0.0, TA_CENTER: 0.5, TA_RIGHT: 1.0}[style.alignment]
        for index, (extra_space, words) in enumerate(lines.lines):
            x = x0 + style.leftIndent + (style.firstLineIndent if index == 0 else 0.0)
            canvas.drawString(x + shift * extra_space, y, " ".join(words))
            y -= style.leading

    def _drawable_plainly(self) -> bool:
        lines, style = self.blPara, self.style
        return (
            self.plain_drawing
            and lines.kind == 0
            and not self.bulletText
            and not getattr(self, "_offsets", None)
            and style.alignment in (TA_LEFT, TA_CENTER, TA_RIGHT)
            and not style.backColor
            and not (style.borderWidth and style.borderColor)
            and not getattr(style, "autoLeading", "")
            and not lines.us_lines
            and not lines.link
            # An overfull line is spread by word spacing on the general path.
            and all(extra_space > -1e-8 for extra_space, _ in lines.lines)
        )


def _fragment(text: str, font_name: str, style: ParagraphStyle) -> ParaFrag:
    frag = ParaFrag()
    frag.text = text
    frag.fontName = font_name
    frag.fontSize = style.fontSize
    frag.textColor = style.textColor
    frag.rise = 0
    frag.greek = 0
    frag.link = []
    frag.us_lines = []
    frag.bold = frag.italic = 0
    return frag


def text_paragraph(runs: Sequence[Run], style: ParagraphStyle) -> Paragraph:
    """One paragraph of plain text given as (font, text) runs, in the style's size and colour."""
    frags: list[Any] = [_fragment(text, font, style) for font, text in runs]
    if not frags:
        frags = [_fragment("", style.fontName, style)]
    plain = "".join(text for _, text in runs)
    return PlainParagraph(plain, style, frags=frags)
