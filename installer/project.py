"""What every build file needs to know about the project: where it is, its name and version.

The version is read from pyproject.toml ([project] version), the one place it is written, so the
bundle, the .deb and the Windows installer never disagree with the wheel.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
APP_NAME = "tongban"
DISPLAY_NAME = "通办"
DESCRIPTION = "通办 — 社区事务受理服务中心窗口系统"
PUBLISHER = "通办项目组"


def read_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    with pyproject.open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])
