"""Processing in the counter window: the 办件 tab (Ctrl+F7) and the 进度查询 tab (Ctrl+F6).

`attach_processing` builds both views and their controllers on the window's task runner, puts
the tabs before the sync tab, adds the two keys, and empties both when the session ends (the
next clerk sees nothing of the last one's cases); a lock closes their open dialogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut

from tongban.ui.inbox import InboxView
from tongban.ui.inbox_controller import InboxController, OpenFile, open_with_system
from tongban.ui.lookup import LookupController, LookupView
from tongban.ui.processing_ports import ProcessingServices

if TYPE_CHECKING:
    from tongban.ui.window import CounterWindow

INBOX_SHORTCUT = "Ctrl+F7"
LOOKUP_SHORTCUT = "Ctrl+F6"


@dataclass(frozen=True)
class ProcessingTabs:
    inbox_view: InboxView
    inbox: InboxController
    lookup_view: LookupView
    lookup: LookupController

    def open_inbox(self, window: CounterWindow) -> None:
        window.counter.tabs.setCurrentWidget(self.inbox_view)
        self.inbox.focus()

    def open_lookup(self, window: CounterWindow) -> None:
        window.counter.tabs.setCurrentWidget(self.lookup_view)
        self.lookup.focus()

    def clear(self) -> None:
        self.inbox.clear()
        self.lookup.clear()

    def close_dialogs(self) -> None:
        self.inbox.close_dialogs()
        self.lookup.collect_dialog.reject()


def attach_processing(
    window: CounterWindow, services: ProcessingServices, *, open_file: OpenFile = open_with_system
) -> ProcessingTabs:
    inbox_view, lookup_view = InboxView(), LookupView()
    runner = window.runner
    tabs = ProcessingTabs(
        inbox_view,
        InboxController(
            inbox_view, services=services, runner=runner, open_file=open_file, parent=window
        ),
        lookup_view,
        LookupController(lookup_view, services=services, runner=runner, parent=window),
    )
    _add_tabs(window, tabs)
    keys = ((INBOX_SHORTCUT, tabs.open_inbox), (LOOKUP_SHORTCUT, tabs.open_lookup))
    for key, show in keys:
        # Parented to the counter page, as the window's own keys: inactive at login and lock.
        shortcut = QShortcut(QKeySequence(key), window.counter)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(lambda show=show: show(window))
    window.lock.session_ended.connect(lambda _message: tabs.clear())
    # Locked (idle or Ctrl+L): no dialog stays over the lock page.
    window.pages.currentChanged.connect(
        lambda _i: (
            tabs.close_dialogs() if window.pages.currentWidget() is not window.counter else None
        )
    )
    for controller in (tabs.inbox, tabs.lookup):
        controller.recorded.connect(window.session.refresh_sync_count)
    return tabs


def _add_tabs(window: CounterWindow, tabs: ProcessingTabs) -> None:
    def tr(text: str) -> str:
        return QCoreApplication.translate("processing", text)

    page = window.counter
    position = page.tabs.indexOf(page.sync)
    page.tabs.insertTab(position, tabs.inbox_view, tr("办件（{key}）").format(key=INBOX_SHORTCUT))
    page.tabs.insertTab(
        position + 1, tabs.lookup_view, tr("进度查询（{key}）").format(key=LOOKUP_SHORTCUT)
    )
    keys = tr("{inbox} 办件　{lookup} 进度查询").format(
        inbox=INBOX_SHORTCUT, lookup=LOOKUP_SHORTCUT
    )
    page.hints.setText(f"{page.hints.text()}　{keys}")
