"""Opening the workstation behind the start-up login page (on the task runner's worker thread).

Everything slow before the counter window can be built happens here: the store and the reference
data (SQLAlchemy, the migrations, pydantic, the catalog), the services (ReportLab through the
documents) and the window's own modules. It is imported on the worker thread, after the login
page has been painted (desktop.app.start_counter).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path

from tongban.desktop.services import Counter, CounterContext, open_counter
from tongban.desktop.settings import SettingsError, save_settings

WINDOW_MODULE = "tongban.ui.window"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenedCounter:
    context: CounterContext
    counter: Counter


def open_workstation(directory: Path) -> OpenedCounter:
    """The context and services of the workstation in `directory`, the window's modules loaded."""
    context = open_counter(directory)
    try:
        counter = Counter(context)
        remember_start_label(context)
        importlib.import_module(WINDOW_MODULE)  # here rather than on the GUI thread
    except BaseException:
        context.close()
        raise
    return OpenedCounter(context, counter)


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
