"""Identity documents presented at the counter: shape and check-character validation.

The rules follow the public standards for each document:

- 居民身份证 (GB 11643-1999): 6-digit area code, birth date YYYYMMDD, 3-digit serial (odd = male),
  ISO 7064 MOD 11-2 check character. Old 15-digit numbers (YYMMDD, no check character) are
  converted to 18 digits. Area codes are where the number was first issued and include retired
  codes, so only the province (first two digits) is checked.
- 港澳台居民居住证: the resident-ID structure with area code 810000, 820000 or 830000.
- 外国人永久居留身份证: 2017 version, 3 letters + 12 digits (shape only); 2023 version, 18
  characters starting with 9 (province of acceptance, 3-digit nationality, birth date, serial,
  MOD 11-2 check character, as announced by the National Immigration Administration).
- 港澳居民来往内地通行证: H or M + 8 digits (+ 2 digits of issue count on older cards).
- 台湾居民来往大陆通行证: 8 digits.
- Passports: letters and digits, 5–17 characters; nothing more can be checked offline.

Invalid input is an answer (valid=False with a Chinese reason), never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from stdnum.iso7064 import mod_11_2

Gender = Literal["M", "F"]

# GB/T 2260 province-level codes, including 71 台湾, 81 香港, 82 澳门.
_PROVINCES = frozenset(
    {
        *("11", "12", "13", "14", "15"),
        *("21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46"),
        *("50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65"),
        *("71", "81", "82"),
    }
)
_HMT_PREFIXES = ("810000", "820000", "830000")
_EARLIEST_BIRTH = date(1900, 1, 1)

_GB11643_SHAPE = re.compile(r"\d{17}[\dX]")
_FPR_2017 = re.compile(r"[A-Z]{3}\d{12}")
_HK_MACAO = re.compile(r"[HM]\d{8}(\d{2})?")
_LETTERS_AND_DIGITS = re.compile(r"[A-Z0-9]+")


class DocumentType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"  # 港澳台居民居住证
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"  # 外国人永久居留身份证
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    PASSPORT = "passport"  # 护照


@dataclass(frozen=True)
class IdentityCheck:
    valid: bool
    reason: str | None  # why the number is invalid (Chinese); None when valid
    document_type: DocumentType | None
    number: str  # normalised: uppercase, no spaces; a 15-digit number converted to 18
    birth_date: date | None
    gender: Gender | None
    area_code: str | None  # first 6 digits of a resident ID or HMT residence permit
    converted_from_15: bool = False


@dataclass(frozen=True)
class _Gb11643Fields:
    birth_date: date
    gender: Gender


def check_identity(
    number: str, document_type: DocumentType | None = None, *, today: date | None = None
) -> IdentityCheck:
    """Validate a document number; with no document_type, the type is detected from the shape."""
    today = today or date.today()
    text = normalise_identity(number)
    if not text:
        return _invalid(text, document_type, "证件号码为空")
    kind = document_type or _detect(text)
    if kind is None:
        if not _LETTERS_AND_DIGITS.fullmatch(text):
            return _invalid(text, None, "含有非法字符")
        return _invalid(text, None, "无法识别的证件号码，请选择证件类型")
    return _CHECKERS[kind](text, today)


def normalise_identity(number: str) -> str:
    """Uppercase without any whitespace; NFKC turns full-width digits from Chinese IMEs to ASCII."""
    text = unicodedata.normalize("NFKC", number)
    return "".join(text.split()).upper()


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day` (周岁); see reaches_age_on for 29 February birthdays."""
    if day < birth_date:
        raise ValueError("日期早于出生日期")
    years = day.year - birth_date.year
    if day < reaches_age_on(birth_date, years):
        years -= 1
    return years


def reaches_age_on(birth_date: date, years: int) -> date:
    """The day on which someone born on birth_date has completed `years` years.

    Someone born on 29 February reaches the age on 28 February of a common year: like
    民法典 art. 202, a period with no corresponding day ends on the last day of the month.
    """
    target_year = birth_date.year + years
    try:
        return birth_date.replace(year=target_year)
    except ValueError:
        return date(target_year, 2, 28)


