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
                          materials checked (original seen, copies, 容缺 deferred with due date),
                          the collection center the applicant chose (the accepting or the
                          processing center; absent = the accepting center). Status → accepted.
    receipt_printed       受理回执 printed, once, not on a cancelled case. Status unchanged.
    reprinted             回执 printed again (lost, spoilt), with the reason. Needs a first print.
    deferred_supplied     a 容缺 material handed in later. The material must be deferred and still
                          outstanding; the case must be open.
    forwarded             收受分离: the application went to the processing center. Only for
                          separated items, only from accepted, and only to the case's processing
                          center. Status → forwarded.
    received_for_processing
                          签收: the processing center took the case in. A case processed
                          elsewhere must have been forwarded; one processed where it was accepted
                          is taken in from accepted. Once only. Status unchanged (a flag,
                          `received_for_processing_at`, shown as 已签收 by
                          models/processing.py's status_label).
    signed                the applicant or agent signed a document (申请表, 承诺书, 委托书 …) on
                          the signing pad or on paper; not on a cancelled case. Status unchanged.
    supplement_requested  补正: the processing side asks for more or corrected materials, with a
                          reason and due date. From accepted or forwarded → supplement_requested.
                          The promised date's clock stops (行政许可法 art. 45).
    supplied              the requested materials handed in. From supplement_requested → back to
                          forwarded if the case had been forwarded, else accepted. The wait, from
                          the request's Shanghai date to this event's, is kept in `pauses`; the
                          due date moves by the working days in it (models/processing.py).
    approved              decided in favour. From accepted or forwarded → approved.
    rejected              decided against (不予批准), with the reason. From accepted, forwarded or
                          supplement_requested → rejected (final).
    ready                 the result waits for collection at a site. From approved → ready.
    collected             the result was collected (or mailed). From ready → collected (final).
                          When the payload names the center, it must be the case's collection
                          center.
    cancelled             撤销: the applicant withdrew, or a 容缺 material was not supplied in time.
                          From any open status → cancelled (final).
    scan_attached         a scan of one material (name, file name, media type, size, sha256; the
                          file travels apart, see models/scans.py). Only on an open case, for a
                          material the case holds or a supplement request asks for, and not the
                          same file twice for one material. Status unchanged; kept in `scans`.
    paper_sent            材料流转: the paper file left in a transfer batch (batch number,
                          destination, originals and copies). Only on an open 收受分离 case
                          processed at another center, only to that center, and not while the
                          file is on its way or arrived; again only after the receiving center
                          reported it missing (then in another batch). Status unchanged.
    paper_received        the receiving center scanned the file in as part of a batch. Any
                          status (paper that arrives is recorded), once only. When the file was
                          not last sent in that batch (or never sent) the fold marks it `extra`.
    paper_missing         the receiving center closed its check of a batch without this file. Only
                          for the batch the file was last sent in, not after it arrived, once.
                          A file received later clears it. The movements are kept in `paper`.
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
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from tongban.models.catalog.schema import Mode
from tongban.models.clock import SHANGHAI
from tongban.models.store import payloads as p
from tongban.models.store.hlc import Timestamp

T = TypeVar("T")


class EventKind(StrEnum):
    ACCEPTED = "accepted"
    RECEIPT_PRINTED = "receipt_printed"
    REPRINTED = "reprinted"
    DEFERRED_SUPPLIED = "deferred_supplied"
    FORWARDED = "forwarded"
    RECEIVED_FOR_PROCESSING = "received_for_processing"
    SIGNED = "signed"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLIED = "supplied"
    APPROVED = "approved"
    REJECTED = "rejected"
    READY = "ready"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    SCAN_ATTACHED = "scan_attached"
    PAPER_SENT = "paper_sent"
    PAPER_RECEIVED = "paper_received"
    PAPER_MISSING = "paper_missing"
    NOTIFIED = "notified"
    REFUSED = "refused"
    GUIDED = "guided"


_KIND_OF_TEXT: dict[str, EventKind] = {kind.value: kind for kind in EventKind}


def known_kind(kind: str) -> EventKind | None:
    """The kind an event's text names; None for a kind this version does not know (a newer
    workstation's). A dictionary look-up: EventKind(text) costs ~2 µs, and the service asks
    several times for each event it receives."""
    return _KIND_OF_TEXT.get(kind)


class StreamType(StrEnum):
    CASE = "case"
    VISIT = "visit"


PAYLOAD_TYPES: dict[EventKind, type] = {
    EventKind.ACCEPTED: p.Accepted,
    EventKind.RECEIPT_PRINTED: p.ReceiptPrinted,
    EventKind.REPRINTED: p.Reprinted,
    EventKind.DEFERRED_SUPPLIED: p.DeferredSupplied,
    EventKind.FORWARDED: p.Forwarded,
    EventKind.RECEIVED_FOR_PROCESSING: p.ReceivedForProcessing,
    EventKind.SIGNED: p.Signed,
    EventKind.SUPPLEMENT_REQUESTED: p.SupplementRequested,
    EventKind.SUPPLIED: p.Supplied,
    EventKind.APPROVED: p.Approved,
    EventKind.REJECTED: p.Rejected,
    EventKind.READY: p.Ready,
    EventKind.COLLECTED: p.Collected,
    EventKind.CANCELLED: p.Cancelled,
    EventKind.SCAN_ATTACHED: p.ScanAttached,
    EventKind.PAPER_SENT: p.PaperSent,
    EventKind.PAPER_RECEIVED: p.PaperReceived,
    EventKind.PAPER_MISSING: p.PaperMissing,
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

    def read_payload(self, payload_type: type[T]) -> T:
        """The payload as `payload_type` (payloads.load_payload), validated once per event.

        The central service checks an event, folds it and indexes its case; each reads the
        same payload, and validating an `accepted` one costs ~20 µs. The result is kept beside
        the fields (the event is frozen, and its payload is never changed once made); a payload
        that does not match raises PayloadError every time it is read."""
        read: dict[type, Any] = self.__dict__.setdefault("_read_payloads", {})
        if payload_type not in read:
            read[payload_type] = p.load_payload(payload_type, self.payload)
        return cast(T, read[payload_type])

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
class Pause:
    """A wait for a supplement: Shanghai dates of the request and of the materials' arrival."""

    start: date
    end: date


@dataclass(frozen=True)
class ScanState:
    """A scan attached to the case: the file is named by its sha256 (models/scans.py)."""

    material: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    attached_at: datetime
    clerk: str
    workstation_id: str  # the attaching workstation, which uploads the file


class PaperStep(StrEnum):
    SENT = "sent"  # left in a transfer batch
    RECEIVED = "received"  # scanned in at the receiving center
    MISSING = "missing"  # the receiving center closed the batch without it


@dataclass(frozen=True)
class PaperMove:
    """One movement of the case's paper file (材料流转), as its event says."""

    step: PaperStep
    batch: str
    at: datetime
    clerk: str
    destination: str = ""  # sent: the receiving center
    originals: int = 0  # sent: what the file holds
    copies: int = 0
    extra: bool = False  # received: the file was not last sent in this batch


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
    collection_center: str = ""  # where the result is handed over (chosen at intake)
    accepted_at: datetime | None = None
    due_date: date | None = None
    clerk: str = ""  # the accepting clerk
    materials: tuple[MaterialState, ...] = ()
    receipt_prints: int = 0
    signed_documents: tuple[str, ...] = ()
    forwarded_at: datetime | None = None
    received_for_processing_at: datetime | None = None  # 签收 by the processing center
    supplement_requested_at: datetime | None = None  # while waiting for a supplement
    supplement_materials: tuple[str, ...] = ()  # what the open supplement request asks for
    supplement_reason: str = ""
    supplement_due: date | None = None
    pauses: tuple[Pause, ...] = ()  # finished waits for supplements, oldest first
    decided_at: datetime | None = None
    ready_at: datetime | None = None
    closed_at: datetime | None = None
    closing_reason: str = ""
    last_event_id: str = ""
    last_event_hlc: Timestamp | None = None
    event_count: int = 0
    problems: tuple[Problem, ...] = ()
    scans: tuple[ScanState, ...] = ()  # oldest first
    paper: tuple[PaperMove, ...] = ()  # the paper file's movements, oldest first

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def outstanding_deferred(self) -> tuple[MaterialState, ...]:
        return tuple(m for m in self.materials if m.deferred and m.supplied_at is None)

    @property
    def paper_sent(self) -> PaperMove | None:
        """The last time the paper file was sent, if ever."""
        return next((m for m in reversed(self.paper) if m.step is PaperStep.SENT), None)

    @property
    def paper_received(self) -> PaperMove | None:
        return next((m for m in self.paper if m.step is PaperStep.RECEIVED), None)

    @property
    def paper_missing(self) -> PaperMove | None:
        """The receiving center's report that the last sent file did not arrive (not cleared)."""
        if self.paper_received is not None:
            return None
        after_last_send: list[PaperMove] = []
        for move in self.paper:  # in fold order: a report counts only after the last sending
            after_last_send = [] if move.step is PaperStep.SENT else [*after_last_send, move]
        return next((m for m in after_last_send if m.step is PaperStep.MISSING), None)


_CASE_FIELDS = frozenset(f.name for f in fields(CaseState))
_NOT_ACCEPTED = CaseState(case_number="")  # what every fold starts from (a cheap copy of it)


def _with(state: CaseState, **changes: Any) -> CaseState:
    """dataclasses.replace(state, **changes), made for the fold's hot path.

    replace() runs the frozen __init__ again, one object.__setattr__ for each of the ~35
    fields, for every step: ~20 µs an event, most of the fold's time and of the central
    service's when it indexes a push. Copying the instance dictionary gives the same value
    (CaseState has no __post_init__ to run) for a fraction of that."""
    unknown = changes.keys() - _CASE_FIELDS
    if unknown:
        raise TypeError(f"CaseState has no field {', '.join(sorted(unknown))}")
    changed = object.__new__(CaseState)
    changed.__dict__.update(state.__dict__, **changes)
    return changed


def fold(events: Iterable[Event]) -> CaseState:
    """The state of one case from its events, in any order they are given. Pure."""
    ordered = sorted(events, key=Event.order_key)
    if not ordered:
        raise ValueError("fold needs at least one event")
    case_number = ordered[0].stream_id
    state = _with(_NOT_ACCEPTED, case_number=case_number)
    for event in ordered:
        if event.stream_type != StreamType.CASE or event.stream_id != case_number:
            raise ValueError("fold is given events of one case only")
        state = step(state, event)
    return state


def step(state: CaseState, event: Event) -> CaseState:
    """Apply one event that comes after everything already in `state`."""
    counted = _with(
        state,
        last_event_id=event.id,
        last_event_hlc=event.hlc,
        event_count=state.event_count + 1,
    )
    try:
        applied = _apply(counted, event)
    except (_Refused, p.PayloadError) as refusal:
        problem = Problem(event_id=event.id, kind=event.kind, message=str(refusal))
        return _with(counted, problems=(*counted.problems, problem))
    return applied


class _Refused(Exception):
    """An event not allowed in the case's state; the message is for people (zh_CN)."""


def _apply(state: CaseState, event: Event) -> CaseState:
    kind = known_kind(event.kind)
    if kind is None:
        raise _Refused(f"未知的事件类型：{event.kind}")
    if kind not in CASE_KINDS:
        raise _Refused(f"{kind} 不是案件事件")
    if kind is not EventKind.ACCEPTED and state.status is None:
        raise _Refused("案件尚未受理")
    payload = event.read_payload(PAYLOAD_TYPES[kind])
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
    collection = data.collection_center or data.accepting_center
    _require(
        collection in (data.accepting_center, data.processing_center),
        f"领取中心 {collection} 只能是受理中心或办理中心",
    )
    return _with(
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
        collection_center=collection,
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
    return _with(state, receipt_prints=1)


def _reprinted(state: CaseState, event: Event, data: p.Reprinted) -> CaseState:
    _require(state.receipt_prints > 0, "回执尚未打印，不能补打")
    return _with(state, receipt_prints=state.receipt_prints + 1)


def _deferred_supplied(state: CaseState, event: Event, data: p.DeferredSupplied) -> CaseState:
    _require_open(state)
    outstanding = {m.name for m in state.outstanding_deferred}
    _require(data.material in outstanding, f"「{data.material}」不是待补交的容缺材料")
    return _with(
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
    return _with(state, status=CaseStatus.FORWARDED, forwarded_at=event.created_at)


def _received_for_processing(
    state: CaseState, event: Event, data: p.ReceivedForProcessing
) -> CaseState:
    _require_open(state)
    _require(state.received_for_processing_at is None, "案件已签收，不能重复签收")
    if state.processing_center != state.accepting_center:
        _require(state.status is CaseStatus.FORWARDED, "案件尚未流转到办理中心，不能签收")
    else:
        _require_status(state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED)
    return _with(state, received_for_processing_at=event.created_at)


def _signed(state: CaseState, event: Event, data: p.Signed) -> CaseState:
    _require(state.status is not CaseStatus.CANCELLED, "案件已撤销，不能再签署")
    return _with(state, signed_documents=(*state.signed_documents, data.document))


def _supplement_requested(state: CaseState, event: Event, data: p.SupplementRequested) -> CaseState:
    _require_status(state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED)
    return _with(
        state,
        status=CaseStatus.SUPPLEMENT_REQUESTED,
        supplement_due=data.due_date,
        supplement_requested_at=event.created_at,
        supplement_materials=tuple(data.materials),
        supplement_reason=data.reason,
    )


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
    return _with(
        state,
        status=back,
        supplement_due=None,
        supplement_requested_at=None,
        supplement_materials=(),
        supplement_reason="",
        pauses=(*state.pauses, _pause(state.supplement_requested_at, event.created_at)),
        materials=tuple(materials.values()),
    )


def _pause(requested_at: datetime | None, supplied_at: datetime) -> Pause:
    end = supplied_at.astimezone(SHANGHAI).date()
    start = requested_at.astimezone(SHANGHAI).date() if requested_at else end
    # Wall clocks of two centers may disagree; the HLC put the supply after the request.
    return Pause(start=min(start, end), end=end)


def _approved(state: CaseState, event: Event, data: p.Approved) -> CaseState:
    _require_status(state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED)
    return _with(state, status=CaseStatus.APPROVED, decided_at=event.created_at)


def _rejected(state: CaseState, event: Event, data: p.Rejected) -> CaseState:
    _require_status(
        state, CaseStatus.ACCEPTED, CaseStatus.FORWARDED, CaseStatus.SUPPLEMENT_REQUESTED
    )
    return _with(
        state,
        status=CaseStatus.REJECTED,
        decided_at=event.created_at,
        closed_at=event.created_at,
        closing_reason=data.reason,
    )


def _ready(state: CaseState, event: Event, data: p.Ready) -> CaseState:
    _require_status(state, CaseStatus.APPROVED)
    return _with(state, status=CaseStatus.READY, ready_at=event.created_at)


def _collected(state: CaseState, event: Event, data: p.Collected) -> CaseState:
    _require_status(state, CaseStatus.READY)
    _require(
        data.center is None or data.center == state.collection_center,
        f"申请人选择在 {state.collection_center} 领取，不能在 {data.center} 领取",
    )
    return _with(state, status=CaseStatus.COLLECTED, closed_at=event.created_at)


def _cancelled(state: CaseState, event: Event, data: p.Cancelled) -> CaseState:
    _require_open(state)
    return _with(
        state,
        status=CaseStatus.CANCELLED,
        closed_at=event.created_at,
        closing_reason=data.reason,
    )


def _scan_attached(state: CaseState, event: Event, data: p.ScanAttached) -> CaseState:
    _require_open(state)
    known = {m.name for m in state.materials} | set(state.supplement_materials)
    _require(data.material in known, f"「{data.material}」不是本案的材料")
    _require(
        all((s.material, s.sha256) != (data.material, data.sha256) for s in state.scans),
        f"「{data.material}」已附此扫描件",
    )
    scan = ScanState(
        material=data.material,
        file_name=data.file_name,
        media_type=data.media_type,
        size=data.size,
        sha256=data.sha256,
        attached_at=event.created_at,
        clerk=event.clerk,
        workstation_id=event.workstation_id,
    )
    return _with(state, scans=(*state.scans, scan))


def _paper_sent(state: CaseState, event: Event, data: p.PaperSent) -> CaseState:
    _require_open(state)
    _require(state.mode is Mode.SEPARATED, "只有收受分离事项的纸质材料需要流转")
    _require(
        state.processing_center != state.accepting_center,
        "本案在受理中心办理，纸质材料无需流转",
    )
    _require(
        data.destination == state.processing_center,
        f"材料接收中心 {data.destination} 不是本案的办理中心 {state.processing_center}",
    )
    _require(state.paper_received is None, "纸质材料已由办理中心签收，不能再次送出")
    sent = state.paper_sent
    if sent is not None:
        _require(
            state.paper_missing is not None,
            f"纸质材料已在交接批次 {sent.batch} 中送出，尚未确认未到，不能再次送出",
        )
        _require(
            all(m.batch != data.batch for m in state.paper if m.step is PaperStep.SENT),
            f"纸质材料已在交接批次 {data.batch} 中送出过",
        )
    move = PaperMove(
        step=PaperStep.SENT,
        batch=data.batch,
        at=event.created_at,
        clerk=event.clerk,
        destination=data.destination,
        originals=data.originals,
        copies=data.copies,
    )
    return _with(state, paper=(*state.paper, move))


def _paper_received(state: CaseState, event: Event, data: p.PaperReceived) -> CaseState:
    received = state.paper_received
    if received is not None:
        raise _Refused(f"纸质材料已在交接批次 {received.batch} 中签收")
    sent = state.paper_sent
    move = PaperMove(
        step=PaperStep.RECEIVED,
        batch=data.batch,
        at=event.created_at,
        clerk=event.clerk,
        extra=sent is None or sent.batch != data.batch,
    )
    return _with(state, paper=(*state.paper, move))


def _paper_missing(state: CaseState, event: Event, data: p.PaperMissing) -> CaseState:
    sent = state.paper_sent
    _require(
        sent is not None and sent.batch == data.batch,
        f"纸质材料最近一次不是在交接批次 {data.batch} 中送出的",
    )
    _require(state.paper_received is None, "纸质材料已签收，不能记为未到")
    _require(state.paper_missing is None, f"交接批次 {data.batch} 中本案材料已记为未到")
    move = PaperMove(
        step=PaperStep.MISSING, batch=data.batch, at=event.created_at, clerk=event.clerk
    )
    return _with(state, paper=(*state.paper, move))


_HANDLERS: dict[EventKind, Callable[[CaseState, Event, Any], CaseState]] = {
    EventKind.ACCEPTED: _accepted,
    EventKind.RECEIPT_PRINTED: _receipt_printed,
    EventKind.REPRINTED: _reprinted,
    EventKind.DEFERRED_SUPPLIED: _deferred_supplied,
    EventKind.FORWARDED: _forwarded,
    EventKind.RECEIVED_FOR_PROCESSING: _received_for_processing,
    EventKind.SIGNED: _signed,
    EventKind.SUPPLEMENT_REQUESTED: _supplement_requested,
    EventKind.SUPPLIED: _supplied,
    EventKind.APPROVED: _approved,
    EventKind.REJECTED: _rejected,
    EventKind.READY: _ready,
    EventKind.COLLECTED: _collected,
    EventKind.CANCELLED: _cancelled,
    EventKind.SCAN_ATTACHED: _scan_attached,
    EventKind.PAPER_SENT: _paper_sent,
    EventKind.PAPER_RECEIVED: _paper_received,
    EventKind.PAPER_MISSING: _paper_missing,
}
