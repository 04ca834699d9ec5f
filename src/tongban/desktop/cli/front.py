"""The full command line: every group of commands registered on one argparse front."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tongban.desktop.cli import (
    case,
    counter,
    day,
    launch,
    paper,
    reference,
    report,
    rules,
    scan,
    sync,
    transfer,
    workstation_settings,
)
from tongban.desktop.cli.common import CliError, OneLineParser

COMMAND_GROUPS = (
    launch,
    counter,
    case,
    paper,
    reference,
    report,
    day,
    rules,
    scan,
    sync,
    transfer,
    workstation_settings,
)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="tongban", description="通办 — 社区事务受理服务中心窗口系统")
    # No command opens the configured workstation (launch.run_workstation).
    launch.register_front(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
        return int(args.run(args) or 0)
    except CliError as error:
        print(f"tongban: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tongban: 已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
