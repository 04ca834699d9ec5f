"""`tongban central …`: set up, run and administer the central sync service.

    init       create or upgrade the schema; load the geography and the bundled catalog
    serve      run the service (FastAPI on uvicorn) on HOST:PORT
    enroll     register a workstation and print its one-time enrollment code
    add-clerk  add a clerk account (password from the terminal, or one line on stdin)
    new-epoch  declare that the database was restored from a backup
    deactivate-clerk / activate-clerk
               stop (or restore) an account at every workstation of its center
    rename-clerk / reset-password / set-clerk-role
               change an account's name, password (terminal, or --password-stdin) or role;
               the center's workstations take it over at their next sync
    publish-catalog
               publish a new catalog revision file (validated; a published revision never changes)
    rejections list the events the service refused (同步问题), with the reasons
    audit      list a center's audit entries of one day (shipped by its workstations)
    versions   show or set the program versions announced to workstations (current, minimum)
    workstations
               list a center's workstations: status, last contact, version, clock offset
    retire-workstation
               take a workstation out of service: token refused, 日结 no longer waits for it

The database comes from --db or the environment variable TONGBAN_CENTRAL_DB (which keeps a
password out of the process list): postgresql://user@host/dbname or sqlite:////path/central.db.
Errors are one line on stderr with exit code 2; nothing prints a traceback to an administrator.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import NoReturn

from argon2 import PasswordHasher
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tongban.central.audit_cli import add_audit_command
from tongban.central.clerks import (
    ClerkAccount,
    ClerkRole,
    rename_clerk,
    set_clerk_password,
    set_clerk_role,
)
from tongban.central.database import (
    database_problem,
    database_url,
    open_database,
    require_current_schema,
)
from tongban.central.errors import CentralError
from tongban.central.reference import center_name
from tongban.central.reports import workstation_health
from tongban.central.retirement import retire
from tongban.central.serving import (
    MAX_WORKERS,
    SERVE_POOL_SIZE,
    connection_shortfall,
    listen_problem,
    serve_one,
    serve_workers,
)
from tongban.central.store import CentralStore
from tongban.central.versions import ANNOUNCEMENT_TTL, announce_versions, announced_versions
from tongban.models.app_versions import VersionError
from tongban.models.clock import SHANGHAI
from tongban.models.closures import when
from tongban.models.reports import WorkstationHealth
from tongban.models.rules.passwords import password_problem
from tongban.models.workstation_clock import offset_in_words

DB_ENVIRONMENT = "TONGBAN_CENTRAL_DB"
DEFAULT_LISTEN = "127.0.0.1:8470"
WORKSTATION_STATES = {
    "active": "使用中",
    "pending": "待登记",
    "quarantined": "已隔离",
    "retired": "已停用",
}
SYNC_NOTE = "本中心各工作站下次同步后生效"
ROLE_NAMES = {ClerkRole.CLERK: "窗口受理员", ClerkRole.SUPERVISOR: "中心主管"}


class CliError(Exception):
    """An administrator's mistake or an unusable input: one line, exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"参数错误：{message}（用 --help 查看用法）")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="tongban central", description="通办 中心同步服务")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    init = _command(commands, "init", "创建或升级中心数据库，并载入区划与事项目录", _init)
    serve = _command(commands, "serve", "运行中心同步服务", _serve)
    serve.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"监听地址（默认 {DEFAULT_LISTEN}）",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="服务进程数（默认 1；仅 PostgreSQL，可设为处理器核数）",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="逐条记录请求（默认不记：长轮询每次应答后都会再请求，前置代理通常已有访问日志）",
    )
    enroll = _command(commands, "enroll", "登记工作站，生成一次性登记码", _enroll)
    enroll.add_argument("--center", required=True, metavar="CODE", help="中心代码（9 位）")
    enroll.add_argument("--workstation", required=True, metavar="NAME", help="工作站名称")
    enroll.add_argument("--site", metavar="CODE", help="分中心代码（默认：中心本身）")
    enroll.add_argument(
        "--valid-hours",
        type=_positive_hours,
        default=24,
        metavar="N",
        help="登记码有效小时数（默认 24）",
    )
    clerk = _command(
        commands, "add-clerk", "新增工作人员账户（密码从终端或标准输入读取）", _add_clerk
    )
    clerk.add_argument("--center", required=True, metavar="CODE", help="所属中心代码")
    clerk.add_argument("--number", required=True, metavar="N", help="工号（全市唯一）")
    clerk.add_argument("--name", required=True, help="姓名")
    clerk.add_argument(
        "--role",
        choices=[r.value for r in ClerkRole],
        default=ClerkRole.CLERK.value,
        help="角色：clerk 窗口受理员，supervisor 中心主管",
    )
    epoch = _command(
        commands, "new-epoch", "数据库从备份恢复后执行：各工作站重新提交中心缺少的事件", _new_epoch
    )
    epoch.add_argument(
        "--confirm", action="store_true", required=True, help="确认数据库确实是从备份恢复的"
    )
    versions = _command(
        commands, "versions", "查看或设置向工作站公布的程序版本（当前版本、最低版本）", _versions
    )
    versions.add_argument("--current", metavar="X", help="当前发布的版本，例如 0.2.0")
    versions.add_argument("--minimum", metavar="Y", help="工作站至少应有的版本，例如 0.1.0")
    admin = [
        *_admin_commands(commands),
        *_clerk_changes(commands),
        *_workstation_commands(commands),
    ]
    admin.append(add_audit_command(commands, open_store=_store))  # audit_cli.py
    for sub in (init, serve, enroll, clerk, epoch, versions, *admin):
        sub.add_argument(
            "--db",
            default=os.environ.get(DB_ENVIRONMENT),
            metavar="URL",
            help=f"数据库地址（默认取环境变量 {DB_ENVIRONMENT}）",
        )
    return parser


