"""Paragraph styles for one paper format; CJK word wrap lets Chinese break between characters."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from tongban.printing.paper import PageGeometry


@dataclass(frozen=True)
class DocumentStyles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    centered: ParagraphStyle


def _style(name: str, font: str, size: float, **extra: object) -> ParagraphStyle:
    settings: dict[str, object] = {"alignment": TA_LEFT, **extra}
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=round(size * 1.45, 1),
        wordWrap="CJK",
        **settings,
    )


def make_styles(geometry: PageGeometry, font: str) -> DocumentStyles:
    body = geometry.body_size
    small = geometry.small_size
    roll = geometry.is_roll
    return DocumentStyles(
        title=_style("title", font, geometry.title_size, alignment=TA_CENTER, spaceAfter=2),
        subtitle=_style("subtitle", font, body, alignment=TA_CENTER, spaceAfter=6),
        heading=_style("heading", font, body + 1.5, spaceBefore=8 if not roll else 5, spaceAfter=3),
        body=_style("body", font, body, spaceAfter=3),
        cell=_style("cell", font, body - 1),
        cell_head=_style("cell_head", font, body - 1, alignment=TA_CENTER),
        label=_style("label", font, body - 1, textColor=colors.HexColor("#333333")),
        small=_style("small", font, small, spaceAfter=2),
        small_right=_style("small_right", font, small, alignment=TA_RIGHT),
        centered=_style("centered", font, body, alignment=TA_CENTER),
    )
