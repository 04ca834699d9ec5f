from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tongban.models.catalog import (
    AgeRule,
    CollectionMethod,
    Eligibility,
    HukouRequirement,
    Item,
    Material,
    MaterialForm,
    Mode,
)
from tongban.models.rules import EligibilityWarning, check_eligibility, reaches_age_on


def make_item(eligibility: Eligibility) -> Item:
    return Item(
        code="MZ001",
        name="测试事项",
        department="民政",
        type="公共服务",
        mode=Mode.DIRECT,
        city_wide_from=date(2018, 3, 1),
        applicants="测试用申请对象",
        legal_days=0,
        promised_days=0,
        result="测试结果",
        collection=(CollectionMethod.ON_THE_SPOT,),
        materials=(Material(name="身份证", form=MaterialForm.ORIGINAL),),
        eligibility=eligibility,
    )


# Shaped like 敬老卡: Shanghai hukou, 65 or older, may apply a month (here 30 days) early.
SENIOR_CARD = make_item(
    Eligibility(age=AgeRule(min_years=65, advance_days=30), hukou=HukouRequirement.SHANGHAI)
)
WORKING_AGE = make_item(Eligibility(age=AgeRule(min_years=16, max_years=60)))
MIGRANTS_ONLY = make_item(Eligibility(hukou=HukouRequirement.NON_SHANGHAI))
ANYONE = make_item(Eligibility())


def codes(warnings: list[EligibilityWarning]) -> list[str]:
    return [w.code for w in warnings]


def test_no_rule_no_warning():
    assert (
        check_eligibility(ANYONE, birth_date=None, shanghai_hukou=None, on=date(2026, 1, 1)) == []
    )


def test_too_young_names_the_day_one_may_apply():
    warnings = check_eligibility(
        SENIOR_CARD, birth_date=date(1961, 5, 31), shanghai_hukou=True, on=date(2026, 3, 1)
    )
    assert warnings == [
        EligibilityWarning("too_young", "申请人未满 65 周岁（可于 2026-05-01 起申请）")
    ]


def test_advance_days_allow_applying_before_the_birthday():
    birth = date(1961, 5, 31)
    on_first_day = check_eligibility(
        SENIOR_CARD, birth_date=birth, shanghai_hukou=True, on=date(2026, 5, 1)
    )
    assert on_first_day == []
    day_before = check_eligibility(
        SENIOR_CARD, birth_date=birth, shanghai_hukou=True, on=date(2026, 4, 30)
    )
    assert codes(day_before) == ["too_young"]


def test_minimum_age_without_advance_is_reached_on_the_birthday():
    birth = date(2010, 7, 1)
    on_birthday = check_eligibility(
        WORKING_AGE, birth_date=birth, shanghai_hukou=None, on=date(2026, 7, 1)
    )
    assert on_birthday == []
    before = check_eligibility(
        WORKING_AGE, birth_date=birth, shanghai_hukou=None, on=date(2026, 6, 30)
    )
    assert before[0].message == "申请人未满 16 周岁（可于 2026-07-01 起申请）"


def test_maximum_age_is_inclusive_of_the_completed_year():
    birth = date(1965, 7, 1)
    last_day = check_eligibility(
        WORKING_AGE, birth_date=birth, shanghai_hukou=None, on=date(2026, 6, 30)
    )
    assert last_day == []  # aged 60 until the 61st birthday
    too_old = check_eligibility(
        WORKING_AGE, birth_date=birth, shanghai_hukou=None, on=date(2026, 7, 1)
    )
    assert too_old == [
        EligibilityWarning("too_old", "申请人已满 61 周岁，超过本事项年龄上限（60 周岁）")
    ]


def test_unknown_birth_date_with_an_age_rule():
    warnings = check_eligibility(
        SENIOR_CARD, birth_date=None, shanghai_hukou=True, on=date(2026, 1, 1)
    )
    assert warnings == [
        EligibilityWarning("age_unknown", "无法确定申请人年龄（本事项要求年满 65 周岁），请核对")
    ]
    range_rule = check_eligibility(
        WORKING_AGE, birth_date=None, shanghai_hukou=None, on=date(2026, 1, 1)
    )
    assert codes(range_rule) == ["age_unknown"]
    assert "16 至 60 周岁" in range_rule[0].message


def test_empty_age_rule_asks_nothing():
    item = make_item(Eligibility(age=AgeRule()))
    assert check_eligibility(item, birth_date=None, shanghai_hukou=None, on=date(2026, 1, 1)) == []


def test_shanghai_hukou_required():
    on = date(2026, 1, 1)
    birth = date(1950, 1, 1)
    assert check_eligibility(SENIOR_CARD, birth_date=birth, shanghai_hukou=True, on=on) == []
    outsider = check_eligibility(SENIOR_CARD, birth_date=birth, shanghai_hukou=False, on=on)
    assert outsider == [
        EligibilityWarning("needs_shanghai_hukou", "本事项限本市户籍，申请人为非本市户籍")
    ]
    unknown = check_eligibility(SENIOR_CARD, birth_date=birth, shanghai_hukou=None, on=on)
    assert unknown == [
        EligibilityWarning("needs_shanghai_hukou", "本事项限本市户籍，请核验申请人户籍")
    ]


def test_non_shanghai_hukou_required():
    on = date(2026, 1, 1)
    assert check_eligibility(MIGRANTS_ONLY, birth_date=None, shanghai_hukou=False, on=on) == []
    local = check_eligibility(MIGRANTS_ONLY, birth_date=None, shanghai_hukou=True, on=on)
    assert codes(local) == ["needs_non_shanghai_hukou"]
    assert local[0].message == "本事项限非本市户籍人员，申请人为本市户籍"
    unknown = check_eligibility(MIGRANTS_ONLY, birth_date=None, shanghai_hukou=None, on=on)
    assert codes(unknown) == ["needs_non_shanghai_hukou"]


def test_age_and_hukou_warnings_come_together():
    warnings = check_eligibility(
        SENIOR_CARD, birth_date=date(1990, 1, 1), shanghai_hukou=False, on=date(2026, 1, 1)
    )
    assert codes(warnings) == ["too_young", "needs_shanghai_hukou"]


def test_leap_day_birth_reaches_65_on_28_february():
    birth = date(1960, 2, 29)
    item = make_item(Eligibility(age=AgeRule(min_years=65)))
    assert (
        check_eligibility(item, birth_date=birth, shanghai_hukou=None, on=date(2025, 2, 28)) == []
    )
    warnings = check_eligibility(item, birth_date=birth, shanghai_hukou=None, on=date(2025, 2, 27))
    assert warnings[0].message == "申请人未满 65 周岁（可于 2025-02-28 起申请）"


def test_birth_after_the_day_is_too_young_not_an_error():
    warnings = check_eligibility(
        WORKING_AGE, birth_date=date(2026, 6, 1), shanghai_hukou=None, on=date(2026, 1, 1)
    )
    assert codes(warnings) == ["too_young"]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(0, 100),
    st.integers(0, 366),
    st.integers(-400, 400),
)
def test_too_young_exactly_before_the_opening_day(
    birth: date, min_years: int, advance: int, offset: int
):
    item = make_item(Eligibility(age=AgeRule(min_years=min_years, advance_days=advance)))
    opens = reaches_age_on(birth, min_years) - timedelta(days=advance)
    on = opens + timedelta(days=offset)
    warnings = check_eligibility(item, birth_date=birth, shanghai_hukou=None, on=on)
    assert codes(warnings) == (["too_young"] if offset < 0 else [])
