"""Shipping the clerks' audit log to the center, in every sync round before the pull (engine.py).

The entries not yet acknowledged (audit_log.synced_at IS NULL) go in batches to POST /v1/audit;
the ids the center answers it holds are marked sent in one local transaction. If that answer is
lost, the next round sends the same entries again and the center, idempotent by (device id,
entry id), stores none of them twice. Anything shaped like a full identity number is masked
before it leaves (models/store/audit.masked_entry).

No answer ends the round as any sync error does, to be retried; so does a quarantine or an
unknown token, which the round handles. A refusal (an older service without the endpoint, an
entry it would not take) or a 5xx on this endpoint does not stop the round: the pull must go
on. The entries stay unsent, the report carries the reason, and the next round tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.models.audit_wire import MAX_AUDIT_BATCH
from tongban.models.store.audit import mark_audit_sent, unsent_audit

if TYPE_CHECKING:
    from tongban.desktop.sync.engine import SyncTarget

MAX_BATCHES = 10_000  # a guard: a round that makes no progress must end, not spin


@dataclass(frozen=True)
class AuditShipped:
    sent: int  # entries the center acknowledged in this round
    problem: str | None = None  # why the center would not take them, zh_CN


def ship_audit(
    target: SyncTarget, client: SyncClient, *, batch: int = MAX_AUDIT_BATCH
) -> AuditShipped:
    """Send every unsent audit entry; returns how many the center acknowledged."""
    size = max(1, min(batch, MAX_AUDIT_BATCH))
    sent = 0
    for _ in range(MAX_BATCHES):
        with target.store.reading() as session:
            entries = unsent_audit(session, limit=size)
        if not entries:
            break
        try:
            answer = client.push_audit(entries)
        except SyncError as error:
            if error.kind not in (SyncErrorKind.REFUSED, SyncErrorKind.SERVER):
                raise
            return AuditShipped(sent, f"审计记录未能上传：{error}")
        asked = {entry.id for entry in entries}
        held = [entry_id for entry_id in answer.received if entry_id in asked]
        with target.store.transaction() as session:
            marked = mark_audit_sent(session, held, at=target.now())
        sent += marked
        if marked < len(entries):  # the center did not confirm them all: try in the next round
            break
    return AuditShipped(sent)
