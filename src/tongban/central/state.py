"""The central store's identity row: its epoch, and the counter of clerk changes.

An epoch is a UUID made when the store is initialised and again when an administrator declares
that the store was restored from a backup (`new_epoch`). Pull cursors carry the epoch: a cursor
of another epoch starts the feed again from the beginning (positions after a restore may be
reused), and each workstation re-sends its events from the sequence the store says it expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from uuid6 import uuid7

from tongban.central.errors import CentralError
from tongban.central.schema import CentralStateRow


@dataclass(frozen=True)
class CentralState:
    epoch: str
    epoch_started_at: datetime
    clerks_revision: int
    created_at: datetime


def ensure_state(session: Session, *, at: datetime) -> CentralState:
    """The state row, made with a first epoch when the store is new."""
    row = session.get(CentralStateRow, 1)
    if row is None:
        row = CentralStateRow(
            id=1, epoch=str(uuid7()), epoch_started_at=at, clerks_revision=0, created_at=at
        )
        session.add(row)
        session.flush()
    return _to_state(row)


def get_state(session: Session) -> CentralState:
    return _to_state(_row(session))


def new_epoch(session: Session, *, at: datetime) -> CentralState:
    """Start a new epoch (after a restore): every cursor starts over, workstations re-send."""
    row = _row(session, for_update=True)
    row.epoch = str(uuid7())
    row.epoch_started_at = at
    session.flush()
    return _to_state(row)


def next_clerks_revision(session: Session) -> int:
    """Bump the clerk-change counter; the row lock orders concurrent changes."""
    row = _row(session, for_update=True)
    row.clerks_revision += 1
    session.flush()
    return row.clerks_revision


def _row(session: Session, *, for_update: bool = False) -> CentralStateRow:
    row = session.get(CentralStateRow, 1, with_for_update=for_update)
    if row is None:
        raise CentralError("中心数据库尚未初始化，请先运行 tongban central init")
    return row


def _to_state(row: CentralStateRow) -> CentralState:
    return CentralState(
        epoch=row.epoch,
        epoch_started_at=row.epoch_started_at,
        clerks_revision=row.clerks_revision,
        created_at=row.created_at,
    )
