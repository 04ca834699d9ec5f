"""A lean table: rows of cells at fixed column widths, optionally ruled, split between rows.

The paperwork needs only this from a table — label/value lines, ruled lists whose heading row
repeats on every page, a barcode beside a QR code. ReportLab's general Table (spans, per-cell
styles, auto widths) measured every cell twice and cost a third of a receipt's build time; this
measures each cell once and draws it where it was measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable

from tongban.printing.text import PlainParagraph

Cell = Sequence[Flowable]  # flowables stacked top to bottom in one cell


@dataclass(frozen=True)
class RowsLook:
    ruled: bool = False  # grid lines around every cell
    rule_colour: Color | None = None
    rule_width: float = 0.5
    heading_fill: Color | None = None  # background of the repeated heading rows
    padding: tuple[float, float, float, float] = (0, 2, 1, 1.5)  # left, right, top, bottom
    middle: bool = False  # centre cells vertically in their row (else top-aligned)


class Rows(Flowable):
    """Rows of cells; the first `heading_rows` rows repeat at the top of every continuation."""

    def __init__(
        self,
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        *,
        look: RowsLook = RowsLook(),
        heading_rows: int = 0,
    ) -> None:
        super().__init__()
        self.rows = [list(row) for row in rows]
        self.widths = list(widths)
        self.look = look
        self.heading_rows = heading_rows
        self._heights: list[float] = []
        self._sizes: list[list[list[tuple[float, float]]]] = []
        self._laid_out_for: float | None = None

    # ---- measuring ------------------------------------------------------------------------------

    def _cell_size(self, cell: Cell, width: float) -> tuple[float, list[tuple[float, float]]]:
        left, right, top, bottom = self.look.padding
        inner = max(width - left - right, 1.0)
        canvas = getattr(self, "canv", None)  # set while the frame measures; None when called bare
        sizes = [flowable.wrapOn(canvas, inner, 1e6) for flowable in cell]
        return top + sum(h for _, h in sizes) + bottom, sizes

    def _lay_out(self, available_width: float) -> None:
        if self._laid_out_for == available_width:
            return
        self._sizes = []
        self._heights = []
        for row in self.rows:
            measured = [self._cell_size(cell, w) for cell, w in zip(row, self.widths, strict=True)]
            self._heights.append(max((h for h, _ in measured), default=0.0))
            self._sizes.append([sizes for _, sizes in measured])
        self._laid_out_for = available_width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._lay_out(availWidth)
        self.width = sum(self.widths)
        self.height = sum(self._heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._lay_out(availWidth)
        used = sum(self._heights[: self.heading_rows])
        fits = self.heading_rows
        for height in self._heights[self.heading_rows :]:
            if used + height > availHeight:
                break
            used += height
            fits += 1
        if fits <= self.heading_rows or fits == len(self.rows):
            return []  # nothing but headings fits here (or everything does): move on whole
        heading = self.rows[: self.heading_rows]
        first = Rows(self.rows[:fits], self.widths, look=self.look, heading_rows=self.heading_rows)
        rest = Rows(
            heading + self.rows[fits:], self.widths, look=self.look, heading_rows=self.heading_rows
        )
        first.spaceBefore, rest.spaceAfter = self.getSpaceBefore(), self.getSpaceAfter()
        return [first, rest]

    # ---- drawing --------------------------------------------------------------------------------

    def draw(self) -> None:
        y = self.height
        for index, (row, height) in enumerate(zip(self.rows, self._heights, strict=True)):
            y -= height
            if index < self.heading_rows and self.look.heading_fill is not None:
                self._fill(y, height)
            x = 0.0
            for cell, width, sizes in zip(row, self.widths, self._sizes[index], strict=True):
                self._draw_cell(cell, sizes, x, y, width, height)
                x += width
        if self.look.ruled:
            self._rule()

    def _draw_cell(
        self,
        cell: Cell,
        sizes: list[tuple[float, float]],
        x: float,
        y: float,
        width: float,
        height: float,
    ) -> None:
        left, right, top, bottom = self.look.padding
        content = sum(h for _, h in sizes)
        slack = (height - content - top - bottom) / 2 if self.look.middle else 0.0
        cursor = y + height - top - slack
        for flowable, (w, h) in zip(cell, sizes, strict=True):
            cursor -= h
            at_x = x + left + _horizontal_offset(flowable, width - left - right, w)
            # Plain text needs no state push of its own: this whole flowable pushed one already.
            drawn = isinstance(flowable, PlainParagraph) and flowable.draw_in_place(
                self.canv, at_x, cursor
            )
            if not drawn:
                flowable.drawOn(self.canv, at_x, cursor)

    def _fill(self, y: float, height: float) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(self.look.heading_fill)
        canvas.rect(0, y, self.width, height, stroke=0, fill=1)
        canvas.restoreState()

    def _rule(self) -> None:
        canvas = self.canv
        canvas.saveState()
        if self.look.rule_colour is not None:
            canvas.setStrokeColor(self.look.rule_colour)
        canvas.setLineWidth(self.look.rule_width)
        y = self.height
        canvas.line(0, y, self.width, y)
        for height in self._heights:
            y -= height
            canvas.line(0, y, self.width, y)
        x = 0.0
        for width in (0.0, *self.widths):
            x += width
            canvas.line(x, 0, x, self.height)
        canvas.restoreState()


def _horizontal_offset(flowable: Flowable, room: float, width: float) -> float:
    alignment = getattr(flowable, "hAlign", "LEFT")
    if alignment == "CENTER":
        return (room - width) / 2
    if alignment == "RIGHT":
        return room - width
    return 0.0
