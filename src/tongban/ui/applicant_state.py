"""Step ①'s state without widgets: what the clerk entered, what is missing, what to show.

Pure values, so the rules of the form (what blocks 受理, what a visit needs) are tested
without a window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication

from tongban.models.intake import AgentInput, ApplicantInput
from tongban.models.rules import DocumentType, IdentityCheck, age_on
from tongban.ui.i18n import document_type_name, gender_name
from tongban.ui.street_picker import StreetChoice

# Mainland mobile numbers, or a landline with an optional area code (021-12345678).
_PHONE = re.compile(r"1\d{10}|(0\d{2,3}-?)?\d{7,8}")


def phone_is_plausible(text: str) -> bool:
    return _PHONE.fullmatch(text.strip()) is not None


# Documents whose numbers have a fixed length of 18: a shorter one is still being typed.
_EIGHTEEN_CHARACTERS = (DocumentType.RESIDENT_ID, DocumentType.HMT_RESIDENCE_PERMIT)


@dataclass(frozen=True)
class ApplicantState:
    """A snapshot of step ① and what it still lacks."""

    identity: IdentityCheck | None  # None while the number field is empty
    name: str
    phone: str
    household: StreetChoice
    separated: bool  # 人户分离: lives somewhere other than the household address
    residence: StreetChoice
    has_agent: bool
    agent: AgentInput | None  # complete and valid, else None
    agent_problem: str | None
    # When this applicant's valid number was first entered (read or typed): the visit's start.
    identified_at: datetime | None = None

    @property
    def identified(self) -> bool:
        """Enough to record a visit (notice, refusal, guidance)."""
        return (
            self.identity is not None
            and self.identity.valid
            and bool(self.name)
            and self.household.chosen
            and (not self.separated or self.residence.street is not None)
        )

    def problems(self) -> list[str]:
        """What blocks 受理, in the order of the form; empty when nothing does."""
        found: list[str] = []
        if self.identity is None:
            found.append(QCoreApplication.translate("ApplicantState", "请录入证件号码"))
        elif not self.identity.valid:
            found.append(
                QCoreApplication.translate("ApplicantState", "证件号码无效：{reason}").format(
                    reason=self.identity.reason
                )
            )
        if not self.name:
            found.append(QCoreApplication.translate("ApplicantState", "请录入姓名"))
        if not self.phone:
            found.append(QCoreApplication.translate("ApplicantState", "请录入联系电话"))
        elif not phone_is_plausible(self.phone):
            found.append(QCoreApplication.translate("ApplicantState", "联系电话格式不正确"))
        if not self.household.chosen:
            found.append(
                QCoreApplication.translate("ApplicantState", "请选择户籍地街道（或外省市户籍）")
            )
        if self.separated and self.residence.street is None:
            found.append(QCoreApplication.translate("ApplicantState", "请选择居住地街道"))
        if self.has_agent and self.agent_problem:
            found.append(self.agent_problem)
        return found

    def to_input(self) -> ApplicantInput | None:
        if not self.identified or self.identity is None or self.identity.document_type is None:
            return None
        return ApplicantInput(
            document_type=self.identity.document_type.value,
            id_number=self.identity.number,
            name=self.name,
            phone=self.phone.strip(),
            household_street=self.household.street,
            residence_street=self.residence.street if self.separated else None,
        )

    @property
    def shanghai_hukou(self) -> bool | None:
        if not self.household.chosen:
            return None
        return not self.household.outside_shanghai


def identity_text(
    check: IdentityCheck, typed: str, today: date, *, final: bool
) -> tuple[str, bool]:
    """The line next to an identity field, and whether it is good news.

    While a number is still being typed (`final` False) a short one is not yet an error.
    """
    if not typed.strip():
        return "", True
    if not check.valid:
        return _invalid_identity_text(check, final=final)
    parts = [QCoreApplication.translate("ApplicantState", "有效")]
    if check.document_type:
        parts.append(document_type_name(check.document_type))
    if check.gender:
        parts.append(gender_name(check.gender))
    if check.birth_date:
        parts.append(check.birth_date.isoformat())
        if check.birth_date <= today:
            age = QCoreApplication.translate("ApplicantState", "{age} 周岁")
            parts.append(age.format(age=age_on(check.birth_date, today)))
    if check.converted_from_15:
        parts.append(QCoreApplication.translate("ApplicantState", "15 位旧号已升级为 18 位"))
    return " · ".join(parts), True


def _invalid_identity_text(check: IdentityCheck, *, final: bool) -> tuple[str, bool]:
    fixed_length = check.document_type in _EIGHTEEN_CHARACTERS
    if not final and fixed_length and len(check.number) < 18:
        typed = QCoreApplication.translate("ApplicantState", "已输入 {n} 位")
        return typed.format(n=len(check.number)), True
    invalid = QCoreApplication.translate("ApplicantState", "无效：{reason}")
    return invalid.format(reason=check.reason), False
