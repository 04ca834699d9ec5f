"""The `tongban` command. It only dispatches: the workstation's commands live in tongban.desktop."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from tongban.desktop.cli import main as workstation_main

    return workstation_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
