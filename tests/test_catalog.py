"""The bundled catalog revision 2018-07-01, and how the loader reports a broken revision file.

The numbers are the ones announced for 全市通办: 174 items of 11 departments; from 2018-03-01, 161
city-wide (135 直接受理, 26 收受分离); from 2018-07-01 the 11 residence-permit items of 公安 join,
172 in all; 廉租住房 and 共有产权保障住房 are never city-wide.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.models.catalog import (
    Catalog,
    CatalogError,
    CatalogProblem,
    CollectionMethod,
    HukouRequirement,
    Item,
    Material,
    MaterialForm,
    Mode,
    ProcessingCenterRule,
    Requirement,
    Source,
    default_catalog_path,
    load_catalog,
)
from tongban.models.catalog.loader import parse_catalog

CATALOG_FILE = default_catalog_path()
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

DEPARTMENT_LETTERS = {
    "公安": "GA",
    "民政": "MZ",
    "人社": "RS",
    "卫计": "WJ",
    "住建": "ZJ",
    "粮食": "LS",
    "工会": "GH",
    "残联": "CL",
    "档案": "DA",
    "经信": "JX",
    "住房公积金": "GJJ",
}
MARCH = date(2018, 3, 1)
JULY = date(2018, 7, 1)
BY_AGENT = "委托他人代办时"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_FILE)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.load(CATALOG_FILE.read_text(encoding="utf-8"), Loader=LOADER)


def named(catalog: Catalog, name: str) -> Item:
    [item] = [i for i in catalog.items if i.name == name]
    return item


def materials(item: Item) -> dict[str, Material]:
    return {m.name: m for m in item.materials}


def city_wide(catalog: Catalog, day: date, mode: Mode) -> int:
    return sum(1 for i in catalog.items if i.mode is mode and i.is_city_wide_on(day))


# --- The announced numbers ----------------------------------------------------------------


def test_the_file_is_the_default_revision_named_after_itself(catalog):
    assert catalog.revision == CATALOG_FILE.stem == "2018-07-01"
    assert catalog.effective_from == JULY


def test_174_items_by_mode_and_start(catalog):
    starts = Counter((i.mode, i.city_wide_from) for i in catalog.items)
    assert len(catalog.items) == 174
    assert starts == {
        (Mode.DIRECT, MARCH): 135,
        (Mode.SEPARATED, MARCH): 26,
        (Mode.DIRECT, JULY): 11,
        (Mode.HOME_DISTRICT, None): 2,
    }


@pytest.mark.parametrize(
    ("day", "direct", "separated"),
    [
        (date(2018, 2, 28), 0, 0),
        (date(2018, 3, 1), 135, 26),
        (date(2018, 4, 1), 135, 26),
        (date(2018, 6, 30), 135, 26),
        (date(2018, 7, 1), 146, 26),
    ],
)
def test_city_wide_items_on_each_stage_of_the_reform(catalog, day, direct, separated):
    assert city_wide(catalog, day, Mode.DIRECT) == direct
    assert city_wide(catalog, day, Mode.SEPARATED) == separated
    assert city_wide(catalog, day, Mode.HOME_DISTRICT) == 0


@settings(max_examples=60)
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_the_city_wide_count_on_any_day(catalog, day):
    expected = 0 if day < MARCH else 161 if day < JULY else 172
    assert sum(item.is_city_wide_on(day) for item in catalog.items) == expected


def test_the_july_items_are_the_residence_permit_family_of_public_security(catalog):
    july = [i for i in catalog.items if i.city_wide_from == JULY]
    assert len(july) == 11
    assert {i.department for i in july} == {"公安"}
    assert all("居住证" in i.name or "来沪人员" in i.name for i in july)
    assert all(i.eligibility.hukou is HukouRequirement.NON_SHANGHAI for i in july)
    assert [i for i in catalog.items if i.department == "公安"] == july


def test_eleven_departments_each_with_items(catalog):
    assert catalog.departments == tuple(DEPARTMENT_LETTERS)
    per_department = Counter(i.department for i in catalog.items)
    assert set(per_department) == set(DEPARTMENT_LETTERS)
    assert all(count >= 2 for count in per_department.values())


def test_codes_are_unique_and_carry_their_department_letters(catalog):
    codes = [i.code for i in catalog.items]
    assert len(set(codes)) == len(codes)
    for item in catalog.items:
        letters = DEPARTMENT_LETTERS[item.department]
        assert item.code[: len(letters)] == letters and item.code[len(letters) :].isdigit()
        assert catalog.item(item.code) is item


def test_the_two_home_district_items(catalog):
    home = [i for i in catalog.items if i.mode is Mode.HOME_DISTRICT]
    assert {i.name for i in home} == {"廉租住房申请", "共有产权保障住房申请"}
    assert all(i.department == "住建" and i.city_wide_from is None for i in home)
    assert not any(i.is_city_wide_on(date(2100, 1, 1)) for i in home)


def test_separated_items_name_their_processing_center(catalog):
    separated = [i for i in catalog.items if i.mode is Mode.SEPARATED]
    rules = Counter(i.processing_center for i in separated)
    assert None not in rules
    assert rules[ProcessingCenterRule.HOUSEHOLD] > rules[ProcessingCenterRule.RESIDENCE] > 0


def test_paper_travels_only_for_separated_items(catalog):
    moving = [i for i in catalog.items if i.paper_moves]
    assert moving and all(i.mode is Mode.SEPARATED for i in moving)


def test_no_windows_or_holiday_tables_are_shipped(catalog):
    # Real district windows and later State Council schedules are entered by an administrator.
    assert catalog.home_district_windows == ()
    assert catalog.holiday_tables == ()


# --- Materials ----------------------------------------------------------------------------


def test_almost_every_item_takes_an_agents_id_and_letter(catalog):
    with_agent = [
        i
        for i in catalog.items
        if {"代办人身份证件", "授权委托书"} <= {m.name for m in i.materials if m.for_agent}
    ]
    assert len(with_agent) >= 0.8 * len(catalog.items)
    for item in catalog.items:
        for material in item.materials:
            if material.for_agent:
                assert material.requirement is Requirement.CONDITIONAL
                assert material.condition == BY_AGENT


def test_only_minor_materials_may_be_supplied_later(catalog):
    deferrable = [m for i in catalog.items for m in i.materials if m.deferrable]
    assert deferrable
    for material in deferrable:
        assert "身份证" not in material.name and "申请" not in material.name
        assert material.source is not Source.CENTER


def test_old_age_card(catalog):
    card = named(catalog, "敬老卡申领")
    assert "老年卡" in card.aliases
    age = card.eligibility.age
    assert age is not None and (age.min_years, age.advance_days) == (65, 30)
    assert card.eligibility.hukou is HukouRequirement.SHANGHAI
    kit = materials(card)
    own_id = kit["申请人身份证件"]
    assert own_id.form is MaterialForm.ORIGINAL and own_id.requirement is Requirement.REQUIRED
    for name in ("代办人身份证件", "授权委托书"):
        assert kit[name].requirement is Requirement.CONDITIONAL
        assert kit[name].condition == BY_AGENT and kit[name].for_agent


def test_maternity_insurance_is_processed_at_the_household_center(catalog):
    item = named(catalog, "生育保险待遇申领")
    assert item.mode is Mode.SEPARATED
    assert item.processing_center is ProcessingCenterRule.HOUSEHOLD
    kit = materials(item)
    for name in (
        "夫妻双方身份证件",
        "夫妻双方户籍证明",
        "结婚证",
        "生育医学证明",
        "新生儿户籍证明",
    ):
        assert kit[name].requirement is Requirement.REQUIRED
    assert kit["本人实名银行卡"].deferrable


def test_residence_permit_first_issue(catalog):
    item = named(catalog, "居住证新办")
    assert (item.mode, item.city_wide_from) == (Mode.DIRECT, JULY)
    assert item.fee.amount_yuan == 0 and "首次" in (item.fee.basis or "")
    assert "受理回执" in item.result
    kit = materials(item)
    assert kit["申请人居民身份证"].requirement is Requirement.REQUIRED
    assert kit["合法稳定住所证明"].requirement is Requirement.CONDITIONAL


@pytest.mark.parametrize("name", ["居住证挂失", "跨省异地就医登记备案", "失业登记"])
def test_items_done_on_the_spot(catalog, name):
    item = named(catalog, name)
    assert (item.legal_days, item.promised_days) == (0, 0)
    assert item.collection == (CollectionMethod.ON_THE_SPOT,)


def test_flexible_employment_subsidy(catalog):
    kit = materials(named(catalog, "灵活就业社会保险补贴"))
    assert {"申请人身份证件", "本人实名银行卡", "就业创业证"} <= set(kit)


def test_minimum_living_allowance(catalog):
    item = named(catalog, "最低生活保障")
    assert item.mode is Mode.SEPARATED
    assert item.processing_center is ProcessingCenterRule.HOUSEHOLD
    kit = materials(item)
    assert {"户口簿", "最低生活保障申请书", "家庭经济状况核对授权书"} <= set(kit)
    assert "每位成年家庭成员" in (kit["家庭经济状况核对授权书"].note or "")


def test_residents_medical_insurance_registration(catalog):
    item = named(catalog, "城乡居民基本医疗保险参保登记")
    kit = materials(item)
    assert kit["户口簿"].condition and kit["上海市居住证"].condition


@pytest.mark.parametrize("action", ["申领", "补领", "换领"])
def test_social_security_card(catalog, action):
    item = named(catalog, f"社会保障卡{action}")
    assert item.department == "人社" and item.mode is Mode.DIRECT
    assert "申请人身份证件" in materials(item)


def test_only_child_parents_reward(catalog):
    kit = materials(named(catalog, "独生子女父母奖励费申领"))
    assert {"独生子女父母光荣证", "申请人身份证件", "户口簿"} <= set(kit)


# --- The loader's reports of a broken file ------------------------------------------------


def index_of(data: dict[str, Any], code: str) -> int:
    return next(n for n, entry in enumerate(data["items"]) if entry["code"] == code)


def write(tmp_path: Path, data: object, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    text = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[CatalogProblem]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    return caught.value.problems


def where(problem: CatalogProblem) -> tuple[str, str | None, str]:
    return problem.file, problem.item, problem.field


def test_a_corrupt_yaml_file_names_the_line(tmp_path):
    lines = CATALOG_FILE.read_text(encoding="utf-8").splitlines()
    line = lines.index("    name: 敬老卡申领") + 1
    lines[line - 1] = "    name: 敬老卡申领: 多了一个冒号"
    path = tmp_path / "corrupt.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    [problem] = problems_of(path)
    assert where(problem) == ("corrupt.yaml", None, f"第 {line} 行")
    assert "YAML" in problem.message


def test_a_file_that_is_not_a_mapping(tmp_path, raw):
    [problem] = problems_of(write(tmp_path, raw["items"], "list.yaml"))
    assert where(problem) == ("list.yaml", None, "")
    assert "映射" in problem.message


def test_a_missing_file(tmp_path):
    [problem] = problems_of(tmp_path / "2099-01-01.yaml")
    assert where(problem) == ("2099-01-01.yaml", None, "")


def test_an_unknown_field_in_an_item_and_in_a_material(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["items"][index_of(data, "MZ010")]["colour"] = "红"
    data["items"][index_of(data, "RS077")]["materials"][2]["copy_count"] = 2
    problems = problems_of(write(tmp_path, data))
    assert [where(p) for p in problems] == [
        ("bad.yaml", "MZ010", "colour"),
        ("bad.yaml", "RS077", "materials[2].copy_count"),
    ]


def test_a_conditional_material_without_its_condition(tmp_path, raw):
    data = copy.deepcopy(raw)
    kit = data["items"][index_of(data, "MZ010")]["materials"]
    letter = next(n for n, m in enumerate(kit) if m["name"] == "授权委托书")
    del kit[letter]["condition"]
    [problem] = problems_of(write(tmp_path, data))
    assert where(problem) == ("bad.yaml", "MZ010", f"materials[{letter}].condition")
    assert "condition" in problem.message


def test_an_unknown_department(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["items"][index_of(data, "WJ006")]["department"] = "卫健"
    [problem] = problems_of(write(tmp_path, data))
    assert where(problem) == ("bad.yaml", "WJ006", "department")
    assert "卫健" in problem.message


def test_a_duplicate_code_names_the_second_item(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["items"][index_of(data, "MZ011")]["code"] = "MZ010"
    [problem] = problems_of(write(tmp_path, data))
    assert where(problem) == ("bad.yaml", "MZ010", "code")
    assert "MZ010" in problem.message


def test_an_item_without_a_code_is_named_by_its_position(tmp_path, raw):
    data = copy.deepcopy(raw)
    del data["items"][5]["code"]
    [problem] = problems_of(write(tmp_path, data))
    assert where(problem) == ("bad.yaml", "第 6 项", "code")


def test_a_broken_rule_between_fields_names_the_field(tmp_path, raw):
    data = copy.deepcopy(raw)
    entry = data["items"][index_of(data, "MZ001")]
    entry["promised_days"] = entry["legal_days"] + 1
    del data["items"][index_of(data, "RS077")]["processing_center"]
    problems = problems_of(write(tmp_path, data))
    assert [where(p) for p in problems] == [
        ("bad.yaml", "MZ001", "promised_days"),
        ("bad.yaml", "RS077", "processing_center"),
    ]


def test_the_error_message_leads_with_the_place(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["items"][index_of(data, "GA003")]["mode"] = "anywhere"
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, data))
    assert str(caught.value).startswith("bad.yaml 事项 GA003 字段 mode: ")


ITEM_FIELDS = set(Item.model_fields)


@settings(max_examples=30, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=173),
    key=st.from_regex(r"[a-z][a-z_]{2,11}", fullmatch=True).filter(lambda k: k not in ITEM_FIELDS),
)
def test_any_unknown_key_is_reported_at_its_item(raw, position, key):
    # A slice of the real file around the broken item keeps each example fast.
    real = raw["items"]
    start = max(0, position - 3)
    items = copy.deepcopy(real[start : position + 4])
    items[position - start][key] = "x"
    text = yaml.dump({**raw, "items": items}, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, file_name="slice.yaml")
    [problem] = caught.value.problems
    assert where(problem) == ("slice.yaml", real[position]["code"], key)
