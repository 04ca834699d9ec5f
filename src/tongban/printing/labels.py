"""How the catalog's enumerations read on paper, and how dates are written on Chinese forms."""

from __future__ import annotations

from datetime import date, datetime

from tongban.models.catalog import CollectionMethod, MaterialForm, Mode, Source

MODE = {
    Mode.DIRECT: "直接受理",
    Mode.SEPARATED: "收受分离",
    Mode.HOME_DISTRICT: "属地受理",
}

COLLECTION = {
    CollectionMethod.ON_THE_SPOT: "当场领取",
    CollectionMethod.COUNTER: "窗口领取",
    CollectionMethod.MAIL: "邮寄送达",
    CollectionMethod.ELECTRONIC: "电子送达",
    CollectionMethod.NONE: "无需领取",
}

SOURCE = {
    Source.APPLICANT: "申请人自备",
    Source.ISSUING_BODY: "向出具单位开具",
    Source.E_CERTIFICATE: "电子证照库调取",
    Source.CENTER: "窗口提供，现场填写",
}


def material_form(form: MaterialForm, copies: int) -> str:
    """原件 / 复印件 2 份 / 原件及复印件 1 份."""
    if form is MaterialForm.ORIGINAL:
        return "原件"
    if form is MaterialForm.COPY:
        return f"复印件 {copies} 份"
    return f"原件及复印件 {copies} 份"


def long_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def long_datetime(moment: datetime) -> str:
    return f"{long_date(moment.date())} {moment:%H:%M}"


def blank_date() -> str:
    """A date line to be filled in by hand."""
    return "______年____月____日"
