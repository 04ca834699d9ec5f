"""Finding cases, reading a case's timeline, printing its receipt again, and the sync backlog.

Every look at cases that shows a person's data (a search, a case's timeline) is audited in the
same transaction that read it. Search results carry identity numbers masked only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tongban.desktop.paperwork import DocumentKind
from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.documents import Paperwork
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.queries import (
    CaseListing,
    cases_by_id_number,
    cases_by_name,
    cases_by_number,
    recent_cases,
    unsynced_event_count,
    unsynced_event_ids,
)
from tongban.models.catalog import Item
from tongban.models.clock import SHANGHAI
from tongban.models.rules import (
    check_identity,
    is_valid_case_number,
    mask_identity,
    normalise_case_number,
    normalise_identity,
)
from tongban.models.store import (
    PAYLOAD_TYPES,
    STATUS_LABELS,
    AuditOutcome,
    CaseState,
    CaseStatus,
    Event,
    EventKind,
    PayloadError,
    ReceiptPrinted,
    Reprinted,
    SubjectType,
    case_events,
    load_case,
    looks_like_id_number,
    record_event,
)
from tongban.models.store import payloads as p
from tongban.models.store.clerks import list_clerks
from tongban.models.store.events import known_kind
from tongban.ui.ports import CaseEvent, CaseSummary

EVENT_NAMES = {
    EventKind.ACCEPTED: "受理",
    EventKind.RECEIPT_PRINTED: "出具回执",
    EventKind.REPRINTED: "补打回执",
    EventKind.DEFERRED_SUPPLIED: "补交容缺材料",
    EventKind.FORWARDED: "转出",
    EventKind.RECEIVED_FOR_PROCESSING: "签收",
    EventKind.SIGNED: "签署",
    EventKind.SUPPLEMENT_REQUESTED: "要求补正",
    EventKind.SUPPLIED: "补正材料",
    EventKind.APPROVED: "准予办理",
    EventKind.REJECTED: "不予批准",
    EventKind.READY: "待领取",
    EventKind.COLLECTED: "领取",
    EventKind.CANCELLED: "撤销",
    EventKind.SCAN_ATTACHED: "附扫描件",
    EventKind.PAPER_SENT: "纸质材料送出",
    EventKind.PAPER_RECEIVED: "纸质材料签收",
    EventKind.PAPER_MISSING: "纸质材料未到",
}
ELSEWHERE = "其他工作站"


@dataclass(frozen=True)
class CaseDetail:
    """One case as the command line shows it: the listing, the folded state, the timeline."""

    listing: CaseListing
    state: CaseState
    events: tuple[CaseEvent, ...]


class Cases:
    def __init__(self, context: CounterContext, paperwork: Paperwork) -> None:
        self._context = context
        self._paperwork = paperwork

    # Lists ------------------------------------------------------------------------------------

    def search(self, query: str, actor: Actor) -> list[CaseSummary]:
        """By case number, document number or exact name; newest first; audited."""
        text = query.strip()
        if not text:
            raise ServiceError("请输入受理编号、证件号码或申请人姓名")
        kind, ref, find = _search_for(text)
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            found = find(session)
            detail = f"按{kind}查询，找到 {len(found)} 件"
            self._audit(session, actor, "search_cases", SubjectType.SEARCH, ref, now, detail)
        return [self.summary(listing) for listing in found]

    def recent(self, *, limit: int = 100) -> list[CaseListing]:
        """The newest cases, for listings that show no personal data (not audited)."""
        with service_errors(), self._context.store.reading() as session:
            return recent_cases(session, limit=limit)

    def summary(self, listing: CaseListing) -> CaseSummary:
        return CaseSummary(
            case_number=listing.case_number,
            item_name=self.item_name(listing.item_code),
            applicant_name=listing.applicant_name,
            applicant_id_masked=mask_identity(listing.applicant_id_number),
            status=status_label(listing.status),
            accepted_at=listing.accepted_at.astimezone(SHANGHAI),
            processing_center_name=self.center_name(listing.processing_center),
            due_date=listing.due_date,
        )

    # One case ---------------------------------------------------------------------------------

    def timeline(self, case_number: str, actor: Actor) -> list[CaseEvent]:
        return list(self.detail(case_number, actor).events)

    def detail(self, case_number: str, actor: Actor) -> CaseDetail:
        """The case and its events, oldest first; audited (ServiceError when unknown)."""
        number = normalise_case_number(case_number)
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            listings = cases_by_number(session, number)
            state = load_case(session, number)
            outcome = AuditOutcome.SUCCESS if listings and state else AuditOutcome.FAILED
            detail = "查看办件"
            # What was typed may be anything, even an identity number: never keep that whole.
            ref = mask_identity(number) if looks_like_id_number(number) else number[:64]
            self._audit(
                session, actor, "view_case", SubjectType.CASE, ref or "（空）", now, detail, outcome
            )
            if not listings or state is None:
                found = None
            else:
                found = CaseDetail(listings[0], state, tuple(self._timeline(session, number)))
        if found is None:
            raise ServiceError(f"没有受理编号为 {case_number.strip()} 的办件")
        return found

    def reprint(self, case_number: str, actor: Actor, *, reason: str = "补打") -> bytes | None:
        """The receipt again, recorded as a reprint; None when the case was accepted elsewhere
        (its receipt is that center's) or the receipt could not be produced."""
        number = normalise_case_number(case_number)
        with service_errors(), self._context.store.reading() as session:
            state = load_case(session, number)
            names = self._clerk_names(session)
        if state is None:
            raise ServiceError(f"没有受理编号为 {case_number.strip()} 的办件")
        if state.accepting_site != self._context.station.site_code:
            return None
        item = self._item(state.item_code)
        signature = _signature(state.clerk, names)
        pdf = self._paperwork.render(
            DocumentKind.RECEIPT, self._paperwork.receipt_data(state, item, signature)
        )
        if pdf is None:
            return None
        self._record_print(state, actor, reason)
        return pdf

    def pending_sync_count(self) -> int:
        with service_errors(), self._context.store.reading() as session:
            return unsynced_event_count(session)

    # Names ------------------------------------------------------------------------------------

    def item_name(self, code: str) -> str:
        item = self._item(code)
        return item.name if item else code

    def center_name(self, code: str) -> str:
        return self._context.geography.center_label(code)

    def site_name(self, code: str) -> str:
        return self._context.geography.site_label(code)

    # Internals --------------------------------------------------------------------------------

    def _item(self, code: str) -> Item | None:
        try:
            return self._context.catalog.item(code)
        except KeyError:
            return None

    def _record_print(self, state: CaseState, actor: Actor, reason: str) -> None:
        # A receipt issued at acceptance counts as the first print; if recording that failed,
        # this print becomes the first.
        first = state.receipt_prints == 0
        kind = EventKind.RECEIPT_PRINTED if first else EventKind.REPRINTED
        payload: object = ReceiptPrinted() if first else Reprinted(reason=reason)
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            record_event(
                session,
                workstation=self._context.station.device_id,
                clerk=actor.number,
                case_number=state.case_number,
                kind=kind,
                payload=payload,
                at=now,
            )
            detail = reason
            ref = state.case_number
            self._audit(session, actor, "reprint_receipt", SubjectType.CASE, ref, now, detail)

    def _timeline(self, session: Session, number: str) -> list[CaseEvent]:
        unsynced = unsynced_event_ids(session, number)
        names = self._clerk_names(session)
        here = self._context.station.device_id
        return [
            CaseEvent(
                at=event.created_at.astimezone(SHANGHAI),
                event=event_name(event.kind),
                actor=_signature(event.clerk, names),
                place=self._context.station.site_name
                if event.workstation_id == here
                else ELSEWHERE,
                detail=self._describe(event),
                synced=event.id not in unsynced,
            )
            for event in case_events(session, number)
        ]

    def _describe(self, event: Event) -> str:
        kind = known_kind(event.kind)
        if kind is None:
            return f"本版本不认识的事件：{event.kind}"
        try:
            payload = event.read_payload(PAYLOAD_TYPES[kind])
        except PayloadError as error:
            return str(error)
        describe = _DESCRIPTIONS.get(kind)
        return describe(self, payload) if describe else ""

    def _clerk_names(self, session: Session) -> dict[str, str]:
        return {clerk.number: clerk.name for clerk in list_clerks(session)}

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        subject_type: SubjectType,
        ref: str,
        at: datetime,
        detail: str,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
    ) -> None:
        audit(
            session,
            self._context,
            actor,
            action=action,
            ref=ref,
            detail=detail,
            subject_type=subject_type,
            outcome=outcome,
            at=at,
        )


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[CaseStatus(status)]
    except ValueError:
        return status


