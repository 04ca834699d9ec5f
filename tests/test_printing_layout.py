"""The fast paths of the layout draw exactly what ReportLab's general paths draw."""

from __future__ import annotations

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from printing_checks import text_origins
from printing_samples import long_receipt_data, receipt_data
from tongban.printing import AcceptanceReceipt, Paper, bundled_fonts
from tongban.printing.fonts import PRIMARY_FONT_NAME
from tongban.printing.rows import Rows
from tongban.printing.text import PlainParagraph, text_paragraph


@pytest.mark.parametrize("paper", list(Paper))
def test_plain_drawing_puts_every_string_where_the_general_path_does(
    monkeypatch: pytest.MonkeyPatch, paper: Paper
) -> None:
    data = receipt_data()
    fast = text_origins(AcceptanceReceipt(data, paper=paper).build())
    monkeypatch.setattr(PlainParagraph, "plain_drawing", False)
    general = text_origins(AcceptanceReceipt(data, paper=paper).build())
    assert len(fast) == len(general) > 50
    for (page_a, xa, ya, ta), (page_b, xb, yb, tb) in zip(fast, general, strict=True):
        assert (page_a, ta) == (page_b, tb)
        assert xa == pytest.approx(xb, abs=0.01) and ya == pytest.approx(yb, abs=0.01)


def test_one_line_shortcut_breaks_lines_like_reportlab() -> None:
    bundled_fonts()
    style = ParagraphStyle("probe", fontName=PRIMARY_FONT_NAME, fontSize=10, wordWrap="CJK")
    for text in ("短", "受理中心：徐汇区天平路街道社区事务受理服务中心", "长" * 80):
        ours = text_paragraph([(PRIMARY_FONT_NAME, text)], style)
        theirs = Paragraph(text, style)
        assert ours.wrap(120 * mm, 1000) == theirs.wrap(120 * mm, 1000)
        assert ours.blPara.lines == pytest.approx(theirs.blPara.lines)


def test_rows_split_between_rows_and_repeat_the_heading() -> None:
    bundled_fonts()
    style = ParagraphStyle("probe", fontName=PRIMARY_FONT_NAME, fontSize=10, leading=14)

    def cell(text: str) -> list[PlainParagraph]:
        return [text_paragraph([(PRIMARY_FONT_NAME, text)], style)]  # type: ignore[list-item]

    rows = Rows([[cell("材料")], *([cell(f"第{i}项")] for i in range(10))], [100], heading_rows=1)
    width, height = rows.wrap(100, 1000)
    assert (width, height) == (100, pytest.approx(11 * (14 + 2.5)))
    first, rest = rows.split(100, 5 * (14 + 2.5) + 1)
    assert [r[0][0].text for r in first.rows] == ["材料", "第0项", "第1项", "第2项", "第3项"]
    assert [r[0][0].text for r in rest.rows][:2] == ["材料", "第4项"]
    assert rows.split(100, 1000) == []  # everything fits: nothing to split
    assert rows.split(100, 20) == []  # only the heading would fit: move on whole


def test_long_receipt_on_a_roll_is_one_page_long_enough_for_everything() -> None:
    pdf = AcceptanceReceipt(long_receipt_data(), paper=Paper.ROLL80).build()
    origins = text_origins(pdf)
    assert {page for page, *_ in origins} == {0}
    assert min(y for _, _, y, _ in origins) > 0
