"""Per-keystroke item search: tongban.models.search.ItemSearch against a plain substring scan.

Run: python benches/bench_search.py   (prints one JSON object on stdout; notes go to stderr)

Two catalogs: the bundled one (when its data file exists) and a generated one of 5,000 items whose
names are composed from real service vocabulary. Each query of a realistic set is replayed one
keystroke at a time (every prefix), as a clerk types it.
"""

from __future__ import annotations

import gc
import importlib
import json
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date

from tongban.models.catalog import CatalogError, default_catalog
from tongban.models.catalog.schema import CollectionMethod, Item, Material, MaterialForm, Mode
from tongban.models.catalog.schema import ProcessingCenterRule as Rule
from tongban.models.search import ItemSearch

ROUNDS = 5
UI_LIMIT = 20  # about as many rows as the item list shows without scrolling

# What clerks type: names, abbreviations, full pinyin, initials, mixed, and codes.
QUERIES = (
    "敬老卡申领",
    "居住证挂失",
    "社会保障卡补领",
    "最低生活保障",
    "长期护理",
    "失业保险金",
    "低保",
    "jinglaoka",
    "juzhuzheng",
    "shebaoka",
    "shiyebaoxianjin",
    "changqihuli",
    "canjirenzheng",
    "jlk",
    "jzzgs",
    "sbkbl",
    "zdcjrhlbt",
    "cqhlbx",
    "敬老k",
    "居住zheng",
    "MZ001",
    "GA012",
    "RS105",
)

_DEPARTMENTS = {
    "民政": "MZ",
    "人社": "RS",
    "医保": "YB",
    "卫健": "WJ",
    "公安": "GA",
    "住建": "ZJ",
    "粮食": "LS",
    "工会": "GH",
    "残联": "CL",
    "档案": "DA",
    "经信": "JX",
    "住房公积金": "GJJ",
}
_SUBJECTS = (
    "",
    "",
    "老年人",
    "高龄老人",
    "残疾人",
    "重度残疾人",
    "独生子女父母",
    "来沪人员",
    "失业人员",
    "城乡居民",
    "职工",
    "灵活就业人员",
    "困难家庭",
    "低收入家庭",
    "计划生育家庭",
    "新生儿",
    "退休人员",
    "特困人员",
)
_OBJECTS = (
    "敬老卡",
    "居住证",
    "社会保障卡",
    "基本医疗保险",
    "基本养老保险",
    "生育保险待遇",
    "失业保险金",
    "护理补贴",
    "生活补贴",
    "临时救助",
    "最低生活保障",
    "廉租住房",
    "住房公积金",
    "就业创业证",
    "残疾人证",
    "独生子女父母光荣证",
    "医疗费用零星报销",
    "人事档案",
    "居住登记",
    "长期护理保险",
    "异地就医",
    "养老服务补贴",
    "老年综合津贴",
    "粮油帮困",
    "职工互助保障",
    "就业困难人员",
)
_ACTIONS = (
    "申领",
    "补领",
    "换领",
    "挂失",
    "注销",
    "变更",
    "登记",
    "备案",
    "认定",
    "申请",
    "审核",
    "提取",
    "核定",
    "确认",
    "查询",
    "证明开具",
)
_QUALIFIERS = ("", "", "", "（本市户籍）", "（跨省）", "（首次）", "（续办）")


def generated_items(count: int = 5000, seed: int = 20180301) -> list[Item]:
    """Deterministic items with plausible names and codes; not real catalog entries."""
    rng = random.Random(seed)
    numbers = {prefix: 0 for prefix in _DEPARTMENTS.values()}
    departments = list(_DEPARTMENTS.items())
    items = []
    for _ in range(count):
        department, prefix = rng.choice(departments)
        numbers[prefix] += 1
        subject, thing = rng.choice(_SUBJECTS), rng.choice(_OBJECTS)
        name = f"{subject}{thing}{rng.choice(_ACTIONS)}{rng.choice(_QUALIFIERS)}"
        aliases = (f"{thing}{rng.choice(_ACTIONS)}",) if subject and rng.random() < 0.4 else ()
        items.append(_item(f"{prefix}{numbers[prefix]:03d}", name, aliases, department))
    return items


def _item(code: str, name: str, aliases: tuple[str, ...], department: str) -> Item:
    return Item(
        code=code,
        name=name,
        aliases=aliases,
        department=department,
        type="公共服务",
        mode=Mode.SEPARATED if code.startswith("WJ") else Mode.DIRECT,
        city_wide_from=date(2018, 3, 1),
        processing_center=Rule.HOUSEHOLD if code.startswith("WJ") else None,
        applicants="本市居民",
        legal_days=20,
        promised_days=10,
        result="办理结果",
        collection=(CollectionMethod.COUNTER,),
        materials=(Material(name="身份证", form=MaterialForm.ORIGINAL),),
    )


def keystroke_queries(queries: Sequence[str] = QUERIES) -> list[str]:
    """Every prefix of every query, in typing order."""
    return [query[:n] for query in queries for n in range(1, len(query) + 1)]


def substring_baseline(items: Sequence[Item]) -> Callable[[str], list[Item]]:
    """The simplest search there is: Chinese substring of the name, no pinyin, no ranking."""
    return lambda query: [item for item in items if query in item.name]


def timings_ms(search: Callable[[str], object], queries: Sequence[str]) -> dict[str, float]:
    for query in queries:  # warm-up: caches, branch predictors, lazily built objects
        search(query)
    samples = []
    for _ in range(ROUNDS):
        for query in queries:
            start = time.perf_counter_ns()
            search(query)
            samples.append(time.perf_counter_ns() - start)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples) / 1e6, 4),
        "p95_ms": round(samples[int(len(samples) * 0.95)] / 1e6, 4),
        "max_ms": round(samples[-1] / 1e6, 4),
    }


def build_ms(items: Sequence[Item]) -> float:
    start = time.perf_counter_ns()
    ItemSearch(items)
    return round((time.perf_counter_ns() - start) / 1e6, 1)


def index_kib(items: Sequence[Item]) -> float:
    gc.collect()
    tracemalloc.start()
    index = ItemSearch(items)
    retained = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    return round(retained / 1024, 1)


def measure(items: Sequence[Item], queries: Sequence[str]) -> dict[str, object]:
    ours = ItemSearch(items)
    return {
        "items": len(items),
        "build_ms": build_ms(items),
        "index_kib": index_kib(items),
        "ours": timings_ms(ours.search, queries),
        f"ours_limit_{UI_LIMIT}": timings_ms(lambda q: ours.search(q, UI_LIMIT), queries),
        "baseline_substring": timings_ms(substring_baseline(items), queries),
    }


def pypinyin_import_ms() -> float:
    start = time.perf_counter_ns()
    importlib.import_module("pypinyin")
    return round((time.perf_counter_ns() - start) / 1e6, 1)


def main() -> None:
    queries = keystroke_queries()
    report: dict[str, object] = {"benchmark": "item_search"}
    report["pypinyin_import_ms"] = pypinyin_import_ms()  # paid once, by the first index build
    try:
        bundled = list(default_catalog().items)
    except CatalogError as exc:
        print(f"跳过内置事项目录（catalog_174）：{exc}", file=sys.stderr)
        report["catalog_174"] = {"skipped": str(exc)}
    else:
        report["catalog_174"] = measure(bundled, queries)
    report["catalog_5000"] = measure(generated_items(), queries)
    report["queries"] = len(queries)
    report["rounds"] = ROUNDS
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
