"""The bundle's entry point: the same `tongban` command that pip installs as a console script."""

import sys

from tongban.cli import main

if __name__ == "__main__":
    sys.exit(main())
