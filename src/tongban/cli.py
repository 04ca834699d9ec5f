"""The `tongban` command. It only dispatches: `tongban central …` administers the central service,
everything else is the workstation's (tongban.desktop). Nothing else imports both sides."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        # IT technicians check an installation with this; it must not need a data directory.
        from tongban.models.app_versions import installed_version

        print(f"tongban {installed_version()}")
        return 0
    if args[:1] == ["central"]:
        from tongban.central.cli import main as central_main

        return central_main(args[1:])
    from tongban.desktop.cli import main as workstation_main

    return workstation_main(args)


if __name__ == "__main__":
    sys.exit(main())
