"""Processing a case after acceptance (收受分离 and 直接受理 alike), free of Qt.

The processing center's work list and its actions, each one event on the local store written by
the clerk acting (sync carries it to the other center):

    sign_for             签收 (received_for_processing)      the processing center
    request_supplement   补正 (supplement_requested)          the processing center, after 签收
    supplied             补正材料已交 (supplied)              the accepting or processing center
    approve / reject     办结 (approved / rejected)           the processing center, after 签收
    ready                结果待领取 (ready)                   the processing center
    collect              已领取 (collected)                   the collection center chosen at intake

Requiring 签收 before a decision is this service's rule, not the fold's: the fold (events.py)
accepts decisions written before 签收 existed. Everything else the fold would refuse is refused
here with its message, before anything is written. Every action and every list that shows
applicants is audited in the same transaction. Overdue flags and the due date with the clock
stopped for supplements come from models/processing.py; the list shows them at both centers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.models.processing import overdue, status_label
from tongban.models.rules import mask_identity, normalise_case_number
from tongban.models.store import (
    FINAL_STATUSES,
    Approved,
    CaseState,
    CaseStatus,
    Collected,
    EventKind,
    MaterialReceived,
    Ready,
    ReceivedForProcessing,
    Rejected,
    SubjectType,
    SupplementRequested,
    Supplied,
    load_case,
    record_event,
)
from tongban.models.store.schema import CaseRow

SUPPLEMENT_WORKING_DAYS = 10  # default time given for a supplement (practice; the clerk may set it)
MAX_TEXT = 500
DEFAULT_COLLECTOR = "申请人"
Recorded = Callable[[], None]


@dataclass(frozen=True)
class CaseProgress:
    """One case as the processing lists show it (the applicant's number masked)."""

    case_number: str
    item_code: str
    item_name: str
    applicant_name: str
    applicant_id_masked: str
    status: str  # a CaseStatus value
    status_label: str  # 已签收 when taken in and not decided
    accepting_center: str
    processing_center: str
    collection_center: str
    accepted_at: datetime
    received: bool  # 签收 done
    due: date | None  # promised date, moved on by the working days waited for supplements
    supplement_due: date | None
    supplement_materials: tuple[str, ...]
    overdue: bool  # past the promised date, not decided
    supplement_overdue: bool  # the supplement is past its due date


@dataclass(frozen=True)
class ProcessingLists:
    """What a center follows: its work (inbox) and its cases processed elsewhere."""

    inbox: tuple[CaseProgress, ...]  # to process here, or to hand over here
    elsewhere: tuple[CaseProgress, ...]  # accepted here, processed by another center

    @property
    def overdue(self) -> tuple[CaseProgress, ...]:
        return tuple(c for c in (*self.inbox, *self.elsewhere) if c.overdue or c.supplement_overdue)


class Processing:
    def __init__(self, context: CounterContext, *, on_recorded: Recorded | None = None) -> None:
        """`on_recorded` is told after each recorded action (background sync pushes it)."""
        self._context = context
        self._on_recorded = on_recorded

    # Lists ------------------------------------------------------------------------------------

    def lists(self, actor: Actor) -> ProcessingLists:
        """Every open case of this center with its flags, newest first; audited."""
        here = self._context.station.center_code
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            states = _open_cases(session, here)
            inbox, elsewhere = [], []
            for state in states:
                progress = self.progress(state)
                if _to_do_here(state, here):
                    inbox.append(progress)
                elif state.accepting_center == here and state.processing_center != here:
                    elsewhere.append(progress)
            detail = f"办理列表：待办 {len(inbox)} 件，外中心办理 {len(elsewhere)} 件"
            audit(
                session,
                self._context,
                actor,
                action="processing_lists",
                ref=here,
                detail=detail,
                subject_type=SubjectType.SEARCH,
                at=now,
            )
        return ProcessingLists(inbox=tuple(inbox), elsewhere=tuple(elsewhere))

    def inbox(self, actor: Actor) -> list[CaseProgress]:
        return list(self.lists(actor).inbox)

    def progress(self, state: CaseState) -> CaseProgress:
        flags = overdue(state, self._context.today(), self._context.calendar)
        applicant = state.applicant
        assert applicant is not None and state.accepted_at is not None
        return CaseProgress(
            case_number=state.case_number,
            item_code=state.item_code,
            item_name=self._item_name(state.item_code),
            applicant_name=applicant.name,
            applicant_id_masked=mask_identity(applicant.id_number),
            status=str(state.status),
            status_label=status_label(state),
            accepting_center=state.accepting_center,
            processing_center=state.processing_center,
            collection_center=state.collection_center,
            accepted_at=state.accepted_at,
            received=state.received_for_processing_at is not None,
            due=flags.due,
            supplement_due=state.supplement_due,
            supplement_materials=state.supplement_materials,
            overdue=flags.case,
            supplement_overdue=flags.supplement,
        )

    # Actions ----------------------------------------------------------------------------------

    def sign_for(self, case_number: str, actor: Actor, *, note: str = "") -> CaseProgress:
        """签收: the processing center takes the case in."""
        payload = ReceivedForProcessing(note=_text(note, "签收备注", required=False))
        return self._act(
            case_number, actor, EventKind.RECEIVED_FOR_PROCESSING, payload, _processing, "签收"
        )

    def request_supplement(
        self,
        case_number: str,
        actor: Actor,
        *,
        materials: Sequence[str],
        reason: str,
        due: date | None = None,
    ) -> CaseProgress:
        """补正: what is needed and by when; the promised date's clock stops while waiting."""
        names = tuple(dict.fromkeys(m.strip() for m in materials if m.strip()))
        if not names:
            raise ServiceError("请写明需要补正的材料")
        today = self._context.today()
        if due is None:
            due = self._context.calendar.add_working_days(today, SUPPLEMENT_WORKING_DAYS).due
        if due < today:
            raise ServiceError(f"补正期限 {due.isoformat()} 早于今天")
        payload = SupplementRequested(
            materials=names, reason=_text(reason, "补正理由"), due_date=due
        )
        return self._act(
            case_number,
            actor,
            EventKind.SUPPLEMENT_REQUESTED,
            payload,
            _processing_after_sign,
            f"要求补正：{'、'.join(names)}，{due.isoformat()} 前",
        )

    def supplied(
        self, case_number: str, actor: Actor, *, materials: Sequence[str] = ()
    ) -> CaseProgress:
        """The applicant handed in the supplement (here: the accepting or processing center).
        Without names, everything the request asked for."""
        state = self._case(case_number)
        names = tuple(m.strip() for m in materials if m.strip()) or state.supplement_materials
        if not names:
            raise ServiceError("请写明补交的材料")
        payload = Supplied(
            materials=tuple(MaterialReceived(name=n, original_seen=True) for n in names)
        )
        detail = f"补交材料：{'、'.join(names)}"
        return self._act(case_number, actor, EventKind.SUPPLIED, payload, _either_party, detail)

    def approve(self, case_number: str, actor: Actor, *, note: str = "") -> CaseProgress:
        payload = Approved(note=_text(note, "办结意见", required=False))
        return self._act(
            case_number, actor, EventKind.APPROVED, payload, _processing_after_sign, "准予办理"
        )

    def reject(self, case_number: str, actor: Actor, *, reason: str) -> CaseProgress:
        payload = Rejected(reason=_text(reason, "不予批准的理由"))
        detail = f"不予批准：{payload.reason}"
        return self._act(
            case_number, actor, EventKind.REJECTED, payload, _processing_after_sign, detail
        )

    def ready(self, case_number: str, actor: Actor) -> CaseProgress:
        """The result waits at the collection center (at the very site of acceptance when the
        applicant collects where they applied)."""
        state = self._case(case_number)
        same = state.collection_center == state.accepting_center
        site = state.accepting_site if same else state.collection_center
        return self._act(
            case_number,
            actor,
            EventKind.READY,
            Ready(collect_at_site=site),
            _processing,
            f"结果待领取：{self._context.geography.site_label(site)}",
        )

    def collect(
        self, case_number: str, actor: Actor, *, collected_by: str = DEFAULT_COLLECTOR
    ) -> CaseProgress:
        """The result handed over here, at the center the applicant chose at intake."""
        payload = Collected(
            collected_by=_text(collected_by, "领取人"), center=self._context.station.center_code
        )
        detail = f"领取人：{payload.collected_by}"
        return self._act(case_number, actor, EventKind.COLLECTED, payload, _collection, detail)

    # Internals --------------------------------------------------------------------------------

    def _act(
        self,
        case_number: str,
        actor: Actor,
        kind: EventKind,
        payload: object,
        allowed: Callable[[CaseState, str], str | None],
        detail: str,
    ) -> CaseProgress:
        number = normalise_case_number(case_number)
        station = self._context.station
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            state = _known(session, number, case_number)
            refusal = allowed(state, station.center_code)
            if refusal is not None:
                raise ServiceError(refusal.format(**self._names(state)))
            recorded = record_event(
                session,
                workstation=station.device_id,
                clerk=actor.number,
                case_number=number,
                kind=kind,
                payload=payload,
                at=now,
            )
            action = f"case_{kind.value}"
            audit(session, self._context, actor, action=action, ref=number, detail=detail, at=now)
        if self._on_recorded is not None:
            self._on_recorded()
        return self.progress(recorded.state)

    def _case(self, case_number: str) -> CaseState:
        with service_errors(), self._context.store.reading() as session:
            return _known(session, normalise_case_number(case_number), case_number)

    def _names(self, state: CaseState) -> dict[str, str]:
        return {
            "processing": self._context.geography.center_label(state.processing_center),
            "collection": self._context.geography.center_label(state.collection_center),
        }

    def _item_name(self, code: str) -> str:
        try:
            return self._context.catalog.item(code).name
        except KeyError:
            return code


# Who may act: None when allowed, else a message ({processing} and {collection} are filled in).


def _processing(state: CaseState, here: str) -> str | None:
    if state.processing_center != here:
        return "本中心不是此案的办理中心（办理中心：{processing}），不能办理"
    return None


def _processing_after_sign(state: CaseState, here: str) -> str | None:
    refusal = _processing(state, here)
    open_case = state.status not in FINAL_STATUSES
    if refusal is None and open_case and state.received_for_processing_at is None:
        return "请先签收此案件，再作补正或办结"
    return refusal


def _either_party(state: CaseState, here: str) -> str | None:
    if here not in (state.accepting_center, state.processing_center):
        return "本中心既不是此案的受理中心，也不是办理中心"
    return None


def _collection(state: CaseState, here: str) -> str | None:
    if state.collection_center != here:
        return "申请人选择在{collection}领取，请到该中心领取"
    return None


def _to_do_here(state: CaseState, here: str) -> bool:
    if state.status is CaseStatus.READY:
        return state.collection_center == here
    return state.processing_center == here


def _text(value: str, what: str, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise ServiceError(f"请填写{what}")
    if len(text) > MAX_TEXT:
        raise ServiceError(f"{what}不超过 {MAX_TEXT} 字")
    return text


def _known(session: Session, number: str, typed: str) -> CaseState:
    state = load_case(session, number)
    if state is None:
        raise ServiceError(f"本工作站没有受理编号为 {typed.strip()} 的办件（可能尚未同步）")
    return state


def _open_cases(session: Session, center: str) -> list[CaseState]:
    """Every case not closed that this center accepted or processes, newest first."""
    finals = [str(s) for s in FINAL_STATUSES]
    query = (
        select(CaseRow.case_number)
        .where(
            (CaseRow.processing_center == center) | (CaseRow.accepting_center == center),
            CaseRow.status.not_in(finals),
        )
        .order_by(CaseRow.accepted_at.desc(), CaseRow.case_number.desc())
    )
    states = (load_case(session, number) for number in session.scalars(query))
    return [state for state in states if state is not None]
