"""Barcodes and the tear-off line, sized for the frame they go into.

Both codes carry the compact case number only; the human-readable number is printed beside them in
the document's own (embedded) font, never with the barcode library's built-in Helvetica.
"""

from __future__ import annotations

from itertools import groupby

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128Auto
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

# Module (narrowest bar) widths: 0.33 mm is the common retail size; below 0.25 mm a 203 dpi
# thermal head has fewer than two dots per module and scanners start to miss.
WIDEST_MODULE = 0.33 * mm
NARROWEST_MODULE = 0.25 * mm


class BarcodeTooWideError(ValueError):
    pass


def code128(value: str, *, max_width: float, height: float) -> Code128Auto:
    """A Code 128 symbol (digit runs packed two per symbol) as wide as allowed, within limits."""
    if not value.isascii() or not value.isprintable():
        raise ValueError("条码内容只能包含英文字母、数字和符号")
    probe = _code128(value, module=1.0, height=height)
    module = min(WIDEST_MODULE, max_width / probe.width)
    if module < NARROWEST_MODULE:
        raise BarcodeTooWideError(f"条码内容过长，无法在本纸张上清晰打印：{value}")
    return _code128(value, module=module, height=height)


def _code128(value: str, *, module: float, height: float) -> Code128Auto:
    # Quiet zones of ten modules each side, so the width scales with the module alone.
    quiet = 10 * module
    return Code128Auto(
        value,
        barWidth=module,
        barHeight=height,
        lquiet=quiet,
        rquiet=quiet,
        humanReadable=False,
    )


QrMatrix = tuple[tuple[bool, ...], ...]


def qr_matrix(value: str) -> QrMatrix:
    """The QR modules (True = dark) at error correction M, which survives a smudge or a fold.

    Choosing the mask pattern is the slow part (~12 ms); documents that print the same code twice
    (two copies of a receipt) compute the matrix once and draw it twice.
    """
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    return tuple(tuple(bool(module) for module in row) for row in code.modules)


class QrCodeFlowable(Flowable):
    """A square QR code with its four-module quiet zone, drawn as one filled path.

    Drawn straight onto the page: a graphics Drawing would start in Helvetica, a font that would
    then be named, unembedded, in the PDF.
    """

    QUIET_MODULES = 4

    def __init__(self, matrix: QrMatrix, *, size: float) -> None:
        super().__init__()
        self.matrix = matrix
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        count = len(self.matrix)
        module = self.width / (count + 2 * self.QUIET_MODULES)
        path = self.canv.beginPath()
        for r, row in enumerate(self.matrix):
            y = self.height - (r + self.QUIET_MODULES + 1) * module
            c = 0
            for dark, run in groupby(row):
                length = len(list(run))
                if dark:
                    x = (c + self.QUIET_MODULES) * module
                    path.rect(x, y, length * module, module)
                c += length
        self.canv.drawPath(path, stroke=0, fill=1)


class CutLine(Flowable):
    """A dashed line across the frame with a short label: where to tear a roll or cut a page."""

    def __init__(self, label: str, *, font_name: str, font_size: float) -> None:
        super().__init__()
        self.label = label
        self.font_name = font_name
        self.font_size = font_size
        self.spaceBefore = 3 * mm
        self.spaceAfter = 3 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = self.font_size * 1.4
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        middle = self.height / 2
        label_width = canvas.stringWidth(self.label, self.font_name, self.font_size)
        gap_start = (self.width - label_width) / 2 - 2 * mm
        gap_end = (self.width + label_width) / 2 + 2 * mm
        canvas.saveState()
        canvas.setDash(3, 2)
        canvas.setLineWidth(0.5)
        canvas.line(0, middle, gap_start, middle)
        canvas.line(gap_end, middle, self.width, middle)
        canvas.setFont(self.font_name, self.font_size)
        canvas.drawCentredString(self.width / 2, middle - self.font_size * 0.35, self.label)
        canvas.restoreState()
