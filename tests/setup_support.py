"""Helpers of the first-run tests: an in-memory keyring, and the keyboard at the wizard."""

from __future__ import annotations

from pathlib import Path

from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from tongban.desktop.first_run import PdfPrinter
from tongban.desktop.printers import print_pdf
from tongban.desktop.settings import load_settings
from tongban.ui.setup_ports import SetupServices
from tongban.ui.setup_wizard import SetupWizardController, SetupWizardView, Step
from tongban.ui.tasks import TaskRunner

WAIT_MS = 20_000


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in memory (the OS keyring's stand-in)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def to_file(path: Path) -> PdfPrinter:
    """The real print path, with Qt's PDF printer as the device."""
    return lambda pdf, settings: print_pdf(pdf, settings, job_name="test", to_file=path)


def open_wizard(qtbot, services: SetupServices) -> SetupWizardController:
    view = SetupWizardView()
    qtbot.addWidget(view)
    controller = SetupWizardController(
        view, services=services, runner=TaskRunner(parent=view), parent=view
    )
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=3000)
    return controller


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(focused(), text)  # ASCII only: Chinese through keyClicks aborts pytest


def press(qtbot, key: Qt.Key) -> None:
    qtbot.keyClick(focused(), key)


def wait_for_step(qtbot, wizard: SetupWizardController, step: Step) -> None:
    qtbot.waitUntil(lambda: wizard.step is step and not wizard.busy, timeout=WAIT_MS)


def wait_for_message(qtbot, wizard: SetupWizardController, text: str) -> None:
    qtbot.waitUntil(lambda: text in wizard.view.message.text(), timeout=WAIT_MS)


def nothing_written(directory: Path) -> bool:
    return load_settings(directory) is None and not (directory / "tongban.sqlite3").exists()
