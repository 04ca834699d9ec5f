"""Where a workstation keeps its data, and the settings an administrator may change.

Several workstations can run on one machine (training rooms, tests): each has its own data
directory, chosen by `--data-dir`, else the TONGBAN_DATA_DIR environment variable, else the user's
data folder. Settings are a small JSON file written atomically, so a crash or a full disk never
leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tongban.desktop.paths import (  # noqa: F401 — re-exported: settings is where callers look
    DATA_DIR_VARIABLE,
    SETTINGS_FILE,
    STORE_FILE,
    data_dir,
    store_path,
)


class SettingsError(Exception):
    """Settings that cannot be read or written; the message is for the person at the machine."""


class Paper(StrEnum):
    A4 = "a4"
    ROLL_80MM = "roll80"


SERVER_URL_EXAMPLE = "http://10.12.0.8:8470"


class ServerAddressError(ValueError):
    """What was typed is no web address for the sync service; one zh_CN line."""


def normalised_server_url(address: str) -> str:
    """The sync service's address as kept in the settings: `10.12.0.8:8470` →
    `http://10.12.0.8:8470`, no trailing slash. ServerAddressError when it is no http(s) address
    with a host, checked before anything connects: a mistyped address must not read as a
    network that is down. One rule for the setup wizard, `tongban setup` and `tongban settings`."""
    text = address.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
        usable = parts.port != 0 and bool(parts.hostname)
    except ValueError:  # an unclosed [IPv6 bracket, a port that is not a number or too big
        usable = False
    if not usable or parts.scheme not in ("http", "https") or any(c.isspace() for c in text):
        raise ServerAddressError(f"地址格式不正确：{address.strip()}（例如 {SERVER_URL_EXAMPLE}）")
    return text.rstrip("/")


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    demo: bool = False
    printer: str | None = None  # None: the system's default printer
    paper: Paper = Paper.A4
    idle_lock_minutes: int = Field(default=10, ge=1, le=120)
    server_url: str | None = None  # the central sync service (set at enrollment)
    # Where the device token is kept: "keyring" (the OS keyring) or "file" (0600, data directory).
    secret_store: str = "keyring"
    # 容缺受理: working days the applicant has to hand in a deferred material. Five is this
    # program's default, not a published rule: each center may set its own.
    deferral_working_days: int = Field(default=5, ge=1, le=60)
    # Shown on the login page before the store is open (desktop.start_label); written by the
    # application once it has opened the store, so a change of site shows from the next start.
    site_name: str = ""
    workstation_name: str = ""
    # The scanner's output folder, where the file chooser for a scan starts; None: the user's home.
    scan_folder: str | None = None

    @field_validator("server_url")
    @classmethod
    def _usable_server_url(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None  # not set: the workstation works alone
        return normalised_server_url(url)


def load_settings(directory: Path) -> Settings | None:
    """The workstation's settings; None when the data directory was never set up."""
    path = directory / SETTINGS_FILE
    try:
        return Settings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SettingsError(f"无法读取设置文件 {path}：{error.strerror or error}") from None
    except (ValidationError, ValueError):
        # pydantic's report is several English lines; the person at the machine needs one.
        raise SettingsError(f"设置文件 {path} 内容有误，请联系管理员") from None


def save_settings(directory: Path, settings: Settings) -> None:
    """Write the settings atomically: a new file is renamed over the old one only when complete."""
    text = json.dumps(settings.model_dump(mode="json"), ensure_ascii=False, indent=2)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".settings-", suffix=".json")
    except OSError as error:
        raise SettingsError(f"无法保存设置到 {directory}：{error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, directory / SETTINGS_FILE)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise SettingsError(f"无法保存设置到 {directory}：{error.strerror or error}") from None
