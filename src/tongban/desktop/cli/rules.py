"""`tongban id check`, `route` and `deadline`: the rules behind a clerk's decision."""

from __future__ import annotations

import argparse
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
from tongban.models.geography import Geography, shanghai
from tongban.models.routing import route
from tongban.models.rules import DocumentType, WorkingCalendar, check_identity

# Scripts name a household outside Shanghai with this word instead of a street code.
OUTSIDE_SHANGHAI = "outside"


def register(commands: argparse._SubParsersAction) -> None:
    identity = commands.add_parser("id", help="证件号码").add_subparsers(
        dest="id_command", metavar="ACTION", required=True
    )
    check = identity.add_parser("check", help="校验证件号码（身份证校验码、出生日期、性别）")
    check.add_argument("number")
    check.add_argument(
        "--type", choices=[t.value for t in DocumentType], help="证件类型（默认按号码自动识别）"
    )
    add_json_flag(check)
    check.set_defaults(run=run_id_check)

    routing = commands.add_parser("route", help="判断在本中心受理后由哪个中心办理")
    routing.add_argument("--center", required=True, help="受理中心或分中心代码")
    routing.add_argument("--item", required=True, help="事项编码")
    routing.add_argument(
        "--household-street",
        required=True,
        help=f"户籍地街镇代码或名称（外省市：{OUTSIDE_SHANGHAI}）",
    )
    routing.add_argument("--residence-street", help="居住地街镇代码或名称（默认同户籍地）")
    routing.add_argument("--on", type=iso_date, metavar="DATE", help="受理日期（默认今天）")
    add_catalog_option(routing)
    add_json_flag(routing)
    routing.set_defaults(run=run_route)

    deadline = commands.add_parser("deadline", help="按工作日计算承诺办结日期")
    deadline.add_argument("--from", dest="start", type=iso_date, required=True, metavar="DATE")
    deadline.add_argument("--working-days", type=int, required=True, metavar="N")
    add_catalog_option(deadline)
    add_json_flag(deadline)
    deadline.set_defaults(run=run_deadline)


def run_id_check(args: argparse.Namespace) -> int:
    kind = DocumentType(args.type) if args.type else None
    result = check_identity(args.number, kind)
    data = {
        "valid": result.valid,
        "reason": result.reason,
        "document_type": result.document_type.value if result.document_type else None,
        "number": result.number if result.valid else None,
        "birth_date": result.birth_date.isoformat() if result.birth_date else None,
        "gender": result.gender,
        "area_code": result.area_code,
        "converted_from_15": result.converted_from_15,
    }

    def text(d: dict[str, Any]) -> str:
        if not d["valid"]:
            return f"无效：{d['reason']}"
        parts = ["有效"]
        if d["birth_date"]:
            parts.append(f"出生日期 {d['birth_date']}")
        if d["gender"]:
            parts.append("男" if d["gender"] == "M" else "女")
        if d["converted_from_15"]:
            parts.append(f"15 位号码已升为 18 位：{d['number']}")
        return "，".join(parts)

    emit(args, data, text)
    return 0 if result.valid else 1


def _street(geography: Geography, text: str | None, label: str) -> str | None:
    """A street given by code or by its exact name; None for a household outside Shanghai."""
    if text is None or text == OUTSIDE_SHANGHAI:
        return None
    if text in geography.streets:
        return text
    matches = [s.code for s in geography.streets.values() if s.name == text]
    if len(matches) == 1:
        return matches[0]
    raise CliError(f"{label}“{text}”不是本市的街镇（请用 9 位代码）")


def run_route(args: argparse.Namespace) -> int:
    geography = shanghai()
    catalog = catalog_from(args)
    if not geography.is_site(args.center):
        raise CliError(f"没有代码为 {args.center} 的受理中心或分中心")
    try:
        item = catalog.item(args.item.strip().upper())
    except KeyError:
        raise CliError(f"事项目录 {catalog.revision} 中没有编码为 {args.item} 的事项") from None
    household = _street(geography, args.household_street, "户籍地")
    residence = _street(geography, args.residence_street, "居住地")
    decision = route(
        geography=geography,
        catalog=catalog,
        site=args.center,
        item=item,
        household_street=household,
        residence_street=residence,
        on=day_or_today(args.on),
    )
    center = decision.processing_center
    data = {
        "decision": decision.decision.value,
        "processing_center": center,
        "processing_center_name": geography.center(center).name if center else None,
        "reason": decision.reason,
        "reason_code": decision.reason_code,
    }
    emit(args, data, lambda d: d["reason"])
    return 0


def run_deadline(args: argparse.Namespace) -> int:
    if args.working_days < 0:
        raise CliError("工作日数不能为负数")
    calendar = WorkingCalendar(catalog_from(args).holiday_tables)
    deadline = calendar.add_working_days(args.start, args.working_days)
    data = {
        "from": args.start.isoformat(),
        "working_days": args.working_days,
        "due": deadline.due.isoformat(),
        "estimated_years": list(deadline.estimated_years),
        "warning": deadline.warning,
    }

    def text(d: dict[str, Any]) -> str:
        line = f"{d['from']} 起 {d['working_days']} 个工作日：{d['due']}"
        return line + (f"\n注意：{d['warning']}" if d["warning"] else "")

    emit(args, data, text)
    return 0
