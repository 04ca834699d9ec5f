"""`tongban` (open the workstation) and `tongban demo`: the window, as fast as Qt allows.

These two commands only decide which data directory to open and hand it to the application, which
shows its login page before it opens the store (or the setup wizard, for a data directory without
configuration). So this module imports nothing heavy: no SQLAlchemy, pydantic or ReportLab;
preparing a missing demo loads the services only when needed. `tongban.cli` sends these commands
here without building the full command line.

`tongban launch-check --data-dir DIR` starts the application exactly as `tongban --data-dir DIR`
does, prints the first page it shows (`setup-wizard` or `login`) and quits: an installation's
smoke test (desktop/launch_check.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tongban.desktop.cli.common import CliError, OneLineParser
from tongban.desktop.paths import data_dir, settings_path

APP_MODULE = "tongban.desktop.app"
DEFAULT_CHECK_TIMEOUT = 60.0
NO_DISPLAY = (
    "没有可用的图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY）：请在电脑桌面上运行通办；"
    "只用命令行的功能见 tongban --help"
)


def add_data_dir(parser: argparse.ArgumentParser, *, front: bool = False) -> None:
    # On a subcommand the default is SUPPRESS, so `tongban --data-dir X cases list` keeps X.
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=None if front else argparse.SUPPRESS,
        help="工作站数据目录（默认：环境变量 TONGBAN_DATA_DIR，否则为用户数据目录）",
    )


def register_front(parser: argparse.ArgumentParser) -> None:
    """`tongban` with no command opens the workstation."""
    add_data_dir(parser, front=True)
    parser.set_defaults(run=run_workstation)


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="准备并打开演示工作站")
    demo.add_argument("--reset", action="store_true", help="清除演示数据后重新准备")
    demo.add_argument("--prepare", action="store_true", help="只准备演示数据，不打开窗口")
    add_data_dir(demo)
    demo.set_defaults(run=run_demo)
    check = commands.add_parser(
        "launch-check", help="启动程序，显示首个页面后退出，并输出页面名（setup-wizard 或 login）"
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_CHECK_TIMEOUT,
        metavar="SECONDS",
        help=f"最多等待秒数（默认 {DEFAULT_CHECK_TIMEOUT:g}）",
    )
    add_data_dir(check)
    check.set_defaults(run=run_launch_check)


def is_launch(argv: Sequence[str]) -> bool:
    """True for the command lines this module handles alone: none, `demo …`, `launch-check …`,
    `--data-dir DIR`."""
    args = list(argv)
    return (
        not args
        or args[0] in ("demo", "launch-check")
        or (len(args) == 2 and args[0] == "--data-dir")
    )


def main(argv: Sequence[str]) -> int:
    parser = OneLineParser(prog="tongban", description="通办 — 社区事务受理服务中心窗口系统")
    register_front(parser)
    register(parser.add_subparsers(dest="command", metavar="COMMAND"))
    try:
        args = parser.parse_args(list(argv))
        return int(args.run(args))
    except CliError as error:
        print(f"tongban: {error}", file=sys.stderr)
        return error.exit_code


def run_workstation(args: argparse.Namespace) -> int:
    # A data directory without settings opens the setup wizard (desktop.app.start_workstation).
    return open_window(data_dir(args.data_dir))


def run_launch_check(args: argparse.Namespace) -> int:
    """Start as `tongban --data-dir DIR` would; print the first page's name; exit 0 if shown."""
    from tongban.desktop.launch_check import LaunchCheck

    checks: list[LaunchCheck] = []
    open_window(
        data_dir(getattr(args, "data_dir", None)),
        watch=lambda start: checks.append(LaunchCheck(start, timeout=args.timeout)),
    )
    page = checks[0].page if checks else None
    if page is None:
        raise CliError(checks[0].error if checks else "启动检查失败：程序未能启动", exit_code=1)
    print(page, flush=True)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None), demo=True)
    if not args.prepare:
        require_display()  # before the demo is prepared, which takes a few seconds
    # A prepared demo opens as it is: the window opens the store behind its login page.
    if args.prepare or args.reset or not is_prepared_demo(directory):
        from tongban.desktop.cli.counter import prepare_demo_command

        prepare_demo_command(directory, reset=args.reset, announce=args.prepare)
        if args.prepare:
            return 0
    return open_window(directory)


def is_prepared_demo(directory: Path) -> bool:
    # The settings file is written last when a demo is prepared: present means complete.
    try:
        settings = json.loads(settings_path(directory).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(settings, dict) and settings.get("demo") is True


def open_window(directory: Path, *, watch: Callable[[Any], None] | None = None) -> int:
    require_display()
    app = importlib.import_module(APP_MODULE)
    if watch is None:
        return int(app.run_counter(directory))
    return int(app.run_counter(directory, watch=watch))


def require_display() -> None:
    """CliError when no window can open here. Qt, asked for a window without a display, ends
    the process (SIGABRT) with its reason in the log alone, so the clerk would see nothing."""
    problem = display_problem(os.environ, sys.platform)
    if problem is not None:
        raise CliError(problem, exit_code=1)


def display_problem(environ: Mapping[str, str], platform: str) -> str | None:
    """Why a window cannot open (None: it can, as far as can be known before Qt tries). Only
    Linux needs a display server named in the environment; QT_QPA_PLATFORM names another
    way to draw (offscreen, for tests and screenshots)."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY
