"""POST /v1/audit: a workstation's audit entries on their way to the center (shared bodies).

An entry is exactly a local audit_log row (models/store/audit.py) without its sync mark. The
service takes the workstation and its center from the device token; an entry naming another
workstation is refused. Idempotent by (device id, entry id): a batch sent again after a lost
answer is stored once, and the answer lists every id the center now holds, new or not.

A full identity number is refused anywhere in an entry, on both sides: the workstation masks
before sending (models/store/audit.masked_entry), the service validates again.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from tongban.models.store.audit import AuditEntry
from tongban.models.store.privacy import looks_like_id_number
from tongban.models.sync_wire import Uuid

MAX_AUDIT_BATCH = 500
MAX_DETAIL = 1000  # characters; the counter's services write at most 240

AUDIT_PATH = "/v1/audit"


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class WireAuditEntry(_Body):
    id: Uuid
    workstation_id: Uuid
    at: AwareDatetime
    clerk: str = Field(min_length=1, max_length=20)
    action: str = Field(min_length=1, max_length=64)
    subject_type: str = Field(min_length=1, max_length=16)
    subject_ref: str = Field(max_length=64)
    outcome: Literal["success", "denied", "failed"]
    detail: str = Field(max_length=MAX_DETAIL)

    @field_validator("clerk", "action", "subject_type", "subject_ref", "detail")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("不能包含空字符（U+0000）")
        if looks_like_id_number(value):
            raise ValueError("审计记录中不得出现完整证件号码")
        return value

    @classmethod
    def from_entry(cls, entry: AuditEntry) -> WireAuditEntry:
        return cls(
            id=entry.id,
            workstation_id=entry.workstation_id,
            at=entry.at,
            clerk=entry.clerk,
            action=entry.action,
            subject_type=entry.subject_type.value,
            subject_ref=entry.subject_ref,
            outcome=entry.outcome.value,
            detail=entry.detail[:MAX_DETAIL],
        )


class AuditPushRequest(_Body):
    entries: list[WireAuditEntry] = Field(min_length=1, max_length=MAX_AUDIT_BATCH)


class AuditPushResponse(_Body):
    received: list[str]  # every id of the request the center now holds (stored or held before)
    stored: int  # of those, how many were new
