"""Item search per keystroke, on a hand-built list of real-looking items."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from pypinyin import Style, pinyin

from tongban.models.catalog.schema import CollectionMethod, Item, Material, MaterialForm, Mode
from tongban.models.catalog.schema import ProcessingCenterRule as Rule
from tongban.models.search import ItemSearch, normalize


def make_item(code: str, name: str, *aliases: str) -> Item:
    separated = code.startswith("WJ")
    return Item(
        code=code,
        name=name,
        aliases=aliases,
        department="民政",
        type="公共服务",
        mode=Mode.SEPARATED if separated else Mode.DIRECT,
        city_wide_from=date(2018, 3, 1),
        processing_center=Rule.HOUSEHOLD if separated else None,
        applicants="本市居民",
        legal_days=20,
        promised_days=10,
        result="办理结果",
        collection=(CollectionMethod.COUNTER,),
        materials=(Material(name="身份证", form=MaterialForm.ORIGINAL),),
    )


ITEMS = [
    make_item("MZ001", "敬老卡申领", "老年人敬老卡"),
    make_item("MZ002", "最低生活保障", "低保"),
    make_item("MZ010", "重度残疾人护理补贴"),
    make_item("GA003", "居住证挂失"),
    make_item("GA001", "居住证新办", "办居住证"),
    make_item("GA010", "来沪人员居住登记"),
    make_item("GA011", "来沪人员信息登记", "居住登记"),
    make_item("YB001", "长期护理保险需求评估", "长护险"),
    make_item("RS001", "就业登记", "单位招用人员就业登记"),
    make_item("RS002", "失业登记"),
    make_item("RS003", "失业保险金申领"),
    make_item("RS010", "社会保障卡申领", "社保卡申领"),
    make_item("WJ005", "生育保险待遇申领"),
    make_item("WJ001", "独生子女父母奖励"),
    make_item("WJ002", "计划生育家庭特别扶助"),
    make_item("DA001", "人事档案查阅"),
    # Two names that start alike, for the initials-before-full-pinyin rule.
    make_item("WJ010", "安宁疗护服务申请"),
    make_item("MZ020", "安置补助申领"),
]
SEARCH = ItemSearch(ITEMS)


def names(query: str, limit: int | None = None) -> list[str]:
    return [item.name for item in SEARCH.search(query, limit)]


# --- the ways to type an item -------------------------------------------------------------------


def test_full_pinyin_with_or_without_spaces():
    assert names("jinglaoka") == ["敬老卡申领"]
    assert names("jing lao ka") == ["敬老卡申领"]
    assert names("JingLaoKa") == ["敬老卡申领"]


def test_pinyin_initials():
    assert names("jlk") == ["敬老卡申领"]
    assert names("zhqhl") == ["长期护理保险需求评估"]


def test_typing_narrows_keystroke_by_keystroke():
    assert names("j")[:3] == ["就业登记", "居住证新办", "居住证挂失"]
    assert names("jl")[0] == "敬老卡申领"
    assert names("jlk") == ["敬老卡申领"]


def test_chinese_substring_of_name_and_alias():
    assert names("敬老") == ["敬老卡申领"]
    assert names("卡申") == ["敬老卡申领", "社会保障卡申领"]
    assert names("低保") == ["最低生活保障"]


def test_mixed_characters_and_pinyin():
    assert names("敬老k") == ["敬老卡申领"]
    assert names("居住zhengg") == ["居住证挂失"]


def test_full_width_input_from_a_chinese_ime():
    assert names("ｊｌｋ") == ["敬老卡申领"]
    assert names("ＭＺ００１")[0] == "敬老卡申领"


def test_pinyin_inside_a_name_starts_at_a_syllable():
    assert names("laoka") == ["敬老卡申领"]
    assert names("aoka") == []  # not from the middle of a syllable: that only adds noise


def test_pinyin_of_aliases():
    assert names("chx") == ["长期护理保险需求评估"]
    assert names("dibao") == ["最低生活保障"]


def test_unknown_query_finds_nothing():
    assert names("xyzxyz") == []
    assert names("火星") == []


# --- heteronyms ---------------------------------------------------------------------------------


def test_every_reading_of_a_polyphonic_character_finds_the_item():
    for query in ("changqihuli", "zhangqihuli", "cqhl", "zqhl", "changhuxian"):
        assert names(query) == ["长期护理保险需求评估"], query
    for query in ("zhongdu", "chongdu", "zdcj", "cdcj"):
        assert names(query) == ["重度残疾人护理补贴"], query
    for query in ("danweizhaoyong", "shanweizhaoyong", "dwzy", "swzy"):
        assert names(query) == ["就业登记"], query


# --- codes --------------------------------------------------------------------------------------


def test_exact_code_comes_first_in_any_case():
    assert names("mz001")[0] == "敬老卡申领"
    assert names("GA010")[0] == "来沪人员居住登记"


def test_code_prefix_lists_the_codes_in_tie_order():
    assert names("GA0") == ["居住证新办", "居住证挂失", "来沪人员居住登记", "来沪人员信息登记"]


def test_code_prefix_ranks_after_pinyin():
    # "rs" is the initials of 人事档案查阅 and the prefix of the 人社 codes.
    assert names("rs") == [
        "人事档案查阅",
        "就业登记",
        "失业登记",
        "失业保险金申领",
        "社会保障卡申领",
    ]


# --- ranking ------------------------------------------------------------------------------------


def test_name_prefix_then_substring_then_alias():
    assert names("居住") == ["居住证新办", "居住证挂失", "来沪人员居住登记", "来沪人员信息登记"]


def test_initials_prefix_before_full_pinyin_prefix():
    # 安宁 is a-n as initials; 安置 only matches "an" as a syllable, and has the shorter name.
    # 人事档案查阅 has "an" only inside the name.
    assert names("an") == ["安宁疗护服务申请", "安置补助申领", "人事档案查阅"]


def test_pinyin_prefix_before_pinyin_inside_the_name():
    # 居住证挂失 is shorter, but "shi" is inside it; the 失业 items start with it.
    assert names("shi") == ["失业登记", "失业保险金申领", "居住证挂失", "人事档案查阅"]
    assert names("sheng") == [
        "生育保险待遇申领",
        "最低生活保障",
        "独生子女父母奖励",
        "计划生育家庭特别扶助",
    ]


def test_ties_go_to_the_shorter_name_then_the_code():
    assert names("申领") == ["敬老卡申领", "安置补助申领", "失业保险金申领", "社会保障卡申领",
                             "生育保险待遇申领"]  # fmt: skip


def test_each_item_at_most_once():
    results = names("j")
    assert len(results) == len(set(results))


# --- empty query and limit ----------------------------------------------------------------------


def test_empty_query_lists_all_items_in_catalog_order():
    assert SEARCH.search("") == ITEMS
    assert SEARCH.search("  ") == ITEMS
    assert SEARCH.search("", limit=2) == ITEMS[:2]


def test_limit_cuts_the_ranked_list():
    assert names("shi", limit=2) == ["失业登记", "失业保险金申领"]
    assert names("shi", limit=0) == []


def test_an_empty_catalog_finds_nothing():
    assert ItemSearch([]).search("jlk") == []
    assert ItemSearch([]).search("") == []


def test_normalize_folds_width_case_spaces_and_apostrophes():
    assert normalize(" Xi'an ＡＢ ") == "xianab"


# --- properties ---------------------------------------------------------------------------------

spans = st.sampled_from(ITEMS).flatmap(
    lambda item: st.tuples(
        st.just(item),
        st.integers(0, len(item.name) - 1).flatmap(
            lambda start: st.tuples(st.just(start), st.integers(start + 1, len(item.name)))
        ),
    )
)


@given(spans)
def test_any_piece_of_a_name_finds_the_item(span):
    item, (start, end) = span
    assert item in SEARCH.search(item.name[start:end])


@given(spans, st.randoms(use_true_random=False))
def test_any_reading_of_any_piece_of_a_name_finds_the_item(span, rng):
    item, (start, end) = span
    readings = pinyin(item.name[start:end], style=Style.NORMAL, heteronym=True)
    chosen = [rng.choice(options) for options in readings]
    assert item in SEARCH.search("".join(chosen))
    assert item in SEARCH.search("".join(reading[0] for reading in chosen))
    typed_so_far = "".join(chosen)[: rng.randint(1, len("".join(chosen)))]
    assert item in SEARCH.search(typed_so_far)


@given(st.text(alphabet="jlkshizqa居住证敬老卡申领gz0MZ1 ", max_size=6), st.integers(0, 6))
def test_a_limit_is_a_prefix_of_the_full_ranking(query, limit):
    assert SEARCH.search(query, limit) == SEARCH.search(query)[:limit]


# --- against a plain reference, on a catalog large enough for both ways of reading results -------

_SUBJECTS = ("", "老年人", "残疾人", "来沪人员", "失业人员", "城乡居民", "职工", "困难家庭")
_THINGS = ("敬老卡", "居住证", "社会保障卡", "医疗保险", "护理补贴", "临时救助", "公积金", "档案")
_ACTIONS = ("申领", "补领", "挂失", "注销", "变更", "登记", "认定", "提取")
LARGE = [
    make_item(
        f"{'GA' if n % 2 else 'RS'}{n:03d}",
        _SUBJECTS[n % 8] + _THINGS[n // 8 % 8] + _ACTIONS[n // 64 % 8],
        *((_THINGS[n // 8 % 8] + "业务",) if n % 5 == 0 else ()),
    )
    for n in range(400)
]
LARGE_SEARCH = ItemSearch(LARGE)


def reference(items: list[Item], query: str) -> list[Item]:
    """The literal part of the ranking, written the slow, obvious way."""
    by_tie = sorted(items, key=lambda item: (len(item.name), item.code))
    kinds = (
        lambda item: item.code == query.upper(),
        lambda item: item.name.startswith(query),
        lambda item: query in item.name,
        lambda item: any(query in alias for alias in item.aliases),
        lambda item: item.code.startswith(query.upper()),
    )
    ranked: list[Item] = []
    for kind in kinds:
        ranked += [item for item in by_tie if kind(item) and item not in ranked]
    return ranked


chinese_queries = st.sampled_from(LARGE).flatmap(
    lambda item: st.sampled_from([item.name, *item.aliases]).flatmap(
        lambda text: st.integers(0, len(text) - 1).flatmap(
            lambda start: st.integers(start + 1, len(text)).map(lambda end: text[start:end])
        )
    )
)


@given(chinese_queries | st.sampled_from(["ga0", "RS0", "GA011", "rs2", "GA1"]))
def test_chinese_and_code_queries_rank_like_the_reference(query):
    # (Codes with digits only: letters alone would also be read as pinyin.)
    assert LARGE_SEARCH.search(query) == reference(LARGE, query)
