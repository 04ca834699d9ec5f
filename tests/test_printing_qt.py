"""The Qt print path without a spooler: QtPdf, QPrinter (PDF output), worker thread; preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread, QThreadPool
from PySide6.QtGui import QPageSize
from PySide6.QtWidgets import QDialog

from printing_checks import barcodes_in_pdf, reader
from printing_samples import CASE_NUMBER, receipt_data
from tongban.desktop.paperwork import missing_glyphs, print_document, render_document
from tongban.desktop.printers import (
    PrintError,
    PrinterSettings,
    page_size_for,
    print_pdf,
    start_print_job,
)
from tongban.printing import AcceptanceReceipt, DocumentKind, MissingGlyphsError, Paper
from tongban.printing import PersonOnPaper as Person
from tongban.ui.print_preview import PrintPreviewDialog


@pytest.fixture(scope="module")
def receipt_pdf() -> bytes:
    return AcceptanceReceipt(receipt_data()).build()


def test_render_document_for_the_cli_needs_no_display() -> None:
    pdf = render_document("receipt", receipt_data(), "roll80")
    assert pdf.startswith(b"%PDF") and len(reader(pdf).pages) == 1
    assert missing_glyphs(DocumentKind.RECEIPT, receipt_data()) == ()
    rare = receipt_data(applicant=Person("赵孟𫖯", "310104198503121235"))
    with pytest.raises(MissingGlyphsError):
        render_document(DocumentKind.RECEIPT, rare)
    assert render_document(DocumentKind.RECEIPT, rare, allow_missing_glyphs=True)


@pytest.mark.parametrize("paper", list(Paper))
def test_printing_paints_every_page_at_the_papers_size(qapp, tmp_path: Path, paper: Paper) -> None:
    pdf = AcceptanceReceipt(receipt_data(), paper=paper).build()
    source_pages = reader(pdf).pages
    out = tmp_path / "printed.pdf"
    printed = print_pdf(pdf, PrinterSettings(paper=paper), job_name="receipt", to_file=out)
    assert printed == len(source_pages)
    pages = reader(out).pages
    assert len(pages) == len(source_pages)
    for page, source in zip(pages, source_pages, strict=True):
        assert float(page.mediabox.width) == pytest.approx(float(source.mediabox.width), abs=1.5)
        assert float(page.mediabox.height) == pytest.approx(float(source.mediabox.height), abs=1.5)
    assert ("QR-Code", CASE_NUMBER) in barcodes_in_pdf(out)[0]


def test_roll_page_size_is_custom_and_exact() -> None:
    from PySide6.QtCore import QSizeF

    size = page_size_for(Paper.ROLL80, QSizeF(80 * 72 / 25.4, 900))
    assert size.id() == QPageSize.PageSizeId.Custom
    assert size.size(QPageSize.Unit.Millimeter).width() == pytest.approx(80, abs=0.2)
    assert page_size_for(Paper.A4, QSizeF(1, 1)).id() == QPageSize.PageSizeId.A4


def test_print_job_runs_off_the_gui_thread_and_reports_back(
    qtbot, tmp_path: Path, receipt_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tongban.desktop.printers as printers

    threads: list[QThread] = []
    real = printers.print_pdf

    def recording(*args: object, **kwargs: object) -> int:
        threads.append(QThread.currentThread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(printers, "print_pdf", recording)
    finished: list[int] = []
    failed: list[str] = []
    out = tmp_path / "job.pdf"
    job = start_print_job(
        receipt_pdf,
        PrinterSettings(),
        job_name="receipt",
        on_finished=finished.append,
        on_failed=failed.append,
        to_file=out,
        pool=QThreadPool(),
    )
    qtbot.waitUntil(lambda: bool(finished or failed), timeout=30_000)
    assert (finished, failed) == ([2], [])
    assert threads and threads[0] is not QThread.currentThread()
    assert len(reader(out).pages) == 2
    assert job.settings == PrinterSettings()


def test_print_job_reports_an_unknown_printer_in_chinese(qtbot, receipt_pdf: bytes) -> None:
    failed: list[str] = []
    start_print_job(
        receipt_pdf,
        PrinterSettings("没有这台打印机"),
        job_name="receipt",
        on_finished=lambda pages: None,
        on_failed=failed.append,
        pool=QThreadPool(),
    )
    qtbot.waitUntil(lambda: bool(failed), timeout=30_000)
    assert "找不到打印机" in failed[0]


def test_print_document_and_bad_pdf(qapp, tmp_path: Path) -> None:
    out = tmp_path / "doc.pdf"
    pages = print_document("receipt", receipt_data(), PrinterSettings(), to_file=out)
    assert pages == 2 and out.exists()
    with pytest.raises(PrintError, match="PDF"):
        print_pdf(b"not a pdf", PrinterSettings(), job_name="x", to_file=out)


def test_preview_prints_on_enter(qtbot, receipt_pdf: bytes) -> None:
    dialog = PrintPreviewDialog(receipt_pdf, title="受理回执", printer_label="柜台打印机")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.findChild(object, "preview.view") is dialog.view
    assert dialog.view.document().pageCount() == 2
    assert "共 2 页" in dialog.status.text() and "柜台打印机" in dialog.status.text()
    with qtbot.waitSignal(dialog.print_requested, timeout=2_000) as requested:
        qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert requested.args == [""]
    assert dialog.result() == PrintPreviewDialog.DialogCode.Accepted


def test_preview_closes_on_escape_without_printing(qtbot, receipt_pdf: bytes) -> None:
    dialog = PrintPreviewDialog(receipt_pdf, title="受理回执")
    qtbot.addWidget(dialog)
    dialog.show()
    requested: list[str] = []
    dialog.print_requested.connect(requested.append)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == PrintPreviewDialog.DialogCode.Rejected
    assert requested == []


def test_preview_can_send_one_document_to_another_printer(
    qtbot, receipt_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tongban.ui.print_preview as preview

    # Qt keeps only names of printers that exist, and this machine has none outside the CUPS test:
    # the system dialog and its printer are stood in for.
    class Printer:
        name = ""

        def printerName(self) -> str:
            return self.name

    class ChosenInSystemDialog:
        def __init__(self, printer: Printer, parent: object) -> None:
            self.printer = printer

        def exec(self) -> QDialog.DialogCode:
            self.printer.name = "窗口2号打印机"
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(preview, "QPrinter", Printer)
    monkeypatch.setattr(preview, "QPrintDialog", ChosenInSystemDialog)
    dialog = PrintPreviewDialog(receipt_pdf, title="受理回执")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.print_requested, timeout=2_000) as requested:
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert requested.args == ["窗口2号打印机"]


def test_preview_of_a_broken_pdf_offers_no_printing(qtbot) -> None:
    dialog = PrintPreviewDialog(b"broken", title="受理回执")
    qtbot.addWidget(dialog)
    assert not dialog.print_button.isEnabled()
    assert dialog.findChild(object, "preview.print") is dialog.print_button
    assert "无法显示" in dialog.status.text()
