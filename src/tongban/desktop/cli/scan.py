"""`tongban scan …`: scans of a case's materials (desktop/services/scans.py).

    tongban scan attach CASE --material NAME FILE [--clerk N]   附扫描件（PDF、PNG、JPEG、TIFF）
    tongban scan list CASE [--json]                             此案的扫描件及上传情况
    tongban scan get CASE SHA256 --out FILE                     取出扫描件（本机没有时从中心取得）

Each takes `--clerk N` (may be left out when the workstation has one account) and `--data-dir`;
every one is audited. SHA256 may be its first 8 or more hex digits. Refusals are one line on
stderr, exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tongban.desktop.cli.common import CliError, add_json_flag, emit
from tongban.desktop.cli.counter import actor_for_clerk, counter_context, one_line_errors
from tongban.desktop.cli.launch import add_data_dir
from tongban.desktop.output_files import write_output
from tongban.desktop.services.scans import ScanInfo, Scans
from tongban.desktop.settings import data_dir
from tongban.models.rules import display_case_number
from tongban.models.scans import MEDIA_NAMES, describe_size


def register(commands: argparse._SubParsersAction) -> None:
    scan = commands.add_parser("scan", help="材料扫描件：附件、列出、取出")
    actions = scan.add_subparsers(dest="scan_command", metavar="ACTION", required=True)

    attach = actions.add_parser("attach", help="给办件的一项材料附扫描件")
    attach.add_argument("case_number", metavar="CASE")
    attach.add_argument("--material", required=True, metavar="NAME", help="材料名称")
    attach.add_argument("file", type=Path, metavar="FILE", help="扫描件文件")
    _common(attach)
    attach.set_defaults(run=run_attach)

    listing = actions.add_parser("list", help="列出办件的扫描件")
    listing.add_argument("case_number", metavar="CASE")
    _common(listing)
    listing.set_defaults(run=run_list)

    get = actions.add_parser("get", help="取出扫描件（本机没有时从中心取得）")
    get.add_argument("case_number", metavar="CASE")
    get.add_argument("sha256", metavar="SHA256", help="扫描件的 SHA-256（至少前 8 位）")
    get.add_argument("--out", type=Path, required=True, metavar="FILE", help="保存到")
    _common(get)
    get.set_defaults(run=run_get)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    add_data_dir(parser)
    add_json_flag(parser)


@one_line_errors
def run_attach(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CliError(f"找不到文件：{args.file}")
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        info = Scans(context).attach(args.case_number, args.material, args.file, actor)
    emit(args, scan_json(info), lambda data: "已附扫描件：" + _line(data))
    return 0


@one_line_errors
def run_list(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        found = Scans(context).scans_of(args.case_number, actor)
    data = {"case_number": args.case_number, "scans": [scan_json(i) for i in found]}
    emit(args, data, _list_text)
    return 0


@one_line_errors
def run_get(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        path = Scans(context).open_scan(args.case_number, args.sha256, actor)
        write_output(args.out, path.read_bytes())  # at most MAX_SCAN_BYTES
    data = {"case_number": args.case_number, "sha256": path.name, "out": str(args.out)}
    emit(args, data, lambda d: f"已保存到 {d['out']}")
    return 0


def scan_json(info: ScanInfo) -> dict[str, Any]:
    return {
        "case_number": info.case_number,
        "material": info.material,
        "file_name": info.file_name,
        "media_type": info.media_type,
        "size": info.size,
        "sha256": info.sha256,
        "attached_at": info.attached_at.isoformat(),
        "clerk": info.clerk,
        "here": info.here,
        "upload": info.upload,
    }


def _line(data: dict[str, Any]) -> str:
    kind = MEDIA_NAMES.get(data["media_type"], data["media_type"])
    shown = describe_size(data["size"])
    state = data["upload"] or ("本机有" if data["here"] else "本机没有，可从中心取得")
    return (
        f"{data['material']}  {data['file_name']}  {kind} {shown}  {data['sha256'][:12]}  {state}"
    )


def _list_text(data: dict[str, Any]) -> str:
    number = display_case_number(data["case_number"])
    if not data["scans"]:
        return f"{number}：没有扫描件"
    return "\n".join([f"{number}：{len(data['scans'])} 份扫描件", *map(_indent, data["scans"])])


def _indent(scan: dict[str, Any]) -> str:
    return "  " + _line(scan)
