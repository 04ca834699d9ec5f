"""Transfer batch numbers (交接批次号): one box of paper files sent from one center to another.

Format
------
24 printable ASCII characters, so the number prints as a Code 128 on the 材料交接清单::

    JJ CCCCCCCCC YYMMDD WWW SSS K
    JJ 310104003 260316 012 001 2      display form: JJ-310104003-260316-012-001-2

=========  ======  ===========================================================================
Positions  Length  Meaning
=========  ======  ===========================================================================
1–2        2       ``JJ`` (交接): a scanned batch number is never mistaken for a case number.
3–11       9       Center code of the sending center (a sub-center uses its center's code).
12–17      6       Day the batch was made, YYMMDD (years 2000–2099).
18–20      3       Workstation number within the center, 001–999 (as in case numbers).
21–23      3       That workstation's serial of the day, 001–999.
24         1       Check character, ISO 7064 MOD 11-2 over the 21 digits (the scheme of case
                   numbers, models/rules/case_number.py): 0–9 or X.
=========  ======  ===========================================================================

Unique without coordination for the same reason case numbers are: a center code and a
workstation number name one machine, which never repeats a serial on a day (the serial is taken
from its own event log). The check character catches every single mistyped digit and every swap
of neighbours. Spaces, hyphens and a lowercase ``jj``/``x`` are accepted when typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.iso7064 import mod_11_2

from tongban.models.rules.case_number import normalise_case_number

PREFIX = "JJ"
BATCH_NUMBER_LENGTH = 24
MAX_BATCH_SERIAL = 999
BATCH_NUMBER_PATTERN = r"^JJ\d{21}[\dX]$"

_SHAPE = re.compile(BATCH_NUMBER_PATTERN)


@dataclass(frozen=True)
class BatchNumberParts:
    center_code: str
    day: date
    workstation_no: int
    serial: int


def batch_prefix(center_code: str, day: date, workstation_no: int) -> str:
    """The first 20 characters shared by every batch of one workstation on one day."""
    if len(center_code) != 9 or not (center_code.isascii() and center_code.isdigit()):
        raise ValueError("中心代码应为9位数字")
    if not 2000 <= day.year <= 2099:
        raise ValueError("批次日期应在2000年至2099年之间")
    if not 1 <= workstation_no <= 999:
        raise ValueError("工作站编号应在1至999之间")
    return f"{PREFIX}{center_code}{day:%y%m%d}{workstation_no:03d}"


def make_batch_number(center_code: str, day: date, workstation_no: int, serial: int) -> str:
    """The 24-character batch number; ValueError (in Chinese) when a part is out of range."""
    if not 1 <= serial <= MAX_BATCH_SERIAL:
        raise ValueError("当日批次流水号应在1至999之间")
    body = batch_prefix(center_code, day, workstation_no) + f"{serial:03d}"
    return body + mod_11_2.calc_check_digit(body[len(PREFIX) :])


def normalise_batch_number(text: str) -> str:
    """Without spaces and hyphens, uppercase; full-width characters become ASCII."""
    return normalise_case_number(text)


def parse_batch_number(text: str) -> BatchNumberParts:
    """The parts of a batch number; ValueError with a Chinese message when it is not valid."""
    number = normalise_batch_number(text)
    if not number.startswith(PREFIX):
        raise ValueError("交接批次号应以 JJ 开头")
    if len(number) != BATCH_NUMBER_LENGTH:
        raise ValueError(f"交接批次号应为{BATCH_NUMBER_LENGTH}位，现为{len(number)}位")
    if not _SHAPE.fullmatch(number):
        raise ValueError("交接批次号含有非法字符")
    digits = number[len(PREFIX) :]
    if mod_11_2.calc_check_digit(digits[:-1]) != digits[-1]:
        raise ValueError("交接批次号校验位不符，请核对")
    try:
        day = date(2000 + int(digits[9:11]), int(digits[11:13]), int(digits[13:15]))
    except ValueError:
        raise ValueError("交接批次号中的日期无效") from None
    workstation_no, serial = int(digits[15:18]), int(digits[18:21])
    if workstation_no == 0 or serial == 0:
        raise ValueError("交接批次号中的工作站编号或流水号无效")
    return BatchNumberParts(digits[:9], day, workstation_no, serial)


def is_valid_batch_number(text: str) -> bool:
    try:
        parse_batch_number(text)
    except ValueError:
        return False
    return True


def display_batch_number(number: str) -> str:
    """Grouped for reading aloud: JJ-310104003-260316-012-001-2. ValueError when not valid."""
    parse_batch_number(number)
    n = normalise_batch_number(number)
    return "-".join((n[:2], n[2:11], n[11:17], n[17:20], n[20:23], n[23:]))
