"""`tongban case …` (processing a case after acceptance) and `tongban lookup` (status anywhere).

    tongban case inbox                                   this center's work and overdue flags
    tongban case sign CASE [--note TEXT]                 签收
    tongban case supplement CASE --materials A,B --reason TEXT [--due DATE]     补正
    tongban case supplied CASE [--materials A,B]         补正材料已交（默认：所要求的全部）
    tongban case approve CASE [--note TEXT]              准予办理
    tongban case reject CASE --reason TEXT               不予批准
    tongban case ready CASE                              结果待领取
    tongban case collect CASE [--by NAME]                已领取（在申请人选择的领取中心）
    tongban lookup CASE --id-last4 XXXX                  进度查询（中心；离线时本工作站）

Each takes `--clerk N` (may be left out when the workstation has one account), `--data-dir` and
`--json`. Each action writes one event through desktop/services/processing.py; refusals are one
line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tongban.desktop.cli.common import add_json_flag, emit, iso_date
from tongban.desktop.cli.counter import actor_for_clerk, counter_context, one_line_errors
from tongban.desktop.cli.launch import add_data_dir
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.lookup import CaseStatusView, Lookup
from tongban.desktop.services.processing import CaseProgress, Processing, ProcessingLists
from tongban.desktop.settings import data_dir
from tongban.models.rules import display_case_number

if TYPE_CHECKING:
    from tongban.desktop.sync.client import SyncClient

SEPARATORS = ("，", "、", ";", "；")


def register(commands: argparse._SubParsersAction) -> None:
    case = commands.add_parser("case", help="办理：签收、补正、办结、待领取、领取")
    actions = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    inbox = actions.add_parser("inbox", help="本中心待办的办件与逾期提示（记入审计）")
    _common(inbox, with_case=False)
    inbox.set_defaults(run=run_inbox)

    sign = _action(actions, "sign", "签收")
    sign.add_argument("--note", default="", help="签收备注")
    supplement = _action(actions, "supplement", "要求补正（计时暂停）")
    supplement.add_argument("--materials", action="append", required=True, help="需补正的材料")
    supplement.add_argument("--reason", required=True, help="补正理由")
    supplement.add_argument("--due", type=iso_date, metavar="DATE", help="补正期限（YYYY-MM-DD）")
    supplied = _action(actions, "supplied", "补正材料已交")
    supplied.add_argument("--materials", action="append", default=[], help="补交的材料")
    approve = _action(actions, "approve", "准予办理（办结）")
    approve.add_argument("--note", "--reason", dest="note", default="", help="办结意见")
    reject = _action(actions, "reject", "不予批准（办结）")
    reject.add_argument("--reason", required=True, help="不予批准的理由")
    _action(actions, "ready", "结果待领取")
    collect = _action(actions, "collect", "已领取")
    collect.add_argument("--by", default="申请人", metavar="NAME", help="领取人")

    lookup = commands.add_parser("lookup", help="按受理编号和证件号码后四位查询办件进度")
    lookup.add_argument("case_number", metavar="CASE")
    lookup.add_argument("--id-last4", required=True, metavar="XXXX", help="申请人证件号码后四位")
    lookup.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    add_data_dir(lookup)
    add_json_flag(lookup)
    lookup.set_defaults(run=run_lookup)


def _action(actions: argparse._SubParsersAction, name: str, title: str) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=title)
    _common(parser, with_case=True)
    parser.set_defaults(run=run_action)
    return parser


def _common(parser: argparse.ArgumentParser, *, with_case: bool) -> None:
    if with_case:
        parser.add_argument("case_number", metavar="CASE")
    parser.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    add_data_dir(parser)
    add_json_flag(parser)


# Actions --------------------------------------------------------------------------------------


@one_line_errors
def run_action(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        service = Processing(context)
        number, command = args.case_number, args.case_command
        if command == "sign":
            progress = service.sign_for(number, actor, note=args.note)
        elif command == "supplement":
            materials = _names(args.materials)
            progress = service.request_supplement(
                number, actor, materials=materials, reason=args.reason, due=args.due
            )
        elif command == "supplied":
            progress = service.supplied(number, actor, materials=_names(args.materials))
        elif command == "approve":
            progress = service.approve(number, actor, note=args.note)
        elif command == "reject":
            progress = service.reject(number, actor, reason=args.reason)
        elif command == "ready":
            progress = service.ready(number, actor)
        else:
            progress = service.collect(number, actor, collected_by=args.by)
        data = {"action": command, **progress_json(context, progress)}
    emit(args, data, _action_text)
    return 0


def _names(given: list[str]) -> list[str]:
    """Materials given as repeated options or one list split by commas or 、."""
    names: list[str] = []
    for text in given:
        for separator in SEPARATORS:
            text = text.replace(separator, ",")
        names += [name.strip() for name in text.split(",") if name.strip()]
    return names


def progress_json(context: CounterContext, p: CaseProgress) -> dict[str, Any]:
    geography = context.geography
    return {
        "case_number": p.case_number,
        "item": p.item_code,
        "item_name": p.item_name,
        "status": p.status,
        "status_label": p.status_label,
        "applicant_name": p.applicant_name,
        "applicant_id_masked": p.applicant_id_masked,
        "accepting_center": p.accepting_center,
        "processing_center": p.processing_center,
        "processing_center_name": geography.center(p.processing_center).name,
        "collection_center": p.collection_center,
        "received": p.received,
        "due": p.due.isoformat() if p.due else None,
        "supplement_materials": list(p.supplement_materials),
        "supplement_due": p.supplement_due.isoformat() if p.supplement_due else None,
        "overdue": p.overdue,
        "supplement_overdue": p.supplement_overdue,
    }


def _action_text(data: dict[str, Any]) -> str:
    line = f"{display_case_number(data['case_number'])}：{data['status_label']}"
    if data["supplement_materials"]:
        line += (
            f"（待补正：{'、'.join(data['supplement_materials'])}，{data['supplement_due']} 前）"
        )
    return line + _flags(data)


def _flags(data: dict[str, Any]) -> str:
    flags = []
    if data["overdue"]:
        flags.append("已超期")
    if data["supplement_overdue"]:
        flags.append("补正已逾期")
    return f"  【{'，'.join(flags)}】" if flags else ""


# The inbox ------------------------------------------------------------------------------------


@one_line_errors
def run_inbox(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        lists: ProcessingLists = Processing(context).lists(actor)
        data = {
            "center": context.station.center_code,
            "inbox": [progress_json(context, p) for p in lists.inbox],
            "elsewhere": [progress_json(context, p) for p in lists.elsewhere],
            "overdue": [p.case_number for p in lists.overdue],
        }
    emit(args, data, _inbox_text)
    return 0


def _inbox_text(data: dict[str, Any]) -> str:
    lines = [f"本中心待办：{len(data['inbox'])} 件"]
    lines += [_row(row) for row in data["inbox"]]
    if data["elsewhere"]:
        lines.append(f"本中心受理、外中心办理：{len(data['elsewhere'])} 件")
        lines += [_row(row) for row in data["elsewhere"]]
    return "\n".join(lines)


def _row(row: dict[str, Any]) -> str:
    return (
        f"  {display_case_number(row['case_number'])}  {row['item']} {row['item_name']}  "
        f"{row['applicant_name']}  {row['status_label']}  承诺办结 {row['due'] or '即办'}"
        + _flags(row)
    )


# Look-up --------------------------------------------------------------------------------------


@one_line_errors
def run_lookup(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None))
    with counter_context(directory) as context:
        actor = actor_for_clerk(context, args.clerk)
        view = Lookup(context, connect=lambda: _client(context)).lookup(
            args.case_number, args.id_last4, actor
        )
        data = lookup_json(view)
    emit(args, data, _lookup_text)
    return 0


def _client(context: CounterContext) -> SyncClient:
    # Imported here: only a look-up that goes to the center pays for the HTTP client.
    from tongban.desktop.sync.setup import connect

    return connect(context.data_dir, context.settings)


def lookup_json(view: CaseStatusView) -> dict[str, Any]:
    return {
        "case_number": view.case_number,
        "status": view.status,
        "status_label": view.status_label,
        "item": view.item_code,
        "item_name": view.item_name,
        "accepting_center": view.accepting_center,
        "processing_center": view.processing_center,
        "processing_center_name": view.processing_center_name,
        "collection_center": view.collection_center,
        "collection_center_name": view.collection_center_name,
        "applicant_name_masked": view.applicant_name_masked,
        "applicant_id_masked": view.applicant_id_masked,
        "accepted_at": view.accepted_at.isoformat(),
        "due": view.due.isoformat() if view.due else None,
        "supplement_materials": list(view.supplement_materials),
        "supplement_due": view.supplement_due.isoformat() if view.supplement_due else None,
        "closing_reason": view.closing_reason,
        "collect_here": view.collect_here,
        "source": view.source,
        "stale_note": view.stale_note,
        "events": [
            {
                "kind": e.kind,
                "name": e.name,
                "at": e.at.isoformat(),
                "center": e.center,
                "center_name": e.center_name,
            }
            for e in view.events
        ],
    }


def _lookup_text(data: dict[str, Any]) -> str:
    lines = []
    if data["stale_note"]:
        lines.append(f"注意：{data['stale_note']}")
    lines += [
        f"受理编号：{display_case_number(data['case_number'])}",
        f"事项：{data['item']} {data['item_name']}　状态：{data['status_label']}",
        f"申请人：{data['applicant_name_masked']}（{data['applicant_id_masked']}）",
        f"办理中心：{data['processing_center_name']}　承诺办结：{data['due'] or '即办'}",
        f"领取中心：{data['collection_center_name']}",
    ]
    if data["supplement_materials"]:
        lines.append(
            f"待补正：{'、'.join(data['supplement_materials'])}，{data['supplement_due']} 前"
        )
    if data["closing_reason"]:
        lines.append(f"理由：{data['closing_reason']}")
    if data["collect_here"]:
        lines.append("结果在本中心待领取：tongban case collect " + data["case_number"])
    lines.append("进度：")
    lines += [
        f"  {e['at'][:16].replace('T', ' ')}  {e['name']}  {e['center_name']}".rstrip()
        for e in data["events"]
    ]
    return "\n".join(lines)
