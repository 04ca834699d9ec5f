"""What the counter window needs from the application, and the values that cross that boundary.

tongban.desktop implements `CounterServices`; the window only ever holds these frozen values and
the domain types of tongban.models. Any method may be slow (database, printer, network), so the
window calls every one of them through tasks.TaskRunner: on a worker thread, one call at a time,
never on the GUI thread.

Errors: a method that cannot do what was asked for a reason the clerk should read (wrong state,
record not found, printer offline) raises `ServiceError` with a short Chinese message, which the
window shows as it is. Any other exception is a fault: the window shows a generic message and
logs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from tongban.models.intake import AgentInput, ApplicantInput, MaterialCheck


class ServiceError(Exception):
    """A refusal the clerk reads: the message is short zh_CN text, shown as it is."""


@dataclass(frozen=True)
class WorkstationInfo:
    """Who this machine is, known before anyone logs in (for the login page)."""

    site_code: str  # the center's or sub-center's code
    site_name: str  # e.g. 天平路街道社区事务受理服务中心
    workstation_name: str  # e.g. 3号窗口
    demo: bool  # a training installation: the window shows the 演示 banner
    demo_hint: str = ""  # demo only: how to log in (the demo accounts), worded by the service


@dataclass(frozen=True)
class SessionInfo:
    """A logged-in clerk at this workstation."""

    center_name: str  # the site's name, for the status bar
    site_code: str  # where applications are accepted: the routing rule's `site`
    clerk_number: str  # 工号
    clerk_name: str
    role: str  # the role's display name, e.g. 窗口受理员
    workstation_name: str
    demo: bool
    supervisor: bool = False  # a 中心主管: the window offers the supervisor's desk (Ctrl+F9)


@dataclass(frozen=True)
class LoginResult:
    """The answer to a login or an unlock attempt."""

    session: SessionInfo | None  # None: refused
    message: str = ""  # why it was refused (zh_CN), e.g. 密码错误，还可尝试 3 次
    # Unlock only: the session is over (e.g. the account was locked out after repeated failures);
    # the window returns to the login page.
    session_ended: bool = False

    @property
    def ok(self) -> bool:
        return self.session is not None


@dataclass(frozen=True)
class KnownApplicant:
    """What the local store remembers of a returning applicant, to prefill the form."""

    name: str
    phone: str
    household_street: str | None  # None: household registered outside Shanghai
    residence_street: str | None  # None: lives at the household address


@dataclass(frozen=True)
class IntakeRequest:
    """Everything the clerk put together for one applicant and one item.

    The service judges it again (materials, routing, eligibility) against its own catalog: the
    window's judgement only decides which buttons are enabled.
    """

    applicant: ApplicantInput
    agent: AgentInput | None
    item_code: str
    checks: Mapping[str, MaterialCheck]  # by material name
    # 收受分离: the applicant collects the result at the processing center instead of here.
    collect_at_processing_center: bool = False
    # When the clerk identified the applicant (the visit began), by the window's clock; None
    # when not known (a script). The decision carries it, for the time at the counter.
    started_at: datetime | None = None


@dataclass(frozen=True)
class AcceptResult:
    """A new case (受理)."""

    case_number: str
    processing_center_name: str  # where the case is decided (this center or the 收受分离 target)
    due_date: date  # promised completion (承诺办结日期), in working days from today
    deadline_warning: str | None  # e.g. the working-day calendar for that year is not known yet
    receipt_pdf: bytes | None  # the 受理回执; None when it could not be produced


@dataclass(frozen=True)
class VisitResult:
    """A visit that ends without a case: 一次性告知, 不予受理, or guidance to another center."""

    notice_pdf: bytes | None  # the notice handed to the applicant; None when none was produced


@dataclass(frozen=True)
class CaseSummary:
    """One row of a case search. Identity numbers arrive masked."""

    case_number: str
    item_name: str
    applicant_name: str
    applicant_id_masked: str
    status: str  # display text, e.g. 已受理, 已转出, 已办结
    accepted_at: datetime
    processing_center_name: str
    due_date: date | None


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's timeline, oldest first."""

    at: datetime
    event: str  # display text, e.g. 受理, 转出, 补交材料, 办结
    actor: str  # the clerk (工号 姓名) or the system
    place: str  # the center where it happened
    detail: str
    synced: bool  # already delivered to the central store


