"""The workstation's command line: argparse front, one module per group of commands.

Every command answers in Chinese for people and in JSON (`--json`) for scripts. Bad input is one
line on stderr and exit code 2; nothing prints a traceback to a user. Opening the window (`tongban`,
`tongban demo`) goes through `launch` alone, so that it does not wait for the other commands'
imports; everything else builds the full front (`front`).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    from tongban.desktop.cli import launch

    if launch.is_launch(argv):
        return launch.main(argv)
    from tongban.desktop.cli.front import main as full_main

    return full_main(argv)
