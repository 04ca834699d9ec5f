"""Paper transfer batches (材料流转), free of Qt.

By default the accepting center keeps the paper originals. Where an item's catalog entry says the
paper must move (`paper_moves`), the accepting center sends each case's paper file to the case's
processing center in a transfer batch, with a printed 材料交接清单; the receiving center scans each
file's barcode in and closes its check; what did not arrive is reported missing, a file that was
not in the batch is recorded as extra. Everything is a case event, so both centers see it after
sync and every store folds the same whereabouts (models/store/events.py, `CaseState.paper`):

    build_batch     paper_sent for each case, in one transaction     the accepting center
    scan_in         paper_received (extra when not sent in the batch) the receiving center
    close_receipt   paper_missing for each file not scanned in        the receiving center

A batch has no row of its own: it is the set of events that name its number
(models/rules/transfer_batch.py), so it syncs and is audited like everything else. Every list,
manifest and scan that shows people's names is an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.desktop.paperwork import DocumentKind, render_document
from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.documents import Paperwork
from tongban.desktop.services.errors import ServiceError, checked_case_number, service_errors
from tongban.models.catalog import MaterialForm, Mode
from tongban.models.clock import SHANGHAI
from tongban.models.rules.transfer_batch import (
    MAX_BATCH_SERIAL,
    batch_prefix,
    make_batch_number,
    normalise_batch_number,
    parse_batch_number,
)
from tongban.models.store import (
    FINAL_STATUSES,
    CaseState,
    EventKind,
    SubjectType,
    load_case,
    record_event,
)
from tongban.models.store.clerks import get_clerk
from tongban.models.store.events import PaperMove, PaperStep
from tongban.models.store.payloads import PaperMissing, PaperReceived, PaperSent
from tongban.models.store.schema import CaseRow, EventRow
from tongban.printing import CenterOnPaper, ManifestData, ManifestEntry, Paper
from tongban.printing.masking import mask_name

PAPER_KINDS = (EventKind.PAPER_SENT, EventKind.PAPER_RECEIVED, EventKind.PAPER_MISSING)
Recorded = Callable[[], None]


class InBatch(StrEnum):
    """Where a case stands in one batch."""

    OUTSTANDING = "outstanding"  # sent in the batch, not scanned in, check still open
    RECEIVED = "received"  # sent in the batch and arrived (in this batch or in another box)
    MISSING = "missing"  # sent in the batch, reported missing when the check was closed
    EXTRA = "extra"  # scanned in under the batch, but not sent in it


IN_BATCH_LABELS = {
    InBatch.OUTSTANDING: "待核对",
    InBatch.RECEIVED: "已签收",
    InBatch.MISSING: "未到",
    InBatch.EXTRA: "多出",
}


@dataclass(frozen=True)
class PaperCase:
    """A case whose paper file must travel (names for the clerk's screen; the ID is not here)."""

    case_number: str
    item_code: str
    item_name: str
    applicant_name: str
    accepted_at: datetime  # Shanghai time
    destination: str  # the receiving center: the case's processing center
    originals: int
    copies: int
    resend_after: str = ""  # the batch in which it was reported missing: to be sent again


@dataclass(frozen=True)
class PendingGroup:
    destination: str
    destination_name: str
    cases: tuple[PaperCase, ...]


@dataclass(frozen=True)
class BatchCase:
    case_number: str
    item_name: str
    applicant_name_masked: str
    originals: int
    copies: int
    state: InBatch
    received_at: datetime | None = None  # Shanghai time
    received_in: str = ""  # the batch it was scanned in under, when that is another one

    @property
    def label(self) -> str:
        return IN_BATCH_LABELS[self.state]


@dataclass(frozen=True)
class BatchStatus:
    """A batch as both centers see it, from the events that name it."""

    batch_number: str
    from_center: str
    to_center: str
    sent_at: datetime | None  # Shanghai time; None when only extras name the batch
    sent_by: str  # the sending clerk's number
    cases: tuple[BatchCase, ...] = field(default=())

    def numbers(self, state: InBatch) -> tuple[str, ...]:
        return tuple(c.case_number for c in self.cases if c.state is state)

    @property
    def expected(self) -> tuple[str, ...]:
        return tuple(c.case_number for c in self.cases if c.state is not InBatch.EXTRA)

    @property
    def received(self) -> tuple[str, ...]:
        return self.numbers(InBatch.RECEIVED)

    @property
    def missing(self) -> tuple[str, ...]:
        return self.numbers(InBatch.MISSING)

    @property
    def extra(self) -> tuple[str, ...]:
        return self.numbers(InBatch.EXTRA)

    @property
    def outstanding(self) -> tuple[str, ...]:
        return self.numbers(InBatch.OUTSTANDING)

    @property
    def closed(self) -> bool:
        """Every file sent in the batch has arrived or was reported missing."""
        return bool(self.expected) and not self.outstanding


@dataclass(frozen=True)
class ScanOutcome:
    case_number: str
    extra: bool  # the file was not sent in this batch (recorded, flagged)
    repeated: bool  # already scanned in before: nothing new was recorded


class Transfers:
    def __init__(self, context: CounterContext, *, on_recorded: Recorded | None = None) -> None:
        """`on_recorded` is told after each recorded change (background sync pushes it)."""
        self._context = context
        self._on_recorded = on_recorded

    # The accepting center ---------------------------------------------------------------------

    def pending_paper(self, actor: Actor, destination: str | None = None) -> list[PendingGroup]:
        """This center's cases whose paper must still be sent, by destination; audited."""
        here = self._context.station.center_code
        with service_errors(), self._context.store.transaction() as session:
            cases = [self._paper_case(s) for s in self._open_paper_cases(session)]
            pending = [c for c in cases if c is not None]
            if destination is not None:
                pending = [c for c in pending if c.destination == destination]
            detail = f"待流转纸质材料：{len(pending)} 件"
            self._audit(session, actor, "paper_pending", SubjectType.SEARCH, here, detail)
        groups: dict[str, list[PaperCase]] = {}
        for case in pending:
            groups.setdefault(case.destination, []).append(case)
        return [
            PendingGroup(code, self._context.geography.center_label(code), tuple(cases))
            for code, cases in sorted(groups.items())
        ]

    def build_batch(
        self, destination: str, case_numbers: Sequence[str], actor: Actor
    ) -> BatchStatus:
        """One batch to `destination`: every named case (none named: every pending one).

        paper_sent is written for each case in one transaction: either the whole batch is
        recorded, or nothing is (a refused case names itself in the error)."""
        self._require_center(destination)
        if destination == self._context.station.center_code:
            raise ServiceError("接收中心不能是本中心")
        wanted = list(dict.fromkeys(checked_case_number(n) for n in case_numbers))
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            if not wanted:
                wanted = [
                    s.case_number
                    for s in self._open_paper_cases(session)
                    if (c := self._paper_case(s)) is not None and c.destination == destination
                ]
                if not wanted:
                    name = self._context.geography.center_label(destination)
                    raise ServiceError(f"没有待送往{name}的纸质材料")
            batch = _next_batch_number(session, self._context, now)
            for number in wanted:
                case = self._sendable(session, number, destination)
                payload = PaperSent(
                    batch=batch,
                    destination=destination,
                    originals=case.originals,
                    copies=case.copies,
                )
                self._record(session, actor, number, EventKind.PAPER_SENT, payload, now)
                detail = f"纸质材料送出：批次 {batch}，接收中心 {destination}"
                self._audit(session, actor, "paper_sent", SubjectType.CASE, number, detail)
            status = self._status(session, batch)
        self._recorded()
        return status

    def manifest_pdf(self, batch_number: str, actor: Actor, *, paper: str | None = None) -> bytes:
        """The 材料交接清单 of a batch (names masked, no ID), at either center; audited."""
        number = _batch_number(batch_number)
        with service_errors(), self._context.store.transaction() as session:
            status = self._known_status(session, number)
            self._require_party_of(status)
            data = self._manifest_data(session, status)
            detail = f"打印材料交接清单：{len(data.entries)} 件"
            self._audit(session, actor, "print_manifest", SubjectType.SEARCH, number, detail)
        chosen = Paper(paper or self._context.settings.paper.value)
        try:
            return render_document(DocumentKind.MANIFEST, data, chosen, allow_missing_glyphs=True)
        except ValueError as error:
            raise ServiceError(f"交接清单无法生成：{error}") from None

    # The receiving center ---------------------------------------------------------------------

    def scan_in(self, batch_number: str, case_number: str, actor: Actor) -> ScanOutcome:
        """One scanned file of a batch; extra when the batch did not list it (flagged)."""
        [outcome] = self.receive(batch_number, [case_number], actor)
        return outcome

    def receive(
        self, batch_number: str, case_numbers: Sequence[str], actor: Actor
    ) -> list[ScanOutcome]:
        """Several scanned files of a batch, in one transaction."""
        number = _batch_number(batch_number)
        cases = [checked_case_number(n) for n in case_numbers]
        if not cases:
            raise ServiceError("请扫描或输入至少一个受理编号")
        now = self._context.now()
        outcomes = []
        with service_errors(), self._context.store.transaction() as session:
            self._require_receiver(self._known_status(session, number))
            for case in cases:
                outcomes.append(self._scan_one(session, actor, number, case, now))
        if any(not o.repeated for o in outcomes):
            self._recorded()
        return outcomes

    def close_receipt(self, batch_number: str, actor: Actor) -> BatchStatus:
        """The check is done: every file of the batch not scanned in is reported missing."""
        number = _batch_number(batch_number)
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            status = self._known_status(session, number)
            self._require_receiver(status)
            for case in status.outstanding:
                self._record(
                    session, actor, case, EventKind.PAPER_MISSING, PaperMissing(batch=number), now
                )
                detail = f"纸质材料未到：批次 {number}"
                self._audit(session, actor, "paper_missing", SubjectType.CASE, case, detail)
            closed = self._status(session, number)
        if status.outstanding:
            self._recorded()
        return closed

    def batch_status(self, batch_number: str, actor: Actor) -> BatchStatus:
        """Expected, received, missing and extra files of a batch, at either center; audited."""
        number = _batch_number(batch_number)
        with service_errors(), self._context.store.transaction() as session:
            status = self._known_status(session, number)
            self._require_party_of(status)
            detail = (
                f"查看交接批次：应到 {len(status.expected)}，已到 {len(status.received)}，"
                f"未到 {len(status.missing)}，多出 {len(status.extra)}"
            )
            self._audit(session, actor, "paper_batch", SubjectType.SEARCH, number, detail)
        return status

    # Internals: cases -------------------------------------------------------------------------

    def _paper_case(self, state: CaseState) -> PaperCase | None:
        """The case as a pending paper file, or None when its paper need not (or cannot) go."""
        if not self._paper_moves(state):
            return None
        if state.paper_received is not None:
            return None
        sent, missing = state.paper_sent, state.paper_missing
        if sent is not None and missing is None:
            return None
        originals, copies = self._file_counts(state)
        assert state.applicant is not None and state.accepted_at is not None
        return PaperCase(
            case_number=state.case_number,
            item_code=state.item_code,
            item_name=self._item_name(state.item_code),
            applicant_name=state.applicant.name,
            accepted_at=state.accepted_at.astimezone(SHANGHAI),
            destination=state.processing_center,
            originals=originals,
            copies=copies,
            resend_after=missing.batch if missing is not None else "",
        )

    def _open_paper_cases(self, session: Session) -> list[CaseState]:
        items = [i.code for i in self._context.catalog.items if i.paper_moves]
        return _open_cases_accepted_at(session, self._context.station.center_code, items)

    def _paper_moves(self, state: CaseState) -> bool:
        here = self._context.station.center_code
        if state.mode is not Mode.SEPARATED or state.status in FINAL_STATUSES:
            return False
        if state.accepting_center != here or state.processing_center == here:
            return False
        try:
            return self._context.catalog.item(state.item_code).paper_moves
        except KeyError:
            return False

    def _file_counts(self, state: CaseState) -> tuple[int, int]:
        """Originals kept in the file (forms, photos: the catalog's 'copies' of an original)
        and copies received; an original that was only seen went back to the applicant."""
        try:
            listed = {m.name: m for m in self._context.catalog.item(state.item_code).materials}
        except KeyError:
            listed = {}
        originals = copies = 0
        for material in state.materials:
            entry = listed.get(material.name)
            if entry is not None and entry.form is MaterialForm.ORIGINAL:
                if material.original_seen:
                    originals += max(entry.copies, material.copies_received)
            else:
                copies += material.copies_received
        return originals, copies

    def _sendable(self, session: Session, number: str, destination: str) -> PaperCase:
        state = load_case(session, number)
        if state is None:
            raise ServiceError(f"本工作站没有受理编号为 {number} 的办件")
        here = self._context.station.center_code
        if state.accepting_center != here:
            raise ServiceError(f"{number} 不是本中心受理的办件，不能由本中心送出")
        sent = state.paper_sent
        case = self._paper_case(state)
        if case is None and state.paper_received is not None:
            raise ServiceError(f"{number} 的纸质材料已由办理中心签收")
        if case is None and sent is not None:
            raise ServiceError(f"{number} 的纸质材料已在交接批次 {sent.batch} 中送出")
        if case is None:
            raise ServiceError(f"{number} 的纸质材料无需流转（事项不要求，或案件已办结）")
        if case.destination != destination:
            name = self._context.geography.center_label(case.destination)
            raise ServiceError(f"{number} 的办理中心是{name}，不能放入送往其他中心的批次")
        return case

    def _scan_one(
        self, session: Session, actor: Actor, batch: str, number: str, now: datetime
    ) -> ScanOutcome:
        state = load_case(session, number)
        if state is None or self._context.station.center_code != state.processing_center:
            # Not a case of this center (or not synced yet): nothing can be recorded on it.
            raise ServiceError(
                f"{number} 不是本中心办理的办件，或尚未同步到本工作站：请单独放置，"
                "同步后再扫描，仍不符的退回移交中心"
            )
        if state.paper_received is not None:
            return ScanOutcome(number, extra=state.paper_received.extra, repeated=True)
        recorded = self._record(
            session, actor, number, EventKind.PAPER_RECEIVED, PaperReceived(batch=batch), now
        )
        arrived = recorded.paper_received
        assert arrived is not None
        flag = "（不在本批次清单中）" if arrived.extra else ""
        detail = f"纸质材料签收：批次 {batch}{flag}"
        self._audit(session, actor, "paper_received", SubjectType.CASE, number, detail)
        return ScanOutcome(number, extra=arrived.extra, repeated=False)

    # Internals: batches -----------------------------------------------------------------------

    def _status(self, session: Session, batch: str) -> BatchStatus:
        states = list(_cases_naming(session, batch))
        cases: list[BatchCase] = []
        sends = []
        for state in states:
            sent_here = [m for m in state.paper if m.step is PaperStep.SENT and m.batch == batch]
            sends += sent_here
            entry = self._batch_case(state, batch, sent_here[-1] if sent_here else None)
            if entry is not None:
                cases.append(entry)
        parts = parse_batch_number(batch)
        first = min(sends, key=lambda m: m.at) if sends else None
        destinations = {m.destination for m in sends}
        to_center = destinations.pop() if len(destinations) == 1 else ""
        if not to_center and states:
            to_center = states[0].processing_center
        return BatchStatus(
            batch_number=batch,
            from_center=parts.center_code,
            to_center=to_center,
            sent_at=first.at.astimezone(SHANGHAI) if first else None,
            sent_by=first.clerk if first else "",
            cases=tuple(sorted(cases, key=lambda c: c.case_number)),
        )

    def _batch_case(self, state: CaseState, batch: str, sent: PaperMove | None) -> BatchCase | None:
        arrived = state.paper_received
        reported = any(m.step is PaperStep.MISSING and m.batch == batch for m in state.paper)
        if sent is None:
            if arrived is None or arrived.batch != batch:
                return None
            in_batch = InBatch.EXTRA
        elif arrived is not None:
            in_batch = InBatch.RECEIVED
        else:
            in_batch = InBatch.MISSING if reported else InBatch.OUTSTANDING
        assert state.applicant is not None
        return BatchCase(
            case_number=state.case_number,
            item_name=self._item_name(state.item_code),
            applicant_name_masked=mask_name(state.applicant.name),
            originals=sent.originals if sent else 0,
            copies=sent.copies if sent else 0,
            state=in_batch,
            received_at=arrived.at.astimezone(SHANGHAI) if arrived else None,
            received_in=arrived.batch if arrived and arrived.batch != batch else "",
        )

    def _known_status(self, session: Session, batch: str) -> BatchStatus:
        status = self._status(session, batch)
        if not status.cases:
            raise ServiceError(f"本工作站没有交接批次 {batch} 的记录（可能尚未同步，请先同步）")
        return status

    def _require_receiver(self, status: BatchStatus) -> None:
        if not status.expected:
            raise ServiceError(
                f"本工作站还没有交接批次 {status.batch_number} 的送出记录（请先同步）"
            )
        if status.to_center != self._context.station.center_code:
            name = self._context.geography.center_label(status.to_center)
            raise ServiceError(f"交接批次 {status.batch_number} 送往{name}，不是本中心")

    def _require_party_of(self, status: BatchStatus) -> None:
        here = self._context.station.center_code
        if here not in (status.from_center, status.to_center):
            raise ServiceError("本中心既不是此批次的移交中心，也不是接收中心")

    def _manifest_data(self, session: Session, status: BatchStatus) -> ManifestData:
        entries = tuple(
            ManifestEntry(
                case_number=c.case_number,
                item_name=c.item_name,
                applicant_name=c.applicant_name_masked,
                originals=c.originals,
                copies=c.copies,
                note=_resend_note(session, c.case_number, status.batch_number),
            )
            for c in status.cases
            if c.state is not InBatch.EXTRA
        )
        if not entries:
            raise ServiceError(f"交接批次 {status.batch_number} 没有送出的案件")
        assert status.sent_at is not None
        return ManifestData(
            manifest_number=status.batch_number,
            from_center=self._center_on_paper(status.from_center),
            to_center=self._center_on_paper(status.to_center),
            created_at=status.sent_at,
            handed_over_by=self._clerk_signature(session, status.sent_by),
            entries=entries,
        )

    # Internals: names, events, audit ----------------------------------------------------------

    def _record(
        self,
        session: Session,
        actor: Actor,
        number: str,
        kind: EventKind,
        payload: object,
        now: datetime,
    ) -> CaseState:
        return record_event(
            session,
            workstation=self._context.station.device_id,
            clerk=actor.number,
            case_number=number,
            kind=kind,
            payload=payload,
            at=now,
        ).state

    def _recorded(self) -> None:
        if self._on_recorded is not None:
            self._on_recorded()

    def _require_center(self, code: str) -> None:
        try:
            self._context.geography.center(code)
        except KeyError:
            raise ServiceError(f"没有代码为 {code} 的受理中心") from None

    def _center_on_paper(self, code: str) -> CenterOnPaper:
        if code == self._context.station.center_code:
            return Paperwork(self._context).center()
        try:
            center = self._context.geography.center(code)
        except KeyError:
            return CenterOnPaper(name=code)
        return CenterOnPaper(name=center.name, address=center.address, phone=center.phone)

    def _item_name(self, code: str) -> str:
        try:
            return self._context.catalog.item(code).name
        except KeyError:
            return code

    def _clerk_signature(self, session: Session, number: str) -> str:
        clerk = get_clerk(session, number)  # clerks of this center only
        return f"{clerk.name}（工号 {number}）" if clerk else f"工号 {number}"

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        subject_type: SubjectType,
        ref: str,
        detail: str,
    ) -> None:
        audit(
            session,
            self._context,
            actor,
            action=action,
            ref=ref,
            detail=detail,
            subject_type=subject_type,
        )


