"""`tongban central …`: set up, run and administer the central sync service.

    init       create or upgrade the schema; load the geography and the bundled catalog
    serve      run the service (FastAPI on uvicorn) on HOST:PORT
    enroll     register a workstation and print its one-time enrollment code
    add-clerk  add a clerk account (password from the terminal, or one line on stdin)
    new-epoch  declare that the database was restored from a backup
    deactivate-clerk / activate-clerk
               stop (or restore) an account at every workstation of its center
    publish-catalog
               publish a new catalog revision file (validated; a published revision never changes)
    rejections list the events the service refused (同步问题), with the reasons
    versions   show or set the program versions announced to workstations (current, minimum)

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
from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

from argon2 import PasswordHasher

from tongban.central.clerks import ClerkRole
from tongban.central.database import database_url, open_database, require_current_schema
from tongban.central.errors import CentralError
from tongban.central.store import CentralStore
from tongban.central.versions import ANNOUNCEMENT_TTL, announce_versions, announced_versions
from tongban.models.app_versions import VersionError
from tongban.models.clock import SHANGHAI
from tongban.models.rules.passwords import password_problem

DB_ENVIRONMENT = "TONGBAN_CENTRAL_DB"
DEFAULT_LISTEN = "127.0.0.1:8470"


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
    admin = _admin_commands(commands)
    for sub in (init, serve, enroll, clerk, epoch, versions, *admin):
        sub.add_argument(
            "--db",
            default=os.environ.get(DB_ENVIRONMENT),
            metavar="URL",
            help=f"数据库地址（默认取环境变量 {DB_ENVIRONMENT}）",
        )
    return parser


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
    except KeyboardInterrupt:
        print("tongban central: 已中断", file=sys.stderr)
        return 130


def _store(args: argparse.Namespace, *, current: bool = True) -> CentralStore:
    if not args.db:
        raise CliError(f"请用 --db 指定数据库地址（或设置环境变量 {DB_ENVIRONMENT}）")
    database = open_database(database_url(args.db), pool_size=2)
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
    import uvicorn

    from tongban.central.app import create_app

    host, port = _listen_address(args.listen)
    store = _store(args)
    try:
        app = create_app(store)
        shown = database_url(args.db).render_as_string(hide_password=True)
        print(f"中心同步服务：http://{host}:{port}（数据库 {shown}）", flush=True)
        uvicorn.Server(uvicorn.Config(app, host=host, port=port, server_header=False)).run()
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
