"""The counter application: Qt set up for Chinese, the window on the real services, the event loop.

`tongban` and `tongban demo` (desktop.cli.launch) call `run_counter(data_dir)`; tests and scripts
build the same window on an open context with `build_counter_window`. A data directory without
settings starts with the setup wizard instead (desktop.setup_start), then comes here.

Start-up comes in two steps so that the login page shows at once. First the start-up page
(ui.start_page): Qt, the bundled font and the login form, with the names the settings file
remembers (desktop.start_label); nothing of the store, the reference data or the documents is
imported yet. Once it is painted, the worker thread opens the workstation (desktop.opening) while
the clerk types; the counter window is then built on the GUI thread and takes the page's place.
After that the worker builds the search indexes (pypinyin) and loads what the first document
needs (ReportLab's fonts, the PDF tools), so the first receipt does not wait for them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSize, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow

from tongban.desktop.logs import (
    close_log,
    log_qt_messages,
    log_uncaught_exceptions,
    open_log,
    restore_qt_messages,
)
from tongban.desktop.paths import settings_path
from tongban.desktop.start_label import read_start_label
from tongban.desktop.startup import StartupRunner
from tongban.ui.collector import GuiCollector
from tongban.ui.fonts import install_application_font
from tongban.ui.start_page import StartController, StartWindow
from tongban.ui.tasks import TaskRunner

if TYPE_CHECKING:  # loaded on the worker thread behind the login page (desktop.opening)
    from tongban.desktop.opening import OpenedCounter
    from tongban.desktop.services import Counter, CounterContext
    from tongban.desktop.setup_start import FirstRunStart
    from tongban.ui.ports import CounterServices
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


def run_counter(data_dir: Path, *, watch: Callable[[Starting], None] | None = None) -> int:
    """Open the counter window of the workstation in `data_dir` (the setup wizard first when it
    has no configuration), run until closed; the exit code.

    `watch` is given what was started, before the event loop runs (`tongban launch-check`).
    """
    handler = open_log(data_dir)
    previous_hook = log_uncaught_exceptions()
    previous_qt_handler = log_qt_messages()
    collector: GuiCollector | None = None
    try:
        app = create_application(sys.argv)
        collector = GuiCollector(app)  # Qt objects freed on the GUI thread only (ui/collector.py)
        start = start_workstation(data_dir)
        if watch is not None:
            watch(start)
        try:
            return app.exec()
        finally:
            start.close()
    finally:
        if collector is not None:
            collector.stop()
        restore_qt_messages(previous_qt_handler)
        sys.excepthook = previous_hook
        close_log(handler)


class CounterStart:
    """The start-up page now, the counter window once the workstation is open; closes both."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.runner = StartupRunner()
        self.opened: OpenedCounter | None = None
        self.failure = ""  # why the workstation could not be opened, once known
        self.page = StartWindow()
        self.page.show_label(read_start_label(data_dir))
        self.controller = StartController(
            self.page,
            runner=self.runner,
            open_counter=self._open,
            build_window=self._build_window,
            show_window=self._show_window,
            on_failure=self._failed,
        )

    @property
    def window(self) -> CounterWindow | None:
        return self.controller.window

    def show(self) -> None:
        show_counter(self.page)
        self.runner.release_after_painting(self.page)

    def close(self) -> None:
        """The event loop has ended: wait for the worker, sign out, stop sync, close the store."""
        self.runner.wait(5000)
        if self.opened is not None:
            if self.window is not None:
                sign_out(self.opened.counter)
            self.opened.close()

    def _open(self) -> OpenedCounter:
        # Imported here, on the worker thread: SQLAlchemy, pydantic, the catalog, ReportLab.
        from tongban.desktop.opening import open_workstation

        self.opened = open_workstation(self.data_dir)
        return self.opened

    def _build_window(self, opened: OpenedCounter) -> CounterWindow:
        context = opened.context
        self.runner.hold()  # the window's background work waits until it has painted
        window = build_counter_window(context, runner=self.runner, services=opened.counter)
        self.runner.setParent(window)
        log.info("工作站已启动：%s %s", context.station.site_name, context.station.name)
        return window

    def _show_window(self, window: CounterWindow) -> None:
        show_counter(window)
        self.runner.release_after_painting(window)
        prepare_paperwork(self.runner)  # after a login the clerk may have asked for already

    def _failed(self, message: str) -> None:
        self.failure = message
        log.error("工作站未能打开（%s）：%s", self.data_dir, message)


Starting: TypeAlias = "CounterStart | FirstRunStart"


def start_workstation(data_dir: Path) -> Starting:
    """The normal start, or the setup wizard when the data directory has no settings file."""
    if settings_path(data_dir).exists():
        return start_counter(data_dir)
    # Imported only here: the wizard's modules are not on the normal start's path.
    from tongban.desktop.setup_start import FirstRunStart

    first_run = FirstRunStart(data_dir, then=start_counter)
    first_run.show()
    return first_run


def start_counter(data_dir: Path) -> CounterStart:
    """Show the start-up login page and open the workstation in `data_dir` behind it."""
    start = CounterStart(data_dir)
    start.show()
    return start


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
    workstation's idle-lock setting. The window's "today" and "now" (when an applicant is
    identified) are the context's clock, the same one the services judge and record by.
    """
    # Imported when first needed: the start-up page shows before them (see the module's notes).
    from tongban.desktop.services import Counter
    from tongban.desktop.services.processing_desk import processing_desk
    from tongban.desktop.services.supervisor import SupervisorDesk
    from tongban.ui.window import CounterWindow

    counter = services if services is not None else Counter(context)
    # The supervisor's desk works for whoever is logged in at this Counter (a supervisor).
    desk = SupervisorDesk(context, counter.signed_in) if isinstance(counter, Counter) else None
    # 办件 and 进度查询 work for whoever is logged in at this Counter, too.
    processing = processing_desk(context, counter) if isinstance(counter, Counter) else None
    return CounterWindow(
        counter,
        context.geography,
        context.catalog,
        runner=runner,
        idle_minutes=context.settings.idle_lock_minutes if idle_minutes is None else idle_minutes,
        today=context.today,
        now=context.now,
        supervisor=desk,
        processing=processing,
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


def show_counter(window: QMainWindow) -> None:
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
