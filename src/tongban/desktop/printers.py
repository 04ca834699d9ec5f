"""The real print path: a document's PDF, rendered page by page with QtPdf, painted on a QPrinter.

Everything here may run off the GUI thread (Qt allows painting on a QPrinter and QImage from any
thread) and uses no widgets; a QGuiApplication must exist, as for any Qt paint device. The
workstation's printer and paper come from PrinterSettings; the page size is set explicitly for
every job — A4, or a custom size exactly as long as the receipt on an 80 mm roll — so that a driver
default never crops or scales the paperwork.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QObject,
    QRectF,
    QRunnable,
    QSize,
    QSizeF,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from tongban.printing import Paper

POINTS_PER_INCH = 72


class PrintError(Exception):
    """A print job that could not be done; the message is for the clerk."""


@dataclass(frozen=True)
class PrinterSettings:
    """A workstation's printer: its CUPS/system name ("" = the system default) and paper."""

    printer_name: str = ""
    paper: Paper = Paper.A4
    # Pages are rasterised at the printer's resolution up to this bound: 300 dpi is sharp for text
    # and barcodes and keeps an A4 page at ~9 megapixels.
    max_dpi: int = 300


@dataclass(frozen=True)
class PrinterDescription:
    name: str
    description: str
    location: str
    is_default: bool
    supports_custom_sizes: bool  # needed for the 80 mm roll


def list_printers() -> list[PrinterDescription]:
    """The printers the system (CUPS on Linux) offers, default first."""
    default = QPrinterInfo.defaultPrinterName()
    found = [
        PrinterDescription(
            name=info.printerName(),
            description=info.description(),
            location=info.location(),
            is_default=info.printerName() == default,
            supports_custom_sizes=info.supportsCustomPageSizes(),
        )
        for info in QPrinterInfo.availablePrinters()
    ]
    return sorted(found, key=lambda p: (not p.is_default, p.name))


def page_size_for(paper: Paper, page_points: QSizeF) -> QPageSize:
    """A4 by its standard name (drivers know it); a roll page by its exact size in points."""
    if paper is Paper.A4:
        return QPageSize(QPageSize.PageSizeId.A4)
    return QPageSize(
        page_points,
        QPageSize.Unit.Point,
        "80mm receipt",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )


def print_pdf(
    pdf: bytes,
    settings: PrinterSettings,
    *,
    job_name: str,
    to_file: Path | None = None,
) -> int:
    """Print every page of pdf; the number of pages printed. Blocking: call it off the GUI thread.

    With to_file the job goes to a PDF file through Qt's own PDF printer instead of a queue.
    """
    document = _load(pdf)
    pages = document.pageCount()
    printer = _printer(settings, job_name=job_name, to_file=to_file)
    page_size = page_size_for(settings.paper, document.pagePointSize(0))
    layout = QPageLayout(page_size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    if not printer.setPageLayout(layout):
        raise PrintError(f"打印机不支持{settings.paper.label}纸张，请检查打印机设置")
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(
            f"无法开始打印（打印机：{printer.printerName() or '默认'}），请检查打印机状态"
        )
    try:
        dpi = min(printer.resolution(), settings.max_dpi)
        for index in range(pages):
            if index and not printer.newPage():
                raise PrintError("打印机无法换页，打印已中止")
            target = printer.paperRect(QPrinter.Unit.DevicePixel)
            painter.drawImage(target, _render_page(document, index, dpi))
    finally:
        painter.end()
    return pages


def _load(pdf: bytes) -> QPdfDocument:
    document = QPdfDocument()
    buffer = QBuffer(document)  # owned by the document, which reads from it while it lives
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() is not QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintError("待打印的文档无法读取（PDF 无效）")
    return document


def _printer(settings: PrinterSettings, *, job_name: str, to_file: Path | None) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(job_name)
    printer.setFullPage(True)
    if to_file is not None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(to_file))
        return printer
    name = settings.printer_name or QPrinterInfo.defaultPrinterName()
    if not name:
        raise PrintError("本工作站未设置打印机，系统也没有默认打印机")
    if name not in QPrinterInfo.availablePrinterNames():
        raise PrintError(f"找不到打印机“{name}”，请检查打印机设置")
    printer.setPrinterName(name)
    return printer


def _render_page(document: QPdfDocument, index: int, dpi: int) -> QImage:
    """One page as a white-backed greyscale image (QtPdf leaves the background transparent)."""
    points = document.pagePointSize(index)
    scale = dpi / POINTS_PER_INCH
    size = QSize(round(points.width() * scale), round(points.height() * scale))
    rendered = document.render(index, size)
    page = QImage(size, QImage.Format.Format_RGB32)
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(QRectF(0, 0, size.width(), size.height()), rendered)
    painter.end()
    return page.convertToFormat(QImage.Format.Format_Grayscale8)


class PrintJobSignals(QObject):
    """Created on the GUI thread, so connected slots run there."""

    finished = Signal(int)  # pages printed
    failed = Signal(str)  # the clerk's message


class PrintJob(QRunnable):
    """print_pdf on a thread pool; the caller keeps the job until a signal arrives."""

    def __init__(
        self,
        pdf: bytes,
        settings: PrinterSettings,
        *,
        job_name: str,
        to_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.pdf = pdf
        self.settings = settings
        self.job_name = job_name
        self.to_file = to_file
        self.signals = PrintJobSignals()

    def run(self) -> None:
        try:
            pages = print_pdf(self.pdf, self.settings, job_name=self.job_name, to_file=self.to_file)
        except PrintError as error:
            self.signals.failed.emit(str(error))
        except Exception as error:  # a job must always report back, whatever went wrong
            self.signals.failed.emit(f"打印失败：{error}")
        else:
            self.signals.finished.emit(pages)


def start_print_job(
    pdf: bytes,
    settings: PrinterSettings,
    *,
    job_name: str,
    on_finished: Callable[[int], None],
    on_failed: Callable[[str], None],
    to_file: Path | None = None,
    pool: QThreadPool | None = None,
) -> PrintJob:
    """Start printing on the pool (the application's global one by default); keep the job.

    The callbacks are connected before the job starts, so a fast failure is never missed; they
    run on the thread that called this function (the GUI thread).
    """
    job = PrintJob(pdf, settings, job_name=job_name, to_file=to_file)
    job.signals.finished.connect(on_finished)
    job.signals.failed.connect(on_failed)
    (pool or QThreadPool.globalInstance()).start(job)
    return job
