"""The one way the services write the audit log: who looked at or changed which case or person.

Every service that shows a person's data or acts on a case calls `audit`; the entry names this
workstation, the clerk and the channel they acted through (window or command line), which
record_audit puts at the end of the detail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.context import CounterContext
from tongban.models.store import AuditOutcome, SubjectType, record_audit


def audit(
    session: Session,
    context: CounterContext,
    actor: Actor,
    *,
    action: str,
    ref: str,
    detail: str,
    subject_type: SubjectType = SubjectType.CASE,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    at: datetime | None = None,
) -> None:
    record_audit(
        session,
        workstation=context.station.device_id,
        clerk=actor.number,
        action=action,
        subject_type=subject_type,
        subject_ref=ref,
        outcome=outcome,
        at=at or context.now(),
        detail=detail,
        channel=actor.channel,
    )
