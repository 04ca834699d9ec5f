"""Laying a story out on pages: the frame, header and footer, "第 x 页 共 y 页", a roll's length.

`render_pages` is the one place where ReportLab's document template is used; documents only build
stories (base.Document) and hand them over with the page furniture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate

from tongban.printing.fonts import Run
from tongban.printing.paper import PageGeometry
from tongban.printing.styles import DocumentStyles
from tongban.printing.text import text_paragraph

Runs = tuple[Run, ...]
# A roll's measured story height is exact for paragraphs and tables; this covers rounding only.
ROLL_SLACK = 4 * mm


@dataclass(frozen=True)
class PageFurniture:
    """What every page shows besides the story, and the PDF's metadata."""

    geometry: PageGeometry
    styles: DocumentStyles
    font_name: str  # the primary font, for fixed texts (title, page numbers)
    title: str
    author: str  # the center: the metadata never names the applicant
    header: Runs  # the center's name
    footer: Runs  # the document's reference

    def draw_header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        geometry = self.geometry
        base = doc.pagesize[1] - geometry.margin_top - geometry.header_height + 2.5 * mm
        canvas.saveState()
        if geometry.is_roll:
            name = text_paragraph(self.header, self.styles.centered)
            name.wrap(geometry.frame_width, geometry.header_height)
            name.drawOn(canvas, geometry.margin_x, base + 1.5 * mm)
        else:
            # Both as paragraphs of one style, so that their baselines line up.
            name = text_paragraph(self.header, self.styles.small)
            name.wrap(geometry.frame_width * 0.7, geometry.header_height)
            name.drawOn(canvas, geometry.margin_x, base + 1 * mm)
            title = text_paragraph([(self.font_name, self.title)], self.styles.small_right)
            title.wrap(geometry.frame_width, geometry.header_height)
            title.drawOn(canvas, geometry.margin_x, base + 1 * mm)
        canvas.setLineWidth(0.6)
        canvas.line(geometry.margin_x, base, geometry.width - geometry.margin_x, base)
        canvas.restoreState()

    def draw_footer(self, canvas: Canvas, page: int, total: int) -> None:
        geometry = self.geometry
        canvas.saveState()
        reference = text_paragraph(self.footer, self.styles.small)
        reference.wrap(geometry.frame_width * 0.7, geometry.footer_height)
        reference.drawOn(canvas, geometry.margin_x, geometry.margin_bottom)
        numbering = text_paragraph(
            [(self.font_name, f"第 {page} 页 共 {total} 页")], self.styles.small_right
        )
        numbering.wrap(geometry.frame_width, geometry.footer_height)
        numbering.drawOn(canvas, geometry.margin_x, geometry.margin_bottom)
        canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so that each footer can say how many pages there are."""

    def __init__(self, *args: Any, furniture: PageFurniture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._furniture.draw_footer(self, self._pageNumber, total)
            super().showPage()
        super().save()


def render_pages(story: list[Flowable], furniture: PageFurniture) -> bytes:
    """The PDF: A4 pages as many as needed, or one roll page exactly as long as the story."""
    geometry = furniture.geometry
    if geometry.is_roll:
        story = _flatten(story)
    height = geometry.height or roll_height(story, geometry)
    buffer = BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=(geometry.width, height),
        title=furniture.title,
        author=furniture.author,
        subject="",
        creator="通办 tongban",
        initialFontName=furniture.font_name,
        invariant=True,
        pageCompression=1,
    )
    frame = Frame(
        geometry.margin_x,
        geometry.margin_bottom + geometry.footer_height,
        geometry.frame_width,
        height - geometry.furniture_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates([PageTemplate("page", [frame], onPage=furniture.draw_header)])
    template.build(story, canvasmaker=partial(_NumberedCanvas, furniture=furniture))
    return buffer.getvalue()


def roll_height(story: Sequence[Flowable], geometry: PageGeometry) -> float:
    """A roll is cut to the content: the story's height at the frame's width, plus furniture."""
    scratch = Canvas(BytesIO())  # some flowables measure through a canvas
    content = 0.0
    for flowable in story:
        _, height = flowable.wrapOn(scratch, geometry.frame_width, 1e6)
        content += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return geometry.furniture_height + content + ROLL_SLACK


def _flatten(story: Sequence[Flowable]) -> list[Flowable]:
    """A roll has no pages to keep things together on: unwrap KeepTogether so it can be measured."""
    flat: list[Flowable] = []
    for flowable in story:
        if isinstance(flowable, KeepTogether):
            flat.extend(_flatten(flowable._content))
        else:
            flat.append(flowable)
    return flat
