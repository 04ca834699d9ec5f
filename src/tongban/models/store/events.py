"""The case event log: kinds of events, their order, and the fold that gives a case's state.

Every change of a case is one event; the case's row is only a cache of `fold(events)`, rewritten
in the same transaction as each event. An event is never changed or deleted (SQLite triggers
refuse it); the only write after insertion is setting `synced_at` once, when the central store
has acknowledged it. Events not yet acknowledged (`synced_at IS NULL`) are the outbox.

Identity and order
    id            UUIDv7 text: unique everywhere, made on the workstation that wrote the event.
    workstation   the writing workstation's device id, and `sequence`, its own counter 1, 2, 3 …
                  with no gaps (a trigger checks it). A store restored from a backup, or cloned
                  onto a second machine, shows up as one device id's sequence going backwards.
    hlc           hybrid logical clock timestamp (see hlc.py): causally after every event the
                  workstation had written or received, whatever its wall clock says.
    created_at    the wall-clock time the clerk acted (UTC), for people; it never orders.
    Events of one stream are folded in the order (hlc, workstation_id, sequence, id). That order is
    total and the same on every machine, so an event that arrives late (sync was down, a clock was
    behind) still lands in its place and every store computes the same state.

Streams
    `case` streams (stream id = case number) hold the case kinds below. `visit` streams (stream id
    = a UUIDv7 of the visit) hold exactly one event: a visit that ended without a case.

Case kinds (payload class in payloads.py; "open" = not rejected, collected or cancelled)
    accepted              受理. First event of every case: item, catalog revision, mode, applicant
                          (and agent), accepting center and site, processing center, promised date,
                          materials checked (original seen, copies, 容缺 deferred with due date).
                          Status → accepted.
    receipt_printed       受理回执 printed, once, not on a cancelled case. Status unchanged.
    reprinted             回执 printed again (lost, spoilt), with the reason. Needs a first print.
    deferred_supplied     a 容缺 material handed in later. The material must be deferred and still
                          outstanding; the case must be open.
    forwarded             收受分离: the application went to the processing center. Only for
                          separated items, only from accepted, and only to the case's processing
                          center. Status → forwarded.
    signed                the applicant or agent signed a document (申请表, 承诺书, 委托书 …) on
                          the signing pad or on paper; not on a cancelled case. Status unchanged.
    supplement_requested  补正: the processing side asks for more or corrected materials, with a
                          reason and due date. From accepted or forwarded → supplement_requested.
    supplied              the requested materials handed in. From supplement_requested → back to
                          forwarded if the case had been forwarded, else accepted.
    approved              decided in favour. From accepted or forwarded → approved.
    rejected              decided against (不予批准), with the reason. From accepted, forwarded or
                          supplement_requested → rejected (final).
    ready                 the result waits for collection at a site. From approved → ready.
    collected             the result was collected (or mailed). From ready → collected (final).
    cancelled             撤销: the applicant withdrew, or a 容缺 material was not supplied in time.
                          From any open status → cancelled (final).
Visit kinds (no case): notified (一次性告知), refused (不予受理), guided (指引单).

Problems, not crashes
    Two workstations can act on one case before they hear of each other (the accepting center
    cancels while the processing center approves). The fold never raises on data: an event that
    is not allowed in the state reached so far, that has an unknown kind, or whose payload cannot
    be read changes nothing and adds a Problem to the state. The local write path refuses such an
    event before writing it, so problems arise only from events that really happened elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from tongban.models.catalog.schema import Mode
from tongban.models.store import payloads as p
from tongban.models.store.hlc import Timestamp


class EventKind(StrEnum):
    ACCEPTED = "accepted"
    RECEIPT_PRINTED = "receipt_printed"
    REPRINTED = "reprinted"
    DEFERRED_SUPPLIED = "deferred_supplied"
    FORWARDED = "forwarded"
    SIGNED = "signed"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLIED = "supplied"
    APPROVED = "approved"
    REJECTED = "rejected"
    READY = "ready"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    NOTIFIED = "notified"
    REFUSED = "refused"
    GUIDED = "guided"


class StreamType(StrEnum):
    CASE = "case"
    VISIT = "visit"


PAYLOAD_TYPES: dict[EventKind, type] = {
    EventKind.ACCEPTED: p.Accepted,
    EventKind.RECEIPT_PRINTED: p.ReceiptPrinted,
    EventKind.REPRINTED: p.Reprinted,
    EventKind.DEFERRED_SUPPLIED: p.DeferredSupplied,
    EventKind.FORWARDED: p.Forwarded,
    EventKind.SIGNED: p.Signed,
    EventKind.SUPPLEMENT_REQUESTED: p.SupplementRequested,
    EventKind.SUPPLIED: p.Supplied,
    EventKind.APPROVED: p.Approved,
    EventKind.REJECTED: p.Rejected,
    EventKind.READY: p.Ready,
    EventKind.COLLECTED: p.Collected,
    EventKind.CANCELLED: p.Cancelled,
    EventKind.NOTIFIED: p.Notified,
    EventKind.REFUSED: p.Refused,
    EventKind.GUIDED: p.Guided,
}
VISIT_KINDS = frozenset({EventKind.NOTIFIED, EventKind.REFUSED, EventKind.GUIDED})
CASE_KINDS = frozenset(EventKind) - VISIT_KINDS


def stream_type_of(kind: EventKind) -> StreamType:
    return StreamType.VISIT if kind in VISIT_KINDS else StreamType.CASE


@dataclass(frozen=True)
class Event:
    """One stored event. `kind` stays text: a newer workstation may send kinds we do not know."""

    id: str
    workstation_id: str
    sequence: int
    hlc: Timestamp
    clerk: str
    kind: str
    stream_type: str
    stream_id: str
    payload: dict[str, Any] = field(hash=False)
    created_at: datetime

    def order_key(self) -> tuple[int, str, int, str]:
        return (self.hlc.to_int(), self.workstation_id, self.sequence, self.id)

    def columns(self) -> dict[str, Any]:
        """The event as flat columns, `hlc` as its 64-bit integer: the shape of every table and
        wire body that holds events (the local log, the central log, the sync protocol)."""
        return {
            "id": self.id,
            "workstation_id": self.workstation_id,
            "sequence": self.sequence,
            "hlc": self.hlc.to_int(),
            "clerk": self.clerk,
            "kind": self.kind,
            "stream_type": self.stream_type,
            "stream_id": self.stream_id,
            "payload": self.payload,
            "created_at": self.created_at,
        }

    @classmethod
    def from_columns(cls, source: Any) -> Event:
        """The event held by a row or body with those columns as attributes."""
        return cls(
            id=source.id,
            workstation_id=source.workstation_id,
            sequence=source.sequence,
            hlc=Timestamp.from_int(source.hlc),
            clerk=source.clerk,
            kind=source.kind,
            stream_type=source.stream_type,
            stream_id=source.stream_id,
            payload=dict(source.payload),
            created_at=source.created_at,
        )


class CaseStatus(StrEnum):
    ACCEPTED = "accepted"  # 已受理
    FORWARDED = "forwarded"  # 已流转
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 待补正
    APPROVED = "approved"  # 已办结（准予）
    REJECTED = "rejected"  # 不予批准
    READY = "ready"  # 待领取
    COLLECTED = "collected"  # 已领取
    CANCELLED = "cancelled"  # 已撤销


FINAL_STATUSES = frozenset({CaseStatus.REJECTED, CaseStatus.COLLECTED, CaseStatus.CANCELLED})
STATUS_LABELS: dict[CaseStatus | None, str] = {
    None: "未受理",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.FORWARDED: "已流转",
    CaseStatus.SUPPLEMENT_REQUESTED: "待补正",
    CaseStatus.APPROVED: "准予办理",
    CaseStatus.REJECTED: "不予批准",
    CaseStatus.READY: "待领取",
    CaseStatus.COLLECTED: "已领取",
    CaseStatus.CANCELLED: "已撤销",
}


@dataclass(frozen=True)
class MaterialState:
    name: str
    original_seen: bool
    copies_received: int
    deferred: bool
    deferred_due: date | None
    supplied_at: datetime | None


@dataclass(frozen=True)
class Problem:
    """An event the fold could not apply, and why (shown to the supervisor)."""

    event_id: str
    kind: str
    message: str


@dataclass(frozen=True)
class CaseState:
    case_number: str
    status: CaseStatus | None = None  # None: no accepted event (yet)
    item_code: str = ""
    catalog_revision: str = ""
    mode: Mode | None = None
    applicant: p.Person | None = None
    agent: p.Agent | None = None
    accepting_center: str = ""
    accepting_site: str = ""
    processing_center: str = ""
    accepted_at: datetime | None = None
    due_date: date | None = None
    clerk: str = ""  # the accepting clerk
    materials: tuple[MaterialState, ...] = ()
    receipt_prints: int = 0
    signed_documents: tuple[str, ...] = ()
    forwarded_at: datetime | None = None
    supplement_due: date | None = None
    decided_at: datetime | None = None
    ready_at: datetime | None = None
    closed_at: datetime | None = None
    closing_reason: str = ""
    last_event_id: str = ""
    last_event_hlc: Timestamp | None = None
    event_count: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def outstanding_deferred(self) -> tuple[MaterialState, ...]:
        return tuple(m for m in self.materials if m.deferred and m.supplied_at is None)


def fold(events: Iterable[Event]) -> CaseState:
    """The state of one case from its events, in any order they are given. Pure."""
    ordered = sorted(events, key=Event.order_key)
    if not ordered:
        raise ValueError("fold needs at least one event")
    case_number = ordered[0].stream_id
    state = CaseState(case_number=case_number)
    for event in ordered:
        if event.stream_type != StreamType.CASE or event.stream_id != case_number:
            raise ValueError("fold is given events of one case only")
        state = step(state, event)
    return state


def step(state: CaseState, event: Event) -> CaseState:
    """Apply one event that comes after everything already in `state`."""
    counted = replace(
        state,
        last_event_id=event.id,
        last_event_hlc=event.hlc,
        event_count=state.event_count + 1,
    )
    try:
        applied = _apply(counted, event)
    except (_Refused, p.PayloadError) as refusal:
        problem = Problem(event_id=event.id, kind=event.kind, message=str(refusal))
        return replace(counted, problems=(*counted.problems, problem))
    return applied


class _Refused(Exception):
    """An event not allowed in the case's state; the message is for people (zh_CN)."""


