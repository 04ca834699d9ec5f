"""`tongban settings show` and `tongban settings set KEY VALUE`: what an administrator may change.

The setup wizard (or `tongban setup`) writes the settings once; afterwards the printer, the paper,
the idle lock, the 容缺 days, the server's address and the scanner's output folder are changed
here. The file is written atomically (desktop/settings.py); the running program reads it at its
next start.
"""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import ValidationError

from tongban.desktop.cli.common import CliError, add_json_flag, emit
from tongban.desktop.cli.counter import add_data_dir, one_line_errors
from tongban.desktop.paths import NOT_CONFIGURED
from tongban.desktop.settings import (
    ServerAddressError,
    Settings,
    data_dir,
    load_settings,
    normalised_server_url,
    save_settings,
)

# command-line key → settings field, and what it means
KEYS: dict[str, tuple[str, str]] = {
    "printer": ("printer", "打印机（default 表示系统默认打印机）"),
    "paper": ("paper", "纸张：a4 或 roll80（80 毫米卷纸）"),
    "idle-lock-minutes": ("idle_lock_minutes", "无操作自动锁屏的分钟数（1–120）"),
    "deferral-working-days": ("deferral_working_days", "容缺材料补交期限，工作日（1–60）"),
    "server-url": ("server_url", "中心同步服务地址"),
    "scan-folder": ("scan_folder", "扫描仪输出文件夹，附扫描件时从这里选择文件（空表示主目录）"),
}
SHOWN = (*KEYS, "secret-store")


def register(commands: argparse._SubParsersAction) -> None:
    settings = commands.add_parser("settings", help="查看或更改本工作站的设置（管理员）")
    add_data_dir(settings)
    actions = settings.add_subparsers(dest="settings_command", metavar="show|set", required=True)
    show = actions.add_parser("show", help="显示设置")
    add_json_flag(show)
    add_data_dir(show)
    show.set_defaults(run=run_show)
    change = actions.add_parser("set", help="更改一项设置")
    change.add_argument("key", choices=list(KEYS), metavar="KEY", help="、".join(KEYS))
    change.add_argument("value", metavar="VALUE")
    add_data_dir(change)
    change.set_defaults(run=run_set)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(data_dir(getattr(args, "data_dir", None)))
    if settings is None:
        raise CliError(NOT_CONFIGURED)
    return settings


def _shown(settings: Settings) -> dict[str, Any]:
    data = settings.model_dump(mode="json")
    return {key: data[key.replace("-", "_")] for key in SHOWN}


@one_line_errors
def run_show(args: argparse.Namespace) -> int:
    emit(args, _shown(_settings(args)), _text)
    return 0


@one_line_errors
def run_set(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None))
    settings = _settings(args)
    field, meaning = KEYS[args.key]
    value: str | None = args.value.strip()
    if field == "printer" and value in ("", "default"):
        value = None
    if field == "scan_folder" and not value:
        value = None
    if field == "server_url" and value:
        try:
            value = normalised_server_url(value)
        except ServerAddressError as error:
            raise CliError(str(error)) from None
    try:
        changed = Settings.model_validate({**settings.model_dump(), field: value})
    except ValidationError:
        raise CliError(f"设置值无效：{args.key} = {args.value}（{meaning}）") from None
    save_settings(directory, changed)
    print(f"已更改 {args.key}：{_value(args.key, _shown(changed)[args.key])}（下次启动程序时生效）")
    return 0


def _value(key: str, value: object) -> str:
    if value is None:
        return "系统默认打印机" if key == "printer" else "未设置"
    return str(value)


def _text(data: dict[str, Any]) -> str:
    return "\n".join(f"{key}: {_value(key, value)}" for key, value in data.items())
