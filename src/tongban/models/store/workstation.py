"""This store's identity: which device, at which center and site, at which counter.

A store belongs to exactly one workstation (the table allows one row). The device id is a UUID
made when the store is set up; every event this store writes carries it, with the next number of
the workstation's own gapless sequence and a hybrid-logical-clock time (both kept in the row, so
they survive restarts and a wall clock that goes back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from uuid6 import uuid7

from tongban.models.rules.case_number import MAX_WORKSTATION_NO
from tongban.models.store.errors import StoreError
from tongban.models.store.hlc import Timestamp
from tongban.models.store.schema import WorkstationRow

_CENTER_CODE = re.compile(r"^\d{9}$")
# A sub-center's code is its center's code followed by a 2-digit ordinal.
_SITE_CODE = re.compile(r"^\d{9}(\d{2})?$")


@dataclass(frozen=True)
class Workstation:
    device_id: str
    center_code: str
    site_code: str
    number: int  # 1–999, unique within the center; part of every case number it issues
    next_sequence: int
    last_hlc: Timestamp
    catalog_revision: str | None
    created_at: datetime


def init_workstation(
    session: Session,
    *,
    center_code: str,
    site_code: str,
    number: int,
    at: datetime,
    device_id: str | None = None,
) -> Workstation:
    """Give a new store its identity. Refused when the store already has one."""
    if workstation_row(session, required=False) is not None:
        raise StoreError("本存储已登记为一个工作站，不能再次登记")
    if not _CENTER_CODE.match(center_code):
        raise StoreError(f"中心代码应为 9 位数字：{center_code}")
    if not _SITE_CODE.match(site_code) or not site_code.startswith(center_code):
        raise StoreError(f"受理点代码应为本中心代码或其后加 2 位分中心序号：{site_code}")
    if not 1 <= number <= MAX_WORKSTATION_NO:
        raise StoreError("工作站编号应在1至999之间")
    row = WorkstationRow(
        id=1,
        device_id=device_id or str(uuid7()),
        center_code=center_code,
        site_code=site_code,
        number=number,
        next_sequence=1,
        last_hlc=0,
        catalog_revision=None,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return to_workstation(row)


def get_workstation(session: Session) -> Workstation:
    row = workstation_row(session)
    assert row is not None
    return to_workstation(row)


def set_catalog_revision(session: Session, revision: str) -> None:
    """Record which catalog revision this workstation now accepts under."""
    row = workstation_row(session)
    assert row is not None
    row.catalog_revision = revision


def workstation_row(session: Session, *, required: bool = True) -> WorkstationRow | None:
    row = session.scalars(select(WorkstationRow)).one_or_none()
    if row is None and required:
        raise StoreError("本存储尚未登记工作站")
    return row


def this_workstation_row(session: Session, device_id: str) -> WorkstationRow:
    """The workstation row, checked against the device id the caller believes it writes as."""
    row = workstation_row(session)
    assert row is not None
    if row.device_id != device_id:
        raise StoreError("工作站标识与本存储不符，不能以其他工作站的名义记录")
    return row


def to_workstation(row: WorkstationRow) -> Workstation:
    return Workstation(
        device_id=row.device_id,
        center_code=row.center_code,
        site_code=row.site_code,
        number=row.number,
        next_sequence=row.next_sequence,
        last_hlc=Timestamp.from_int(row.last_hlc),
        catalog_revision=row.catalog_revision,
        created_at=row.created_at,
    )