def _batch_number(text: str) -> str:
    try:
        parse_batch_number(text)
    except ValueError as error:
        raise ServiceError(f"{error}：{text.strip()[:30]}") from None
    return normalise_batch_number(text)


def _next_batch_number(session: Session, context: CounterContext, now: datetime) -> str:
    """One past this workstation's highest serial of the day, taken from its own event log
    inside the write transaction (so two builds can never share a number)."""
    station = context.station
    prefix = batch_prefix(station.center_code, now.date(), station.number)
    batch = EventRow.payload["batch"].as_string()
    used = session.scalars(
        select(batch).where(
            EventRow.kind == EventKind.PAPER_SENT,
            EventRow.workstation_id == station.device_id,
            batch.startswith(prefix),
        )
    )
    serial = max((int(b[len(prefix) : len(prefix) + 3]) for b in used), default=0) + 1
    if serial > MAX_BATCH_SERIAL:
        raise ServiceError("本工作站当日交接批次号已用完")
    return make_batch_number(station.center_code, now.date(), station.number, serial)


def _cases_naming(session: Session, batch: str) -> Iterable[CaseState]:
    """Every case with a paper event of this batch, as its events fold."""
    numbers = session.scalars(
        select(EventRow.stream_id)
        .where(
            EventRow.kind.in_([k.value for k in PAPER_KINDS]),
            EventRow.payload["batch"].as_string() == batch,
        )
        .distinct()
    )
    for number in sorted(numbers):
        state = load_case(session, number)
        if state is not None:
            yield state


def _open_cases_accepted_at(
    session: Session, center: str, item_codes: Sequence[str]
) -> list[CaseState]:
    """Open 收受分离 cases of these items accepted at this center and processed elsewhere,
    oldest first."""
    finals = [str(s) for s in FINAL_STATUSES]
    query = (
        select(CaseRow.case_number)
        .where(
            CaseRow.accepting_center == center,
            CaseRow.processing_center != center,
            CaseRow.mode == Mode.SEPARATED.value,
            CaseRow.item_code.in_(list(item_codes)),
            CaseRow.status.not_in(finals),
        )
        .order_by(CaseRow.accepted_at, CaseRow.case_number)
    )
    states = (load_case(session, number) for number in session.scalars(query))
    return [state for state in states if state is not None]


def _resend_note(session: Session, number: str, batch: str) -> str:
    state = load_case(session, number)
    if state is None:
        return ""
    earlier = [m.batch for m in state.paper if m.step is PaperStep.MISSING and m.batch != batch]
    return f"补送：批次 {earlier[-1]} 中未到" if earlier else ""
