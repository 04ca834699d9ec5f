"""Opening the workstation behind the start-up login page (on the task runner's worker thread).

Everything slow before the counter window can be built happens here: the store and the reference
data (SQLAlchemy, the migrations, pydantic, the catalog), the services (ReportLab through the
documents) and the window's own modules. It is imported on the worker thread, after the login
page has been painted (desktop.app.start_counter).

An enrolled workstation (its settings name a server) also starts background sync here, once the
store is open: each recorded event wakes it, and the application stops it before the store
closes. A demo installation, or a workstation set up without a server, works alone.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path

from tongban.desktop.services import Counter, CounterContext, open_counter
from tongban.desktop.services.context import Clock
from tongban.desktop.settings import SettingsError, save_settings
from tongban.desktop.sync.client import SyncClient
from tongban.desktop.sync.loop import LONG_POLL_WAIT, SyncLoop
from tongban.desktop.sync.setup import connect
from tongban.models.clock import shanghai_now

WINDOW_MODULE = "tongban.ui.window"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenedCounter:
    context: CounterContext
    counter: Counter
    sync: SyncLoop | None = None  # running; None when this workstation does not sync

    def close(self) -> None:
        """Stop background sync, then close the store it works on."""
        if self.sync is not None:
            self.sync.stop()
        self.context.close()


def open_workstation(
    directory: Path, *, clock: Clock = shanghai_now, long_poll_wait: float = LONG_POLL_WAIT
) -> OpenedCounter:
    """The context and services of the workstation in `directory`, the window's modules loaded,
    background sync running when the workstation is enrolled with a server.

    A long poll in flight cannot be interrupted: closing waits for it up to the loop's stop
    timeout, which is why tests shorten `long_poll_wait`.
    """
    context = open_counter(directory, clock=clock)
    try:
        sync = background_sync(context, long_poll_wait=long_poll_wait)
        counter = Counter(
            context,
            on_recorded=None if sync is None else sync.wake,
            sync_status=None if sync is None else sync.status,
        )
        remember_start_label(context)
        importlib.import_module(WINDOW_MODULE)  # here rather than on the GUI thread
    except BaseException:
        context.close()
        raise
    if sync is not None:
        sync.start()  # last: nothing above can fail any more and leave its threads running
    return OpenedCounter(context, counter, sync)


def background_sync(
    context: CounterContext, *, long_poll_wait: float = LONG_POLL_WAIT
) -> SyncLoop | None:
    """A (not yet started) sync loop for an enrolled workstation; None for a demo or a
    workstation without a server."""
    settings = context.settings
    if settings.demo or not settings.server_url:
        return None

    def make_client() -> SyncClient:
        # Read again for each round: a token renewed by the administrator is used at once.
        return connect(context.data_dir, settings)

    return SyncLoop(context, make_client, wait=long_poll_wait)


def remember_start_label(context: CounterContext) -> None:
    """Keep the site's and workstation's names in the settings for the next start's login page."""
    settings, station = context.settings, context.station
    if (settings.site_name, settings.workstation_name) == (station.site_name, station.name):
        return
    names = {"site_name": station.site_name, "workstation_name": station.name}
    try:
        save_settings(context.data_dir, settings.model_copy(update=names))
    except SettingsError as error:
        # Only the next login page misses the names until they are known; the counter works.
        log.warning("未能保存登录页显示的名称：%s", error)
