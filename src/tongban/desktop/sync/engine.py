"""One sync round: push the outbox, then pull what concerns this center (docs/SYNC.md).

`sync_once` is safe to interrupt anywhere. Each push answer is recorded in one local transaction
(events marked synced, rejections kept as 同步问题); if that transaction is lost, the next round
sends the same events again and the service answers `duplicate`. Each pulled page is applied in
one transaction together with its cursor and epoch, so a crash re-pulls the page instead of
skipping it, and apply_remote_events takes a page it already holds idempotently.

Every round starts with /v1/status: it gives the epoch, the server's clock and the sequence the
service expects next. When that is lower than what the outbox would send next — the central
database was restored (new epoch), or an acknowledgement was lost the other way — the round
re-sends this workstation's own events from there, synced or not.

After the push, scans whose scan_attached events the center has taken are uploaded (scans.py);
before the pull, the clerks' audit entries not yet sent go to the center (audit.py). Pulled
events the store refuses or cannot apply are kept, with the page, as 同步问题
(models/store/remote_problems.py); the cursor moves on past them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from tongban.desktop.sync.audit import ship_audit
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.desktop.sync.day_closures import outbox_probe, remember_pulled_closures
from tongban.desktop.sync.scans import upload_scans
from tongban.models.catalog import CatalogError
from tongban.models.catalog.loader import parse_catalog
from tongban.models.clock import SHANGHAI
from tongban.models.store import (
    Event,
    Store,
    apply_remote_events,
    get_workstation,
    mark_synced,
    pending_events,
)
from tongban.models.store.audit import unsent_audit_count
from tongban.models.store.remote_problems import record_remote_problems, remote_problem_count
from tongban.models.store.sync_state import (
    CentralClerk,
    get_sync_state,
    known_catalog_revisions,
    own_events_since,
    pending_count,
    record_sync_problem,
    replace_central_clerks,
    store_catalog_revision,
    sync_problem_count,
    update_sync_state,
)
from tongban.models.store.workstation import set_catalog_revision
from tongban.models.sync_wire import (
    MAX_PUSH_BATCH,
    CatalogRevisionInfo,
    PullResponse,
    PushResponse,
    StatusResponse,
)

MAX_ROUNDS = 10_000  # a guard: a round that makes no progress must end, not spin


class SyncTarget(Protocol):
    """What a round needs of the counter: its store and its clock (CounterContext has both)."""

    @property
    def store(self) -> Store: ...

    def now(self) -> datetime: ...


@dataclass
class SyncReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    resent_from: int | None = None  # the sequence re-sending started at, if it did
    pulled: int = 0  # remote events newly applied
    pulled_duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)  # remote events not taken, with reasons
    catalogs: list[str] = field(default_factory=list)  # catalog revisions fetched
    clerks: int | None = None  # accounts written, when the clerk list was refreshed
    epoch_changed: bool = False
    quarantined: bool = False
    quarantine_reason: str | None = None
    pending: int = 0  # events still in the outbox after the round
    problems: int = 0  # 同步问题 in all
    scans_uploaded: int = 0  # scans the center now holds whole (sync/scans.py)
    audit_sent: int = 0  # audit entries the center acknowledged in this round (sync/audit.py)
    audit_pending: int = 0  # audit entries not yet sent after the round
    audit_problem: str | None = None  # why the center would not take them, if it would not
    remote_problems: int = 0  # pulled events not applied here (同步问题), unresolved, in all


def sync_once(
    target: SyncTarget, client: SyncClient, *, wait: float = 0, batch: int = MAX_PUSH_BATCH
) -> SyncReport:
    """Push, then pull (long-polling up to `wait` seconds when there is nothing to pull)."""
    return _round(target, client, push=True, pull=True, wait=wait, batch=batch)


def push_once(target: SyncTarget, client: SyncClient, *, batch: int = MAX_PUSH_BATCH) -> SyncReport:
    """Only the push half of a round (the background loop pushes right after an accept)."""
    return _round(target, client, push=True, pull=False, wait=0, batch=batch)


def pull_once(target: SyncTarget, client: SyncClient, *, wait: float = 0) -> SyncReport:
    """Only the pull half of a round (the background loop long-polls on its own thread)."""
    return _round(target, client, push=False, pull=True, wait=wait, batch=MAX_PUSH_BATCH)


def _round(
    target: SyncTarget, client: SyncClient, *, push: bool, pull: bool, wait: float, batch: int
) -> SyncReport:
    report = SyncReport()
    store = target.store
    client.outbox_header = outbox_probe(store)  # 日结: the center hears what still waits here
    with store.reading() as session:
        state = get_sync_state(session)
    if state.quarantined:
        return _finish(store, report, quarantine=state.quarantine_reason)
    try:
        if push:
            _push(target, client, report, batch)
            if not report.quarantined:  # a scan goes once its event is synced
                report.scans_uploaded = upload_scans(target, client)
        if pull and not report.quarantined:
            # The audit travels with the pull half: the background loop's push of a fresh
            # accept never waits behind it, and its puller runs at least every long-poll.
            shipped = ship_audit(target, client)
            report.audit_sent, report.audit_problem = shipped.sent, shipped.problem
            _pull(target, client, report, wait)
    except SyncError as error:
        if error.kind is not SyncErrorKind.QUARANTINED:
            raise
        _quarantine(target, report, str(error))
    return _finish(store, report)


def _finish(store: Store, report: SyncReport, *, quarantine: str | None = None) -> SyncReport:
    if quarantine is not None:
        report.quarantined, report.quarantine_reason = True, quarantine
    with store.reading() as session:
        report.pending = pending_count(session)
        report.problems = sync_problem_count(session)
        report.remote_problems = remote_problem_count(session)
        report.audit_pending = unsent_audit_count(session)
    return report


def _quarantine(target: SyncTarget, report: SyncReport, reason: str) -> None:
    report.quarantined, report.quarantine_reason = True, reason
    with target.store.transaction() as session:
        update_sync_state(session, quarantined=True, quarantine_reason=reason)


def _announced(answer: StatusResponse | PullResponse) -> dict[str, str | None]:
    """The program versions the service announced, for the sync state (what it says, even
    nothing: an administrator may have withdrawn them, or an older service announces none)."""
    versions = answer.app_versions()
    return {"current_app_version": versions.current, "minimum_app_version": versions.minimum}


# --- push ------------------------------------------------------------------------------------


def _push(target: SyncTarget, client: SyncClient, report: SyncReport, batch: int) -> None:
    status = client.status()
    before = target.now()
    offset_ms = round((status.server_time - before).total_seconds() * 1000)
    with target.store.transaction() as session:
        state = get_sync_state(session)
        report.epoch_changed = state.epoch is not None and state.epoch != status.epoch
        update_sync_state(
            session, last_contact_at=before, server_offset_ms=offset_ms, **_announced(status)
        )
    resend_from = _resend_point(target.store, status.expected_sequence)
    report.resent_from = resend_from
    for _ in range(MAX_ROUNDS):
        events = _next_batch(target.store, resend_from, batch)
        if not events:
            return
        answer = client.push(events)
        _record_push(target, report, answer)
        if answer.quarantined:
            reason = answer.quarantine_reason or "同步服务器隔离了本工作站"
            _quarantine(target, report, f"本工作站已被隔离：{reason}")
            return
        gap = len(answer.results) < len(events)
        before, resend_from = resend_from, _after(events, answer, resend_from)
        if not answer.results and resend_from == before:
            raise SyncError(
                SyncErrorKind.SERVER, "同步没有进展：服务器未接收任何事件，请联系管理员"
            )
        if gap and report.resent_from is None:
            report.resent_from = resend_from
    raise SyncError(SyncErrorKind.SERVER, "同步没有进展：服务器反复要求同一批事件，请联系管理员")


def _resend_point(store: Store, expected: int) -> int | None:
    """Where to re-send from when the service lacks events this store counts as synced."""
    with store.reading() as session:
        waiting = pending_events(session, limit=1)
        next_sequence = get_workstation(session).next_sequence
    first_unsent = waiting[0].sequence if waiting else next_sequence
    return expected if expected < first_unsent else None


def _next_batch(store: Store, resend_from: int | None, batch: int) -> list[Event]:
    with store.reading() as session:
        if resend_from is not None:
            return own_events_since(session, resend_from, limit=batch)
        return pending_events(session, limit=batch)


def _after(events: Sequence[Event], answer: PushResponse, resend_from: int | None) -> int | None:
    """The next re-send position, or None to go on with the outbox."""
    if len(answer.results) < len(events):
        expected = answer.expected_sequence
        if expected <= events[len(answer.results)].sequence:
            return expected  # a gap: resume where the service says
        raise SyncError(SyncErrorKind.SERVER, "同步服务器的应答与本机记录不符，请联系管理员")
    if resend_from is not None:
        return events[-1].sequence + 1
    return None


def _record_push(target: SyncTarget, report: SyncReport, answer: PushResponse) -> None:
    at = target.now()
    with target.store.transaction() as session:
        mark_synced(session, [r.event_id for r in answer.results], at=at)
        for result in answer.results:
            if result.outcome == "rejected":
                record_sync_problem(session, result.event_id, result.reason or "未说明原因", at=at)
        update_sync_state(session, last_contact_at=at)
    for result in answer.results:
        if result.outcome == "accepted":
            report.accepted += 1
        elif result.outcome == "duplicate":
            report.duplicates += 1
        else:
            report.rejected += 1


# --- pull ------------------------------------------------------------------------------------


def _pull(target: SyncTarget, client: SyncClient, report: SyncReport, wait: float) -> None:
    with target.store.reading() as session:
        cursor = get_sync_state(session).pull_cursor
    first = True
    for _ in range(MAX_ROUNDS):
        page = client.pull(cursor, wait=wait if first else 0)
        first = False
        _apply_page(target, report, page)
        _refresh_catalogs(target, client, report, page.catalog_revisions)
        _refresh_clerks(target, client, report, page.clerks_revision)
        cursor = page.cursor
        if not page.more:
            return


def _apply_page(target: SyncTarget, report: SyncReport, page: PullResponse) -> None:
    at = target.now()
    events = [wire.to_event() for wire in page.events]
    with target.store.transaction() as session:
        known_epoch = get_sync_state(session).epoch
        result = apply_remote_events(session, events, at=at)
        record_remote_problems(session, events, result, at=at)  # kept for the sync view
        # The cursor and epoch belong to exactly the events above: one transaction for all.
        update_sync_state(
            session,
            pull_cursor=page.cursor,
            epoch=page.epoch,
            last_contact_at=at,
            **_announced(page),
        )
        remember_pulled_closures(session, page.closed_days, at=at)  # 日结 (day_closures.py)
    if known_epoch is not None and known_epoch != page.epoch:
        report.epoch_changed = True
    report.pulled += len(result.applied)
    report.pulled_duplicates += len(result.duplicates)
    report.conflicts.extend(f"{c.event_id}：{c.reason}" for c in result.conflicts)


def _refresh_catalogs(
    target: SyncTarget,
    client: SyncClient,
    report: SyncReport,
    published: Sequence[CatalogRevisionInfo],
) -> None:
    with target.store.reading() as session:
        known = known_catalog_revisions(session)
    for info in published:
        if info.revision in known:
            continue
        answer = client.catalog(info.revision)
        digest = hashlib.sha256(answer.content.encode("utf-8")).hexdigest()
        if digest != info.checksum or answer.checksum != info.checksum:
            raise SyncError(SyncErrorKind.SERVER, f"事项目录 {info.revision} 校验不符，未采用")
        try:
            parse_catalog(answer.content, file_name=f"catalog-{info.revision}")
        except CatalogError as error:
            raise SyncError(
                SyncErrorKind.SERVER, f"事项目录 {info.revision} 内容无效：{error}"
            ) from None
        with target.store.transaction() as session:
            store_catalog_revision(
                session,
                revision=info.revision,
                effective_from=info.effective_from,
                checksum=info.checksum,
                content=answer.content,
                at=target.now(),
            )
        report.catalogs.append(info.revision)
    _switch_catalog(target, published, known | set(report.catalogs))


def _switch_catalog(
    target: SyncTarget, published: Sequence[CatalogRevisionInfo], held: set[str]
) -> None:
    """Make the newest held revision in effect today the workstation's (cases keep their own)."""
    today = target.now().astimezone(SHANGHAI).date()
    in_effect = [i for i in published if i.effective_from <= today and i.revision in held]
    if not in_effect:
        return
    newest = max(in_effect, key=lambda info: (info.effective_from, info.revision))
    with target.store.transaction() as session:
        if get_workstation(session).catalog_revision != newest.revision:
            set_catalog_revision(session, newest.revision)


def _refresh_clerks(
    target: SyncTarget, client: SyncClient, report: SyncReport, revision: int
) -> None:
    with target.store.reading() as session:
        if get_sync_state(session).clerks_revision == revision:
            return
    answer = client.clerks()
    accounts = [
        CentralClerk(
            number=c.number,
            name=c.name,
            role=c.role,
            center_code=c.center_code,
            active=c.active,
            password_hash=c.password_hash,
        )
        for c in answer.clerks
    ]
    with target.store.transaction() as session:
        report.clerks = replace_central_clerks(session, accounts)
        update_sync_state(session, clerks_revision=answer.revision)
