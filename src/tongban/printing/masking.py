"""De-identification for paper (PIPL: print no more personal data than the document needs).

Identity numbers follow the one rule of tongban.models.rules (310104********123X); names on lists
that travel between centers keep only the surname's first character.
"""

from __future__ import annotations

from tongban.models.rules import mask_identity

__all__ = ["mask_identity", "mask_name"]


def mask_name(name: str) -> str:
    """张三 → 张*: enough to match an envelope, not enough to identify a person."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