def _workstation_commands(
    commands: argparse._SubParsersAction[OneLineParser],
) -> list[OneLineParser]:
    listing = _command(commands, "workstations", "列出中心的工作站及其状态", _workstations)
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    retire = _command(
        commands, "retire-workstation", "停用工作站：令牌作废，日结不再等待它", _retire
    )
    retire.add_argument("--workstation", required=True, metavar="NAME", help="工作站名称或编号")
    for sub in (listing, retire):
        sub.add_argument("--center", required=True, metavar="CODE", help="中心代码（9 位）")
    return [listing, retire]


def _admin_commands(commands: argparse._SubParsersAction[OneLineParser]) -> list[OneLineParser]:
    off = _command(commands, "deactivate-clerk", "停用工作人员账户（各工作站下次同步后生效）", _off)
    on = _command(commands, "activate-clerk", "恢复已停用的工作人员账户", _on)
    for sub in (off, on):
        sub.add_argument("--number", required=True, metavar="N", help="工号")
    publish = _command(commands, "publish-catalog", "发布新的事项目录修订", _publish)
    publish.add_argument("file", type=Path, metavar="FILE", help="事项目录修订文件（YAML）")
    refused = _command(commands, "rejections", "列出中心拒收的事件（同步问题）及原因", _rejections)
    refused.add_argument("--workstation", metavar="DEVICE_ID", help="只列出此工作站的")
    refused.add_argument("--json", action="store_true", help="以 JSON 输出")
    return [off, on, publish, refused]


def _clerk_changes(commands: argparse._SubParsersAction[OneLineParser]) -> list[OneLineParser]:
    rename = _command(
        commands, "rename-clerk", "修改工作人员姓名（各工作站下次同步后生效）", _rename
    )
    rename.add_argument("--name", required=True, help="新姓名")
    reset = _command(
        commands, "reset-password", "重设工作人员密码（各工作站下次同步后只认新密码）", _reset
    )
    reset.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取一行作为新密码（供脚本使用）"
    )
    role = _command(commands, "set-clerk-role", "修改工作人员角色", _set_role)
    role.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in ClerkRole],
        help="clerk 窗口受理员，supervisor 中心主管",
    )
    for sub in (rename, reset, role):
        sub.add_argument("--number", required=True, metavar="N", help="工号")
    return [rename, reset, role]


def _command(
    commands: argparse._SubParsersAction[OneLineParser],
    name: str,
    help_text: str,
    run: object,
) -> OneLineParser:
    sub = commands.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(run=run)
    return sub


def _positive_hours(text: str) -> int:
    try:
        hours = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}") from None
    if not 1 <= hours <= 24 * 30:
        raise argparse.ArgumentTypeError("有效期应在 1 至 720 小时之间")
    return hours


def main(argv: Sequence[str]) -> int:
    """Run one `tongban central` command; argv is what follows `central`."""
    try:
        args = build_parser().parse_args(list(argv))
        return int(args.run(args) or 0)
    except (CliError, CentralError) as error:
        print(f"tongban central: {error}", file=sys.stderr)
        return 2
    except DBAPIError as error:
        print(f"tongban central: {database_problem(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tongban central: 已中断", file=sys.stderr)
        return 130


def _store(args: argparse.Namespace, *, current: bool = True, pool_size: int = 2) -> CentralStore:
    if not args.db:
        raise CliError(f"请用 --db 指定数据库地址（或设置环境变量 {DB_ENVIRONMENT}）")
    database = open_database(database_url(args.db), pool_size=pool_size)
    if current:
        try:
            require_current_schema(database)
        except BaseException:
            database.close()
            raise
    return CentralStore(database)