def _apply(state: CaseState, event: Event) -> CaseState:
    try:
        kind = EventKind(event.kind)
    except ValueError:
        raise _Refused(f"未知的事件类型：{event.kind}") from None
    if kind not in CASE_KINDS:
        raise _Refused(f"{kind} 不是案件事件")
    if kind is not EventKind.ACCEPTED and state.status is None:
        raise _Refused("案件尚未受理")
    payload = p.load_payload(PAYLOAD_TYPES[kind], event.payload)
    return _HANDLERS[kind](state, event, payload)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise _Refused(message)


def _require_open(state: CaseState) -> None:
    label = STATUS_LABELS[state.status]
    _require(state.status not in FINAL_STATUSES, f"案件已办结（{label}），不能再变更")


def _require_status(state: CaseState, *allowed: CaseStatus) -> None:
    names = "、".join(STATUS_LABELS[s] for s in allowed)
    label = STATUS_LABELS[state.status]
    _require(state.status in allowed, f"案件当前为「{label}」，此操作只适用于「{names}」的案件")


def _accepted(state: CaseState, event: Event, data: p.Accepted) -> CaseState:
    _require(state.status is None, "案件已受理，不能重复受理")
    names = [m.name for m in data.materials]
    _require(len(names) == len(set(names)), "材料名称重复")
    return replace(
        state,
        status=CaseStatus.ACCEPTED,
        item_code=data.item_code,
        catalog_revision=data.catalog_revision,
        mode=data.mode,
        applicant=data.applicant,
        agent=data.agent,
        accepting_center=data.accepting_center,
        accepting_site=data.accepting_site,
        processing_center=data.processing_center,
        accepted_at=event.created_at,
        due_date=data.due_date,
        clerk=event.clerk,
        materials=tuple(_received(m, None) for m in data.materials),
    )


