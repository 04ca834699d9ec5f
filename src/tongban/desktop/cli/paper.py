"""`tongban print receipt CASE`: a case's receipt again, to a file or the workstation's printer.
`tongban print supplement-notice CASE`: the 补正材料通知书 of a case waiting for a supplement.

Every print of a receipt after the first is recorded on the case as a reprint, whoever asks for it;
scripts use `--out FILE.pdf`. Visits without a case get their notice from `tongban intake --pdf`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tongban.desktop.cli.common import CliError
from tongban.desktop.cli.counter import (
    actor_for_clerk,
    add_data_dir,
    counter_context,
    one_line_errors,
)
from tongban.desktop.output_files import write_output
from tongban.desktop.services import Cases, Paperwork
from tongban.desktop.settings import Paper, data_dir


def register(commands: argparse._SubParsersAction) -> None:
    printing = commands.add_parser("print", help="打印文书").add_subparsers(
        dest="print_command", metavar="DOCUMENT", required=True
    )
    receipt = printing.add_parser("receipt", help="补打受理回执（记入办件事件）")
    receipt.add_argument("case_number", metavar="CASE")
    receipt.add_argument("--out", type=Path, metavar="FILE", help="写入 PDF 文件，不送打印机")
    receipt.add_argument(
        "--paper", choices=[p.value for p in Paper], help="纸张（默认：工作站设置）"
    )
    receipt.add_argument("--reason", default="补打", help="补打原因（记入办件事件）")
    receipt.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    add_data_dir(receipt)
    receipt.set_defaults(run=run_print_receipt)

    notice = printing.add_parser("supplement-notice", help="补正材料通知书（受理或办理中心）")
    notice.add_argument("case_number", metavar="CASE")
    notice.add_argument("--out", type=Path, metavar="FILE", help="写入 PDF 文件，不送打印机")
    notice.add_argument(
        "--paper", choices=[p.value for p in Paper], help="纸张（默认：工作站设置）"
    )
    notice.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    add_data_dir(notice)
    notice.set_defaults(run=run_print_supplement_notice)


@one_line_errors
def run_print_receipt(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        cases = Cases(context, Paperwork(context, paper=args.paper))
        pdf = cases.reprint(args.case_number, actor, reason=args.reason)
        if pdf is None:
            raise CliError("该办件的回执不能在本工作站补打（不是本中心受理的办件，或文书生成失败）")
        if args.out is not None:
            write_output(args.out, pdf)
            print(f"已写入 {args.out}")
            return 0
        send_to_printer(pdf, context.settings.printer or "", args.paper or context.settings.paper)
    print("已送打印机")
    return 0


@one_line_errors
def run_print_supplement_notice(args: argparse.Namespace) -> int:
    from tongban.desktop.services.supplement_notices import SupplementNotices

    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        pdf = SupplementNotices(context).pdf(args.case_number, actor, paper=args.paper)
        if args.out is not None:
            write_output(args.out, pdf)
            print(f"已写入 {args.out}")
            return 0
        send_to_printer(pdf, context.settings.printer or "", args.paper or context.settings.paper)
    print("已送打印机")
    return 0


def send_to_printer(pdf: bytes, printer: str, paper: str) -> None:
    # Qt is loaded only for a real print, and a command needs its own (windowless) application.
    from PySide6.QtGui import QGuiApplication

    from tongban.desktop.printers import PrintError, PrinterSettings, print_pdf
    from tongban.printing import Paper as PrintPaper

    _app = QGuiApplication.instance() or QGuiApplication([])
    try:
        print_pdf(
            pdf, PrinterSettings(printer_name=printer, paper=PrintPaper(paper)), job_name="tongban"
        )
    except PrintError as error:
        raise CliError(str(error)) from None
