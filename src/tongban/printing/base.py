"""The base of every printed document: page geometry, fonts, styles, header, footer, page numbers.

A document is a small subclass that takes one frozen input value and returns its story (the list
of flowables). Everything else is decided once, so that all paperwork looks and behaves alike:
paper, fonts, the glyph check and the building blocks (fields, ruled tables, codes, signature
lines) here; the pages (header, footer, page numbers, a roll's length) in pages.py.

Every piece of text a document prints goes through `para()`, which cuts it into runs of the
primary and the fallback font and records characters no font can draw; `build()` refuses to lay
out a document with such characters unless told to substitute them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
)

from tongban.printing.flowables import CutLine, QrCodeFlowable, QrMatrix, code128, qr_matrix
from tongban.printing.fonts import DocumentFonts, MissingGlyphsError, bundled_fonts
from tongban.printing.labels import blank_date
from tongban.printing.pages import PageFurniture, render_pages
from tongban.printing.paper import PageGeometry, Paper, geometry_for
from tongban.printing.rows import Rows, RowsLook
from tongban.printing.styles import DocumentStyles, make_styles
from tongban.printing.text import text_paragraph

DataT = TypeVar("DataT")
Cell = str | Flowable | list[Flowable]  # a list stacks flowables in one cell

RULED = RowsLook(
    ruled=True,
    rule_colour=colors.HexColor("#808080"),
    heading_fill=colors.HexColor("#EEEEEE"),
    padding=(2.5, 2.5, 2, 2.5),
    middle=True,
)
SIDE_BY_SIDE = RowsLook(padding=(0, 0, 0, 0), middle=True)


class Document(ABC, Generic[DataT]):
    """One printed document. Subclasses set `title` and implement `story()`."""

    title: ClassVar[str]

    def __init__(
        self,
        data: DataT,
        *,
        paper: Paper = Paper.A4,
        fonts: DocumentFonts | None = None,
        substitute_missing_glyphs: bool = False,
    ) -> None:
        self.data = data
        self.paper = paper
        self.geometry: PageGeometry = geometry_for(paper)
        self.fonts = fonts if fonts is not None else bundled_fonts()
        self.styles: DocumentStyles = make_styles(self.geometry, self.fonts.primary_name)
        self.substitute_missing_glyphs = substitute_missing_glyphs
        self._uncovered: dict[str, None] = {}
        self._qr_matrices: dict[str, QrMatrix] = {}

    # ---- what a subclass provides -------------------------------------------------------------

    @abstractmethod
    def story(self) -> list[Flowable]:
        """The document's content, built only with `para()` and the helpers below."""

    def center_name(self) -> str:
        """Printed in the header of every page."""
        return ""

    def reference(self) -> str:
        """A short reference (case or list number) printed in the footer of every page."""
        return ""

    # ---- public -------------------------------------------------------------------------------

    @property
    def is_roll(self) -> bool:
        return self.geometry.is_roll

    def missing_glyphs(self) -> tuple[str, ...]:
        """Characters that no bundled font can draw; empty when the document prints cleanly."""
        self._uncovered = {}
        self.story()
        self._furniture()
        return tuple(self._uncovered)

    def build(self) -> bytes:
        """The PDF. MissingGlyphsError (before any layout) when a character cannot be drawn."""
        self._uncovered = {}
        story = self.story()
        furniture = self._furniture()
        if self._uncovered and not self.substitute_missing_glyphs:
            raise MissingGlyphsError(tuple(self._uncovered))
        return render_pages(story, furniture)

    # ---- building blocks for subclasses ---------------------------------------------------------

    def para(self, value: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text, recording characters no font can draw."""
        runs, uncovered = self.fonts.runs(value)
        for ch in uncovered:
            self._uncovered.setdefault(ch)
        return text_paragraph(runs, style or self.styles.body)

    def title_block(self, subtitle: str = "") -> list[Flowable]:
        parts: list[Flowable] = [self.para(self.title, self.styles.title)]
        if subtitle:
            parts.append(self.para(subtitle, self.styles.subtitle))
        else:
            parts.append(Spacer(0, 3 * mm))
        return parts

    def heading(self, value: str) -> Paragraph:
        return self.para(value, self.styles.heading)

    def small(self, value: str) -> Paragraph:
        return self.para(value, self.styles.small)

    def fields(self, rows: Sequence[tuple[str, str]]) -> Rows:
        """Label–value lines (申请人：张三); empty values are left out rather than printed blank."""
        label_width = (18 if self.is_roll else 30) * mm
        cells = [
            [[self.para(f"{label}：", self.styles.label)], [self.para(value, self.styles.cell)]]
            for label, value in rows
            if value
        ]
        fields = Rows(cells, [label_width, self.geometry.frame_width - label_width])
        fields.spaceAfter = 3
        return fields

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        *,
        centred: Sequence[int] = (),
    ) -> Rows:
        """A ruled table; widths are fractions of the frame. The header repeats on each page.

        Columns listed in `centred` (numbers, counts, ticks) are centred.
        """

        def cell(column: int, value: Cell) -> list[Flowable]:
            if isinstance(value, str):
                style = self.styles.cell_head if column in centred else self.styles.cell
                return [self.para(value, style)]
            return list(value) if isinstance(value, list) else [value]

        data = [
            [[self.para(h, self.styles.cell_head)] for h in header],
            *([cell(c, v) for c, v in enumerate(row)] for row in rows),
        ]
        total = self.geometry.frame_width
        table = Rows(data, [w * total for w in widths], look=RULED, heading_rows=1)
        table.spaceBefore, table.spaceAfter = 2, 4
        return table

    def signatures(self, labels: Sequence[str]) -> Flowable:
        """Lines to sign by hand, each with a date to fill in; kept together on one page."""
        line = "_" * (14 if self.is_roll else 22)
        lines: list[Flowable] = [Spacer(0, 4 * mm)]
        for label in labels:
            if self.is_roll:
                lines.append(self.para(f"{label}：{line}"))
                lines.append(self.para(f"日期：{blank_date()}"))
                lines.append(Spacer(0, 2 * mm))
            else:
                lines.append(self.para(f"{label}：{line}　　日期：{blank_date()}"))
                lines.append(Spacer(0, 3 * mm))
        return KeepTogether(lines)

    def case_codes(self, number: str, display: str) -> Flowable:
        """Code 128 and QR of the compact number, with the grouped number for people to read."""
        width = self.geometry.frame_width
        readable = self.para(display, self.styles.centered)
        if self.is_roll:
            bars = code128(number, max_width=width, height=10 * mm)
            bars.hAlign = "CENTER"
            qr = self.qr_code(number, size=22 * mm)
            qr.hAlign = "CENTER"
            return KeepTogether([bars, Spacer(0, 1 * mm), readable, Spacer(0, 1.5 * mm), qr])
        qr_size = 26 * mm
        bars_width = width - qr_size - 6 * mm
        bars = code128(number, max_width=bars_width, height=13 * mm)
        bars.hAlign = "CENTER"
        left = [bars, Spacer(0, 1.5 * mm), readable]
        qr = self.qr_code(number, size=qr_size)
        return Rows([[left, [qr]]], [width - qr_size, qr_size], look=SIDE_BY_SIDE)

    def qr_code(self, value: str, *, size: float) -> QrCodeFlowable:
        if value not in self._qr_matrices:
            self._qr_matrices[value] = qr_matrix(value)
        return QrCodeFlowable(self._qr_matrices[value], size=size)

    def copy_break(self) -> Flowable:
        """Between the applicant's and the center's copy: a new page, or a tear line on a roll."""
        if self.is_roll:
            return CutLine(
                "沿虚线撕开",
                font_name=self.fonts.primary_name,
                font_size=self.geometry.small_size,
            )
        return PageBreak()

    # ---- rendering ----------------------------------------------------------------------------

    def _furniture(self) -> PageFurniture:
        """Header and footer texts, checked for glyphs like the story."""
        header, footer = (self.fonts.runs(text) for text in (self.center_name(), self.reference()))
        for ch in (*header[1], *footer[1]):
            self._uncovered.setdefault(ch)
        return PageFurniture(
            geometry=self.geometry,
            styles=self.styles,
            font_name=self.fonts.primary_name,
            title=self.title,
            author=self.center_name(),
            header=header[0],
            footer=footer[0],
        )
