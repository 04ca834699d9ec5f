"""The processing views behind the window (ui.processing_ports.ProcessingServices).

Composes Processing (lists and actions), Lookup (status anywhere), Scans and Cases (the opened
case's timeline) for the clerk logged in at the counter (Counter.signed_in), and turns their
answers into the window's frozen values: the applicant masked, centers by name, and the actions
this center may take on each case. Every look at a person's data is audited by the service
that reads it; revealing the applicant here is audited as `reveal_applicant`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.cases import Cases
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.documents import Paperwork, document_label
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.lookup import CaseStatusView, Connect, Lookup
from tongban.desktop.services.processing import SUPPLEMENT_WORKING_DAYS, CaseProgress, Processing
from tongban.desktop.services.scans import ScanInfo, Scans
from tongban.models.clock import SHANGHAI
from tongban.models.lookup_wire import mask_name
from tongban.models.rules import mask_identity, normalise_case_number
from tongban.models.store import (
    FINAL_STATUSES,
    AuditOutcome,
    CaseState,
    CaseStatus,
    MaterialState,
    load_case,
)
from tongban.ui.processing_ports import (
    Action,
    ApplicantDetails,
    CaseFile,
    CaseStatusAnswer,
    MaterialLine,
    ScanLine,
    StatusLine,
    WorkItem,
    WorkLists,
)

if TYPE_CHECKING:
    from tongban.desktop.services.counter import Counter
    from tongban.desktop.sync.client import SyncClient

Recorded = Callable[[], None]
UNDECIDED = (CaseStatus.ACCEPTED, CaseStatus.FORWARDED)


def processing_desk(context: CounterContext, counter: Counter) -> ProcessingDesk:
    """The desk for the clerk logged in at `counter`."""
    return ProcessingDesk(
        context, counter.signed_in, on_recorded=counter.wake_sync, connect=central(context)
    )


def central(context: CounterContext) -> Connect | None:
    """How to reach the center: an enrolled workstation asks it (look-ups, scans held
    elsewhere); a demo or stand-alone one (None) answers from its own store."""
    settings = context.settings
    if settings.demo or not settings.server_url:
        return None

    def connect() -> SyncClient:
        # Imported here: only a look-up or a scan that goes to the center needs HTTP.
        from tongban.desktop.sync.setup import connect as connect_to_center

        return connect_to_center(context.data_dir, settings)

    return connect


class ProcessingDesk:
    """ProcessingServices for the clerk logged in at this workstation's counter."""

    def __init__(
        self,
        context: CounterContext,
        signed_in: Callable[[], Actor],
        *,
        on_recorded: Recorded | None = None,
        connect: Connect | None = None,
    ) -> None:
        """`connect` gives a client of the central service; None: the workstation works alone
        (look-ups answer from this store, scans held elsewhere cannot be fetched)."""
        self._context = context
        self._signed_in = signed_in
        self._on_recorded = on_recorded
        self._processing = Processing(context, on_recorded=on_recorded)
        self._lookup = Lookup(context, connect=connect)
        self._scans = Scans(context, connect=connect)
        self._cases = Cases(context, Paperwork(context))

    # Lists and one case -------------------------------------------------------------------------

    def work_lists(self) -> WorkLists:
        lists = self._processing.lists(self._signed_in())
        return WorkLists(
            inbox=tuple(self._item(p) for p in lists.inbox),
            elsewhere=tuple(self._item(p) for p in lists.elsewhere),
        )

    def case_file(self, case_number: str) -> CaseFile:
        actor = self._signed_in()
        detail = self._cases.detail(case_number, actor)
        state = detail.state
        scans, note = self._scan_lines(state.case_number, actor)
        return CaseFile(
            item=self._item(self._processing.progress(state)),
            collection_center_name=self._cases.center_name(state.collection_center),
            agent_masked=_agent_masked(state),
            materials=tuple(MaterialLine(m.name, _received_text(m)) for m in state.materials),
            item_materials=self._item_materials(state.item_code),
            supplement_reason=state.supplement_reason,
            closing_reason=state.closing_reason,
            scans=scans,
            scans_note=note,
            timeline=detail.events,
        )

    def reveal_applicant(self, case_number: str) -> ApplicantDetails:
        actor = self._signed_in()
        number = normalise_case_number(case_number)
        here = self._context.station.center_code
        with service_errors(), self._context.store.transaction() as session:
            state = load_case(session, number)
            party = state is not None and here in _parties(state)
            audit(
                session,
                self._context,
                actor,
                action="reveal_applicant",
                ref=number[:64] or "（空）",
                detail="查看申请人完整信息",
                outcome=AuditOutcome.SUCCESS if party else AuditOutcome.DENIED,
            )
        if state is None or state.applicant is None:
            raise ServiceError(f"本工作站没有受理编号为 {case_number.strip()} 的办件")
        if not party:
            raise ServiceError("本中心与此案无关，不能查看申请人信息")
        return self._details(state)

    def open_scan(self, case_number: str, sha256: str) -> Path:
        return self._scans.open_scan(case_number, sha256, self._signed_in())

    def scan_folder(self) -> Path:
        folder = self._context.settings.scan_folder
        return Path(folder).expanduser() if folder else Path.home()

    def attach_scan(self, case_number: str, material: str, path: Path) -> None:
        self._scans.attach(case_number, material, path, self._signed_in())
        if self._on_recorded is not None:
            self._on_recorded()  # sync uploads the new scan now, not at its next round

    def default_supplement_due(self) -> date:
        today = self._context.today()
        return self._context.calendar.add_working_days(today, SUPPLEMENT_WORKING_DAYS).due

    # Actions ------------------------------------------------------------------------------------

    def sign_for(self, case_number: str) -> WorkItem:
        return self._item(self._processing.sign_for(case_number, self._signed_in()))

    def request_supplement(
        self, case_number: str, *, materials: Sequence[str], reason: str, due: date
    ) -> WorkItem:
        done = self._processing.request_supplement(
            case_number, self._signed_in(), materials=materials, reason=reason, due=due
        )
        return self._item(done)

    def supplied(self, case_number: str, *, materials: Sequence[str]) -> WorkItem:
        done = self._processing.supplied(case_number, self._signed_in(), materials=materials)
        return self._item(done)

    def approve(self, case_number: str, *, note: str) -> WorkItem:
        return self._item(self._processing.approve(case_number, self._signed_in(), note=note))

    def reject(self, case_number: str, *, reason: str) -> WorkItem:
        return self._item(self._processing.reject(case_number, self._signed_in(), reason=reason))

    def ready(self, case_number: str) -> WorkItem:
        return self._item(self._processing.ready(case_number, self._signed_in()))

    def collect(self, case_number: str, *, collected_by: str) -> WorkItem:
        actor = self._signed_in()
        return self._item(self._processing.collect(case_number, actor, collected_by=collected_by))

    # Status anywhere ----------------------------------------------------------------------------

    def lookup(self, case_number: str, id_last4: str) -> CaseStatusAnswer:
        view = self._lookup.lookup(case_number, id_last4, self._signed_in())
        return _answer(view, self._cases.center_name(view.accepting_center))

    # Conversions --------------------------------------------------------------------------------

    def _item(self, progress: CaseProgress) -> WorkItem:
        here = self._context.station.center_code
        return WorkItem(
            case_number=progress.case_number,
            item_name=progress.item_name,
            applicant_name_masked=mask_name(progress.applicant_name),
            applicant_id_masked=progress.applicant_id_masked,
            status_label=progress.status_label,
            accepting_center_name=self._cases.center_name(progress.accepting_center),
            processing_center_name=self._cases.center_name(progress.processing_center),
            accepted_at=progress.accepted_at.astimezone(SHANGHAI),
            due=progress.due,
            supplement_due=progress.supplement_due,
            supplement_materials=progress.supplement_materials,
            overdue=progress.overdue,
            supplement_overdue=progress.supplement_overdue,
            actions=actions_here(progress, here),
        )

    def _scan_lines(self, number: str, actor: Actor) -> tuple[tuple[ScanLine, ...], str]:
        try:
            scans = self._scans.scans_of(number, actor)
        except ServiceError as error:
            return (), str(error)
        return tuple(_scan_line(s) for s in scans), ""

    def _item_materials(self, code: str) -> tuple[str, ...]:
        try:
            return tuple(m.name for m in self._context.catalog.item(code).materials)
        except KeyError:
            return ()

    def _details(self, state: CaseState) -> ApplicantDetails:
        person = state.applicant
        assert person is not None
        agent = state.agent
        return ApplicantDetails(
            name=person.name,
            document=document_label(person.document_type),
            id_number=person.id_number,
            phone=person.phone or "",
            household=self._street(person.household_street, "外省市"),
            residence=self._street(person.residence_street, "同户籍地"),
            agent=""
            if agent is None
            else f"{agent.name}（{agent.relationship}，"
            f"{document_label(agent.document_type)} {agent.id_number}）",
        )

    def _street(self, code: str | None, otherwise: str) -> str:
        if code is None:
            return otherwise
        try:
            return self._context.geography.street(code).name
        except KeyError:
            return code


