"""The UI's item models and pure rules, without any window."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from test_ui_support import CATALOG, OLD_MAN_ID, TIANPING, streets_geography
from tongban.models.intake import MaterialState
from tongban.models.routing import Decision, Routing
from tongban.models.rules import check_identity
from tongban.ui.applicant_state import ApplicantState, identity_text, phone_is_plausible
from tongban.ui.decision import available_actions
from tongban.ui.item_picker import COL_DAYS, COL_FEE, COL_MODE, ItemResultsModel
from tongban.ui.materials import (
    COL_DEFERRED,
    COL_NAME,
    COL_ORIGINAL,
    COL_REQUIREMENT,
    COL_STATE,
    MaterialsModel,
    status_text,
)
from tongban.ui.pinyin_filter import PinyinFilter
from tongban.ui.street_picker import (
    CODE_ROLE,
    DistrictFilterModel,
    StreetChoice,
    StreetListModel,
    StreetSearchModel,
)

GEOGRAPHY = streets_geography()
STREET_NAMES = PinyinFilter({s.code: s.name for s in GEOGRAPHY.streets.values()})


def names_matching(query: str) -> list[str]:
    return [s.name for s in GEOGRAPHY.streets.values() if STREET_NAMES.matches(s.code, query)]


# Streets: the pinyin filter -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["天平", "tianping", "tpl", "tianpl", "天pl", "TPLJD", "tian ping"]
)
def test_a_street_is_found_by_chinese_pinyin_initials_or_a_mix(query: str) -> None:
    assert "天平路街道" in names_matching(query)


@pytest.mark.parametrize(
    ("query", "street"),
    [
        ("changqiao", "长桥街道"),
        ("zhangqiao", "长桥街道"),
        ("yanghang", "杨行镇"),
        ("cqjd", "长桥街道"),
    ],
)
def test_every_reading_of_a_polyphonic_character_counts(query: str, street: str) -> None:
    assert street in names_matching(query)


def test_a_query_that_spells_nothing_matches_nothing() -> None:
    assert names_matching("qqqq") == []
    assert names_matching("不存在的街") == []


def test_code_prefix_matches() -> None:
    assert names_matching(TIANPING) == ["天平路街道"]


@given(st.sampled_from(sorted(GEOGRAPHY.streets)))
def test_every_street_is_found_by_its_own_name(code: str) -> None:
    name = GEOGRAPHY.street(code).name
    assert STREET_NAMES.matches(code, name)
    assert STREET_NAMES.rank(code, name) == 0


# Streets: the models --------------------------------------------------------------------------


def test_street_list_holds_every_street_with_its_code(qapp) -> None:
    model = StreetListModel(GEOGRAPHY)
    assert model.rowCount() == len(GEOGRAPHY.streets)
    row = model.row_of(TIANPING)
    assert model.index(row, 0).data() == "天平路街道"
    assert model.index(row, 0).data(CODE_ROLE) == TIANPING


def test_district_filter_keeps_one_districts_streets(qapp) -> None:
    source = StreetListModel(GEOGRAPHY)
    by_district = DistrictFilterModel()
    by_district.setSourceModel(source)
    by_district.set_district("310104")
    codes = {by_district.index(r, 0).data(CODE_ROLE) for r in range(by_district.rowCount())}
    assert codes == {s.code for s in GEOGRAPHY.streets_in("310104")}
    by_district.set_district(None)
    assert by_district.rowCount() == len(GEOGRAPHY.streets)


def test_search_model_filters_by_pinyin_and_puts_matches_from_the_start_first(qapp) -> None:
    source = StreetListModel(GEOGRAPHY)
    search = StreetSearchModel(STREET_NAMES)
    search.setSourceModel(source)
    search.set_query("xu")
    shown = [search.index(r, 0).data() for r in range(search.rowCount())]
    assert shown[0] == "徐家汇街道"
    assert "徐泾镇" in shown
    search.set_query("tpl")
    assert [search.index(r, 0).data() for r in range(search.rowCount())] == ["天平路街道"]
    search.set_query("")
    assert search.rowCount() == len(GEOGRAPHY.streets)


# Items ------------------------------------------------------------------------------------------


def test_item_results_show_mode_promised_days_and_fee(qapp) -> None:
    model = ItemResultsModel()
    model.set_items(CATALOG.items)
    texts = {
        model.index(r, 0).data(): [model.index(r, c).data() for c in (COL_MODE, COL_DAYS, COL_FEE)]
        for r in range(model.rowCount())
    }
    assert texts["MZ001"] == ["直接受理", "10 个工作日", "免费"]
    assert texts["WJ001"][0] == "收受分离"
    assert texts["ZJ001"][0] == "属地受理"
    assert texts["GA001"][1:] == ["即办", "20.00 元"]
    assert model.headerData(COL_FEE, Qt.Orientation.Horizontal) == "收费"


# Materials --------------------------------------------------------------------------------------


@pytest.fixture
def senior_card(qapp) -> MaterialsModel:
    model = MaterialsModel()
    model.set_item(CATALOG.item("MZ001"))
    return model


def row_of(model: MaterialsModel, name: str) -> int:
    return next(r for r in range(model.rowCount()) if model.material_at(r).name == name)


def test_agent_materials_join_the_list_only_with_an_agent(senior_card: MaterialsModel) -> None:
    names = [senior_card.material_at(r).name for r in range(senior_card.rowCount())]
    assert names == ["申请人身份证", "户口簿", "近期一寸照片"]
    senior_card.set_has_agent(True)
    assert senior_card.rowCount() == 5
    assessment = senior_card.assessment()
    assert assessment is not None
    assert {m.name for m in assessment.missing} >= {"代办人身份证件", "授权委托书"}


def test_toggling_a_row_receives_everything_and_again_nothing(senior_card) -> None:
    row = row_of(senior_card, "户口簿")  # original and one copy
    senior_card.toggle_received(row)
    check = senior_card.check(row)
    assert (check.original_seen, check.copies_received) == (True, 1)
    assert senior_card.state(row) is MaterialState.RECEIVED
    assert senior_card.index(row, COL_NAME).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked
    )
    senior_card.toggle_received(row)
    assert senior_card.state(row) is MaterialState.MISSING


def test_status_line_names_what_is_missing_then_what_is_deferred(senior_card) -> None:
    assert status_text(senior_card.assessment()) == "尚缺 3 项：申请人身份证、户口簿、近期一寸照片"
    senior_card.toggle_received(row_of(senior_card, "申请人身份证"))
    senior_card.toggle_received(row_of(senior_card, "近期一寸照片"))
    senior_card.toggle_deferred(row_of(senior_card, "户口簿"))
    assert status_text(senior_card.assessment()) == "容缺 1 项：户口簿（申请人须签署承诺书）"
    assessment = senior_card.assessment()
    assert assessment is not None and assessment.can_accept and not assessment.complete
    senior_card.toggle_received(row_of(senior_card, "户口簿"))
    assert status_text(senior_card.assessment()) == "材料齐全"
    assert status_text(None) == "请先选择事项"


def test_only_deferrable_materials_can_be_deferred(senior_card) -> None:
    photo = row_of(senior_card, "近期一寸照片")
    senior_card.toggle_deferred(photo)
    assert senior_card.state(photo) is MaterialState.MISSING
    flags = senior_card.flags(senior_card.index(photo, COL_DEFERRED))
    assert not flags & Qt.ItemFlag.ItemIsUserCheckable


def test_copies_count_up_to_what_the_item_asks(senior_card) -> None:
    photo = row_of(senior_card, "近期一寸照片")  # two copies
    senior_card.change_copies(photo, 1)
    assert senior_card.state(photo) is MaterialState.MISSING
    senior_card.change_copies(photo, 5)
    assert senior_card.check(photo).copies_received == 2
    assert senior_card.state(photo) is MaterialState.RECEIVED
    senior_card.change_copies(photo, -9)
    assert senior_card.check(photo).copies_received == 0


def test_a_conditional_material_is_needed_once_its_condition_applies(qapp) -> None:
    model = MaterialsModel()
    model.set_item(CATALOG.item("WJ001"))
    divorce = row_of(model, "离婚证明")
    assert model.state(divorce) is MaterialState.NOT_NEEDED
    assert model.index(divorce, COL_REQUIREMENT).data() == "条件：再婚的"
    assert model.setData(
        model.index(divorce, COL_REQUIREMENT), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
    )
    assert model.state(divorce) is MaterialState.MISSING
    assert model.index(divorce, COL_STATE).data() == "缺"


def test_original_column_is_checkable_only_where_there_is_an_original(senior_card) -> None:
    photo = row_of(senior_card, "近期一寸照片")  # copies only
    card = row_of(senior_card, "申请人身份证")
    assert not senior_card.flags(senior_card.index(photo, COL_ORIGINAL)) & (
        Qt.ItemFlag.ItemIsUserCheckable
    )
    senior_card.setData(
        senior_card.index(card, COL_ORIGINAL), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
    )
    assert senior_card.state(card) is MaterialState.RECEIVED


def test_a_new_item_starts_an_empty_checklist(senior_card) -> None:
    senior_card.toggle_received(0)
    senior_card.set_item(CATALOG.item("MZ001"))
    assert senior_card.check(0).original_seen is False


# Applicant and decisions -------------------------------------------------------------------------


def an_applicant(**changes: object) -> ApplicantState:
    values: dict[str, object] = {
        "identity": check_identity(OLD_MAN_ID, today=date(2026, 3, 2)),
        "name": "李建国",
        "phone": "13800138000",
        "household": StreetChoice(TIANPING),
        "separated": False,
        "residence": StreetChoice(),
        "has_agent": False,
        "agent": None,
        "agent_problem": None,
    }
    values.update(changes)
    return ApplicantState(**values)  # type: ignore[arg-type]


HERE = Routing(Decision.HANDLE_HERE, TIANPING, "直接受理：本中心受理并办理", "direct")
ELSEWHERE = Routing(Decision.REFUSE, "310101002", "不予通办：请至南京东路街道办理", "x")


def assessed(*received: str):
    model = MaterialsModel()
    model.set_item(CATALOG.item("MZ001"))
    for name in received:
        model.toggle_received(row_of(model, name))
    return model.assessment()


ALL_SENIOR = ("申请人身份证", "户口簿", "近期一寸照片")


def test_accept_needs_a_complete_applicant_an_item_and_the_materials(qapp) -> None:
    item = CATALOG.item("MZ001")
    ready = available_actions(
        applicant=an_applicant(),
        item=item,
        routing=HERE,
        assessment=assessed(*ALL_SENIOR),
        decided=False,
    )
    assert ready.accept and not ready.notify and ready.refuse and not ready.guide
    assert ready.blocker == ""
    missing = available_actions(
        applicant=an_applicant(),
        item=item,
        routing=HERE,
        assessment=assessed("申请人身份证"),
        decided=False,
    )
    assert not missing.accept and missing.notify
    assert missing.blocker == "尚缺必需材料：户口簿、近期一寸照片"


def test_accept_is_blocked_by_the_first_gap_in_the_form(qapp) -> None:
    actions = available_actions(
        applicant=an_applicant(phone=""),
        item=CATALOG.item("MZ001"),
        routing=HERE,
        assessment=assessed(*ALL_SENIOR),
        decided=False,
    )
    assert not actions.accept and actions.blocker == "请录入联系电话"
    assert actions.refuse  # identified: a refusal can still be recorded


def test_a_refused_routing_offers_guidance_not_acceptance(qapp) -> None:
    actions = available_actions(
        applicant=an_applicant(),
        item=CATALOG.item("MZ001"),
        routing=ELSEWHERE,
        assessment=assessed(*ALL_SENIOR),
        decided=False,
    )
    assert not actions.accept and not actions.notify and actions.guide
    assert actions.blocker == ELSEWHERE.reason


def test_nothing_is_possible_twice(qapp) -> None:
    actions = available_actions(
        applicant=an_applicant(),
        item=CATALOG.item("MZ001"),
        routing=HERE,
        assessment=assessed(*ALL_SENIOR),
        decided=True,
    )
    assert not (actions.accept or actions.notify or actions.refuse or actions.guide)


def test_applicant_input_carries_residence_only_when_separated() -> None:
    together = an_applicant(residence=StreetChoice("310101002")).to_input()
    assert together is not None and together.residence_street is None
    apart = an_applicant(separated=True, residence=StreetChoice("310101002")).to_input()
    assert apart is not None and apart.residence_street == "310101002"
    outside = an_applicant(household=StreetChoice(outside_shanghai=True)).to_input()
    assert outside is not None and outside.household_street is None
    assert an_applicant(household=StreetChoice()).to_input() is None


def test_identity_line_shows_birth_gender_and_age(qapp) -> None:
    check = check_identity(OLD_MAN_ID, today=date(2026, 3, 2))
    text, good = identity_text(check, OLD_MAN_ID, date(2026, 3, 2), final=True)
    assert good and text == "有效 · 居民身份证 · 男 · 1958-03-07 · 67 周岁"
    partial = check_identity(OLD_MAN_ID[:10], today=date(2026, 3, 2))
    assert identity_text(partial, OLD_MAN_ID[:10], date(2026, 3, 2), final=False) == (
        "已输入 10 位",
        True,
    )
    wrong = OLD_MAN_ID[:-1] + ("0" if OLD_MAN_ID[-1] != "0" else "1")
    text, good = identity_text(check_identity(wrong), wrong, date(2026, 3, 2), final=False)
    assert not good and text == "无效：校验码错误"


@pytest.mark.parametrize(
    ("phone", "plausible"),
    [
        ("13800138000", True),
        ("021-64318888", True),
        ("64318888", True),
        ("1380013800", False),
        ("abc", False),
    ],
)
def test_phone_plausibility(phone: str, plausible: bool) -> None:
    assert phone_is_plausible(phone) is plausible