@dataclass(frozen=True)
class SyncState:
    """Background sync as the status bar shows it."""

    online: bool | None  # None: no server configured (a demo or a stand-alone workstation)
    pending: int  # recorded events not yet in the central store
    problems: int  # events the central store refused: an administrator must look at them
    last_contact: datetime | None  # the last answer from the central service
    # The program is older than the minimum version the center announced: what to tell whoever
    # is logged in (clerk or supervisor), zh_CN; "" when all is well.
    update_notice: str = ""


@dataclass(frozen=True)
class PendingEventRow:
    """One recorded event still waiting for the central store. Never an identity number."""

    at: datetime
    event: str  # display text, e.g. 受理, 出具回执, 一次性告知
    case_or_visit: str  # the case number, or the visit's id for a visit without a case
    clerk: str  # who recorded it (工号 and name)


@dataclass(frozen=True)
class SyncProblemRow:
    """One 同步问题: an own event the central store refused, with the reason it gave, or (pulled)
    an event from the center this workstation's store refused or could not apply."""

    at: datetime  # when the event was recorded (here, or at its workstation when pulled)
    event: str  # display text
    case_or_visit: str
    reason: str  # zh_CN
    pulled: bool = False  # True: from the center, not applied here; False: refused by the center


class CounterServices(Protocol):
    """The application behind the counter window (implemented in tongban.desktop)."""

    def workstation(self) -> WorkstationInfo:
        """This workstation's identity and whether it is a demo installation."""
        ...

    def login(self, clerk_number: str, password: str) -> LoginResult:
        """Check a clerk's credentials (with lockout) and open a session at this workstation."""
        ...

    def unlock(self, password: str) -> LoginResult:
        """Reopen the locked session with the same clerk's password; failures count to lockout."""
        ...

    def lock(self) -> None:
        """Record that the session was locked (idle timeout or the clerk's own key)."""
        ...

    def logout(self) -> None:
        """Close the session; the next clerk logs in."""
        ...

    def find_applicant(self, document_type: str, id_number: str) -> KnownApplicant | None:
        """A returning applicant's last details, or None when the number is not known here."""
        ...

    def accept(self, request: IntakeRequest) -> AcceptResult:
        """受理: create the case, number it, queue it for sync, produce the receipt."""
        ...

    def notify(self, request: IntakeRequest) -> VisitResult:
        """一次性告知: record the visit and produce the notice of everything still missing."""
        ...

    def refuse(self, request: IntakeRequest, reason: str) -> VisitResult:
        """不予受理: record the refusal with its reason and produce the written notice."""
        ...

    def guide(self, request: IntakeRequest) -> VisitResult:
        """An item this center may not accept: record it and produce the guidance to the right
        center (address, hours)."""
        ...

    def search_cases(self, query: str) -> Sequence[CaseSummary]:
        """Cases whose number, applicant ID number or applicant name matches, newest first."""
        ...

    def case_events(self, case_number: str) -> Sequence[CaseEvent]:
        """The case's timeline, oldest first."""
        ...

    def receipt(self, case_number: str) -> bytes | None:
        """The case's receipt again (补打); None when the case has none."""
        ...

    def print_document(self, pdf: bytes, *, title: str, printer: str = "") -> None:
        """Print a document: on `printer` when the clerk chose one in the preview, otherwise
        ("") on this workstation's configured printer and paper."""
        ...

    def pending_sync_count(self) -> int:
        """How many recorded events have not reached the central store yet."""
        ...

    def sync_state(self) -> SyncState:
        """Whether the central service answers, what waits for it, and sync problems."""
        ...

    def sync_details(self) -> tuple[Sequence[PendingEventRow], Sequence[SyncProblemRow]]:
        """Every event still waiting for the central store and every sync problem, oldest
        first (all of them, however many)."""
        ...
