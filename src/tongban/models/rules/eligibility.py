"""Machine-checkable eligibility of an applicant for an item: age and household registration.

The answers are warnings for the clerk, never refusals: the clerk sees the documents and decides.

Age limits are counted in completed years (周岁). `min_years` is reached on the birthday (less the
rule's `advance_days`, e.g. 敬老卡 a month before the 65th birthday). `max_years` is inclusive:
someone who has completed `max_years` years is still within the limit until the next birthday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tongban.models.catalog.schema import AgeRule, HukouRequirement, Item
from tongban.models.rules.identity import age_on, reaches_age_on


@dataclass(frozen=True)
class EligibilityWarning:
    # too_young, too_old, needs_shanghai_hukou, needs_non_shanghai_hukou, age_unknown
    code: str
    message: str  # Chinese, for the clerk


def check_eligibility(
    item: Item, *, birth_date: date | None, shanghai_hukou: bool | None, on: date
) -> list[EligibilityWarning]:
    """Warnings about the applicant for `item` on day `on`; empty when nothing stands out.

    An unknown household registration (None) with a hukou rule gives the needs_* warning with a
    request to verify, because the item's requirement has not been seen to be met.
    """
    warnings: list[EligibilityWarning] = []
    rule = item.eligibility
    if rule.age is not None:
        warnings.extend(_age_warnings(rule.age, birth_date, on))
    if rule.hukou is not None:
        warnings.extend(_hukou_warnings(rule.hukou, shanghai_hukou))
    return warnings


def _age_warnings(rule: AgeRule, birth_date: date | None, on: date) -> list[EligibilityWarning]:
    if rule.min_years is None and rule.max_years is None:
        return []
    if birth_date is None:
        message = f"无法确定申请人年龄（本事项要求{_describe_age(rule)}），请核对"
        return [EligibilityWarning("age_unknown", message)]
    warnings: list[EligibilityWarning] = []
    if rule.min_years is not None:
        opens = reaches_age_on(birth_date, rule.min_years) - timedelta(days=rule.advance_days)
        if on < opens:
            message = f"申请人未满 {rule.min_years} 周岁（可于 {opens.isoformat()} 起申请）"
            warnings.append(EligibilityWarning("too_young", message))
    if rule.max_years is not None and birth_date <= on:
        age = age_on(birth_date, on)
        if age > rule.max_years:
            message = f"申请人已满 {age} 周岁，超过本事项年龄上限（{rule.max_years} 周岁）"
            warnings.append(EligibilityWarning("too_old", message))
    return warnings


def _describe_age(rule: AgeRule) -> str:
    if rule.min_years is not None and rule.max_years is not None:
        return f" {rule.min_years} 至 {rule.max_years} 周岁"
    if rule.min_years is not None:
        return f"年满 {rule.min_years} 周岁"
    return f"不超过 {rule.max_years} 周岁"


def _hukou_warnings(
    requirement: HukouRequirement, shanghai_hukou: bool | None
) -> list[EligibilityWarning]:
    if requirement is HukouRequirement.SHANGHAI:
        if shanghai_hukou is True:
            return []
        detail = "请核验申请人户籍" if shanghai_hukou is None else "申请人为非本市户籍"
        return [EligibilityWarning("needs_shanghai_hukou", f"本事项限本市户籍，{detail}")]
    if shanghai_hukou is False:
        return []
    detail = "请核验申请人户籍" if shanghai_hukou is None else "申请人为本市户籍"
    return [EligibilityWarning("needs_non_shanghai_hukou", f"本事项限非本市户籍人员，{detail}")]
