"""The central store's operations, one transaction each: what the service and the CLI call.

`CentralStore` owns a CentralDatabase and a clock and nothing else, so several service instances
can share one PostgreSQL database. Each method opens its own short transaction; the modules it
delegates to (enrollment, push, pull, clerks, reference, state) take a session and never commit.
Pushes that lose a race on PostgreSQL (deadlock, serialization failure, two workstations creating
the same case index row at once) are retried a few times before the error reaches the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from tongban.central import clerks as clerk_accounts
from tongban.central import enrollment, reference, state
from tongban.central.database import CentralDatabase, migrate
from tongban.central.errors import CentralError, Conflict, NotFound
from tongban.central.kept import KeptReads
from tongban.central.pull import Cursor, FeedHead, PullBatch, feed_head, pull
from tongban.central.push import NO_ORIGIN, PushOutcome, push, push_with_token
from tongban.central.schema import CaseIndexRow, RejectionRow
from tongban.models.catalog import default_catalog_path
from tongban.models.closures import ClosedDay
from tongban.models.geography import Geography, shanghai
from tongban.models.store.events import Event

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIED_SQLSTATES = frozenset({"40001", "40P01", "23505"})  # serialization, deadlock, unique
SQLITE_UNIQUE_VIOLATIONS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
PUSH_ATTEMPTS = 3


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class InitReport:
    epoch: str
    geography: reference.GeographyCounts
    catalog_revision: str
    catalog_checksum: str


@dataclass(frozen=True)
class Pulled:
    epoch: str
    batch: PullBatch
    catalog_revisions: tuple[reference.CatalogRevision, ...]
    clerks_revision: int
    closed_days: tuple[ClosedDay, ...] = ()  # the center's recent sign-offs (日结)


@dataclass(frozen=True)
class Look:
    """A pull's request, for a look at the database (CentralStore.authenticated_pulls)."""

    credentials: enrollment.Credentials
    cursor: Cursor | None
    limit: int


LookAnswer = tuple[enrollment.Workstation, Pulled] | CentralError


@dataclass(frozen=True)
class Pushed:
    epoch: str
    outcome: PushOutcome


@dataclass(frozen=True)
class Rejection:
    event_id: str
    workstation_id: str
    sequence: int
    kind: str
    stream_id: str
    reason: str
    received_at: datetime


@dataclass(frozen=True)
class CaseEntry:
    case_number: str
    item_code: str
    mode: str
    accepting_center: str
    accepting_site: str
    processing_center: str
    status: str
    event_count: int
    problem_count: int
    last_hlc: int


