"""The application behind the counter window: ui.ports.CounterServices on the local store.

One Counter per window. It holds the session (the clerk logged in, and whether the screen is
locked) and composes the accounts, intake and case services. The window calls it from one worker
thread, one call at a time, so the session needs no lock of its own. Every method either does
what was asked or raises ServiceError with the clerk's message; while no clerk is logged in, or
the screen is locked, nothing but logging in, unlocking and logging out is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tongban.desktop.demo_hint import DEMO_HINT
from tongban.desktop.services.accounts import Accounts, Actor, Attempt, Channel
from tongban.desktop.services.audit import audit
from tongban.desktop.services.cases import EVENT_NAMES, Cases
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.documents import Paperwork
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.intake import Intake
from tongban.desktop.services.passwords import Passwords
from tongban.desktop.services.queries import OutboxEntry, sync_problem_entries, unsynced_events
from tongban.models.app_versions import installed_version, update_notice
from tongban.models.clock import SHANGHAI
from tongban.models.rules import DocumentType, check_identity, mask_identity
from tongban.models.store import (
    AuditOutcome,
    EventKind,
    SubjectType,
    find_applicant,
)
from tongban.models.store.clerks import ClerkRole, list_clerks
from tongban.models.store.remote_problems import remote_problem_count, remote_problems
from tongban.models.store.sync_state import get_sync_state, pending_count, sync_problem_count
from tongban.ui.ports import (
    AcceptResult,
    CaseEvent,
    CaseSummary,
    IntakeRequest,
    KnownApplicant,
    LoginResult,
    PendingEventRow,
    SessionInfo,
    SyncProblemRow,
    SyncState,
    VisitResult,
    WorkstationInfo,
)

if TYPE_CHECKING:  # the sync loop (and its HTTP client) is loaded only where sync runs
    from tongban.desktop.sync.loop import SyncStatus

log = logging.getLogger(__name__)

# Sends a PDF to a printer: (pdf, job title, printer name; "" = the workstation's own printer).
Printer = Callable[[bytes, str, str], None]
# Told after something was recorded for the central store (background sync pushes it at once).
Recorded = Callable[[], None]
# Background sync's snapshot (desktop.sync.loop.SyncLoop.status).
SyncStatusSource = Callable[[], "SyncStatus"]

# What the sync view calls each event: the case timeline's names and the three visit outcomes.
SYNC_EVENT_NAMES: dict[str, str] = {
    **{kind.value: name for kind, name in EVENT_NAMES.items()},
    EventKind.NOTIFIED.value: "一次性告知",
    EventKind.REFUSED.value: "不予受理",
    EventKind.GUIDED.value: "告知办理地",
}


class Counter:
    """CounterServices for one workstation."""

    def __init__(
        self,
        context: CounterContext,
        *,
        passwords: Passwords | None = None,
        printer: Printer | None = None,
        on_recorded: Recorded | None = None,
        sync_status: SyncStatusSource | None = None,
    ) -> None:
        """`on_recorded` and `sync_status` come from background sync; without them the
        workstation works alone (a demo, or no server configured)."""
        self._context = context
        self._on_recorded = on_recorded
        self._sync_status = sync_status
        paperwork = Paperwork(context)
        self._accounts = Accounts(context, passwords)
        self._intake = Intake(context, paperwork)
        self._cases = Cases(context, paperwork)
        self._printer = printer or self._system_printer
        self._actor: Actor | None = None
        self._locked = False

    # The workstation and the session ------------------------------------------------------------

    def workstation(self) -> WorkstationInfo:
        station, demo = self._context.station, self._context.settings.demo
        return WorkstationInfo(
            site_code=station.site_code,
            site_name=station.site_name,
            workstation_name=station.name,
            demo=demo,
            demo_hint=DEMO_HINT if demo else "",
        )

    def login(self, clerk_number: str, password: str) -> LoginResult:
        if self._actor is not None:
            self.logout()
        attempt = self._accounts.login(clerk_number, password, channel=Channel.COUNTER)
        return self._opened(attempt)

    def unlock(self, password: str) -> LoginResult:
        if self._actor is None:
            raise ServiceError("没有需要解锁的会话，请重新登录")
        attempt = self._accounts.unlock(self._actor, password)
        if attempt.locked_out:
            # The account is locked now: the session ends and the window returns to the login page.
            self._actor, self._locked = None, False
            return LoginResult(None, attempt.message, session_ended=True)
        return self._opened(attempt)

    def lock(self) -> None:
        if self._actor is None or self._locked:
            return
        self._accounts.record_lock(self._actor)
        self._locked = True

    def logout(self) -> None:
        actor, self._actor, self._locked = self._actor, None, False
        if actor is not None:
            self._accounts.record_logout(actor)

    def _opened(self, attempt: Attempt) -> LoginResult:
        if attempt.actor is None:
            return LoginResult(None, attempt.message)
        self._actor, self._locked = attempt.actor, False
        return LoginResult(self._session_info(attempt.actor))

    def _session_info(self, actor: Actor) -> SessionInfo:
        station = self._context.station
        return SessionInfo(
            center_name=station.site_name,
            site_code=station.site_code,
            clerk_number=actor.number,
            clerk_name=actor.name,
            role=actor.role_name,
            workstation_name=station.name,
            demo=self._context.settings.demo,
            supervisor=actor.role is ClerkRole.SUPERVISOR,
        )

    def signed_in(self) -> Actor:
        """The clerk logged in (ServiceError when nobody is, or the screen is locked): for
        the services beside the counter's, e.g. the supervisor's desk."""
        return self._clerk()

    def wake_sync(self) -> None:
        """Something was recorded beside the counter's own services (processing, 领取):
        background sync pushes it at once."""
        self._recorded()

    def _clerk(self) -> Actor:
        if self._actor is None:
            raise ServiceError("请先登录")
        if self._locked:
            raise ServiceError("工作站已锁定，请先解锁")
        return self._actor

    # Intake -------------------------------------------------------------------------------------

    def find_applicant(self, document_type: str, id_number: str) -> KnownApplicant | None:
        actor = self._clerk()
        try:
            kind = DocumentType(document_type)
        except ValueError:
            raise ServiceError(f"证件类型无效：{document_type}") from None
        identity = check_identity(id_number, kind, today=self._context.today())
        if not identity.valid:
            return None  # nobody was recorded under an invalid number: nothing to look at
        number = identity.number
        now = self._context.now()
        with service_errors(), self._context.store.transaction() as session:
            known = find_applicant(session, document_type, number)
            ref = str(known.id) if known else mask_identity(number)
            audit(
                session,
                self._context,
                actor,
                action="find_applicant",
                ref=ref,
                detail="按证件号码查找回头申请人",
                subject_type=SubjectType.APPLICANT if known else SubjectType.SEARCH,
                outcome=AuditOutcome.SUCCESS if known else AuditOutcome.FAILED,
                at=now,
            )
        if known is None:
            return None
        return KnownApplicant(
            name=known.name,
            phone=known.phone or "",
            household_street=known.household_street,
            residence_street=known.residence_street,
        )

    def accept(self, request: IntakeRequest) -> AcceptResult:
        done = self._intake.accept(request, self._clerk())
        self._recorded()
        return AcceptResult(
            case_number=done.case_number,
            processing_center_name=done.processing_center_name,
            due_date=done.due or self._context.today(),
            deadline_warning=done.deadline_warning,
            receipt_pdf=done.receipt_pdf,
        )

    def notify(self, request: IntakeRequest) -> VisitResult:
        done = self._intake.notify(request, self._clerk())
        self._recorded()
        return VisitResult(done.notice_pdf)

    def refuse(self, request: IntakeRequest, reason: str) -> VisitResult:
        done = self._intake.refuse(request, self._clerk(), reason)
        self._recorded()
        return VisitResult(done.notice_pdf)

    def guide(self, request: IntakeRequest) -> VisitResult:
        done = self._intake.guide(request, self._clerk())
        self._recorded()
        return VisitResult(done.notice_pdf)

    def _recorded(self) -> None:
        # The event is already committed; a failing wake-up only delays it to the next timed push.
        if self._on_recorded is None:
            return
        try:
            self._on_recorded()
        except Exception:
            log.exception("未能通知后台同步")

    # Cases --------------------------------------------------------------------------------------

    def search_cases(self, query: str) -> Sequence[CaseSummary]:
        return self._cases.search(query, self._clerk())

    def case_events(self, case_number: str) -> Sequence[CaseEvent]:
        return self._cases.timeline(case_number, self._clerk())

    def receipt(self, case_number: str) -> bytes | None:
        pdf = self._cases.reprint(case_number, self._clerk())
        if pdf is not None:  # only a printed receipt is recorded
            self._recorded()
        return pdf

    def pending_sync_count(self) -> int:
        return self._cases.pending_sync_count()

    def sync_state(self) -> SyncState:
        # Counts from the store, not the loop's snapshot: right even between the loop's rounds.
        with service_errors(), self._context.store.reading() as session:
            local = get_sync_state(session)
            pending = pending_count(session)
            problems = sync_problem_count(session) + remote_problem_count(session)
        # Not reached yet counts as offline: nothing has been confirmed delivered.
        online = None if self._sync_status is None else self._sync_status().online is True
        return SyncState(
            online=online,
            pending=pending,
            problems=problems,
            last_contact=local.last_contact_at,
            update_notice=update_notice(installed_version(), local.app_versions()),
        )

    def sync_details(self) -> tuple[Sequence[PendingEventRow], Sequence[SyncProblemRow]]:
        # Case numbers and clerks only: the payload (where identity numbers are) is never read.
        self._clerk()
        with service_errors(), self._context.store.reading() as session:
            names = {clerk.number: clerk.name for clerk in list_clerks(session)}
            pending = unsynced_events(session)
            problems = sync_problem_entries(session)
            refused_here = remote_problems(session)  # pulled events not applied (同步问题)
        rows = [
            PendingEventRow(
                at=e.created_at.astimezone(SHANGHAI),
                event=_sync_event_name(e),
                case_or_visit=e.stream_id,
                clerk=_clerk_label(e.clerk, names),
            )
            for e in pending
        ]
        problem_rows = [
            SyncProblemRow(
                at=x.entry.created_at.astimezone(SHANGHAI),
                event=_sync_event_name(x.entry),
                case_or_visit=x.entry.stream_id,
                reason=x.reason,
            )
            for x in problems
        ]
        problem_rows += [
            SyncProblemRow(
                at=x.created_at.astimezone(SHANGHAI),
                event=SYNC_EVENT_NAMES.get(x.kind, x.kind),
                case_or_visit=x.stream_id,
                reason=x.reason,
                pulled=True,
            )
            for x in refused_here
        ]
        return rows, problem_rows

    # Printing -----------------------------------------------------------------------------------

    def print_document(self, pdf: bytes, *, title: str, printer: str = "") -> None:
        self._clerk()
        self._printer(pdf, title, printer)

    def _system_printer(self, pdf: bytes, title: str, printer: str) -> None:
        # Qt's print support is loaded only when something is printed.
        from tongban.desktop.printers import PrintError, PrinterSettings, print_pdf
        from tongban.printing import Paper

        settings = self._context.settings
        target = PrinterSettings(
            printer_name=printer or settings.printer or "", paper=Paper(settings.paper.value)
        )
        try:
            print_pdf(pdf, target, job_name=f"tongban-{title}")
        except PrintError as error:
            raise ServiceError(str(error)) from error


def _sync_event_name(entry: OutboxEntry) -> str:
    return SYNC_EVENT_NAMES.get(entry.kind, entry.kind)


def _clerk_label(number: str, names: dict[str, str]) -> str:
    name = names.get(number)
    return f"{number} {name}" if name else number
