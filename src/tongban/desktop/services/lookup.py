"""Status look-up at any center: a case number and the last four characters of the applicant's ID.

The central store answers for every case in the city (GET /v1/lookup, through the sync client);
the local store answers when the center cannot be reached, or has not heard of a case accepted
here and not yet synced — then the answer says it may be out of date. Unknown cases and a wrong
ID suffix get the same message, here as at the center. Every look-up is audited locally (the
center audits it too). If the result waits at this center (the applicant chose it at intake),
Processing.collect hands it over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.cases import event_name
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.models.clock import SHANGHAI
from tongban.models.lookup_wire import NOT_FOUND, LookupResponse, answer_from_state, id_matches
from tongban.models.rules import mask_identity, normalise_case_number
from tongban.models.store import (
    AuditOutcome,
    CaseState,
    CaseStatus,
    Event,
    EventKind,
    case_events,
    fold,
    looks_like_id_number,
)

if TYPE_CHECKING:  # the HTTP client is loaded only when a look-up goes to the center
    from tongban.desktop.sync.client import SyncClient

Connect = Callable[[], "SyncClient"]
ID_LAST4_LENGTH = 4
STALE_OFFLINE = "无法连接中心，以下为本工作站的记录，可能不是最新状态"
STALE_UNSYNCED = "中心尚无此办件的记录（可能尚未同步），以下为本工作站的记录"
ACCEPTING_KINDS = frozenset(
    {
        EventKind.ACCEPTED,
        EventKind.RECEIPT_PRINTED,
        EventKind.REPRINTED,
        EventKind.DEFERRED_SUPPLIED,
        EventKind.FORWARDED,
        EventKind.CANCELLED,
    }
)
PROCESSING_KINDS = frozenset(
    {
        EventKind.RECEIVED_FOR_PROCESSING,
        EventKind.SUPPLEMENT_REQUESTED,
        EventKind.APPROVED,
        EventKind.REJECTED,
        EventKind.READY,
    }
)


@dataclass(frozen=True)
class StatusEvent:
    kind: str
    name: str  # 受理, 签收, 要求补正 …
    at: datetime  # Shanghai time
    center: str  # "" when this workstation cannot tell (offline answer)
    center_name: str


@dataclass(frozen=True)
class CaseStatusView:
    """What the applicant is told; the applicant masked."""

    case_number: str
    status: str
    status_label: str
    item_code: str
    item_name: str
    accepting_center: str
    processing_center: str
    processing_center_name: str
    collection_center: str
    collection_center_name: str
    applicant_name_masked: str
    applicant_id_masked: str
    accepted_at: datetime
    due: date | None  # promised date, moved on by the working days waited for supplements
    supplement_materials: tuple[str, ...]
    supplement_due: date | None
    closing_reason: str
    events: tuple[StatusEvent, ...]
    source: str  # "central" or "local"
    stale_note: str | None  # why the answer may be out of date
    collect_here: bool  # the result waits at this center


class Lookup:
    def __init__(self, context: CounterContext, *, connect: Connect | None = None) -> None:
        """`connect` gives a client of the central service; None: the workstation works alone."""
        self._context = context
        self._connect = connect

    def lookup(self, case_number: str, id_last4: str, actor: Actor) -> CaseStatusView:
        number = normalise_case_number(case_number)
        suffix = id_last4.strip().upper()
        if len(suffix) != ID_LAST4_LENGTH or not (suffix.isascii() and suffix.isalnum()):
            raise ServiceError("请输入申请人证件号码的后四位")
        answer, source, stale = self._central(number, suffix, actor)
        if answer is None:
            answer = self._local(number, suffix)
            source = "local"
        self._audit(number, actor, answer is not None, source)
        if answer is None:
            raise ServiceError(NOT_FOUND)
        return self._view(answer, source, stale)

    # Where the answer comes from ----------------------------------------------------------------

    def _central(
        self, number: str, suffix: str, actor: Actor
    ) -> tuple[LookupResponse | None, str, str | None]:
        """The center's answer, or None with the note for a local answer."""
        if self._connect is None:
            return None, "local", None
        from tongban.desktop.sync.client import SyncError, SyncErrorKind
        from tongban.desktop.sync.setup import SetupError

        try:
            with self._connect() as client:
                return client.lookup(number, suffix, clerk=actor.number), "central", None
        except SetupError:
            return None, "local", None
        except SyncError as error:
            if error.kind is SyncErrorKind.REFUSED and error.status == 404:
                return None, "local", STALE_UNSYNCED
            if error.kind is SyncErrorKind.REFUSED:
                raise ServiceError(str(error)) from None
            return None, "local", STALE_OFFLINE

    def _local(self, number: str, suffix: str) -> LookupResponse | None:
        with service_errors(), self._context.store.reading() as session:
            events = case_events(session, number)
        if not events:
            return None
        state = fold(events)
        if not state.exists or not id_matches(state, suffix):
            return None
        pairs = [(e, self._center_of(e, state)) for e in events]
        return answer_from_state(state, pairs, today=self._context.today())

    def _center_of(self, event: Event, state: CaseState) -> str:
        """The center that wrote a local event, as far as this workstation can tell."""
        if event.workstation_id == self._context.station.device_id:
            return self._context.station.center_code
        kind = event.kind
        if kind in ACCEPTING_KINDS:
            return state.accepting_center
        if kind in PROCESSING_KINDS:
            return state.processing_center
        if kind == EventKind.COLLECTED:
            return state.collection_center
        return ""

    # The view and the audit ---------------------------------------------------------------------

    def _view(self, answer: LookupResponse, source: str, stale: str | None) -> CaseStatusView:
        due = answer.due_date
        if due is not None:
            due = self._context.calendar.extended_due(due, answer.waits)
        here = self._context.station.center_code
        return CaseStatusView(
            case_number=answer.case_number,
            status=answer.status,
            status_label=answer.status_label,
            item_code=answer.item_code,
            item_name=self._item_name(answer.item_code),
            accepting_center=answer.accepting_center,
            processing_center=answer.processing_center,
            processing_center_name=self._context.geography.center_label(answer.processing_center),
            collection_center=answer.collection_center,
            collection_center_name=self._context.geography.center_label(answer.collection_center),
            applicant_name_masked=answer.applicant_name_masked,
            applicant_id_masked=answer.applicant_id_masked,
            accepted_at=answer.accepted_at.astimezone(SHANGHAI),
            due=due,
            supplement_materials=tuple(answer.supplement_materials),
            supplement_due=answer.supplement_due,
            closing_reason=answer.closing_reason,
            events=tuple(
                StatusEvent(
                    kind=e.kind,
                    name=event_name(e.kind),
                    at=e.at.astimezone(SHANGHAI),
                    center=e.center,
                    center_name=self._context.geography.center_label(e.center) if e.center else "",
                )
                for e in answer.events
            ),
            source=source,
            stale_note=stale,
            collect_here=answer.status == CaseStatus.READY and answer.collection_center == here,
        )

    def _audit(self, number: str, actor: Actor, found: bool, source: str) -> None:
        # What was typed may be anything, even an identity number: never keep that whole.
        ref = mask_identity(number) if looks_like_id_number(number) else number[:64]
        where = "中心" if source == "central" else "本工作站"
        with service_errors(), self._context.store.transaction() as session:
            audit(
                session,
                self._context,
                actor,
                action="lookup_case",
                ref=ref or "（空）",
                detail=f"按受理编号和证件后四位查询进度；来源：{where}",
                outcome=AuditOutcome.SUCCESS if found else AuditOutcome.FAILED,
            )

    def _item_name(self, code: str) -> str:
        try:
            return self._context.catalog.item(code).name
        except KeyError:
            return code