def _init(args: argparse.Namespace) -> int:
    store = _store(args, current=False)
    try:
        report = store.initialise()
    finally:
        store.database.close()
    g = report.geography
    print(
        f"中心数据库已就绪：{g.districts} 个区，{g.centers} 个中心，{g.sub_centers} 个分中心，"
        f"{g.streets} 个街道"
    )
    print(f"事项目录修订 {report.catalog_revision}（校验和 {report.catalog_checksum[:16]}…）")
    print(f"纪元 {report.epoch}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    host, port = _listen_address(args.listen)
    url = database_url(args.db) if args.db else None
    if url is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise CliError(f"服务进程数应在 1 到 {MAX_WORKERS} 之间：{args.workers}")
    if url is not None and args.workers > 1 and url.get_backend_name() != "postgresql":
        raise CliError("多个服务进程需要 PostgreSQL；SQLite 只能由一个进程服务")
    if problem := listen_problem(host, port):
        raise CliError(problem)
    store = _store(args, pool_size=SERVE_POOL_SIZE)
    shown = store.database.engine.url.render_as_string(hide_password=True)
    if store.database.is_postgresql:
        shortfall = connection_shortfall(store.database.engine, args.workers)
        if shortfall is not None:
            print(f"tongban central: {shortfall}", file=sys.stderr)
    if args.workers > 1:
        store.database.close()  # each worker opens its own (serving.py)
        print(f"中心同步服务：http://{host}:{port}（{args.workers} 个进程，数据库 {shown}）")
        return serve_workers(
            str(args.db), host=host, port=port, workers=args.workers, access_log=args.access_log
        )
    try:
        print(f"中心同步服务：http://{host}:{port}（数据库 {shown}）", flush=True)
        serve_one(store, host=host, port=port, access_log=args.access_log)
    finally:
        store.database.close()
    return 0


def _listen_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise CliError(f"监听地址应为 主机:端口，例如 {DEFAULT_LISTEN}：{text}")
    return host.strip("[]"), int(port)


def _enroll(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        enrollment = store.enroll(
            center_code=args.center,
            name=args.workstation,
            site_code=args.site,
            valid_for=timedelta(hours=args.valid_hours),
        )
    finally:
        store.database.close()
    w = enrollment.workstation
    expires = enrollment.expires_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    print(f"工作站「{w.name}」（中心 {w.center_code}，受理点 {w.site_code}，编号 {w.number:03d}）")
    print(f"一次性登记码：{enrollment.code}")
    print(f"有效期至 {expires}（北京时间）；只显示这一次，请在工作站上输入")
    return 0


def _add_clerk(args: argparse.Namespace) -> int:
    password = _read_password()
    problem = password_problem(password)
    if problem is not None:
        raise CliError(problem)
    store = _store(args)
    try:
        clerk = store.add_clerk(
            number=args.number,
            name=args.name,
            role=ClerkRole(args.role),
            center_code=args.center,
            password_hash=PasswordHasher().hash(password),
        )
    finally:
        store.database.close()
    where = f"中心 {clerk.center_code}，{clerk.role.value}"
    print(f"已新增工作人员 {clerk.number} {clerk.name}（{where}）")
    return 0


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise CliError("两次输入的密码不一致")
    return first


def _new_epoch(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        central = store.new_epoch()
    finally:
        store.database.close()
    print(f"新纪元 {central.epoch}：各工作站下次同步时重新提交中心缺少的事件，并重新拉取")
    return 0


def _versions(args: argparse.Namespace) -> int:
    if (args.current is None) != (args.minimum is None):
        raise CliError("请同时给出 --current 和 --minimum（都不给则显示现在公布的版本）")
    store = _store(args)
    try:
        if args.current is None:
            known = announced_versions(store.database)
        else:
            try:
                known = announce_versions(
                    store.database, current=args.current, minimum=args.minimum
                )
            except VersionError as error:
                raise CliError(str(error)) from None
    finally:
        store.database.close()
    if known.current is None:
        print("尚未公布程序版本：工作站不会收到更新提示")
        return 0
    print(f"当前版本 {known.current}，最低版本 {known.minimum}")
    if args.current is not None:
        print(f"中心服务在 {ANNOUNCEMENT_TTL:.0f} 秒内开始公布；低于最低版本的工作站将提示更新")
    return 0


def _off(args: argparse.Namespace) -> int:
    return _set_active(args, active=False)


def _on(args: argparse.Namespace) -> int:
    return _set_active(args, active=True)


def _set_active(args: argparse.Namespace, *, active: bool) -> int:
    store = _store(args)
    try:
        clerk = store.set_clerk_active(args.number, active=active)
    finally:
        store.database.close()
    state = "已恢复" if active else "已停用"
    print(f"工作人员 {clerk.number} {clerk.name}（中心 {clerk.center_code}）{state}")
    return 0


def _rename(args: argparse.Namespace) -> int:
    clerk = _change_clerk(
        args, lambda session, at: rename_clerk(session, args.number, name=args.name, at=at)
    )
    print(
        f"工作人员 {clerk.number} 的姓名现为 {clerk.name}（中心 {clerk.center_code}）；{SYNC_NOTE}"
    )
    return 0


def _reset(args: argparse.Namespace) -> int:
    password = _new_password(args.password_stdin)
    hashed = PasswordHasher().hash(password)
    clerk = _change_clerk(
        args,
        lambda session, at: set_clerk_password(session, args.number, password_hash=hashed, at=at),
    )
    print(
        f"工作人员 {clerk.number} {clerk.name} 的密码已重设：中心即刻只认新密码，"
        f"此前日结密码的错误次数不再计算；{SYNC_NOTE}"
    )
    return 0


def _set_role(args: argparse.Namespace) -> int:
    role = ClerkRole(args.role)
    clerk = _change_clerk(
        args, lambda session, at: set_clerk_role(session, args.number, role=role, at=at)
    )
    print(f"工作人员 {clerk.number} {clerk.name} 现为{ROLE_NAMES[clerk.role]}；{SYNC_NOTE}")
    return 0


def _change_clerk(
    args: argparse.Namespace, change: Callable[[Session, datetime], ClerkAccount]
) -> ClerkAccount:
    store = _store(args)
    try:
        with store.database.transaction() as session:
            return change(session, store.now())
    finally:
        store.database.close()


def _new_password(from_stdin: bool) -> str:
    """A new password: one line of standard input when asked for, else typed twice unseen."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        raise CliError("请在终端输入新密码；脚本请加 --password-stdin 从标准输入读取")
    else:
        password = getpass.getpass("新密码：")
        if getpass.getpass("再次输入新密码：") != password:
            raise CliError("两次输入的密码不一致")
    problem = password_problem(password)
    if problem is not None:
        raise CliError(problem)
    return password


def _publish(args: argparse.Namespace) -> int:
    try:
        content = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"无法读取事项目录文件 {args.file}：{error}") from None
    store = _store(args)
    try:
        revision = store.publish_catalog(content, file_name=args.file.name)
    finally:
        store.database.close()
    print(
        f"事项目录修订 {revision.revision} 已发布，{revision.effective_from} 起生效"
        f"（校验和 {revision.checksum[:16]}…）"
    )
    return 0


def _rejections(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        refused = store.rejections(args.workstation)
    finally:
        store.database.close()
    if args.json:
        rows = [{**asdict(r), "received_at": r.received_at.isoformat()} for r in refused]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in refused:
        at = r.received_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        print(f"{at}  {r.workstation_id} #{r.sequence}  {r.kind}  {r.stream_id}  {r.reason}")
    print(f"共 {len(refused)} 条")
    return 0


def _workstations(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        with store.database.reading() as session:
            center_name(session, args.center)  # refuses an unknown center
            health = workstation_health(session, args.center)
    finally:
        store.database.close()
    if args.json:
        print(json.dumps([_health_json(w) for w in health], ensure_ascii=False, indent=2))
        return 0
    for w in health:
        print(_health_line(w))
    print(f"共 {len(health)} 台")
    return 0


def _health_line(w: WorkstationHealth) -> str:
    status = WORKSTATION_STATES.get(w.status, w.status)
    contact = "从未联系" if w.last_contact is None else f"最近联系 {when(w.last_contact)}"
    pending = "" if w.pending_events is None else f"  待同步 {w.pending_events}"
    clock = f"时钟{offset_in_words(w.clock_offset_seconds)}"
    version = w.app_version or "版本未知"
    return f"{w.number:03d}  {w.name}  {status}  {contact}  {version}  {clock}{pending}"


def _health_json(w: WorkstationHealth) -> dict[str, object]:
    return {
        "number": w.number,
        "name": w.name,
        "site_code": w.site_code,
        "status": w.status,
        "last_contact": None if w.last_contact is None else w.last_contact.isoformat(),
        "app_version": w.app_version,
        "pending_events": w.pending_events,
        "clock_offset_seconds": w.clock_offset_seconds,
    }


def _retire(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        with store.database.transaction() as session:
            done = retire(
                session, center_code=args.center, workstation=args.workstation, at=store.now()
            )
    finally:
        store.database.close()
    w = done.workstation
    print(f"工作站 {w.number:03d}「{w.name}」（中心 {w.center_code}）已停用")
    print("其令牌已作废，不能再同步；日结不再等待它")
    warning = done.warning()
    if warning is not None:
        print(warning)
    return 0
