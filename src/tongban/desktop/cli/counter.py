"""`tongban` (open the workstation), `tongban demo`, `tongban intake` and `tongban cases`.

Each works on one data directory: `--data-dir DIR`, else TONGBAN_DATA_DIR, else the user's data
folder (a separate one for the demo). Storage faults and refusals are one Chinese line, exit 2;
the store's transactions make sure nothing is half written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec

from sqlalchemy.exc import SQLAlchemyError

from tongban.desktop.cli.case_file import CaseFileError, read_case_file, to_request
from tongban.desktop.cli.common import CliError, add_json_flag, emit
from tongban.desktop.cli.launch import add_data_dir
from tongban.desktop.output_files import OutputError, write_output
from tongban.desktop.services import (
    DEMO_HINT,
    Acceptance,
    Accounts,
    Actor,
    Cases,
    Channel,
    CounterContext,
    Intake,
    Paperwork,
    ServiceError,
    VisitRecord,
    open_counter,
    prepare_demo,
)
from tongban.desktop.services.cases import status_label
from tongban.desktop.services.errors import describe_storage_failure
from tongban.desktop.settings import SettingsError, data_dir
from tongban.models.clock import SHANGHAI
from tongban.models.rules import display_case_number, mask_identity
from tongban.models.store import StoreError

Run = Callable[[argparse.Namespace], int]
P = ParamSpec("P")


def one_line_errors(run: Callable[P, int]) -> Callable[P, int]:
    """Every refusal and storage fault of a command becomes one line on stderr, exit 2."""

    @wraps(run)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return run(*args, **kwargs)
        except (ServiceError, CaseFileError, SettingsError, StoreError, OutputError) as error:
            raise CliError(str(error)) from None
        except BrokenPipeError:
            raise  # the reader went away (… | head): the front ends quietly
        except (SQLAlchemyError, OSError) as error:
            raise CliError(describe_storage_failure(error)) from None

    return guarded


def register(commands: argparse._SubParsersAction) -> None:
    intake = commands.add_parser("intake", help="按案件文件（JSON）受理、告知或不予受理")
    intake.add_argument("--file", type=Path, required=True, metavar="FILE", help="案件文件")
    intake.add_argument("--clerk", metavar="N", help="经办人工号（本工作站只有一个账户时可省略）")
    intake.add_argument("--pdf", type=Path, metavar="FILE", help="同时生成文书（回执或通知书）")
    add_data_dir(intake)
    add_json_flag(intake)
    intake.set_defaults(run=run_intake)

    cases = commands.add_parser("cases", help="本工作站的办件").add_subparsers(
        dest="cases_command", metavar="ACTION", required=True
    )
    listing = cases.add_parser("list", help="列出办件（最新的在前）")
    listing.add_argument("--limit", type=int, default=100, metavar="N")
    add_data_dir(listing)
    add_json_flag(listing)
    listing.set_defaults(run=run_cases_list)
    show = cases.add_parser("show", help="显示一个办件及其全部事件（记入审计）")
    show.add_argument("case_number", metavar="CASE")
    show.add_argument("--clerk", metavar="N", help="查看人工号（本工作站只有一个账户时可省略）")
    add_data_dir(show)
    add_json_flag(show)
    show.set_defaults(run=run_cases_show)


# The demo -------------------------------------------------------------------------------------


@one_line_errors
def prepare_demo_command(directory: Path, *, reset: bool, announce: bool) -> int:
    """Create (or, with reset, recreate) the demo in `directory`; `announce` says what was done."""
    setup = prepare_demo(directory, reset=reset)
    if announce:
        state = "已准备" if setup.created else "已存在，未改动"
        print(f"演示工作站{state}：{directory}\n{DEMO_HINT}")
    return 0


@contextmanager
def counter_context(directory: Path) -> Iterator[CounterContext]:
    context = open_counter(directory)
    try:
        yield context
    finally:
        context.close()


# Intake ---------------------------------------------------------------------------------------


@one_line_errors
def run_intake(args: argparse.Namespace) -> int:
    raw = read_case_file(args.file)  # a bad file is reported before the store is touched
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        request = to_request(raw, context.catalog, context.geography)
        actor = actor_for_clerk(context, args.clerk)
        result = Intake(context, Paperwork(context)).decide(
            request, actor, documents=args.pdf is not None
        )
        data = _intake_json(context, result)
    pdf = result.receipt_pdf if isinstance(result, Acceptance) else result.notice_pdf
    if args.pdf is not None and pdf is not None:
        try:
            write_output(args.pdf, pdf)
        except OutputError as error:
            # The decision is in the store already: say what was decided, then what failed,
            # so nobody decides the same visit twice.
            emit(args, data, _intake_text)
            raise CliError(f"本次决定已保存，但文书未写入：{error}") from None
        data["pdf"] = str(args.pdf)
    emit(args, data, _intake_text)
    return 0


def actor_for_clerk(context: CounterContext, number: str | None) -> Actor:
    accounts = Accounts(context)
    if number is None:
        clerks = accounts.clerks()
        if len(clerks) != 1:
            raise CliError(f"请用 --clerk 指定经办人工号（本工作站共有 {len(clerks)} 个账户）")
        number = clerks[0].number
    return accounts.actor_for(number.strip(), Channel.COMMAND_LINE)


def _intake_json(context: CounterContext, result: Acceptance | VisitRecord) -> dict[str, Any]:
    geography = context.geography
    if isinstance(result, Acceptance):
        return {
            "outcome": result.outcome.value,
            "case_number": result.case_number,
            "processing_center": result.processing_center,
            "processing_center_name": result.processing_center_name,
            "forwarded": result.forwarded,
            "due": result.due.isoformat() if result.due else None,
            "deadline_warning": result.deadline_warning,
            "deferred": [{"name": d.name, "due": d.due.isoformat()} for d in result.deferred],
            "missing": [],
            "warnings": list(result.warnings),
            "reason": "",
        }
    center = result.center_to_visit
    return {
        "outcome": result.outcome.value,
        "case_number": None,
        "processing_center": center,
        "processing_center_name": geography.center(center).name if center else None,
        "forwarded": False,
        "due": None,
        "deadline_warning": None,
        "deferred": [],
        "missing": list(result.missing),
        "warnings": [],
        "reason": result.reason,
        "visit_id": result.visit_id,
    }


def _intake_text(data: dict[str, Any]) -> str:
    if data["outcome"] == "accepted":
        due = data["due"] or "即办件，当场办结"
        lines = [
            f"已受理：受理编号 {display_case_number(data['case_number'])}",
            f"办理中心：{data['processing_center_name']}"
            + ("（收受分离，转该中心办理）" if data["forwarded"] else ""),
            f"承诺办结：{due}",
        ]
        lines += [f"容缺材料：{d['name']}，{d['due']} 前补交" for d in data["deferred"]]
        lines += [f"注意：{w}" for w in [data["deadline_warning"], *data["warnings"]] if w]
        return "\n".join(lines)
    if data["outcome"] == "notified":
        return f"一次性告知（未受理）：{data['reason']}"
    return f"不予受理：{data['reason']}"


# Cases ----------------------------------------------------------------------------------------


@one_line_errors
def run_cases_list(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        cases = Cases(context, Paperwork(context))
        rows = [
            {
                "case_number": c.case_number,
                "item": c.item_code,
                "item_name": cases.item_name(c.item_code),
                "status": c.status,
                "status_label": status_label(c.status),
                "accepting_center": c.accepting_center,
                "processing_center": c.processing_center,
                "due": c.due_date.isoformat() if c.due_date else None,
                "accepted_at": c.accepted_at.astimezone(SHANGHAI).isoformat(),
            }
            for c in cases.recent(limit=max(args.limit, 1))
        ]
    emit(args, rows, _list_text)
    return 0


def _list_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "本工作站还没有办件"
    return "\n".join(
        f"{display_case_number(r['case_number'])}  {r['item']} {r['item_name']}  "
        f"{r['status_label']}  承诺办结 {r['due'] or '即办'}"
        for r in rows
    )


@one_line_errors
def run_cases_show(args: argparse.Namespace) -> int:
    with counter_context(data_dir(getattr(args, "data_dir", None))) as context:
        actor = actor_for_clerk(context, args.clerk)
        cases = Cases(context, Paperwork(context))
        detail = cases.detail(args.case_number, actor)
        state, listing = detail.state, detail.listing
        data = {
            "case_number": state.case_number,
            "item": state.item_code,
            "item_name": cases.item_name(state.item_code),
            "status": listing.status,
            "status_label": status_label(listing.status),
            "applicant_name": listing.applicant_name,
            "applicant_id_masked": mask_identity(listing.applicant_id_number),
            "accepting_center": state.accepting_center,
            "processing_center": state.processing_center,
            "processing_center_name": cases.center_name(state.processing_center),
            "due": state.due_date.isoformat() if state.due_date else None,
            "accepted_at": listing.accepted_at.astimezone(SHANGHAI).isoformat(),
            "materials": [
                {
                    "name": m.name,
                    "original_seen": m.original_seen,
                    "copies_received": m.copies_received,
                    "deferred": m.deferred,
                    "deferred_due": m.deferred_due.isoformat() if m.deferred_due else None,
                }
                for m in state.materials
            ],
            "events": [
                {
                    "at": e.at.isoformat(),
                    "event": e.event,
                    "actor": e.actor,
                    "place": e.place,
                    "detail": e.detail,
                    "synced": e.synced,
                }
                for e in detail.events
            ],
        }
    emit(args, data, _show_text)
    return 0


def _show_text(data: dict[str, Any]) -> str:
    lines = [
        f"受理编号：{display_case_number(data['case_number'])}",
        f"事项：{data['item']} {data['item_name']}　状态：{data['status_label']}",
        f"申请人：{data['applicant_name']}（{data['applicant_id_masked']}）",
        f"办理中心：{data['processing_center_name']}　承诺办结：{data['due'] or '即办'}",
        "事件：",
    ]
    lines += [
        f"  {e['at'][:16].replace('T', ' ')}  {e['event']}  {e['actor']}  {e['detail']}".rstrip()
        for e in data["events"]
    ]
    return "\n".join(lines)
