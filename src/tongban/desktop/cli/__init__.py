"""The workstation's command line: argparse front, one module per group of commands.

Every command answers in Chinese for people and in JSON (`--json`) for scripts. Bad input is one
line on stderr and exit code 2; nothing prints a traceback to a user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tongban.desktop.cli import counter, paper, reference, rules
from tongban.desktop.cli.common import CliError, OneLineParser

COMMAND_GROUPS = (counter, paper, reference, rules)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="tongban", description="通办 — 社区事务受理服务中心窗口系统")
    # No command opens the configured workstation (counter.run_workstation).
    counter.register_front(parser)
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