def _received(material: p.MaterialReceived, supplied_at: datetime | None) -> MaterialState:
    return MaterialState(
        name=material.name,
        original_seen=material.original_seen,
        copies_received=material.copies_received,
        deferred=material.deferred,
        deferred_due=material.deferred_due,
        supplied_at=supplied_at,
    )


def _receipt_printed(state: CaseState, event: Event, data: p.ReceiptPrinted) -> CaseState:
    _require(state.status is not CaseStatus.CANCELLED, "案件已撤销，不能打印回执")
    _require(state.receipt_prints == 0, "回执已打印，再次打印应记为补打")
    return replace(state, receipt_prints=1)


def _reprinted(state: CaseState, event: Event, data: p.Reprinted) -> CaseState:
    _require(state.receipt_prints > 0, "回执尚未打印，不能补打")
    return replace(state, receipt_prints=state.receipt_prints + 1)


def _deferred_supplied(state: CaseState, event: Event, data: p.DeferredSupplied) -> CaseState:
    _require_open(state)
    outstanding = {m.name for m in state.outstanding_deferred}
    _require(data.material in outstanding, f"「{data.material}」不是待补交的容缺材料")
    return replace(
        state,
        materials=tuple(
            _add_receipt(m, data.original_seen, data.copies_received, event.created_at)
            if m.name == data.material
            else m
            for m in state.materials
        ),
    )


