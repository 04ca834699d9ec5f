"""Keeping identity numbers out of logs and screens (PIPL: show de-identified data).

Full identity numbers live only in the applicants table, in case rows (the agent) and in the
payloads of events that must carry them to the processing center. Anything written for people to
read — log lines, audit entries, exception texts, reprs — uses the masked form
(tongban.models.rules.mask_identity), and the audit writer refuses free text that looks like a
full number (`looks_like_id_number`).
"""

from __future__ import annotations

import re

# 18 characters (GB 11643-1999, also HK/Macao/Taiwan residence permits and foreigners' permanent
# residence cards) or the old 15-digit form; not part of a longer run of letters or digits.
_ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def looks_like_id_number(text: str) -> bool:
    """True when the text holds something shaped like a full 18- or 15-character ID number."""
    return _ID_PATTERN.search(text) is not None
