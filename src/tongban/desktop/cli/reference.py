"""`tongban catalog …` and `tongban centers …`: the reference data a clerk and a script look up."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from tongban.desktop.cli.common import (
    CliError,
    add_catalog_option,
    add_json_flag,
    catalog_from,
    day_or_today,
    emit,
    iso_date,
)
from tongban.models.catalog import Catalog, CatalogError, Item, Mode, load_catalog
from tongban.models.catalog.loader import default_catalog_path
from tongban.models.geography import shanghai
from tongban.models.search import ItemSearch

MODE_NAMES = {Mode.DIRECT: "直接受理", Mode.SEPARATED: "收受分离", Mode.HOME_DISTRICT: "属地受理"}


def register(commands: argparse._SubParsersAction) -> None:
    catalog = commands.add_parser("catalog", help="事项目录").add_subparsers(
        dest="catalog_command", metavar="ACTION", required=True
    )
    stats = catalog.add_parser("stats", help="按日期统计通办事项")
    stats.add_argument("--on", type=iso_date, metavar="DATE", help="统计日期（默认今天）")
    stats.set_defaults(run=run_stats)
    listing = catalog.add_parser("list", help="列出全部事项")
    listing.set_defaults(run=run_list)
    search = catalog.add_parser("search", help="按名称、拼音、首字母或编码查找事项")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(run=run_search)
    show = catalog.add_parser("show", help="显示一个事项的全部信息")
    show.add_argument("code")
    show.set_defaults(run=run_show)
    check = catalog.add_parser("check", help="校验事项目录文件")
    check.add_argument("file", nargs="?", type=Path, help="目录文件（默认：随程序发布的目录）")
    check.set_defaults(run=run_check)
    for sub in (stats, listing, search, show):
        add_catalog_option(sub)
    for sub in (stats, listing, search, show, check):
        add_json_flag(sub)

    centers = commands.add_parser("centers", help="受理中心").add_subparsers(
        dest="centers_command", metavar="ACTION", required=True
    )
    centers_list = centers.add_parser("list", help="列出受理中心及其服务的街道")
    centers_list.add_argument("--district", metavar="CODE", help="只列出该区（6 位代码）")
    add_json_flag(centers_list)
    centers_list.set_defaults(run=run_centers)


def _summary(item: Item) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "department": item.department,
        "mode": item.mode.value,
        "city_wide_from": item.city_wide_from.isoformat() if item.city_wide_from else None,
        "promised_days": item.promised_days,
    }


def _summary_lines(items: list[dict[str, Any]]) -> str:
    if not items:
        return "没有找到事项"
    return "\n".join(
        f"{i['code']:<7} {i['name']}  [{i['department']}·{MODE_NAMES[Mode(i['mode'])]}]"
        for i in items
    )


def catalog_stats(catalog: Catalog, day: date) -> dict[str, Any]:
    city_wide = [item for item in catalog.items if item.is_city_wide_on(day)]
    return {
        "revision": catalog.revision,
        "on": day.isoformat(),
        "total": len(catalog.items),
        "city_wide": len(city_wide),
        "city_wide_by_mode": {
            "direct": sum(item.mode is Mode.DIRECT for item in city_wide),
            "separated": sum(item.mode is Mode.SEPARATED for item in city_wide),
        },
        "not_city_wide": len(catalog.items) - len(city_wide),
        "departments": len(catalog.departments),
    }


def run_stats(args: argparse.Namespace) -> int:
    stats = catalog_stats(catalog_from(args), day_or_today(args.on))

    def text(s: dict[str, Any]) -> str:
        by_mode = s["city_wide_by_mode"]
        return (
            f"事项目录 {s['revision']}，{s['on']}：共 {s['total']} 项，全市通办 {s['city_wide']} 项"
            f"（直接受理 {by_mode['direct']}，收受分离 {by_mode['separated']}），"
            f"不通办 {s['not_city_wide']} 项"
        )

    emit(args, stats, text)
    return 0


def run_list(args: argparse.Namespace) -> int:
    emit(args, [_summary(item) for item in catalog_from(args).items], _summary_lines)
    return 0


def run_search(args: argparse.Namespace) -> int:
    found = ItemSearch(catalog_from(args).items).search(args.query, limit=max(args.limit, 1))
    emit(args, [_summary(item) for item in found], _summary_lines)
    return 0


def run_show(args: argparse.Namespace) -> int:
    catalog = catalog_from(args)
    try:
        item = catalog.item(args.code.strip().upper())
    except KeyError:
        raise CliError(f"事项目录 {catalog.revision} 中没有编码为 {args.code} 的事项") from None
    emit(args, item.model_dump(mode="json"), _item_text)
    return 0


def _item_text(item: dict[str, Any]) -> str:
    lines = [
        f"{item['code']} {item['name']}",
        f"部门：{item['department']}  类型：{item['type']}  方式：{MODE_NAMES[Mode(item['mode'])]}",
        f"通办起始：{item['city_wide_from'] or '不通办'}",
        f"时限：法定 {item['legal_days']} 个工作日，承诺 {item['promised_days']} 个工作日",
        f"申请对象：{item['applicants']}",
        f"办理结果：{item['result']}",
        "申请材料：",
    ]
    for material in item["materials"]:
        flags = [material["requirement"], material["form"]]
        if material["condition"]:
            flags.append(material["condition"])
        if material["deferrable"]:
            flags.append("可容缺")
        lines.append(f"  - {material['name']}（{'，'.join(flags)}）")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    path = args.file or default_catalog_path()
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        problems = [asdict(problem) for problem in error.problems]
        lines = "\n".join(str(problem) for problem in error.problems)
        emit(
            args,
            {"valid": False, "file": str(path), "problems": problems},
            lambda _: lines,
        )
        return 1
    result = {
        "valid": True,
        "file": str(path),
        "revision": catalog.revision,
        "items": len(catalog.items),
        "problems": [],
    }
    emit(args, result, lambda r: f"{r['file']}：目录 {r['revision']} 有效，共 {r['items']} 个事项")
    return 0


def run_centers(args: argparse.Namespace) -> int:
    geography = shanghai()
    if args.district and args.district not in geography.districts:
        raise CliError(f"没有代码为 {args.district} 的区")
    rows = [
        {
            "code": center.code,
            "name": center.name,
            "district": center.district_code,
            "district_name": geography.district(center.district_code).name,
            "streets": list(center.street_codes),
            "sub_centers": [
                {"code": s.code, "name": s.name} for s in geography.sub_centers_of(center.code)
            ],
            "address": center.address,
            "phone": center.phone,
        }
        for center in geography.centers.values()
        if not args.district or center.district_code == args.district
    ]

    def text(rows: list[dict[str, Any]]) -> str:
        return "\n".join(
            f"{r['code']} {r['name']}（{r['district_name']}，服务 {len(r['streets'])} 个街镇"
            + (f"，分中心 {len(r['sub_centers'])} 个" if r["sub_centers"] else "")
            + "）"
            for r in rows
        )

    emit(args, rows, text)
    return 0