def _add_receipt(m: MaterialState, original: bool, copies: int, at: datetime) -> MaterialState:
    return replace(
        m,
        original_seen=m.original_seen or original,
        copies_received=m.copies_received + copies,
        supplied_at=at,
    )


def _forwarded(state: CaseState, event: Event, data: p.Forwarded) -> CaseState:
    _require(state.mode is Mode.SEPARATED, "只有收受分离事项需要流转")
    _require_status(state, CaseStatus.ACCEPTED)
    _require(
        data.processing_center == state.processing_center,
        f"流转目标 {data.processing_center} 不是本案的办理中心 {state.processing_center}",
    )
    return replace(state, status=CaseStatus.FORWARDED, forwarded_at=event.created_at)


def _signed(state: CaseState, event: Event, data: p.Signed) -> CaseState:
    _require(state.status is not CaseStatus.CANCELLED, "案件已撤销，不能再签署")
    return replace(state, signed_documents=(*state.signed_documents, data.document))


def _supplement_requested(state: CaseState, event: Event, data: p.SupplementRequested) -> CaseState:
    _require_status(state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED)
    return replace(state, status=CaseStatus.SUPPLEMENT_REQUESTED, supplement_due=data.due_date)


def _supplied(state: CaseState, event: Event, data: p.Supplied) -> CaseState:
    _require_status(state, CaseStatus.SUPPLEMENT_REQUESTED)
    materials = {m.name: m for m in state.materials}
    for given in data.materials:
        known = materials.get(given.name)
        materials[given.name] = (
            _received(given, event.created_at)
            if known is None
            else _add_receipt(known, given.original_seen, given.copies_received, event.created_at)
        )
    back = CaseStatus.FORWARDED if state.forwarded_at is not None else CaseStatus.ACCEPTED
    return replace(state, status=back, supplement_due=None, materials=tuple(materials.values()))


def _approved(state: CaseState, event: Event, data: p.Approved) -> CaseState:
    _require_status(state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED)
    return replace(state, status=CaseStatus.APPROVED, decided_at=event.created_at)


def _rejected(state: CaseState, event: Event, data: p.Rejected) -> CaseState:
    _require_status(
        state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED, CaseStatus.SUPPLEMENT_REQUESTED
    )
    return replace(
        state,
        status=CaseStatus.REJECTED,
        decided_at=event.created_at,
        closed_at=event.created_at,
        closing_reason=data.reason,
    )


def _ready(state: CaseState, event: Event, data: p.Ready) -> CaseState:
    _require_status(state, CaseStatus.APPROVED)
    return replace(state, status=CaseStatus.READY, ready_at=event.created_at)


def _collected(state: CaseState, event: Event, data: p.Collected) -> CaseState:
    _require_status(state, CaseStatus.READY)
    return replace(state, status=CaseStatus.COLLECTED, closed_at=event.created_at)


def _cancelled(state: CaseState, event: Event, data: p.Cancelled) -> CaseState:
    _require_open(state)
    return replace(
        state,
        status=CaseStatus.CANCELLED,
        closed_at=event.created_at,
        closing_reason=data.reason,
    )


_HANDLERS: dict[EventKind, Callable[[CaseState, Event, Any], CaseState]] = {
    EventKind.ACCEPTED: _accepted,
    EventKind.RECEIPT_PRINTED: _receipt_printed,
    EventKind.REPRINTED: _reprinted,
    EventKind.DEFERRED_SUPPLIED: _deferred_supplied,
    EventKind.FORWARDED: _forwarded,
    EventKind.SIGNED: _signed,
    EventKind.SUPPLEMENT_REQUESTED: _supplement_requested,
    EventKind.SUPPLIED: _supplied,
    EventKind.APPROVED: _approved,
    EventKind.REJECTED: _rejected,
    EventKind.READY: _ready,
    EventKind.COLLECTED: _collected,
    EventKind.CANCELLED: _cancelled,
}