def _search_for(text: str) -> tuple[str, str, Callable[[Session], list[CaseListing]]]:
    """What the query is (for the audit), its reference (masked), and the look-up."""
    compact = normalise_case_number(text)
    if is_valid_case_number(compact):
        return "受理编号", compact, lambda s: cases_by_number(s, compact)
    identity = normalise_identity(text)
    if identity.isascii() and identity.isalnum() and any(c.isdigit() for c in identity):
        checked = check_identity(identity)
        number = checked.number if checked.valid else identity
        return "证件号码", mask_identity(number), lambda s: cases_by_id_number(s, number)
    if looks_like_id_number(text):
        # A number typed together with a name: searching for it as a name finds nobody, and the
        # audit log must not keep it whole.
        raise ServiceError("请只输入受理编号、证件号码或姓名中的一项")
    return "姓名", text[:64], lambda s: cases_by_name(s, text)


def event_name(text: str) -> str:
    """An event kind's name for people; the kind's own text for one this version does not know."""
    kind = known_kind(text)
    return EVENT_NAMES.get(kind, text) if kind is not None else text


def _signature(number: str, names: dict[str, str]) -> str:
    name = names.get(number)
    return f"{name}（工号 {number}）" if name else f"工号 {number}"


def _accepted(cases: Cases, data: p.Accepted) -> str:
    due = data.due_date.isoformat() if data.due_date else "即办"
    return (
        f"{data.item_code} {cases.item_name(data.item_code)}；"
        f"办理中心：{cases.center_name(data.processing_center)}；承诺办结：{due}"
    )


