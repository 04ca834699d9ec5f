"""The four ways a visit at the counter ends: 受理, 一次性告知, 不予受理, 告知办理地.

Each judges the request again (judgement.py), then records the decision in one transaction with
its audit entry: an accepted case takes the next case number and its `accepted` event (which also
remembers the applicant); a 收受分离 case for another center gets its `forwarded` event in the
same transaction (sync carries both to the processing center); a visit without a case is one
visit event. Then the paper is produced. Nothing is written when the request is refused as bad
input. The applicant chooses where to collect the result: here (default) or, for a case
processed elsewhere, at the processing center.

Deadlines: the promised completion is the item's promised working days after today, on the
working calendar (the day of acceptance is not counted); a 容缺 material is due
`Settings.deferral_working_days` working days after today (five by default). When the calendar
does not know a year's holidays, the warning travels with the result.

Time at the counter: every decision carries `started_at`, the moment the window says the clerk
identified the applicant (`IntakeRequest.started_at`); the service never makes one up. A start
the service cannot use (no time zone, or after the decision: the window and the service read the
same clock) is left out and logged, and the decision is recorded without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from tongban.desktop.paperwork import DocumentKind
from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.documents import Paperwork
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.judgement import Judgement, judge
from tongban.models.catalog import Material, MaterialForm, Mode
from tongban.models.clock import SHANGHAI
from tongban.models.intake import MaterialCheck, MaterialState
from tongban.models.routing import Decision
from tongban.models.rules import Deadline
from tongban.models.store import (
    Accepted,
    CaseState,
    EventKind,
    Forwarded,
    Guided,
    MaterialReceived,
    Notified,
    ReceiptPrinted,
    Refused,
    SubjectType,
    VisitFacts,
    next_case_number,
    record_event,
    record_visit,
)
from tongban.ui.ports import IntakeRequest

log = logging.getLogger(__name__)
MAX_REASON = 500


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    NOTIFIED = "notified"
    REFUSED = "refused"
    GUIDED = "guided"


@dataclass(frozen=True)
class DeferredDue:
    name: str
    due: date


@dataclass(frozen=True)
class Acceptance:
    case_number: str
    processing_center: str
    processing_center_name: str
    forwarded: bool  # 收受分离 to another center
    due: date | None  # None: 即办件, done on the spot
    deadline_warning: str | None
    deferred: tuple[DeferredDue, ...]
    warnings: tuple[str, ...]  # eligibility, for the clerk to verify
    receipt_pdf: bytes | None  # the receipt, followed by the 容缺承诺书 when something is deferred

    outcome = Outcome.ACCEPTED


@dataclass(frozen=True)
class VisitRecord:
    outcome: Outcome
    visit_id: str
    reason: str  # why no case: the routing's reason, the clerk's reason, or what is missing
    missing: tuple[str, ...] = ()  # 一次性告知: everything still to bring
    center_to_visit: str | None = None  # refused by routing or guided: where to apply instead
    notice_pdf: bytes | None = None


class Intake:
    def __init__(self, context: CounterContext, paperwork: Paperwork) -> None:
        self._context = context
        self._paperwork = paperwork

    # 受理 ---------------------------------------------------------------------------------------

    def accept(self, request: IntakeRequest, actor: Actor, *, documents: bool = True) -> Acceptance:
        now = self._context.now()
        today = now.date()
        found = judge(self._context, request, on=today, phone_required=True)
        self._require_acceptable(found)
        collection = _collection_center(
            found, self._context.station.center_code, request.collect_at_processing_center
        )
        deadline = self._context.calendar.add_working_days(today, found.item.promised_days)
        deferral = self._context.calendar.add_working_days(
            today, self._context.settings.deferral_working_days
        )
        started = _started_at(request, now)
        with service_errors(), self._context.store.transaction() as session:
            state = self._record_acceptance(
                session, found, actor, (started, now), (deadline, deferral), collection
            )
        pdf = self._receipt(state, found, actor) if documents else None
        target = found.routing.processing_center or self._context.station.center_code
        return Acceptance(
            case_number=state.case_number,
            processing_center=target,
            processing_center_name=self._context.geography.center(target).name,
            forwarded=found.routing.decision is Decision.FORWARD,
            due=state.due_date,
            deadline_warning=_warning(deadline, deferral if state.outstanding_deferred else None),
            deferred=tuple(
                DeferredDue(m.name, m.deferred_due)
                for m in state.outstanding_deferred
                if m.deferred_due is not None
            ),
            warnings=found.warnings,
            receipt_pdf=pdf,
        )

    def _require_acceptable(self, found: Judgement) -> None:
        if found.routing.decision is Decision.REFUSE:
            raise ServiceError(found.routing.reason)
        if not found.assessment.can_accept:
            names = "、".join(m.name for m in found.assessment.missing)
            raise ServiceError(f"尚缺必需材料，不能受理：{names}")

    def _record_acceptance(
        self,
        session: Session,
        found: Judgement,
        actor: Actor,
        moments: tuple[datetime | None, datetime],  # the visit's start (if known), now
        dates: tuple[Deadline, Deadline],  # the promised completion, the 容缺 due date
        collection_center: str,
    ) -> CaseState:
        started, now = moments
        deadline, deferral = dates
        station = self._context.station
        number = next_case_number(session, workstation=station.device_id, day=now.date())
        processing = found.routing.processing_center
        assert processing is not None  # not a refusal
        payload = Accepted(
            item_code=found.item.code,
            catalog_revision=self._context.catalog.revision,
            mode=found.item.mode,
            applicant=found.applicant,
            agent=found.agent,
            accepting_center=station.center_code,
            accepting_site=station.site_code,
            processing_center=processing,
            due_date=deadline.due if found.item.promised_days > 0 else None,
            materials=_materials(found, deferral.due),
            collection_center=collection_center,
            started_at=started,
        )
        recorded = record_event(
            session,
            workstation=station.device_id,
            clerk=actor.number,
            case_number=number,
            kind=EventKind.ACCEPTED,
            payload=payload,
            at=now,
        )
        if found.routing.decision is Decision.FORWARD:
            recorded = record_event(
                session,
                workstation=station.device_id,
                clerk=actor.number,
                case_number=number,
                kind=EventKind.FORWARDED,
                payload=Forwarded(processing_center=processing),
                at=now,
            )
        detail = f"{found.item.code} {found.item.name}；{found.routing.reason}"
        audit(session, self._context, actor, action="accept", ref=number, detail=detail, at=now)
        return recorded.state

    def _receipt(self, state: CaseState, found: Judgement, actor: Actor) -> bytes | None:
        paperwork = self._paperwork
        parts: list[tuple[DocumentKind, object]] = [
            (DocumentKind.RECEIPT, paperwork.receipt_data(state, found.item, actor.signature))
        ]
        pledge = paperwork.pledge_data(state, found.item, actor.signature)
        if pledge is not None:
            parts.append((DocumentKind.PLEDGE, pledge))
        pdf = paperwork.render_all(parts)
        if pdf is not None:
            self._note_receipt_issued(state.case_number, actor)
        return pdf

    def _note_receipt_issued(self, case_number: str, actor: Actor) -> None:
        """Record that the receipt was issued; if that fails the case stands and a reprint
        records it instead (Cases.reprint looks at the case's print count)."""
        try:
            with service_errors(), self._context.store.transaction() as session:
                record_event(
                    session,
                    workstation=self._context.station.device_id,
                    clerk=actor.number,
                    case_number=case_number,
                    kind=EventKind.RECEIPT_PRINTED,
                    payload=ReceiptPrinted(),
                    at=self._context.now(),
                )
        except ServiceError:
            log.exception("could not record the receipt of case %s", case_number)

    # 一次性告知 ---------------------------------------------------------------------------------

    def notify(
        self, request: IntakeRequest, actor: Actor, *, documents: bool = True
    ) -> VisitRecord:
        now = self._context.now()
        found = judge(self._context, request, on=now.date(), phone_required=False)
        if found.routing.decision is Decision.REFUSE:
            raise ServiceError(found.routing.reason)
        if not found.assessment.missing:
            raise ServiceError("必需材料已齐全，可以受理，无需一次性告知")
        # Told at once: everything not handed in, including what could have been deferred.
        outstanding = (*found.assessment.missing, *found.assessment.deferred)
        names = tuple(m.name for m in outstanding)
        payload = Notified(**self._facts(found, request, now), missing=names)
        visit_id = self._record_visit(EventKind.NOTIFIED, payload, actor, now, found)
        pdf = None
        if documents:
            data = self._paperwork.missing_notice_data(
                found.item, found.applicant.name, outstanding, at=now, clerk=actor.signature
            )
            pdf = self._paperwork.render(DocumentKind.MISSING_NOTICE, data)
        reason = f"尚缺材料：{'、'.join(names)}"
        return VisitRecord(Outcome.NOTIFIED, visit_id, reason, missing=names, notice_pdf=pdf)

    # 不予受理 -----------------------------------------------------------------------------------

    def refuse(
        self, request: IntakeRequest, actor: Actor, reason: str, *, documents: bool = True
    ) -> VisitRecord:
        reason = reason.strip()
        if not reason:
            raise ServiceError("请写明不予受理的理由")
        if len(reason) > MAX_REASON:
            raise ServiceError(f"不予受理理由不超过 {MAX_REASON} 字")
        now = self._context.now()
        found = judge(self._context, request, on=now.date(), phone_required=False)
        payload = Refused(**self._facts(found, request, now), reason=reason)
        visit_id = self._record_visit(EventKind.REFUSED, payload, actor, now, found)
        pdf = None
        if documents:
            data = self._paperwork.refusal_data(
                found.item, found.applicant, reason, at=now, clerk=actor.signature
            )
            pdf = self._paperwork.render(DocumentKind.REFUSAL, data)
        target = found.routing.processing_center
        to_visit = target if found.routing.decision is Decision.REFUSE else None
        return VisitRecord(
            Outcome.REFUSED, visit_id, reason, center_to_visit=to_visit, notice_pdf=pdf
        )

    # 告知办理地 ---------------------------------------------------------------------------------

    def guide(self, request: IntakeRequest, actor: Actor, *, documents: bool = True) -> VisitRecord:
        now = self._context.now()
        found = judge(self._context, request, on=now.date(), phone_required=False)
        routing = found.routing
        if routing.decision is not Decision.REFUSE:
            raise ServiceError("本事项可以在本中心受理，无需告知办理地")
        if routing.processing_center is None:
            raise ServiceError(f"{routing.reason}；本市没有可指引的中心，请改为不予受理")
        target = self._context.geography.center(routing.processing_center)
        guidance = f"{routing.reason}；办理地：{target.name}"
        if target.address:
            guidance += f"（{target.address}）"
        payload = Guided(**self._facts(found, request, now), guidance=guidance)
        visit_id = self._record_visit(EventKind.GUIDED, payload, actor, now, found)
        pdf = None
        # The printed guidance explains the 属地 rule and the district's windows; for any other
        # item (only before its city-wide date) the recorded guidance is all there is.
        if documents and found.item.mode is Mode.HOME_DISTRICT:
            data = self._paperwork.guidance_data(
                found.item, found.applicant.name, target.code, at=now, clerk=actor.signature
            )
            pdf = self._paperwork.render(DocumentKind.GUIDANCE, data)
        return VisitRecord(
            Outcome.GUIDED, visit_id, guidance, center_to_visit=target.code, notice_pdf=pdf
        )

    # The command line's decision ----------------------------------------------------------------

    def decide(
        self, request: IntakeRequest, actor: Actor, *, documents: bool = False
    ) -> Acceptance | VisitRecord:
        """What a script asks for: accept when possible, else tell what is missing, else refuse.

        A routing refusal is recorded as 不予受理 with the routing's reason (it names the center
        to go to); complete materials are accepted; anything else gets the 一次性告知.
        """
        found = judge(self._context, request, on=self._context.today(), phone_required=False)
        if found.routing.decision is Decision.REFUSE:
            return self.refuse(request, actor, found.routing.reason, documents=documents)
        if found.assessment.can_accept:
            return self.accept(request, actor, documents=documents)
        return self.notify(request, actor, documents=documents)

    # Internals ----------------------------------------------------------------------------------

    def _facts(self, found: Judgement, request: IntakeRequest, now: datetime) -> dict[str, Any]:
        """Where, for which item, who and since when: what every visit event carries."""
        station = self._context.station
        return {
            "center_code": station.center_code,
            "site_code": station.site_code,
            "item_code": found.item.code,
            "catalog_revision": self._context.catalog.revision,
            "applicant": found.applicant,
            "started_at": _started_at(request, now),
        }

    def _record_visit(
        self,
        kind: EventKind,
        payload: VisitFacts,
        actor: Actor,
        now: datetime,
        found: Judgement,
    ) -> str:
        with service_errors(), self._context.store.transaction() as session:
            visit = record_visit(
                session,
                workstation=self._context.station.device_id,
                clerk=actor.number,
                kind=kind,
                payload=payload,
                at=now,
            )
            detail = f"{found.item.code} {found.item.name}"
            audit(
                session,
                self._context,
                actor,
                action=kind.value,
                ref=visit.id,
                detail=detail,
                subject_type=SubjectType.VISIT,
                at=now,
            )
        return visit.id


def _started_at(request: IntakeRequest, now: datetime) -> datetime | None:
    """The visit's start as the window recorded it, when it can be this visit's start."""
    started = request.started_at
    if started is None:
        return None
    if started.tzinfo is None or started > now:
        # No applicant data here: only the two moments, to find a clock at fault.
        log.warning("visit start %s unusable at %s: recorded without it", started, now)
        return None
    return started.astimezone(SHANGHAI)


def _collection_center(found: Judgement, here: str, at_processing: bool) -> str:
    """Where the applicant collects the result: here, or the processing center if they chose it
    for a case processed elsewhere."""
    if not at_processing:
        return here
    if found.routing.decision is not Decision.FORWARD or found.routing.processing_center is None:
        raise ServiceError("本事项在本中心办理，结果只能在本中心领取")
    return found.routing.processing_center


def _materials(found: Judgement, deferred_due: date) -> tuple[MaterialReceived, ...]:
    """What was handed in (and what was deferred, with its due date), in the catalog's order."""
    received: list[MaterialReceived] = []
    for material in found.item.materials:
        state = found.assessment.states[material.name]
        check = found.checks.get(material.name, MaterialCheck())
        if state is MaterialState.RECEIVED:
            received.append(_received(material, check))
        elif state is MaterialState.DEFERRED:
            received.append(
                MaterialReceived(name=material.name, deferred=True, deferred_due=deferred_due)
            )
    return tuple(received)


def _received(material: Material, check: MaterialCheck) -> MaterialReceived:
    # An original is only "seen" where the item asks for one; copies as counted by the clerk.
    original = check.original_seen and material.form is not MaterialForm.COPY
    return MaterialReceived(
        name=material.name, original_seen=original, copies_received=max(check.copies_received, 0)
    )


def _warning(deadline: Deadline, deferral: Deadline | None) -> str | None:
    years = set(deadline.estimated_years) | set(deferral.estimated_years if deferral else ())
    if not years:
        return None
    return Deadline(deadline.due, deadline.working_days, tuple(sorted(years))).warning
