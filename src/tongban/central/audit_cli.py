"""`tongban central audit --center CODE --date YYYY-MM-DD [--clerk N] [--json]`.

One line per audit entry of the center's day (Shanghai time), oldest first: the time, the
clerk, the workstation, what was done about whom, and the outcome. Identity numbers are masked
already at the workstation (models/store/audit.py); nothing here can show a full one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date

from tongban.central.audit import CentralAuditEntry, center_audit
from tongban.central.reference import center_name
from tongban.central.store import CentralStore
from tongban.models.clock import SHANGHAI

ACTIONS = {
    "login": "登录",
    "unlock": "解锁",
    "account_locked": "账户锁定",
    "create_clerk": "新增工作人员",
    "search_cases": "查询案件",
    "view_case": "查看案件",
    "find_applicant": "查找申请人",
    "reveal_applicant": "查看申请人完整信息",
    "reprint_receipt": "补打回执",
    "accept": "受理",
    "notified": "一次性告知",
    "refused": "不予受理",
    "guided": "引导至他处办理",
    "lookup_case": "进度查询",
    "day_close": "日结",
    "attach_scan": "附扫描件",
    "list_scans": "查看扫描件列表",
    "open_scan": "打开扫描件",
    "processing_lists": "查看办件列表",
    "print_supplement_notice": "打印补正通知书",
    "print_manifest": "打印材料交接清单",
}
SUBJECTS = {
    "applicant": "申请人",
    "case": "案件",
    "visit": "来访",
    "clerk": "工号",
    "search": "查询",
}
OUTCOMES = {"success": "成功", "denied": "被拒绝", "failed": "未成功"}

OpenStore = Callable[[argparse.Namespace], CentralStore]


def add_audit_command(
    commands: argparse._SubParsersAction, *, open_store: OpenStore
) -> argparse.ArgumentParser:
    """Register `audit`; the caller adds --db as for every command."""
    text = "列出某中心某日各工作站的审计记录（工作人员查看或变更个人信息的操作）"
    sub = commands.add_parser("audit", help=text, description=text)
    sub.add_argument("--center", required=True, metavar="CODE", help="中心代码（9 位）")
    sub.add_argument(
        "--date", required=True, type=_day, metavar="YYYY-MM-DD", help="日期（上海时间）"
    )
    sub.add_argument("--clerk", metavar="N", help="只列出此工号的")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出")
    sub.set_defaults(run=lambda args: run_audit(args, open_store))
    return sub


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None


def run_audit(args: argparse.Namespace, open_store: OpenStore) -> int:
    store = open_store(args)
    try:
        with store.database.reading() as session:
            name = center_name(session, args.center)  # an unknown center is one line, exit 2
            entries = center_audit(session, args.center, args.date, clerk=args.clerk)
    finally:
        store.database.close()
    if args.json:
        print(json.dumps([_json(e) for e in entries], ensure_ascii=False, indent=2))
        return 0
    for entry in entries:
        print(_line(entry))
    who = f"，工号 {args.clerk}" if args.clerk else ""
    print(f"{name}（{args.center}）{args.date:%Y-%m-%d}{who}：共 {len(entries)} 条审计记录")
    return 0


def _json(entry: CentralAuditEntry) -> dict[str, object]:
    return {**asdict(entry), "at": entry.at.astimezone(SHANGHAI).isoformat(timespec="seconds")}


def _line(entry: CentralAuditEntry) -> str:
    at = entry.at.astimezone(SHANGHAI).strftime("%H:%M:%S")
    action = ACTIONS.get(entry.action, entry.action)
    subject = f"{SUBJECTS.get(entry.subject_type, entry.subject_type)} {entry.subject_ref}"
    outcome = OUTCOMES.get(entry.outcome, entry.outcome)
    place = f"{entry.workstation_number}号工作站（{entry.workstation_name}）"
    detail = f"  {entry.detail}" if entry.detail else ""
    return f"{at}  工号 {entry.clerk}  {place}  {action}  {subject}  {outcome}{detail}"
