"""The counter application: Qt set up for Chinese, the window on the real services, the event loop.

`tongban` and `tongban demo` (desktop.cli.counter) open the workstation's context and call
`run_counter(context)`; tests and scripts build the same window with `build_counter_window`.

Start-up is kept lean so that the login page shows quickly: before it, only Qt, the store and the
reference data are loaded. Once the login page is on screen the worker thread builds the search
indexes (pypinyin) and loads what the first document needs (ReportLab's fonts, the PDF tools), so
the first receipt does not wait for them (desktop.startup).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSize, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from tongban.desktop.logs import (
    close_log,
    log_qt_messages,
    log_uncaught_exceptions,
    open_log,
    restore_qt_messages,
)
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.counter import Counter
from tongban.desktop.startup import StartupRunner
from tongban.ui.fonts import install_application_font
from tongban.ui.ports import CounterServices
from tongban.ui.tasks import TaskRunner
from tongban.ui.window import CounterWindow

APPLICATION_NAME = "tongban"
ORGANISATION_NAME = "tongban"
CHINESE = QLocale(
    QLocale.Language.Chinese, QLocale.Script.SimplifiedHanScript, QLocale.Country.China
)
# The design size: counter PCs are commonly 1366×768. A screen not much bigger gets the window
# maximised; a larger one gets a window of this size in its middle.
DESIGN_SIZE = QSize(1366, 768)
MAXIMISE_MARGIN = 160

log = logging.getLogger(__name__)


def run_counter(context: CounterContext) -> int:
    """Open the counter window on `context` and run until it is closed; the exit code."""
    handler = open_log(context.data_dir)
    previous_hook = log_uncaught_exceptions()
    previous_qt_handler = log_qt_messages()
    try:
        app = create_application(sys.argv)
        counter = Counter(context)
        start_window(context, services=counter)
        log.info("工作站已启动：%s %s", context.station.site_name, context.station.name)
        code = app.exec()
        sign_out(counter)
        return code
    finally:
        context.close()
        restore_qt_messages(previous_qt_handler)
        sys.excepthook = previous_hook
        close_log(handler)


def create_application(argv: Sequence[str]) -> QApplication:
    """The QApplication, in Chinese, with the bundled font (the one already made, if any)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setApplicationName(APPLICATION_NAME)
    QApplication.setOrganizationName(ORGANISATION_NAME)
    QLocale.setDefault(CHINESE)
    app = QApplication(list(argv))
    install_qt_translations(app)
    install_application_font(app)
    return app


def install_qt_translations(app: QApplication) -> bool:
    """Qt's own zh_CN texts for standard dialogs and buttons (the print dialog, 确定/取消).

    The PySide6 wheel ships qtbase_zh_CN.qm; an installation without it keeps Qt's English and
    says so in the log.
    """
    translator = qt_translator(app)
    return translator is not None and app.installTranslator(translator)


def qt_translator(parent: QObject) -> QTranslator | None:
    """Qt's zh_CN catalog, owned by `parent` (which keeps it alive); None when it is missing."""
    translator = QTranslator(parent)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(CHINESE, "qtbase", "_", folder):
        return translator
    log.warning("未找到 Qt 的中文翻译（qtbase_zh_CN.qm，%s），标准对话框将显示英文", folder)
    translator.deleteLater()
    return None


def build_counter_window(
    context: CounterContext,
    *,
    runner: TaskRunner | None = None,
    services: CounterServices | None = None,
    idle_minutes: float | None = None,
) -> CounterWindow:
    """The counter window on the real services of `context` (a QApplication must exist).

    `services` defaults to a Counter with the system's printer; `idle_minutes` to the
    workstation's idle-lock setting. The window's "today" is the context's clock, the same one
    the services judge by.
    """
    return CounterWindow(
        services if services is not None else Counter(context),
        context.geography,
        context.catalog,
        runner=runner,
        idle_minutes=context.settings.idle_lock_minutes if idle_minutes is None else idle_minutes,
        today=context.today,
    )


def start_window(
    context: CounterContext, *, services: CounterServices | None = None
) -> CounterWindow:
    """Build the window and show it; its background work starts once the login page is painted.

    That work is, in order: the workstation's name for the login page, the search indexes, and
    what the first document needs (prepare_paperwork).
    """
    runner = StartupRunner()
    window = build_counter_window(context, runner=runner, services=services)
    runner.setParent(window)
    show_counter(window)
    runner.release_after_painting(window)
    prepare_paperwork(runner)
    return window


def show_counter(window: CounterWindow) -> None:
    """Maximised on a counter-sized screen, the design size in the middle of a larger one."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.showMaximized()
        return
    space = screen.availableGeometry()
    if (
        space.width() < DESIGN_SIZE.width() + MAXIMISE_MARGIN
        or space.height() < DESIGN_SIZE.height() + MAXIMISE_MARGIN
    ):
        window.showMaximized()
        return
    window.resize(DESIGN_SIZE)
    frame = window.frameGeometry()  # with the title bar, once the window manager has told
    frame.moveCenter(space.center())
    window.move(frame.topLeft())
    window.show()


def prepare_paperwork(runner: TaskRunner) -> None:
    """Load the document fonts and PDF tools on the worker thread (about half a second)."""

    def load() -> None:
        import pypdf  # noqa: F401  (joins the receipt and the pledge)

        from tongban.printing import bundled_fonts

        bundled_fonts()

    # A failure here only means the first document loads them itself: logged by the runner.
    runner.run(load, on_success=lambda _: None, on_failure=lambda _message: None)


def sign_out(counter: Counter) -> None:
    """The window was closed: the clerk's session ends in the audit trail too."""
    try:
        counter.logout()
    except Exception:
        log.exception("关闭窗口时未能记录注销")
