"""Where a workstation's files are: light enough for the path that opens the window first.

Several workstations can run on one machine (training rooms, tests): each has its own data
directory, chosen by `--data-dir`, else the TONGBAN_DATA_DIR environment variable, else the user's
data folder (a separate one for the demo).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

DATA_DIR_VARIABLE = "TONGBAN_DATA_DIR"
SETTINGS_FILE = "settings.json"
STORE_FILE = "tongban.sqlite3"
NOT_CONFIGURED = (
    "此工作站尚未配置：请由管理员运行 tongban 按首次设置向导登记（或用 tongban setup），"
    "或运行 tongban demo 体验演示"
)


def data_dir(explicit: Path | None = None, *, demo: bool = False) -> Path:
    if explicit is not None:
        return explicit
    if from_env := os.environ.get(DATA_DIR_VARIABLE):
        return Path(from_env)
    return user_data_path("tongban-demo" if demo else "tongban", appauthor=False)


def store_path(directory: Path) -> Path:
    return directory / STORE_FILE


def settings_path(directory: Path) -> Path:
    return directory / SETTINGS_FILE
