"""`tongban report daily|range`: a center's intake report as JSON, CSV, XLSX or PDF.

    tongban report daily [--center C] [--date D] [--format json|csv|xlsx|pdf] [--out FILE]
    tongban report range [--center C] --from D1 --to D2 [--format …] [--out FILE]

The center defaults to this workstation's (the only one it may see), the date to today in
Shanghai. JSON and CSV go to standard output without --out; XLSX and PDF need --out. Figures come
from the central service; when it cannot be reached the report is made from this workstation's
store, says so in every format, and a warning line goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from tongban.desktop.cli.common import CliError, day_or_today, iso_date
from tongban.desktop.cli.counter import add_data_dir, counter_context, one_line_errors
from tongban.desktop.output_files import write_output
from tongban.desktop.settings import data_dir
from tongban.models.reports import IntakeReport

FORMATS = ("json", "csv", "xlsx", "pdf")
BINARY = frozenset({"xlsx", "pdf"})


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="受理报表（主管）").add_subparsers(
        dest="report_command", metavar="KIND", required=True
    )
    daily = report.add_parser("daily", help="某日的受理报表（默认今天）")
    daily.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="报表日期（默认今天）")
    _common(daily)
    daily.set_defaults(run=run_daily)
    ranged = report.add_parser("range", help="一段期间的受理报表（最长一年）")
    ranged.add_argument("--from", dest="first", type=iso_date, required=True, metavar="YYYY-MM-DD")
    ranged.add_argument("--to", dest="last", type=iso_date, required=True, metavar="YYYY-MM-DD")
    _common(ranged)
    ranged.set_defaults(run=run_range)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--center", metavar="CODE", help="中心代码（默认本工作站所属中心）")
    parser.add_argument("--format", choices=FORMATS, default="json", help="输出格式（默认 json）")
    parser.add_argument("--out", type=Path, metavar="FILE", help="写入文件（xlsx、pdf 必须指定）")
    add_data_dir(parser)


@one_line_errors
def run_daily(args: argparse.Namespace) -> int:
    day = day_or_today(args.date)
    return _run(args, day, day)


@one_line_errors
def run_range(args: argparse.Namespace) -> int:
    return _run(args, args.first, args.last)


def _run(args: argparse.Namespace, first: date, last: date) -> int:
    if args.format in BINARY and args.out is None:
        raise CliError(f"{args.format} 格式须用 --out 指定输出文件")
    # Imported here: the exports pull in ReportLab and openpyxl, which other commands never need.
    from tongban.desktop.services.reports import Reports

    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        report = Reports(context).intake(first, last, center=args.center)
    if report.partial:
        print(f"tongban: 注意：报表数据不完整（{report.partial_reason}）", file=sys.stderr)
    content = render(report, args.format)
    if args.out is not None:
        write_output(args.out, content)
        print(f"已写入 {args.out}")
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    return 0


def render(report: IntakeReport, format_name: str) -> bytes:
    """The report's bytes in one of FORMATS: the same documents the dashboard exports."""
    from tongban.desktop.services.supervisor import report_bytes

    return report_bytes(report, format_name)
