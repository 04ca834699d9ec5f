"""Retiring a workstation taken out of service (`tongban central retire-workstation`).

A retired workstation's token is refused (enrollment.authenticate says why), 日结 stops waiting
for it (closures.stragglers asks only active ones), and the supervisor's desk shows it as
已停用. Its row stays: its number is part of case numbers already issued and is never reused.

Retiring does not wait for the workstation's outbox: a machine that broke may never sync again,
and only the administrator can judge that. `retire` says what the workstation last reported of
its outbox, so the command can warn when events may still be waiting on it.

The administrator names the workstation as `tongban central enroll` did (its name within the
center), or by its three-digit number; a name typed slightly differently (case, spaces) is
accepted only when it fits exactly one workstation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.central.enrollment import Workstation, to_workstation
from tongban.central.errors import CentralError
from tongban.central.reference import center_name
from tongban.central.schema import OutboxReportRow, WorkstationRow
from tongban.models.closures import when


@dataclass(frozen=True)
class Retirement:
    workstation: Workstation
    pending: int | None  # events waiting in its outbox when it last reported; None: never said
    reported_at: datetime | None  # when it last reported its outbox

    def warning(self) -> str | None:
        """A line for the administrator when events may not have reached the center."""
        if self.pending is None:
            return "警告：该工作站从未向中心报告待同步情况，无法确认其事件都已同步"
        if self.pending > 0:
            return (
                f"警告：该工作站最近一次（{when(self.reported_at)}）报告尚有 "
                f"{self.pending} 个事件未同步；停用后这些事件不能再上传"
            )
        return None


def retire(session: Session, *, center_code: str, workstation: str, at: datetime) -> Retirement:
    """Retire the center's workstation named (or numbered) `workstation`. The caller commits."""
    row = find_workstation(session, center_code, workstation, lock=True)
    if row.retired_at is not None:
        raise CentralError(f"工作站「{row.name}」已于 {when(row.retired_at)} 停用")
    row.retired_at = at
    row.enroll_code_hash = None  # an unredeemed code must not bring it back
    row.enroll_expires_at = None
    session.flush()
    outbox = session.get(OutboxReportRow, row.device_id)
    return Retirement(
        workstation=to_workstation(row),
        pending=None if outbox is None else outbox.pending,
        reported_at=None if outbox is None else outbox.reported_at,
    )


def find_workstation(
    session: Session, center_code: str, text: str, *, lock: bool = False
) -> WorkstationRow:
    """The center's workstation an administrator means; CentralError when none or several fit."""
    center_name(session, center_code)  # refuses an unknown center
    query = select(WorkstationRow).where(WorkstationRow.center_code == center_code)
    rows = list(session.scalars(query.with_for_update() if lock else query))
    wanted = text.strip()
    exact = [r for r in rows if r.name == wanted]
    if exact:
        return exact[0]  # names are unique within a center
    if wanted.isascii() and wanted.isdigit():
        numbered = [r for r in rows if r.number == int(wanted)]
        if numbered:
            return numbered[0]
    loose = [r for r in rows if _loose(r.name) == _loose(wanted)]
    if len(loose) == 1:
        return loose[0]
    if loose:
        names = "、".join(f"{r.number:03d}「{r.name}」" for r in loose)
        raise CentralError(f"「{wanted}」可能是多台工作站：{names}，请写出完整名称")
    known = "、".join(f"{r.number:03d}「{r.name}」" for r in rows) or "无"
    raise CentralError(f"中心 {center_code} 没有名为「{wanted}」的工作站（现有：{known}）")


def _loose(name: str) -> str:
    return "".join(name.split()).casefold()
