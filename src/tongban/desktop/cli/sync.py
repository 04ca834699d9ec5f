"""`tongban setup` (enroll this machine with the central service) and `tongban sync`.

`setup` redeems an enrollment code and creates the data directory's workstation; `sync --once`
runs one round, `sync` runs background sync until Ctrl+C, `sync status` shows what waits here
and `sync problems` lists the 同步问题: own events the center refused and pulled events this
store did not apply (both read the local store only, so they answer without a network). A
dead network or a server error is one line: exit 2 for setup, "离线" and exit 1 for sync.
"""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import asdict
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from tongban.desktop.cli.common import CliError, add_json_flag, emit
from tongban.desktop.cli.counter import Run, add_data_dir, counter_context, one_line_errors
from tongban.desktop.secrets import SecretsError, SecretStoreKind
from tongban.desktop.settings import data_dir
from tongban.desktop.sync.client import SyncError
from tongban.desktop.sync.engine import SyncReport, sync_once
from tongban.desktop.sync.loop import SyncLoop
from tongban.desktop.sync.setup import SetupError, connect, set_up_workstation
from tongban.models.app_versions import installed_version, update_notice
from tongban.models.clock import SHANGHAI
from tongban.models.store.audit import unsent_audit_count
from tongban.models.store.remote_problems import RemoteProblem, remote_problems
from tongban.models.store.sync_state import (
    SyncProblem,
    get_sync_state,
    pending_count,
    sync_problems,
)


def register(commands: argparse._SubParsersAction) -> None:
    setup = commands.add_parser("setup", help="用登记码把本机登记为工作站")
    setup.add_argument("--server", required=True, metavar="URL", help="中心同步服务的地址")
    setup.add_argument("--code", required=True, help="管理员给出的一次性登记码")
    setup.add_argument(
        "--secret-store",
        choices=[k.value for k in SecretStoreKind],
        default=SecretStoreKind.KEYRING.value,
        help="设备令牌保存在系统钥匙串（默认）或数据目录中仅本账户可读的文件",
    )
    add_data_dir(setup)
    setup.set_defaults(run=run_setup)

    sync = commands.add_parser("sync", help="与中心同步（默认持续同步，Ctrl+C 停止）")
    sync.add_argument("--once", action="store_true", help="只同步一轮")
    add_json_flag(sync)
    add_data_dir(sync)
    sync.set_defaults(run=run_sync)
    subcommands = sync.add_subparsers(dest="sync_command", metavar="status|problems")
    status = subcommands.add_parser("status", help="待上传事件、同步问题、最近联系时间")
    add_json_flag(status)
    add_data_dir(status)
    status.set_defaults(run=run_status)
    problems = subcommands.add_parser(
        "problems", help="同步问题：中心拒收的本机事件，以及本机未能采用的中心事件"
    )
    add_json_flag(problems)
    add_data_dir(problems)
    problems.set_defaults(run=run_problems)


def setup_errors(run: Run) -> Run:
    @wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (SyncError, SecretsError, SetupError) as error:
            raise CliError(str(error)) from None

    return guarded


@one_line_errors
@setup_errors
def run_setup(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None))
    result = set_up_workstation(
        directory,
        server_url=args.server,
        code=args.code,
        secret_kind=SecretStoreKind(args.secret_store),
    )
    print(
        f"已登记：{result.center_name} {result.workstation_name}"
        f"（中心 {result.center_code}，受理点 {result.site_code}，"
        f"工作站编号 {result.workstation_number}）\n"
        f"数据目录：{result.data_dir}\n"
        f"设备令牌保存在：{result.secret_location}"
    )
    return 0


@one_line_errors
def run_sync(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None))
    with counter_context(directory) as context:
        try:
            if args.once:
                with connect(directory, context.settings) as client:
                    report = sync_once(context, client)
                emit(args, asdict(report), _report_text)
                return 1 if report.quarantined else 0
            return _run_loop(args, context, directory)
        except (SetupError, SecretsError) as error:
            raise CliError(str(error)) from None
        except SyncError as error:
            prefix = "离线：" if error.retryable else "同步失败："
            print(f"tongban: {prefix}{error}", file=sys.stderr)
            return 1


def _run_loop(args: argparse.Namespace, context: Any, directory: Path) -> int:
    printing = threading.Lock()

    def show(report: SyncReport) -> None:
        if report.accepted or report.rejected or report.pulled or report.quarantined:
            with printing:
                emit(args, asdict(report), _report_text)

    loop = SyncLoop(context, lambda: connect(directory, context.settings), on_report=show)
    loop.start()
    print("正在同步，按 Ctrl+C 停止", file=sys.stderr)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        loop.stop(timeout=2)
        print("已停止同步", file=sys.stderr)
    return 0


