"""Display names of domain values, all through Qt's translation (zh_CN is the source text).

The strings sit in literal `QCoreApplication.translate("labels", ...)` calls so that lupdate
finds them, and they are looked up at call time so that a translator installed after import
still applies.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication

from tongban.models.catalog import Item, Material, MaterialForm, Mode, Requirement
from tongban.models.intake import MaterialState
from tongban.models.rules import DocumentType


def mode_name(mode: Mode) -> str:
    names = {
        Mode.DIRECT: QCoreApplication.translate("labels", "直接受理"),
        Mode.SEPARATED: QCoreApplication.translate("labels", "收受分离"),
        Mode.HOME_DISTRICT: QCoreApplication.translate("labels", "属地受理"),
    }
    return names[mode]


def document_type_name(kind: DocumentType) -> str:
    names = {
        DocumentType.RESIDENT_ID: QCoreApplication.translate("labels", "居民身份证"),
        DocumentType.HMT_RESIDENCE_PERMIT: QCoreApplication.translate("labels", "港澳台居民居住证"),
        DocumentType.FOREIGN_PERMANENT_RESIDENCE: QCoreApplication.translate(
            "labels", "外国人永久居留身份证"
        ),
        DocumentType.HK_MACAO_PERMIT: QCoreApplication.translate(
            "labels", "港澳居民来往内地通行证"
        ),
        DocumentType.TAIWAN_PERMIT: QCoreApplication.translate("labels", "台湾居民来往大陆通行证"),
        DocumentType.PASSPORT: QCoreApplication.translate("labels", "护照"),
    }
    return names[kind]


def gender_name(gender: str) -> str:
    if gender == "M":
        return QCoreApplication.translate("labels", "男")
    return QCoreApplication.translate("labels", "女")


def requirement_text(material: Material) -> str:
    """必需 / 可选 / 条件：… (the condition as the catalog words it)."""
    if material.requirement is Requirement.REQUIRED:
        return QCoreApplication.translate("labels", "必需")
    if material.requirement is Requirement.OPTIONAL:
        return QCoreApplication.translate("labels", "可选")
    if material.for_agent:
        return QCoreApplication.translate("labels", "代办时必需")
    return QCoreApplication.translate("labels", "条件：{condition}").format(
        condition=material.condition or ""
    )


def form_text(material: Material) -> str:
    """原件 / 复印件 2 份 / 原件及复印件 1 份."""
    if material.form is MaterialForm.ORIGINAL:
        return QCoreApplication.translate("labels", "原件")
    if material.form is MaterialForm.COPY:
        return QCoreApplication.translate("labels", "复印件 {n} 份").format(n=material.copies)
    return QCoreApplication.translate("labels", "原件及复印件 {n} 份").format(n=material.copies)


def state_name(state: MaterialState) -> str:
    names = {
        MaterialState.RECEIVED: QCoreApplication.translate("labels", "已收"),
        MaterialState.DEFERRED: QCoreApplication.translate("labels", "容缺"),
        MaterialState.MISSING: QCoreApplication.translate("labels", "缺"),
        MaterialState.NOT_NEEDED: QCoreApplication.translate("labels", "不需要"),
    }
    return names[state]


def promised_days_text(item: Item) -> str:
    if item.promised_days == 0:
        return QCoreApplication.translate("labels", "即办")
    return QCoreApplication.translate("labels", "{n} 个工作日").format(n=item.promised_days)


def fee_text(item: Item) -> str:
    amount = item.fee.amount_yuan
    if amount == 0:
        return QCoreApplication.translate("labels", "免费")
    shown = amount.quantize(Decimal("0.01"))
    return QCoreApplication.translate("labels", "{amount} 元").format(amount=shown)
