"""What the login page shows before the store is open, read with the standard library only.

The settings file remembers the site's and the workstation's names (the application writes them
once the store has been opened); reading them needs no pydantic, no SQLAlchemy and no reference
data, so the login page shows them at once. Anything missing or unreadable gives an empty
label: opening the store reports the fault.
"""

from __future__ import annotations

import json
from pathlib import Path

from tongban.desktop.demo_hint import DEMO_HINT
from tongban.ui.start_page import StartLabel

SETTINGS_FILE = "settings.json"  # the same file as desktop.settings.SETTINGS_FILE


def read_start_label(directory: Path) -> StartLabel:
    """The names and the demo flag from the settings file; an empty label when unreadable."""
    try:
        data = json.loads((directory / SETTINGS_FILE).read_bytes())
    except (OSError, ValueError):
        return StartLabel()
    if not isinstance(data, dict):
        return StartLabel()
    demo = data.get("demo") is True
    return StartLabel(
        site_name=_text(data.get("site_name")),
        workstation_name=_text(data.get("workstation_name")),
        demo=demo,
        demo_hint=DEMO_HINT if demo else "",
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
