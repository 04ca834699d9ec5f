"""受理回执 build time against a bare ReportLab canvas drawing the same text and codes.

The bare canvas is the floor. One build of the receipt is recorded: every string it draws, page by
page, with its font and size. The bare canvas draws exactly those strings (one setFont and one
drawString each, at made-up positions: position does not change the cost), the same Code 128 and
the same QR code on every page (matrix computed once per document, as the receipt does), and saves
with the same embedded font subset. It does no layout, wrapping, rules or page numbering: the ratio
is what the document framework costs on top of that floor. Fonts are parsed once, before timing.

Goal: median ≤ 1.5 × the bare canvas and ≤ 60 ms (wall time; the two are measured alternately,
run by run). CPU-time medians are reported too: on a shared machine they move less. Prints one
JSON object.

    python benches/bench_receipt.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from printing_samples import receipt_data
from tongban.printing import AcceptanceReceipt, ReceiptData, bundled_fonts
from tongban.printing.flowables import QrCodeFlowable, code128, qr_matrix
from tongban.printing.fonts import PRIMARY_FONT_NAME

GOAL_RATIO = 1.5
GOAL_MEDIAN_MS = 60.0


PageStrings = list[tuple[str, float, str]]  # (font, size, text) in drawing order


def strings_the_receipt_draws(data: ReceiptData) -> list[PageStrings]:
    """Every string one build of the receipt draws, page by page, with its font and size."""
    pages: dict[int, PageStrings] = {}
    original = Canvas.drawString

    def recording(canvas: Canvas, x: float, y: float, text: str, *args: object, **kw: object):
        pages.setdefault(canvas.getPageNumber(), []).append(
            (canvas._fontname, canvas._fontsize, text)
        )
        return original(canvas, x, y, text, *args, **kw)

    Canvas.drawString = recording  # type: ignore[method-assign]
    try:
        document(data)
    finally:
        Canvas.drawString = original  # type: ignore[method-assign]
    return [pages[number] for number in sorted(pages)]


def bare_canvas(data: ReceiptData, pages: list[PageStrings]) -> bytes:
    """The same strings, fonts, sizes and codes on a bare canvas: no layout, one call each."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=PRIMARY_FONT_NAME, invariant=True)
    matrix = qr_matrix(data.case_number)
    for strings in pages:
        bars = code128(data.case_number, max_width=110 * mm, height=13 * mm)
        bars.wrapOn(canvas, 110 * mm, 20 * mm)
        bars.drawOn(canvas, 40 * mm, 240 * mm)
        qr = QrCodeFlowable(matrix, size=26 * mm)
        qr.wrapOn(canvas, 26 * mm, 26 * mm)
        qr.drawOn(canvas, 166 * mm, 236 * mm)
        y = 230 * mm
        for font, size, text in strings:
            canvas.setFont(font, size)
            canvas.drawString(18 * mm, y, text)
            y -= 5
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def document(data: ReceiptData) -> bytes:
    return AcceptanceReceipt(data).build()


@dataclass
class Timings:
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def measure(self, build: Callable[[], bytes]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        build()
        self.cpu_ms.append((time.process_time() - cpu) * 1000)
        self.wall_ms.append((time.perf_counter() - wall) * 1000)

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.wall_ms)
        return {
            "median_ms": round(statistics.median(ordered), 2),
            "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
            "min_ms": round(ordered[0], 2),
            "cpu_median_ms": round(statistics.median(self.cpu_ms), 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    runs = parser.parse_args().runs
    start = time.perf_counter()
    bundled_fonts()
    font_load_ms = (time.perf_counter() - start) * 1000
    data = receipt_data()
    pages = strings_the_receipt_draws(data)
    receipt, bare = Timings(), Timings()
    for build in (lambda: document(data), lambda: bare_canvas(data, pages)):
        build()  # warm caches (font metrics, imports) outside the timing
    # Alternate the two, run by run, so that a busy moment on the machine hits both alike.
    for _ in range(runs):
        receipt.measure(lambda: document(data))
        bare.measure(lambda: bare_canvas(data, pages))
    mine, floor = receipt.summary(), bare.summary()
    ratio = round(mine["median_ms"] / floor["median_ms"], 2)
    cpu_ratio = round(mine["cpu_median_ms"] / floor["cpu_median_ms"], 2)
    print(
        json.dumps(
            {
                "benchmark": "receipt_build",
                "runs": runs,
                "paper": "a4",
                "pages": len(pages),
                "strings_per_build": sum(len(p) for p in pages),
                "receipt": mine,
                "bare_canvas": floor,
                "ratio_median": ratio,
                "ratio_cpu_median": cpu_ratio,
                "font_load_once_ms": round(font_load_ms, 1),
                "goal": {"ratio_max": GOAL_RATIO, "median_ms_max": GOAL_MEDIAN_MS},
                "meets_goal": ratio <= GOAL_RATIO and mine["median_ms"] <= GOAL_MEDIAN_MS,
                "python": platform.python_version(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
