"""`tongban transfer …`: paper transfer batches (材料流转) and the 材料交接清单.

    tongban transfer pending [--to CENTER]                  cases whose paper must still go
    tongban transfer build --to CENTER [CASE …] [--out FILE | --print]
                                                            one batch (no CASE: every pending one)
    tongban transfer manifest BATCH [--out FILE]            the 材料交接清单 again
    tongban transfer receive BATCH [CASE …] [--close]       scan files in; --close: rest missing
    tongban transfer show BATCH                             expected / received / missing / extra

Each takes `--clerk N` (may be left out when the workstation has one account), `--data-dir` and
`--json`. Refusals are one line on stderr, exit 2. Services: desktop/services/transfers.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tongban.desktop.cli.common import CliError, add_json_flag, emit
from tongban.desktop.cli.counter import actor_for_clerk, counter_context, one_line_errors
from tongban.desktop.cli.launch import add_data_dir
from tongban.desktop.cli.paper import send_to_printer
from tongban.desktop.output_files import write_output
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.transfers import BatchStatus, PendingGroup, ScanOutcome, Transfers
from tongban.desktop.settings import Paper, data_dir
from tongban.models.rules import display_case_number
from tongban.models.rules.transfer_batch import display_batch_number


def register(commands: argparse._SubParsersAction) -> None:
    transfer = commands.add_parser("transfer", help="纸质材料流转：交接批次与材料交接清单")
    actions = transfer.add_subparsers(dest="transfer_command", metavar="ACTION", required=True)

    pending = _action(actions, "pending", "待送出纸质材料的办件（按接收中心）", run_pending)
    pending.add_argument("--to", metavar="CENTER", help="只列送往此中心（9位代码）的办件")

    build = _action(actions, "build", "组成交接批次并生成材料交接清单", run_build)
    build.add_argument("--to", required=True, metavar="CENTER", help="接收中心（9位代码）")
    build.add_argument("cases", nargs="*", metavar="CASE", help="受理编号（省略：全部待送出的）")
    _paper_options(build)

    manifest = _action(actions, "manifest", "再次生成材料交接清单", run_manifest)
    manifest.add_argument("batch", metavar="BATCH")
    _paper_options(manifest)

    receive = _action(actions, "receive", "接收中心扫描签收批次中的材料", run_receive)
    receive.add_argument("batch", metavar="BATCH")
    receive.add_argument("cases", nargs="*", metavar="CASE", help="扫描到的受理编号")
    receive.add_argument("--close", action="store_true", help="核对结束：未扫描的记为未到")

    show = _action(actions, "show", "查看批次：应到、已到、未到、多出", run_show)
    show.add_argument("batch", metavar="BATCH")


def _action(
    actions: argparse._SubParsersAction, name: str, title: str, run: Any
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=title)
    parser.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    add_data_dir(parser)
    add_json_flag(parser)
    parser.set_defaults(run=run)
    return parser


def _paper_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, metavar="FILE", help="清单写入 PDF 文件")
    where.add_argument("--print", action="store_true", help="清单送工作站打印机")
    parser.add_argument(
        "--paper", choices=[p.value for p in Paper], help="纸张（默认：工作站设置）"
    )


# Commands -------------------------------------------------------------------------------------


@one_line_errors
def run_pending(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        groups = Transfers(context).pending_paper(actor, args.to)
        data = {"center": context.station.center_code, "groups": [_group(g) for g in groups]}
    emit(args, data, _pending_text)
    return 0


@one_line_errors
def run_build(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        transfers = Transfers(context)
        status = transfers.build_batch(args.to, args.cases, actor)
        data = batch_json(context, status)
        data["manifest"] = _deliver(context, transfers, status.batch_number, args, actor)
    emit(args, data, _batch_text)
    return 0


@one_line_errors
def run_manifest(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        if args.out is None:
            args.print = True  # the manifest is asked for: to a file or to the printer
        where = _deliver(context, Transfers(context), args.batch, args, actor)
    emit(args, {"batch_number": args.batch, "manifest": where}, lambda d: f"清单：{d['manifest']}")
    return 0


@one_line_errors
def run_receive(args: argparse.Namespace) -> int:
    if not args.cases and not args.close:
        raise CliError("请给出扫描到的受理编号，或用 --close 结束核对")
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        transfers = Transfers(context)
        scans = transfers.receive(args.batch, args.cases, actor) if args.cases else []
        if args.close:
            status = transfers.close_receipt(args.batch, actor)
        else:
            status = transfers.batch_status(args.batch, actor)
        data = {"scans": [_scan(s) for s in scans], **batch_json(context, status)}
    emit(args, data, _receive_text)
    return 0


@one_line_errors
def run_show(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        data = batch_json(context, Transfers(context).batch_status(args.batch, actor))
    emit(args, data, _batch_text)
    return 0


def _deliver(
    context: CounterContext,
    transfers: Transfers,
    batch: str,
    args: argparse.Namespace,
    actor: Any,
) -> str | None:
    """Where the manifest went: a file, the printer, or nowhere (None)."""
    if args.out is None and not args.print:
        return None
    pdf = transfers.manifest_pdf(batch, actor, paper=args.paper)
    if args.out is not None:
        write_output(args.out, pdf)
        return str(args.out)
    send_to_printer(pdf, context.settings.printer or "", args.paper or context.settings.paper)
    return "printer"


# JSON and text --------------------------------------------------------------------------------


def batch_json(context: CounterContext, status: BatchStatus) -> dict[str, Any]:
    geography = context.geography
    return {
        "batch_number": status.batch_number,
        "display": display_batch_number(status.batch_number),
        "from_center": status.from_center,
        "from_center_name": _name(geography, status.from_center),
        "to_center": status.to_center,
        "to_center_name": _name(geography, status.to_center),
        "sent_at": status.sent_at.isoformat() if status.sent_at else None,
        "sent_by": status.sent_by,
        "closed": status.closed,
        "expected": list(status.expected),
        "received": list(status.received),
        "missing": list(status.missing),
        "extra": list(status.extra),
        "outstanding": list(status.outstanding),
        "cases": [
            {
                "case_number": c.case_number,
                "item_name": c.item_name,
                "applicant_name_masked": c.applicant_name_masked,
                "originals": c.originals,
                "copies": c.copies,
                "state": c.state.value,
                "label": c.label,
                "received_at": c.received_at.isoformat() if c.received_at else None,
                "received_in": c.received_in,
            }
            for c in status.cases
        ],
    }


def _group(group: PendingGroup) -> dict[str, Any]:
    return {
        "destination": group.destination,
        "destination_name": group.destination_name,
        "cases": [
            {
                "case_number": c.case_number,
                "item": c.item_code,
                "item_name": c.item_name,
                "applicant_name": c.applicant_name,
                "accepted_at": c.accepted_at.isoformat(),
                "originals": c.originals,
                "copies": c.copies,
                "resend_after": c.resend_after,
            }
            for c in group.cases
        ],
    }


def _scan(outcome: ScanOutcome) -> dict[str, Any]:
    return {
        "case_number": outcome.case_number,
        "extra": outcome.extra,
        "repeated": outcome.repeated,
    }


def _name(geography: Any, code: str) -> str:
    try:
        return str(geography.center(code).name)
    except KeyError:
        return code


def _pending_text(data: dict[str, Any]) -> str:
    if not data["groups"]:
        return "没有待送出的纸质材料"
    lines = []
    for group in data["groups"]:
        lines.append(f"送往 {group['destination_name']}（{group['destination']}）：")
        lines += [
            f"  {display_case_number(c['case_number'])}  {c['item_name']}  {c['applicant_name']}"
            f"  原件 {c['originals']} 份，复印件 {c['copies']} 份"
            + (f"  【补送：批次 {c['resend_after']} 中未到】" if c["resend_after"] else "")
            for c in group["cases"]
        ]
    return "\n".join(lines)


def _batch_text(data: dict[str, Any]) -> str:
    state = "已核对完毕" if data["closed"] else "核对中"
    lines = [
        f"交接批次 {data['display']}（{state}）",
        f"{data['from_center_name']} → {data['to_center_name']}",
        f"应到 {len(data['expected'])} 件，已到 {len(data['received'])} 件，"
        f"未到 {len(data['missing'])} 件，多出 {len(data['extra'])} 件，"
        f"待核对 {len(data['outstanding'])} 件",
    ]
    lines += [
        f"  {display_case_number(c['case_number'])}  {c['item_name']}  "
        f"{c['applicant_name_masked']}  {c['label']}"
        + (f"（在批次 {c['received_in']} 中签收）" if c["received_in"] else "")
        for c in data["cases"]
    ]
    if data.get("manifest"):
        lines.append(f"清单：{data['manifest']}")
    return "\n".join(lines)


def _receive_text(data: dict[str, Any]) -> str:
    lines = []
    for scan in data["scans"]:
        number = display_case_number(scan["case_number"])
        if scan["repeated"]:
            lines.append(f"{number}：此前已签收")
        elif scan["extra"]:
            lines.append(f"{number}：已签收，但不在本批次清单中（多出，已记录）")
        else:
            lines.append(f"{number}：已签收")
    return "\n".join([*lines, _batch_text(data)])