def mask_identity(number: str) -> str:
    """De-identified form for screens and paper (PIPL); never the full number."""
    text = normalise_identity(number)
    if len(text) == 18:
        return text[:6] + "*" * 8 + text[-4:]
    # Keep up to two characters each side, always hiding at least one.
    keep = min(2, (len(text) - 1) // 2)
    if keep <= 0:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def _detect(text: str) -> DocumentType | None:
    body = text[:-1] if text.endswith("X") else text
    if body.isascii() and body.isdigit():
        # An all-digit number is never guessed to be a passport: a mistyped resident ID must
        # fail as a resident ID rather than pass as somebody's passport.
        if len(text) == 18 and text.startswith(_HMT_PREFIXES):
            return DocumentType.HMT_RESIDENCE_PERMIT
        if len(text) == 18 and text.startswith("9"):
            return DocumentType.FOREIGN_PERMANENT_RESIDENCE
        if len(text) == 8 and text.isdigit():
            return DocumentType.TAIWAN_PERMIT
        return DocumentType.RESIDENT_ID
    if _FPR_2017.fullmatch(text):
        return DocumentType.FOREIGN_PERMANENT_RESIDENCE
    if _HK_MACAO.fullmatch(text):
        return DocumentType.HK_MACAO_PERMIT
    if _LETTERS_AND_DIGITS.fullmatch(text) and 5 <= len(text) <= 17:
        return DocumentType.PASSPORT
    return None


def _check_resident_id(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.RESIDENT_ID
    if not re.fullmatch(r"\d+X?", text):
        return _invalid(text, kind, "含有非法字符")
    if len(text) == 15 and text.isdigit():
        return _check_resident_id_15(text, today)
    if len(text) != 18:
        return _invalid(text, kind, "长度应为18位")
    if text.startswith(_HMT_PREFIXES):
        return _invalid(text, kind, "这是港澳台居民居住证号码，请改选证件类型")
    if text.startswith("9"):
        return _invalid(text, kind, "这是外国人永久居留身份证号码，请改选证件类型")
    return _gb11643_answer(text, kind, today, area_code=text[:6])


def _check_resident_id_15(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.RESIDENT_ID
    body = text[:6] + "19" + text[6:]
    converted = body + mod_11_2.calc_check_digit(body)
    answer = _gb11643_answer(converted, kind, today, area_code=converted[:6])
    if not answer.valid:
        return _invalid(text, kind, answer.reason or "")
    return IdentityCheck(
        valid=True,
        reason=None,
        document_type=kind,
        number=converted,
        birth_date=answer.birth_date,
        gender=answer.gender,
        area_code=answer.area_code,
        converted_from_15=True,
    )


def _check_hmt_permit(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.HMT_RESIDENCE_PERMIT
    if len(text) == 18 and _GB11643_SHAPE.fullmatch(text) and not text.startswith(_HMT_PREFIXES):
        return _invalid(text, kind, "港澳台居民居住证号码应以810000、820000或830000开头")
    # The prefix is checked above, and 83 (Taiwan) is not a GB/T 2260 province code.
    return _gb11643_answer(text, kind, today, area_code=text[:6], province_at=None)


def _check_foreign_permanent(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.FOREIGN_PERMANENT_RESIDENCE
    if not _LETTERS_AND_DIGITS.fullmatch(text):
        return _invalid(text, kind, "含有非法字符")
    if len(text) not in (15, 18):
        return _invalid(text, kind, "长度应为15位（旧版）或18位（新版）")
    if len(text) == 15:
        # The 2017 card's number is checked by shape only: its check rule is not published in a
        # form we could verify, and refusing a genuine card would be worse than missing a typo.
        if not _FPR_2017.fullmatch(text):
            return _invalid(text, kind, "旧版永居证号码应为3位字母加12位数字")
        return _valid_shape_only(text, kind)
    if len(text) == 18 and _GB11643_SHAPE.fullmatch(text) and not text.startswith("9"):
        return _invalid(text, kind, "新版永居证号码应以9开头")
    return _gb11643_answer(text, kind, today, area_code=None, province_at=1)


def _check_hk_macao_permit(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.HK_MACAO_PERMIT
    if not _LETTERS_AND_DIGITS.fullmatch(text):
        return _invalid(text, kind, "含有非法字符")
    if not _HK_MACAO.fullmatch(text):
        return _invalid(text, kind, "应为H或M加8位或10位数字")
    return _valid_shape_only(text, kind)


def _check_taiwan_permit(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.TAIWAN_PERMIT
    if not text.isascii() or not text.isdigit():
        return _invalid(text, kind, "含有非法字符")
    if len(text) != 8:
        return _invalid(text, kind, "长度应为8位数字")
    return _valid_shape_only(text, kind)


def _check_passport(text: str, today: date) -> IdentityCheck:
    kind = DocumentType.PASSPORT
    if not _LETTERS_AND_DIGITS.fullmatch(text):
        return _invalid(text, kind, "含有非法字符")
    if not 5 <= len(text) <= 17:
        return _invalid(text, kind, "长度应为5至17位")
    return _valid_shape_only(text, kind)


def _gb11643_answer(
    text: str,
    kind: DocumentType,
    today: date,
    *,
    area_code: str | None,
    province_at: int | None = 0,
) -> IdentityCheck:
    """Check an 18-character GB 11643 number; province_at is where its province code sits."""
    if not re.fullmatch(r"[\dX]+", text):
        return _invalid(text, kind, "含有非法字符")
    if len(text) != 18:
        return _invalid(text, kind, "长度应为18位")
    if not _GB11643_SHAPE.fullmatch(text):
        return _invalid(text, kind, "含有非法字符")
    if province_at is not None and text[province_at : province_at + 2] not in _PROVINCES:
        return _invalid(text, kind, "地址码无效")
    fields_or_reason = _gb11643_fields(text, today)
    if isinstance(fields_or_reason, str):
        return _invalid(text, kind, fields_or_reason)
    return IdentityCheck(
        valid=True,
        reason=None,
        document_type=kind,
        number=text,
        birth_date=fields_or_reason.birth_date,
        gender=fields_or_reason.gender,
        area_code=area_code,
    )


def _gb11643_fields(text: str, today: date) -> _Gb11643Fields | str:
    """Birth date and gender of a well-shaped 18-character number, or the reason it is wrong."""
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "出生日期无效"
    if birth > today:
        return "出生日期晚于今天"
    if birth < _EARLIEST_BIRTH:
        return "出生日期早于1900年"
    if mod_11_2.calc_check_digit(text[:17]) != text[17]:
        return "校验码错误"
    gender: Gender = "M" if int(text[16]) % 2 == 1 else "F"
    return _Gb11643Fields(birth_date=birth, gender=gender)


def _valid_shape_only(text: str, kind: DocumentType) -> IdentityCheck:
    """A document whose number carries no birth date or area we could read."""
    return IdentityCheck(True, None, kind, text, birth_date=None, gender=None, area_code=None)


def _invalid(text: str, kind: DocumentType | None, reason: str) -> IdentityCheck:
    return IdentityCheck(False, reason, kind, text, birth_date=None, gender=None, area_code=None)


_CHECKERS = {
    DocumentType.RESIDENT_ID: _check_resident_id,
    DocumentType.HMT_RESIDENCE_PERMIT: _check_hmt_permit,
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: _check_foreign_permanent,
    DocumentType.HK_MACAO_PERMIT: _check_hk_macao_permit,
    DocumentType.TAIWAN_PERMIT: _check_taiwan_permit,
    DocumentType.PASSPORT: _check_passport,
}