def _materials(data: p.Supplied | p.SupplementRequested) -> str:
    names = [m if isinstance(m, str) else m.name for m in data.materials]
    return "、".join(names)


_DESCRIPTIONS: dict[EventKind, Callable[[Cases, Any], str]] = {
    EventKind.ACCEPTED: _accepted,
    EventKind.REPRINTED: lambda _c, d: d.reason,
    EventKind.DEFERRED_SUPPLIED: lambda _c, d: d.material,
    EventKind.FORWARDED: lambda c, d: f"转至{c.center_name(d.processing_center)}",
    EventKind.RECEIVED_FOR_PROCESSING: lambda _c, d: d.note,
    EventKind.SIGNED: lambda _c, d: f"{d.document}（{d.signer}）",
    EventKind.SCAN_ATTACHED: lambda _c, d: d.material,
    EventKind.SUPPLEMENT_REQUESTED: lambda _c, d: (
        f"{d.reason}：{_materials(d)}" + (f"，{d.due_date.isoformat()} 前" if d.due_date else "")
    ),
    EventKind.SUPPLIED: lambda _c, d: _materials(d),
    EventKind.APPROVED: lambda _c, d: d.note,
    EventKind.REJECTED: lambda _c, d: d.reason,
    EventKind.READY: lambda c, d: f"领取地点：{c.site_name(d.collect_at_site)}",
    EventKind.COLLECTED: lambda c, d: (
        f"{d.collected_by}（{c.center_name(d.center)}）" if d.center else d.collected_by
    ),
    EventKind.CANCELLED: lambda _c, d: d.reason,
}
