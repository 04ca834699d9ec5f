"""Print preview: the document's PDF in a QPdfView, with Print (Enter) and Cancel (Esc).

The dialog only shows and asks: printing itself happens wherever `print_requested` is connected
(the application starts a print job off the GUI thread). "其他打印机…" opens the system print
dialog so a clerk can send one document to another printer than the workstation's.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class PrintPreviewDialog(QDialog):
    """Shows one PDF. Emits print_requested(printer name; "" = the workstation's printer)."""

    print_requested = Signal(str)

    def __init__(
        self,
        pdf: bytes,
        *,
        title: str,
        printer_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.setWindowTitle(self.tr("打印预览 — {title}").format(title=title))
        self.setModal(True)
        self.resize(720, 860)
        self.document = QPdfDocument(self)
        self._source = QBuffer(self.document)  # the document reads from it while it lives
        self._source.setData(QByteArray(pdf))
        self._source.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._source)

        self.view = QPdfView(self)
        self.view.setObjectName("preview.view")
        self.view.setAccessibleName(self.tr("文书预览"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        self.status = QLabel(self._status_text(printer_label))
        self.status.setObjectName("preview.status")
        self.print_button = QPushButton(self.tr("打印（回车）"))
        self.print_button.setObjectName("preview.print")
        self.print_button.setDefault(True)
        self.print_button.setEnabled(self.is_readable())
        self.choose_button = QPushButton(self.tr("其他打印机…"))
        self.choose_button.setObjectName("preview.choose")
        self.choose_button.setEnabled(self.is_readable())
        self.cancel_button = QPushButton(self.tr("取消（Esc）"))
        self.cancel_button.setObjectName("preview.cancel")

        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.print_button.clicked.connect(self._print_here)
        self.choose_button.clicked.connect(self._choose_printer)
        self.cancel_button.clicked.connect(self.reject)
        self.print_button.setFocus()

    def is_readable(self) -> bool:
        return self.document.status() is QPdfDocument.Status.Ready

    def _status_text(self, printer_label: str) -> str:
        if not self.is_readable():
            return self.tr("文档无法显示")
        pages = self.tr("共 {n} 页").format(n=self.document.pageCount())
        if printer_label:
            return self.tr("{pages}，打印机：{printer}").format(pages=pages, printer=printer_label)
        return pages

    def _print_here(self) -> None:
        self.print_requested.emit("")
        self.accept()

    def _choose_printer(self) -> None:
        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_requested.emit(printer.printerName())
            self.accept()
