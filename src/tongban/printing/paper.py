"""The two paper formats a workstation can be set to, and the page geometry of each."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm


class Paper(StrEnum):
    A4 = "a4"
    ROLL80 = "roll80"  # 80 mm thermal receipt roll, continuous: one page as long as the content

    @property
    def label(self) -> str:
        return "A4" if self is Paper.A4 else "80毫米热敏卷纸"


@dataclass(frozen=True)
class PageGeometry:
    """Sizes in PDF points. A roll has no fixed height: the document is one page that fits."""

    width: float
    height: float | None
    margin_x: float
    margin_top: float
    margin_bottom: float
    header_height: float
    footer_height: float
    body_size: float
    small_size: float
    title_size: float

    @property
    def frame_width(self) -> float:
        return self.width - 2 * self.margin_x

    @property
    def is_roll(self) -> bool:
        return self.height is None

    @property
    def furniture_height(self) -> float:
        """Everything on a page that is not the story: margins, header and footer."""
        return self.margin_top + self.header_height + self.footer_height + self.margin_bottom


def geometry_for(paper: Paper) -> PageGeometry:
    if paper is Paper.A4:
        return PageGeometry(
            width=A4[0],
            height=A4[1],
            margin_x=18 * mm,
            margin_top=12 * mm,
            margin_bottom=10 * mm,
            header_height=12 * mm,
            footer_height=10 * mm,
            body_size=10.5,
            small_size=8.5,
            title_size=17,
        )
    # Thermal receipt printers print about 72 mm of an 80 mm roll; keep 4 mm clear on each side.
    return PageGeometry(
        width=80 * mm,
        height=None,
        margin_x=4 * mm,
        margin_top=4 * mm,
        margin_bottom=6 * mm,
        header_height=10 * mm,
        footer_height=7 * mm,
        body_size=8.5,
        small_size=7,
        title_size=12.5,
    )
