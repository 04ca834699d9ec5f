"""The routing rule of 全市通办, on a small hand-built geography and catalog."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.catalog.schema import (
    Catalog,
    CollectionMethod,
    HomeDistrictWindow,
    Item,
    Material,
    MaterialForm,
    Mode,
    ProcessingCenterRule,
)
from tongban.models.geography import Center, District, Geography, Street, SubCenter
from tongban.models.routing import Decision, Routing, route

MARCH = date(2018, 3, 1)
JULY = date(2018, 7, 1)

# 徐汇: 天平路 and 湖南路 share one center (with a sub-center); 枫林路 has its own.
# 闵行: 莘庄镇 has its own center.
GEOGRAPHY = Geography(
    districts=[District("310104", "徐汇区"), District("310112", "闵行区")],
    streets=[
        Street("310104003", "天平路街道", "310104"),
        Street("310104004", "湖南路街道", "310104"),
        Street("310104008", "枫林路街道", "310104"),
        Street("310112102", "莘庄镇", "310112"),
    ],
    centers=[
        Center("310104003", "天平路街道社区事务受理服务中心", "310104", ("310104003", "310104004")),
        Center("310104008", "枫林路街道社区事务受理服务中心", "310104", ("310104008",)),
        Center("310112102", "莘庄镇社区事务受理服务中心", "310112", ("310112102",)),
    ],
    sub_centers=[SubCenter("31010400301", "天平路街道社区事务受理服务中心分中心", "310104003")],
)
TIANPING, HUNAN, FENGLIN, XINZHUANG = "310104003", "310104004", "310104008", "310112102"
TIANPING_SUB = "31010400301"


def make_item(
    code: str,
    name: str,
    mode: Mode,
    city_wide_from: date | None,
    processing: ProcessingCenterRule | None = None,
) -> Item:
    return Item(
        code=code,
        name=name,
        department="民政",
        type="公共服务",
        mode=mode,
        city_wide_from=city_wide_from,
        processing_center=processing,
        applicants="本市户籍居民",
        legal_days=20,
        promised_days=10,
        result="办理结果",
        collection=(CollectionMethod.COUNTER,),
        materials=(Material(name="身份证", form=MaterialForm.ORIGINAL),),
    )


HOUSEHOLD, RESIDENCE = ProcessingCenterRule.HOUSEHOLD, ProcessingCenterRule.RESIDENCE
ELDER_CARD = make_item("MZ001", "敬老卡申领", Mode.DIRECT, MARCH)
MATERNITY = make_item("WJ001", "生育保险待遇申领", Mode.SEPARATED, MARCH, HOUSEHOLD)
RESIDENCE_ITEM = make_item("RS001", "居住地办理事项", Mode.SEPARATED, MARCH, RESIDENCE)
PERMIT = make_item("GA001", "居住证新办", Mode.DIRECT, JULY)
PERMIT_SEPARATED = make_item("GA002", "来沪人员居住登记", Mode.SEPARATED, JULY, RESIDENCE)
LOW_RENT = make_item("ZJ001", "廉租住房申请", Mode.HOME_DISTRICT, None)
SHARED = make_item("ZJ002", "共有产权保障住房申请", Mode.HOME_DISTRICT, None)
ITEMS = (ELDER_CARD, MATERNITY, RESIDENCE_ITEM, PERMIT, PERMIT_SEPARATED, LOW_RENT, SHARED)

CATALOG = Catalog(
    revision="test",
    effective_from=MARCH,
    departments=("民政",),
    items=ITEMS,
    home_district_windows=(
        HomeDistrictWindow(
            item="ZJ001", district="310104", opens=date(2019, 4, 1), closes=date(2019, 4, 30)
        ),
        HomeDistrictWindow(
            item="ZJ001", district="310104", opens=date(2019, 10, 8), closes=date(2019, 10, 31)
        ),
    ),
)


def decide(
    item: Item, site: str, household: str | None, residence: str | None = None, on: date = JULY
) -> Routing:
    return route(
        geography=GEOGRAPHY,
        catalog=CATALOG,
        site=site,
        item=item,
        household_street=household,
        residence_street=residence,
        on=on,
    )


# --- direct items -----------------------------------------------------------------------------


def test_direct_item_city_wide_is_handled_at_any_center():
    result = decide(ELDER_CARD, XINZHUANG, household=TIANPING)
    assert result == Routing(
        Decision.HANDLE_HERE, XINZHUANG, "直接受理：本中心受理并办理", "direct"
    )


def test_direct_item_at_a_sub_center_is_handled_by_its_center():
    result = decide(ELDER_CARD, TIANPING_SUB, household=XINZHUANG)
    assert (result.decision, result.processing_center) == (Decision.HANDLE_HERE, TIANPING)


def test_direct_item_for_household_outside_shanghai_is_still_handled_here():
    result = decide(ELDER_CARD, FENGLIN, household=None)
    assert result.decision is Decision.HANDLE_HERE


# --- the March 2018 boundary ------------------------------------------------------------------


def test_day_before_city_wide_refuses_at_a_foreign_center_and_names_the_own_center():
    result = decide(ELDER_CARD, XINZHUANG, household=HUNAN, on=date(2018, 2, 28))
    assert result.decision is Decision.REFUSE
    assert result.reason_code == "not_city_wide"
    assert result.processing_center == TIANPING
    assert "天平路街道社区事务受理服务中心" in result.reason
    assert "2018-03-01" in result.reason


def test_day_of_city_wide_accepts_at_the_same_foreign_center():
    result = decide(ELDER_CARD, XINZHUANG, household=HUNAN, on=date(2018, 3, 1))
    assert (result.decision, result.reason_code) == (Decision.HANDLE_HERE, "direct")


def test_before_city_wide_the_own_center_accepts_also_through_its_sub_center():
    result = decide(ELDER_CARD, TIANPING_SUB, household=HUNAN, on=date(2018, 2, 28))
    assert result == Routing(
        Decision.HANDLE_HERE,
        TIANPING,
        "本事项尚未全市通办；本中心为申请人户籍地中心，可以受理",
        "own_center",
    )


def test_before_city_wide_a_direct_item_belongs_to_the_household_not_the_residence():
    result = decide(ELDER_CARD, XINZHUANG, household=FENGLIN, residence=XINZHUANG, on=MARCH)
    assert result.decision is Decision.HANDLE_HERE
    early = decide(ELDER_CARD, XINZHUANG, FENGLIN, XINZHUANG, on=date(2018, 2, 28))
    assert (early.decision, early.processing_center) == (Decision.REFUSE, FENGLIN)


def test_before_city_wide_a_separated_item_follows_its_processing_rule():
    early = date(2018, 2, 28)
    at_residence = decide(RESIDENCE_ITEM, XINZHUANG, FENGLIN, XINZHUANG, on=early)
    assert (at_residence.decision, at_residence.reason_code) == (Decision.HANDLE_HERE, "own_center")
    at_household = decide(RESIDENCE_ITEM, FENGLIN, FENGLIN, XINZHUANG, on=early)
    assert (at_household.decision, at_household.processing_center) == (Decision.REFUSE, XINZHUANG)
    assert "居住地" in at_household.reason


# --- the July 2018 family -----------------------------------------------------------------------


def test_residence_permit_before_july_is_served_where_the_migrant_lives():
    june_30 = date(2018, 6, 30)
    here = decide(PERMIT, FENGLIN, household=None, residence=FENGLIN, on=june_30)
    assert (here.decision, here.reason_code) == (Decision.HANDLE_HERE, "own_center")
    elsewhere = decide(PERMIT, XINZHUANG, household=None, residence=FENGLIN, on=june_30)
    assert (elsewhere.decision, elsewhere.processing_center) == (Decision.REFUSE, FENGLIN)
    assert elsewhere.reason_code == "not_city_wide"
    assert "2018-07-01" in elsewhere.reason


def test_residence_permit_from_july_first_is_accepted_anywhere():
    result = decide(PERMIT, XINZHUANG, household=None, residence=FENGLIN, on=JULY)
    assert (result.decision, result.reason_code) == (Decision.HANDLE_HERE, "direct")


def test_migrant_registration_from_july_is_forwarded_to_the_residence_center():
    result = decide(PERMIT_SEPARATED, XINZHUANG, household=None, residence=HUNAN, on=JULY)
    assert (result.decision, result.processing_center) == (Decision.FORWARD, TIANPING)
    assert result.reason == "收受分离 → 转天平路街道社区事务受理服务中心办理（居住地）"


def test_migrant_registration_before_july_without_any_shanghai_street_is_refused():
    result = decide(PERMIT_SEPARATED, XINZHUANG, None, None, on=date(2018, 6, 30))
    assert result == Routing(
        Decision.REFUSE,
        None,
        "不予受理：本事项由本市居住地中心办理，申请人在本市无居住地",
        "no_shanghai_residence",
    )


# --- separated items --------------------------------------------------------------------------


def test_separated_item_is_forwarded_to_the_household_center():
    result = decide(MATERNITY, XINZHUANG, household=HUNAN, residence=XINZHUANG)
    assert result == Routing(
        Decision.FORWARD,
        TIANPING,
        "收受分离 → 转天平路街道社区事务受理服务中心办理（户籍地）",
        "separated_forward",
    )


def test_separated_item_at_the_household_center_is_handled_here():
    result = decide(MATERNITY, TIANPING, household=HUNAN, residence=XINZHUANG)
    assert (result.decision, result.processing_center) == (Decision.HANDLE_HERE, TIANPING)
    assert result.reason_code == "separated_here"


def test_separated_item_at_a_sub_center_of_the_household_center_is_handled_by_the_center():
    result = decide(MATERNITY, TIANPING_SUB, household=TIANPING)
    assert (result.decision, result.processing_center) == (Decision.HANDLE_HERE, TIANPING)


def test_separated_item_from_a_sub_center_of_another_center_is_forwarded():
    result = decide(MATERNITY, TIANPING_SUB, household=FENGLIN)
    assert (result.decision, result.processing_center) == (Decision.FORWARD, FENGLIN)


def test_residence_processed_item_goes_to_the_residence_center():
    result = decide(RESIDENCE_ITEM, TIANPING, household=TIANPING, residence=XINZHUANG)
    assert (result.decision, result.processing_center) == (Decision.FORWARD, XINZHUANG)


def test_residence_defaults_to_the_household_street():
    result = decide(RESIDENCE_ITEM, XINZHUANG, household=FENGLIN, residence=None)
    assert (result.decision, result.processing_center) == (Decision.FORWARD, FENGLIN)


def test_household_processed_item_without_shanghai_household_is_refused():
    result = decide(MATERNITY, TIANPING, household=None, residence=TIANPING)
    assert result == Routing(
        Decision.REFUSE,
        None,
        "不予受理：本事项由本市户籍地中心办理，申请人无本市户籍",
        "no_shanghai_household",
    )


# --- home-district items ----------------------------------------------------------------------


def test_home_district_item_at_a_foreign_center_names_the_own_center():
    result = decide(LOW_RENT, XINZHUANG, household=HUNAN, on=date(2019, 4, 10))
    assert result == Routing(
        Decision.REFUSE,
        TIANPING,
        "不予通办：本事项仅由户籍地受理，请至天平路街道社区事务受理服务中心办理",
        "home_district_elsewhere",
    )


def test_home_district_item_in_the_same_district_but_another_center_is_refused():
    result = decide(LOW_RENT, FENGLIN, household=HUNAN, on=date(2019, 4, 10))
    assert (result.reason_code, result.processing_center) == ("home_district_elsewhere", TIANPING)


@pytest.mark.parametrize("day", [date(2019, 4, 1), date(2019, 4, 30), date(2019, 10, 8)])
def test_home_district_item_inside_a_window_is_handled_at_the_own_center(day: date):
    result = decide(LOW_RENT, TIANPING_SUB, household=HUNAN, on=day)
    assert (result.decision, result.processing_center) == (Decision.HANDLE_HERE, TIANPING)
    assert result.reason_code == "home_district_open"


def test_home_district_item_before_a_window_names_the_next_window():
    result = decide(LOW_RENT, TIANPING, household=HUNAN, on=date(2019, 5, 1))
    assert result == Routing(
        Decision.REFUSE,
        TIANPING,
        "本区受理窗口未开放（下一期：2019-10-08 至 2019-10-31）",
        "outside_window",
    )


def test_home_district_item_after_the_last_window_says_when_it_closed():
    result = decide(LOW_RENT, TIANPING, household=HUNAN, on=date(2019, 11, 1))
    assert result.reason_code == "outside_window"
    assert "2019-10-31" in result.reason


def test_home_district_item_without_announced_windows_is_refused():
    result = decide(LOW_RENT, XINZHUANG, household=XINZHUANG, on=date(2019, 4, 10))
    assert (result.decision, result.reason_code) == (Decision.REFUSE, "no_window")
    other_item = decide(SHARED, TIANPING, household=TIANPING, on=date(2019, 4, 10))
    assert other_item.reason_code == "no_window"


def test_home_district_item_without_shanghai_household_is_refused():
    result = decide(LOW_RENT, TIANPING, household=None, residence=TIANPING, on=date(2019, 4, 10))
    assert (result.processing_center, result.reason_code) == (None, "no_shanghai_household")


# --- bad input --------------------------------------------------------------------------------


def test_unknown_site_or_street_is_a_configuration_error():
    with pytest.raises(ValueError, match="未知的受理点代码"):
        decide(ELDER_CARD, "999999999", household=TIANPING)
    with pytest.raises(ValueError, match="未知的街道代码"):
        decide(ELDER_CARD, TIANPING, household="999999999")


# --- properties -------------------------------------------------------------------------------

SITES = sorted([*GEOGRAPHY.centers, *GEOGRAPHY.sub_centers])
STREETS = sorted(GEOGRAPHY.streets)
maybe_street = st.none() | st.sampled_from(STREETS)
days = st.dates(min_value=date(2017, 6, 1), max_value=date(2020, 12, 31))
cases = st.tuples(st.sampled_from(ITEMS), st.sampled_from(SITES), maybe_street, maybe_street, days)


def relevant_street(item: Item, household: str | None, residence: str | None) -> str | None:
    """Independent restatement: the street whose center must process the case."""
    residence = residence or household
    if item.processing_center is ProcessingCenterRule.RESIDENCE:
        return residence
    if item.mode is Mode.DIRECT and household is None:
        return residence
    return household


@given(cases)
def test_forward_never_targets_the_accepting_center(case):
    item, site, household, residence, day = case
    result = decide(item, site, household, residence, day)
    if result.decision is Decision.FORWARD:
        assert result.processing_center != GEOGRAPHY.center(site).code


@given(cases)
def test_the_processing_center_serves_the_relevant_street(case):
    item, site, household, residence, day = case
    result = decide(item, site, household, residence, day)
    if result.decision is Decision.HANDLE_HERE:
        assert result.processing_center == GEOGRAPHY.center(site).code
    if result.reason_code == "direct":
        return  # 直接受理: handled wherever accepted, whatever the streets
    if result.decision is not Decision.REFUSE:
        street = relevant_street(item, household, residence)
        assert street is not None
        assert GEOGRAPHY.center_for_street(street).code == result.processing_center


@given(cases)
def test_refusal_always_gives_a_reason_and_a_real_center_or_none(case):
    item, site, household, residence, day = case
    result = decide(item, site, household, residence, day)
    assert result.reason.strip()
    assert result.reason_code
    if result.decision is Decision.REFUSE:
        assert result.processing_center is None or result.processing_center in GEOGRAPHY.centers
        assert result.reason.startswith(("不予", "本区受理窗口未开放"))


@given(cases)
def test_a_sub_center_decides_exactly_like_its_center(case):
    item, _, household, residence, day = case
    via_sub = decide(item, TIANPING_SUB, household, residence, day)
    assert via_sub == decide(item, TIANPING, household, residence, day)


@given(cases)
def test_city_wide_items_are_never_refused_for_place(case):
    item, site, household, residence, day = case
    result = decide(item, site, household, residence, day)
    if item.is_city_wide_on(day) and result.decision is Decision.REFUSE:
        assert result.reason_code in {"no_shanghai_household", "no_shanghai_residence"}
        assert result.processing_center is None


@given(cases)
def test_home_district_items_are_never_forwarded(case):
    item, site, household, residence, day = case
    if item.mode is Mode.HOME_DISTRICT:
        assert decide(item, site, household, residence, day).decision is not Decision.FORWARD