def actions_here(progress: CaseProgress, here: str) -> frozenset[Action]:
    """What `here` (a center's code) may do with the case now; Processing judges again."""
    status = CaseStatus(progress.status)
    processes = progress.processing_center == here
    undecided = status in UNDECIDED
    allowed: set[Action] = set()
    if processes and undecided and not progress.received:
        allowed.add(Action.SIGN)
    if processes and undecided and progress.received:
        allowed |= {Action.SUPPLEMENT, Action.APPROVE, Action.REJECT}
    if status is CaseStatus.SUPPLEMENT_REQUESTED:
        if here in (progress.accepting_center, progress.processing_center):
            allowed.add(Action.SUPPLIED)
        if processes:
            allowed.add(Action.REJECT)
    if processes and status is CaseStatus.APPROVED:
        allowed.add(Action.READY)
    if status is CaseStatus.READY and progress.collection_center == here:
        allowed.add(Action.COLLECT)
    if status not in FINAL_STATUSES and (processes or progress.accepting_center == here):
        allowed.add(Action.SCAN)
    return frozenset(allowed)


def _parties(state: CaseState) -> set[str]:
    return {state.accepting_center, state.processing_center, state.collection_center}


def _agent_masked(state: CaseState) -> str:
    agent = state.agent
    if agent is None:
        return ""
    return f"{mask_name(agent.name)}（{agent.relationship}）{mask_identity(agent.id_number)}"