class CentralStore:
    def __init__(self, database: CentralDatabase, *, clock: Clock = utc_now) -> None:
        self.database = database
        self._clock = clock
        self._kept = KeptReads()  # what every pull sends besides events (kept.py)

    def now(self) -> datetime:
        return self._clock()

    # Administration -------------------------------------------------------------------------

    def initialise(
        self, *, geography: Geography | None = None, catalog_text: str | None = None
    ) -> InitReport:
        """Schema to the newest version, first epoch, geography and the bundled catalog."""
        migrate(self.database)
        content = catalog_text
        file_name = "catalog"
        if content is None:
            path = default_catalog_path()
            content, file_name = path.read_text(encoding="utf-8"), path.name
        at = self.now()
        with self.database.transaction() as session:
            central = state.ensure_state(session, at=at)
            counts = reference.load_geography(session, geography or shanghai())
            revision = reference.publish_catalog(session, content, file_name=file_name, at=at)
        return InitReport(
            epoch=central.epoch,
            geography=counts,
            catalog_revision=revision.revision,
            catalog_checksum=revision.checksum,
        )

    def enroll(
        self,
        *,
        center_code: str,
        name: str,
        site_code: str | None = None,
        valid_for: timedelta = enrollment.DEFAULT_CODE_VALIDITY,
    ) -> enrollment.Enrollment:
        with self.database.transaction() as session:
            return enrollment.enroll(
                session,
                center_code=center_code,
                name=name,
                site_code=site_code,
                at=self.now(),
                valid_for=valid_for,
            )

    def add_clerk(
        self,
        *,
        number: str,
        name: str,
        role: clerk_accounts.ClerkRole,
        center_code: str,
        password_hash: str,
    ) -> clerk_accounts.ClerkAccount:
        with self.database.transaction() as session:
            return clerk_accounts.add_clerk(
                session,
                number=number,
                name=name,
                role=role,
                center_code=center_code,
                password_hash=password_hash,
                at=self.now(),
            )

    def new_epoch(self) -> state.CentralState:
        with self.database.transaction() as session:
            return state.new_epoch(session, at=self.now())

    def set_clerk_active(self, number: str, *, active: bool) -> clerk_accounts.ClerkAccount:
        with self.database.transaction() as session:
            return clerk_accounts.set_clerk_active(session, number, active=active, at=self.now())

    def publish_catalog(self, content: str, *, file_name: str) -> reference.CatalogRevision:
        with self.database.transaction() as session:
            return reference.publish_catalog(session, content, file_name=file_name, at=self.now())

    def epoch(self) -> str:
        with self.database.reading() as session:
            return state.get_state(session).epoch

    def workstations(self, center_code: str | None = None) -> list[enrollment.Workstation]:
        with self.database.reading() as session:
            return enrollment.list_workstations(session, center_code)

    def rejections(self, device_id: str | None = None) -> list[Rejection]:
        """Events refused so far (同步问题), oldest first."""
        query = select(RejectionRow).order_by(RejectionRow.position)
        if device_id is not None:
            query = query.where(RejectionRow.workstation_id == device_id)
        with self.database.reading() as session:
            return [
                Rejection(
                    event_id=r.event_id,
                    workstation_id=r.workstation_id,
                    sequence=r.sequence,
                    kind=r.kind,
                    stream_id=r.stream_id,
                    reason=r.reason,
                    received_at=r.received_at,
                )
                for r in session.scalars(query)
            ]

    def case(self, case_number: str) -> CaseEntry | None:
        """A case as the central index has it, for lookups and reports."""
        with self.database.reading() as session:
            row = session.get(CaseIndexRow, case_number)
            if row is None:
                return None
            return CaseEntry(
                case_number=row.case_number,
                item_code=row.item_code,
                mode=row.mode,
                accepting_center=row.accepting_center,
                accepting_site=row.accepting_site,
                processing_center=row.processing_center,
                status=row.status,
                event_count=row.event_count,
                problem_count=row.problem_count,
                last_hlc=row.last_hlc,
            )

    # The workstation's requests ---------------------------------------------------------------

    def redeem(self, code: str, *, app_version: str | None) -> tuple[enrollment.Redeemed, str]:
        """The device token for a one-time code, and the current epoch."""
        with self.database.transaction() as session:
            redeemed = enrollment.redeem(session, code=code, at=self.now(), app_version=app_version)
            return redeemed, state.get_state(session).epoch

    def authenticate(
        self, token: str, *, app_version: str | None = None, clock: str | None = None
    ) -> enrollment.Workstation:
        """The workstation of a device token; notes the contact at most once a minute, and the
        clock offset the request's `clock` header shows (enrollment.touch). A note that cannot
        be written costs the request nothing (`_note_contact`)."""
        at = self.now()
        with self.database.reading() as session:
            workstation = enrollment.authenticate(session, token)
        reported = enrollment.Credentials(token, app_version=app_version, clock=clock)
        self._note_contact(workstation, reported, at=at)
        return workstation

    def _touch(
        self,
        workstation: enrollment.Workstation,
        *,
        at: datetime,
        app_version: str | None,
        clock: str | None,
    ) -> None:
        offset_ms = enrollment.clock_offset_ms(clock, at=at)
        if enrollment.needs_touch(workstation, at=at, app_version=app_version, offset_ms=offset_ms):
            with self.database.transaction() as session:
                enrollment.touch(
                    session, workstation.id, at=at, app_version=app_version, offset_ms=offset_ms
                )

    def push(
        self,
        workstation: enrollment.Workstation,
        events: Sequence[Event],
        *,
        origin: str = NO_ORIGIN,
    ) -> Pushed:
        def attempt(retry: bool) -> Pushed:
            with self.database.transaction() as session:
                outcome = push(
                    session,
                    device_id=workstation.device_id,
                    events=events,
                    at=self.now(),
                    origin=origin,
                    every_id=retry,  # a retry may follow an event id used twice: look it up
                )
                return Pushed(epoch=outcome.epoch, outcome=outcome)

        return _retrying(attempt)

    def authenticated_push(
        self, credentials: enrollment.Credentials, events: Sequence[Event], *, origin: str
    ) -> tuple[enrollment.Workstation, Pushed]:
        """authenticate() and push() in one transaction: the answer to POST /v1/push."""

        def attempt(retry: bool) -> tuple[enrollment.Workstation, Pushed]:
            with self.database.transaction() as session:
                workstation, outcome = push_with_token(
                    session, credentials, events, at=self.now(), origin=origin, every_id=retry
                )
                return workstation, Pushed(epoch=outcome.epoch, outcome=outcome)

        return _retrying(attempt)

    def pull(
        self, workstation: enrollment.Workstation, cursor: Cursor | None, *, limit: int
    ) -> Pulled:
        with self.database.reading() as session:
            head = feed_head(session, workstation.center_code)
            return self._pulled(session, workstation, head, cursor, limit=limit)

    def authenticated_pulls(self, looks: Sequence[Look]) -> list[LookAnswer]:
        """authenticate() and pull() for GET /v1/pull requests, in one look at the database (one
        session): their tokens in one query, each center's feed head once (the long-poll sends
        the looks of the waiters one push wakes together, look_batches.py). A refused token is
        its own request's answer (the CentralError); the other requests are answered all the
        same.

        A head read for an earlier request serves a later one: its horizon only ever rises, so
        an older one holds back more, never less."""
        at = self.now()
        with self.database.reading() as session:
            rows = enrollment.rows_by_token(session, [look.credentials.token for look in looks])
            heads: dict[str, FeedHead] = {}
            answers = [self._answer(session, look, rows, heads) for look in looks]
        for look, answer in zip(looks, answers, strict=True):
            if not isinstance(answer, CentralError):
                self._note_contact(answer[0], look.credentials, at=at)
        return answers

    def _note_contact(
        self, workstation: enrollment.Workstation, reported: enrollment.Credentials, *, at: datetime
    ) -> None:
        """_touch() for a request (a look of a batch, or any request that authenticates on its
        own). The note is bookkeeping: when it cannot be written (the database refuses writes
        while it still reads), the request is answered all the same (a batch's other notes are
        still tried) and the failure is logged."""
        try:
            self._touch(workstation, at=at, app_version=reported.app_version, clock=reported.clock)
        except DBAPIError as error:
            # Only the error's type: its text may quote a row.
            log.warning(
                "工作站 %s 的联系记录未能写入：%s", workstation.device_id, type(error.orig).__name__
            )

    def _answer(
        self, session: Session, look: Look, rows: Mapping[str, Any], heads: dict[str, FeedHead]
    ) -> LookAnswer:
        try:
            row = enrollment.usable(rows.get(enrollment.digest(look.credentials.token)))
        except CentralError as refused:
            return refused
        workstation = enrollment.to_workstation(row)
        center = workstation.center_code
        if center not in heads:
            heads[center] = feed_head(session, center)
        return workstation, self._pulled(
            session, workstation, heads[center], look.cursor, limit=look.limit
        )

    def _pulled(
        self,
        session: Session,
        workstation: enrollment.Workstation,
        head: FeedHead,
        cursor: Cursor | None,
        *,
        limit: int,
    ) -> Pulled:
        batch = pull(session, workstation=workstation, head=head, cursor=cursor, limit=limit)
        return Pulled(
            epoch=head.epoch,
            batch=batch,
            catalog_revisions=self._kept.catalog_revisions(session, head),
            clerks_revision=head.clerks_revision,
            closed_days=self._kept.closed_days(
                session, head, workstation.center_code, now=self.now()
            ),
        )

    def catalog(self, revision: str) -> reference.CatalogRevision:
        with self.database.reading() as session:
            found = reference.catalog_revision(session, revision)
        if found is None:
            raise NotFound(f"没有事项目录修订 {revision}")
        return found

    def clerks(
        self, workstation: enrollment.Workstation
    ) -> tuple[int, list[clerk_accounts.ClerkAccount]]:
        """The revision and the accounts of the workstation's center."""
        with self.database.reading() as session:
            accounts = clerk_accounts.clerks_of(session, workstation.center_code)
        return max((a.revision for a in accounts), default=0), accounts

    def status(self, workstation: enrollment.Workstation) -> tuple[str, enrollment.Workstation]:
        """The current epoch and the workstation as the store has it now."""
        with self.database.reading() as session:
            epoch = state.get_state(session).epoch
            current = enrollment.get_workstation(session, workstation.id)
        if current is None:
            raise NotFound("未登记的工作站")
        return epoch, current


def _retrying(attempt: Callable[[bool], T]) -> T:
    """attempt(retry) until it commits: again after a serialization failure, a deadlock or a
    unique violation (two pushes racing, or an event id used twice; on SQLite, which names no
    SQLSTATE, only the latter), at most PUSH_ATTEMPTS times."""
    for remaining in range(PUSH_ATTEMPTS - 1, -1, -1):
        try:
            return attempt(remaining < PUSH_ATTEMPTS - 1)
        except DBAPIError as error:
            if not _worth_retrying(error):
                raise
            if remaining == 0:
                if isinstance(error, IntegrityError):
                    raise Conflict("与其他工作站的同步同时发生冲突，请稍后重试") from None
                raise Conflict("数据库繁忙，请稍后重试") from None
    raise AssertionError("unreachable")


def _worth_retrying(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in RETRIED_SQLSTATES
    return getattr(error.orig, "sqlite_errorname", "") in SQLITE_UNIQUE_VIOLATIONS