@one_line_errors
def run_status(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None))
    with counter_context(directory) as context, context.store.reading() as session:
        state = get_sync_state(session)
        data = {
            "server_url": context.settings.server_url,
            "pending": pending_count(session),
            "problems": [asdict(p) for p in sync_problems(session)],
            "remote_problems": [_remote(p) for p in remote_problems(session)],
            "audit_pending": unsent_audit_count(session),
            "last_contact": _shanghai(state.last_contact_at),
            "server_offset_seconds": (
                None if state.server_offset_ms is None else state.server_offset_ms / 1000
            ),
            "epoch": state.epoch,
            "quarantined": state.quarantined,
            "quarantine_reason": state.quarantine_reason,
            "current_app_version": state.current_app_version,
            "minimum_app_version": state.minimum_app_version,
            "update_notice": update_notice(installed_version(), state.app_versions()),
        }
    emit(args, data, _status_text)
    return 0


@one_line_errors
def run_problems(args: argparse.Namespace) -> int:
    directory = data_dir(getattr(args, "data_dir", None))
    with counter_context(directory) as context, context.store.reading() as session:
        data = {
            "problems": [_refused(p) for p in sync_problems(session)],
            "remote_problems": [_remote(p) for p in remote_problems(session)],
        }
    emit(args, data, _problems_text)
    return 0


def _refused(problem: SyncProblem) -> dict[str, Any]:
    return {**asdict(problem), "recorded_at": _shanghai(problem.recorded_at)}


def _remote(problem: RemoteProblem) -> dict[str, Any]:
    return {
        **asdict(problem),
        "created_at": _shanghai(problem.created_at),
        "recorded_at": _shanghai(problem.recorded_at),
    }


def _problems_text(data: dict[str, Any]) -> str:
    lines = [f"中心拒收的本机事件：{len(data['problems'])} 件"]
    lines.extend(
        f"  {p['stream_id']}（{p['kind']}，序号 {p['sequence']}）：{p['reason']}"
        for p in data["problems"]
    )
    lines.append(f"本机未能采用的中心事件：{len(data['remote_problems'])} 件")
    lines.extend(_remote_line(p) for p in data["remote_problems"])
    return "\n".join(lines)


def _remote_line(problem: dict[str, Any]) -> str:
    return (
        f"  {problem['stream_id']}（{problem['kind']}，{problem['created_at']} 记录，"
        f"事件 {problem['event_id']}）：{problem['reason']}"
    )


def _shanghai(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _report_text(data: dict[str, Any]) -> str:
    lines = [
        f"已上传 {data['accepted']} 件（此前已收到 {data['duplicates']} 件，"
        f"被中心拒收 {data['rejected']} 件），已下载 {data['pulled']} 件",
        f"待上传 {data['pending']} 件，同步问题 {data['problems']} 件",
    ]
    if data["remote_problems"]:
        lines.append(
            f"本机未能采用的中心事件 {data['remote_problems']} 件（tongban sync problems）"
        )
    if data["audit_sent"]:
        lines.append(f"已上传审计记录 {data['audit_sent']} 条")
    if data["audit_problem"]:
        lines.append(data["audit_problem"])
    if data["resent_from"] is not None:
        lines.append(f"中心缺少本机自第 {data['resent_from']} 号起的事件，已重新上传")
    if data["catalogs"]:
        lines.append(f"已取得事项目录：{'、'.join(data['catalogs'])}")
    if data["quarantined"]:
        lines.append(f"本工作站已被隔离：{data['quarantine_reason']}，请联系管理员")
    lines.extend(f"未接收的事件 {conflict}" for conflict in data["conflicts"])
    return "\n".join(lines)


def _status_text(data: dict[str, Any]) -> str:
    lines = [
        f"同步服务器：{data['server_url'] or '未配置'}",
        f"待上传事件：{data['pending']} 件",
        f"最近联系：{data['last_contact'] or '从未'}",
        f"同步问题：{len(data['problems'])} 件",
    ]
    lines.extend(
        f"  {p['stream_id']}（{p['kind']}，序号 {p['sequence']}）：{p['reason']}"
        for p in data["problems"]
    )
    if data["remote_problems"]:
        lines.append(f"本机未能采用的中心事件：{len(data['remote_problems'])} 件")
        lines.extend(_remote_line(p) for p in data["remote_problems"])
    lines.append(f"待上传审计记录：{data['audit_pending']} 条")
    if data["quarantined"]:
        lines.append(f"本工作站已被隔离：{data['quarantine_reason']}，请联系管理员")
    if data["update_notice"]:
        lines.append(data["update_notice"])
    return "\n".join(lines)
