"""`tongban day close|status`: 日结, the supervisor signs the center's day off.

    tongban day close  --date D --clerk N      the password from the terminal (or one line of stdin)
    tongban day status --date D [--json]

The date defaults to today (Shanghai). `close` asks the central service (models/closures.py has
the rules): exit 0 when the day is signed off; exit 1 when workstations have not synced the day
(the list on stdout, or the status as JSON with --json); a refusal is one line, exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from tongban.desktop.cli.common import CliError, add_json_flag, day_or_today, iso_date
from tongban.desktop.cli.counter import add_data_dir, counter_context, one_line_errors
from tongban.desktop.settings import data_dir
from tongban.models.closures import DayStatus

NOT_SYNCED = 1


def register(commands: argparse._SubParsersAction) -> None:
    day = commands.add_parser("day", help="日结（主管）").add_subparsers(
        dest="day_command", metavar="ACTION", required=True
    )
    close = day.add_parser("close", help="主管签字日结：当日受理锁定，统计数报中心")
    close.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="日期（默认今天）")
    close.add_argument("--clerk", required=True, metavar="N", help="主管工号")
    add_data_dir(close)
    add_json_flag(close)
    close.set_defaults(run=run_close)
    status = day.add_parser("status", help="某日是否已日结，未日结时还差哪些工作站")
    status.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="日期（默认今天）")
    add_data_dir(status)
    add_json_flag(status)
    status.set_defaults(run=run_status)


@one_line_errors
def run_close(args: argparse.Namespace) -> int:
    from tongban.desktop.services.closures import DayClosures

    day = day_or_today(args.date)
    password = _read_password()
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        status = DayClosures(context).close(day, args.clerk, password)
    _show(args, status)
    if status.closure is None:
        count = len(status.stragglers)
        print(f"tongban: {count} 台工作站尚未同步 {day:%Y-%m-%d} 的数据，未日结", file=sys.stderr)
        return NOT_SYNCED
    return 0


@one_line_errors
def run_status(args: argparse.Namespace) -> int:
    from tongban.desktop.services.closures import DayClosures

    day = day_or_today(args.date)
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        status = DayClosures(context).status(day)
    _show(args, status)
    return 0


def _show(args: argparse.Namespace, status: DayStatus) -> None:
    if args.json:
        json.dump(status.to_json_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    print(status.summary())
    if status.closure is not None:
        report = status.closure.report
        print(
            f"受理 {report.accepted} 件，一次性告知 {report.notified}，不予受理 {report.refused}，"
            f"转出 {report.forwarded_out}，转入 {report.received_in}"
        )


def _read_password() -> str:
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("主管密码：")
    if not password:
        raise CliError("未输入密码")
    return password
