"""Case numbers (受理编号): unique without coordination, readable over the phone.

Format
------
23 characters, all digits except that the last may be ``X``::

    CCCCCCCCC YYMMDD WWW SSSS K
    310104003 261128 012 0042 8      display form: 310104003-261128-012-0042-8

=========  ======  ===========================================================================
Positions  Length  Meaning
=========  ======  ===========================================================================
1–9        9       Center code: the 9-digit street-level division code the center is named
                   after (e.g. 310104003 天平路街道). A sub-center uses its center's code.
10–15      6       Day of acceptance, YYMMDD (years 2000–2099).
16–18      3       Workstation number, 001–999, unique within the center including its
                   sub-centers, assigned once at enrollment.
19–22      4       Daily serial of that workstation, 0001–9999, starting again each day.
23         1       Check character, ISO 7064 MOD 11-2 over the 22 digits (the algorithm of
                   the resident ID's last character): 0–9 or X, read aloud as "叉".
=========  ======  ===========================================================================

Why it is unique: a center code and a workstation number name one workstation in the city, and
that workstation never repeats a serial on the same day. No workstation needs to ask anyone
before numbering a case, so numbering works offline. This holds as long as a workstation keeps
its serial counter across restarts and a workstation number is never given to two machines of
the same center.

What the check character catches: MOD 11-2 weights the digits by powers of 2 modulo 11, which
are never 0 and differ between neighbours and between positions two apart. So every single
mistyped character and every swap of two adjacent (or once-removed) different characters,
including the check character, changes the remainder and is rejected.

Typing: spaces and hyphens are ignored and a lowercase ``x`` is read as ``X``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.iso7064 import mod_11_2

CASE_NUMBER_LENGTH = 23
CENTER_CODE_LENGTH = 9
MAX_WORKSTATION_NO = 999
MAX_SERIAL = 9999

_SHAPE = re.compile(r"\d{22}[\dX]")
# Hyphens and dashes people type or paste when reading a grouped number back.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]")


@dataclass(frozen=True)
class CaseNumberParts:
    center_code: str
    day: date
    workstation_no: int
    serial: int


def make_case_number(center_code: str, day: date, workstation_no: int, serial: int) -> str:
    """The 23-character case number; ValueError when a part is out of range."""
    if len(center_code) != CENTER_CODE_LENGTH or not _is_ascii_digits(center_code):
        raise ValueError("中心代码应为9位数字")
    if not 2000 <= day.year <= 2099:
        raise ValueError("受理日期应在2000年至2099年之间")
    if not 1 <= workstation_no <= MAX_WORKSTATION_NO:
        raise ValueError("工作站编号应在1至999之间")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError("当日流水号应在1至9999之间")
    body = f"{center_code}{day:%y%m%d}{workstation_no:03d}{serial:04d}"
    return body + mod_11_2.calc_check_digit(body)


def normalise_case_number(text: str) -> str:
    """Without spaces and hyphens, uppercase; full-width digits become ASCII."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def parse_case_number(text: str) -> CaseNumberParts:
    """The parts of a case number; ValueError with a Chinese message when it is not valid."""
    number = normalise_case_number(text)
    if not re.fullmatch(r"[\dX]*", number) or not number.isascii():
        raise ValueError("受理编号含有非法字符")
    if len(number) != CASE_NUMBER_LENGTH:
        raise ValueError(f"受理编号应为{CASE_NUMBER_LENGTH}位，现为{len(number)}位")
    if not _SHAPE.fullmatch(number):
        raise ValueError("受理编号只有最后一位可以是X")
    if mod_11_2.calc_check_digit(number[:-1]) != number[-1]:
        raise ValueError("受理编号校验位不符，请核对")
    try:
        day = date(2000 + int(number[9:11]), int(number[11:13]), int(number[13:15]))
    except ValueError:
        raise ValueError("受理编号中的日期无效") from None
    workstation_no = int(number[15:18])
    serial = int(number[18:22])
    if workstation_no == 0:
        raise ValueError("受理编号中的工作站编号无效")
    if serial == 0:
        raise ValueError("受理编号中的流水号无效")
    return CaseNumberParts(number[:9], day, workstation_no, serial)


def is_valid_case_number(text: str) -> bool:
    try:
        parse_case_number(text)
    except ValueError:
        return False
    return True


def display_case_number(number: str) -> str:
    """Grouped for reading aloud: 310104003-261128-012-0042-8. ValueError when not valid."""
    parse_case_number(number)
    n = normalise_case_number(number)
    return "-".join((n[:9], n[9:15], n[15:18], n[18:22], n[22:]))


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
