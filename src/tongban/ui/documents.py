"""Showing what the services produced after a decision (receipt, notice) and printing it.

A PDF opens in print_preview.PrintPreviewDialog; the clerk's Enter sends it to the services'
print_document on the worker thread. Without a PDF the window shows the plain summary it was
given in a SummaryDialog and offers no printing: it never makes up a document.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tongban.ui.ports import CounterServices
from tongban.ui.print_preview import PrintPreviewDialog
from tongban.ui.tasks import TaskRunner


class SummaryDialog(QDialog):
    """A heading and a few lines of text, for outcomes without a printable document."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summary")
        self.setModal(True)
        self.heading = QLabel()
        self.heading.setObjectName("summary.heading")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        self.text = QLabel()
        self.text.setObjectName("summary.text")
        self.text.setAccessibleName(self.tr("办理摘要"))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.note = QLabel(self.tr("未生成可打印的文书"))
        self.note.setObjectName("summary.note")
        self.note.setStyleSheet("color: #a35c00;")
        self.close_button = QPushButton(self.tr("关闭（回车）"))
        self.close_button.setObjectName("summary.close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.resize(520, 280)


class DocumentController(QObject):
    """Opens the preview or the summary, and prints through the services."""

    message = Signal(str)  # how printing went, for the status bar

    def __init__(
        self,
        owner: QWidget,
        *,
        services: CounterServices,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._owner = owner
        self._services = services
        self._runner = runner
        self.summary = SummaryDialog(owner)
        self.preview: PrintPreviewDialog | None = None

    def show_document(self, *, title: str, summary: str, pdf: bytes | None) -> None:
        """Open (without blocking) the preview of `pdf`, or the summary when there is none."""
        self.close_all()
        if pdf is None:
            self.summary.setWindowTitle(title)
            self.summary.heading.setText(title)
            self.summary.text.setText(summary)
            self.summary.open()
            self.summary.close_button.setFocus()
            return
        preview = PrintPreviewDialog(pdf, title=title, parent=self._owner)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Counter screens are often 1366×768: the preview must fit inside the window.
        preview.resize(
            min(preview.width(), self._owner.width() - 40),
            min(preview.height(), self._owner.height() - 40),
        )
        preview.print_requested.connect(lambda printer: self._print(pdf, title, printer))
        preview.destroyed.connect(lambda: self._forget(preview))
        self.preview = preview
        preview.open()
        preview.print_button.setFocus()

    def close_all(self) -> None:
        """Close whatever is open (the screen is being locked, or a new document comes)."""
        self.summary.reject()
        if self.preview is not None:
            self.preview.reject()

    def _forget(self, preview: PrintPreviewDialog) -> None:
        if self.preview is preview:
            self.preview = None

    def _print(self, pdf: bytes, title: str, printer: str) -> None:
        self.message.emit(self.tr("正在打印：{title}").format(title=title))
        self._runner.run(
            lambda: self._services.print_document(pdf, title=title, printer=printer),
            on_success=lambda _: self.message.emit(
                self.tr("已发送到打印机：{title}").format(title=title)
            ),
            on_failure=self.message.emit,
        )