def _received_text(material: MaterialState) -> str:
    parts = []
    if material.original_seen:
        parts.append("原件已验")
    if material.copies_received:
        parts.append(f"复印件 {material.copies_received} 份")
    if material.deferred and material.supplied_at is None:
        due = f"，{material.deferred_due:%m-%d} 前补交" if material.deferred_due else ""
        parts.append(f"容缺{due}")
    elif material.supplied_at is not None:
        parts.append(f"{material.supplied_at.astimezone(SHANGHAI):%m-%d} 补交")
    return "；".join(parts) or "已收"


def _scan_line(scan: ScanInfo) -> ScanLine:
    return ScanLine(
        material=scan.material,
        file_name=scan.file_name,
        size_text=scan.size_text,
        attached_at=scan.attached_at,
        sha256=scan.sha256,
        here=scan.here,
    )


def _answer(view: CaseStatusView, accepting_center_name: str) -> CaseStatusAnswer:
    return CaseStatusAnswer(
        case_number=view.case_number,
        status_label=view.status_label,
        item_name=view.item_name,
        accepting_center_name=accepting_center_name,
        processing_center_name=view.processing_center_name,
        collection_center_name=view.collection_center_name,
        applicant_name_masked=view.applicant_name_masked,
        applicant_id_masked=view.applicant_id_masked,
        accepted_at=view.accepted_at,
        due=view.due,
        supplement_materials=view.supplement_materials,
        supplement_due=view.supplement_due,
        closing_reason=view.closing_reason,
        events=tuple(StatusLine(e.at, e.name, e.center_name) for e in view.events),
        stale_note=view.stale_note or "",
        collect_here=view.collect_here,
    )
