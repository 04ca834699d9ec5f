"""Where an application is handled: here, forwarded to the responsible center, or not at all.

The rule of 全市通办 (2018): a city-wide item may be accepted at any center. 直接受理 items are
handled where they are accepted; 收受分离 items travel to the center of the applicant's household
(户籍地) or residence (居住地), as the item says. Before an item's city_wide_from date the old rule
holds: only the applicant's own center accepts it. 属地 items (廉租住房, 共有产权保障住房) are never
city-wide: only the own household center accepts them, and only inside a window its district
announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tongban.models.catalog.schema import Catalog, HomeDistrictWindow, Item, Mode
from tongban.models.catalog.schema import ProcessingCenterRule as Rule
from tongban.models.geography import Center, Geography


class Decision(StrEnum):
    HANDLE_HERE = "handle_here"
    FORWARD = "forward"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Routing:
    decision: Decision
    # handle_here: this center; forward: the target; refuse: the center to visit instead
    # (None when there is none, e.g. a household registered outside Shanghai).
    processing_center: str | None
    reason: str  # Chinese, shown to the clerk
    reason_code: str  # machine-readable, stable


@dataclass(frozen=True)
class _Applicant:
    """The applicant's Shanghai streets; None where the applicant has none."""

    household: str | None
    residence: str | None


def route(
    *,
    geography: Geography,
    catalog: Catalog,
    site: str,
    item: Item,
    household_street: str | None,
    residence_street: str | None,
    on: date,
) -> Routing:
    """Decide where this application is processed when it is brought to `site` on day `on`.

    `site` is a center's or a sub-center's code (a sub-center accepts for its center).
    `household_street` None: the household is registered outside Shanghai.
    `residence_street` None: the applicant lives at the household address.
    Unknown codes raise ValueError: they are configuration errors, not a clerk's decision.
    """
    if not geography.is_site(site):
        raise ValueError(f"未知的受理点代码：{site}")
    for street in (household_street, residence_street):
        if street is not None and street not in geography.streets:
            raise ValueError(f"未知的街道代码：{street}")
    here = geography.center(site)
    applicant = _Applicant(household_street, residence_street or household_street)
    if item.mode is Mode.HOME_DISTRICT:
        return _home_district(geography, catalog, here, item, applicant, on)
    if not item.is_city_wide_on(on):
        return _before_city_wide(geography, here, item, applicant)
    if item.mode is Mode.DIRECT:
        return Routing(Decision.HANDLE_HERE, here.code, "直接受理：本中心受理并办理", "direct")
    return _separated(geography, here, item, applicant)


def _separated(geography: Geography, here: Center, item: Item, applicant: _Applicant) -> Routing:
    rule = item.processing_center or Rule.HOUSEHOLD
    street = applicant.residence if rule is Rule.RESIDENCE else applicant.household
    if street is None:
        return _no_street(rule)
    target = geography.center_for_street(street)
    basis = _basis(rule)
    if target.code == here.code:
        reason = f"收受分离：本中心即{basis}中心，本中心办理"
        return Routing(Decision.HANDLE_HERE, here.code, reason, "separated_here")
    reason = f"收受分离 → 转{target.name}办理（{basis}）"
    return Routing(Decision.FORWARD, target.code, reason, "separated_forward")


def _before_city_wide(
    geography: Geography, here: Center, item: Item, applicant: _Applicant
) -> Routing:
    rule, street = _own_street(item, applicant)
    if street is None:
        return _no_street(rule)
    own = geography.center_for_street(street)
    basis = _basis(rule)
    if own.code == here.code:
        reason = f"本事项尚未全市通办；本中心为申请人{basis}中心，可以受理"
        return Routing(Decision.HANDLE_HERE, here.code, reason, "own_center")
    since = f"（{item.city_wide_from.isoformat()} 起全市通办）" if item.city_wide_from else ""
    reason = f"不予通办：请至{own.name}（{basis}）办理{since}"
    return Routing(Decision.REFUSE, own.code, reason, "not_city_wide")


def _own_street(item: Item, applicant: _Applicant) -> tuple[Rule, str | None]:
    """The street whose center was the applicant's own under the old, territorial rule.

    A direct item belonged to the household center; an applicant without a Shanghai household
    (来沪人员, e.g. for the residence-permit family) was served where they live.
    """
    if item.processing_center is Rule.RESIDENCE:
        return Rule.RESIDENCE, applicant.residence
    if item.processing_center is None and applicant.household is None:
        return Rule.RESIDENCE, applicant.residence
    return Rule.HOUSEHOLD, applicant.household


def _home_district(
    geography: Geography,
    catalog: Catalog,
    here: Center,
    item: Item,
    applicant: _Applicant,
    on: date,
) -> Routing:
    if applicant.household is None:
        return _no_street(Rule.HOUSEHOLD)
    own = geography.center_for_street(applicant.household)
    if own.code != here.code:
        reason = f"不予通办：本事项仅由户籍地受理，请至{own.name}办理"
        return Routing(Decision.REFUSE, own.code, reason, "home_district_elsewhere")
    district = geography.street(applicant.household).district_code
    windows = sorted(catalog.windows_for(item.code, district), key=lambda w: w.opens)
    current = next((w for w in windows if w.opens <= on <= w.closes), None)
    if current is not None:
        reason = f"本区受理窗口开放中（{_span(current)}）"
        return Routing(Decision.HANDLE_HERE, here.code, reason, "home_district_open")
    if not windows:
        reason = "本区受理窗口未开放（本区尚未公布受理时段）"
        return Routing(Decision.REFUSE, here.code, reason, "no_window")
    upcoming = next((w for w in windows if w.opens > on), None)
    if upcoming is not None:
        detail = f"下一期：{_span(upcoming)}"
    else:
        detail = f"最近一期已于 {windows[-1].closes.isoformat()} 结束，尚无新一期"
    return Routing(Decision.REFUSE, here.code, f"本区受理窗口未开放（{detail}）", "outside_window")


def _no_street(rule: Rule) -> Routing:
    if rule is Rule.RESIDENCE:
        reason = "不予受理：本事项由本市居住地中心办理，申请人在本市无居住地"
        return Routing(Decision.REFUSE, None, reason, "no_shanghai_residence")
    reason = "不予受理：本事项由本市户籍地中心办理，申请人无本市户籍"
    return Routing(Decision.REFUSE, None, reason, "no_shanghai_household")


def _basis(rule: Rule) -> str:
    return "居住地" if rule is Rule.RESIDENCE else "户籍地"


def _span(window: HomeDistrictWindow) -> str:
    return f"{window.opens.isoformat()} 至 {window.closes.isoformat()}"
