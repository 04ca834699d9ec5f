"""收受分离 end to end over a real PostgreSQL central store, three centers, the real services.

A accepts a case of B's household (the `forwarded` event goes with the acceptance), B takes it
in, asks for a supplement that A sees and receives, B approves and readies the result, A hands
it over (the center the applicant chose); a rejection; overdue flags at both centers; a status
look-up from a third center C with the right and a wrong ID suffix, and offline at A.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from counter_support import everything, resident_id
from sync_support import CENTER_A, CENTER_B, FakeClock, Server, new_desk
from sync_support import Desk as SyncDesk
from tongban.central.schema import LookupAuditRow
from tongban.desktop.services import Accounts, Actor, Channel, Intake, Paperwork, ServiceError
from tongban.desktop.services.lookup import STALE_OFFLINE, Lookup
from tongban.desktop.services.processing import Processing
from tongban.models.catalog import default_catalog
from tongban.models.intake import ApplicantInput
from tongban.models.store import CaseStatus, SubjectType, audit_trail, load_case
from tongban.ui.ports import IntakeRequest

pytest_plugins = ("sync_support",)  # the live central service fixtures

CENTER_C = "310101002"  # 黄浦 南京东路
B_STREET = "310105001"  # a street of 长宁 华阳路, served by center B
ITEM = "MZ003"  # 支出型贫困家庭生活救助: 收受分离 to the household's center
ID_NUMBER = resident_id(area="310105", birth=date(1970, 5, 1), serial=457)


@dataclass
class Desk:
    """A workstation with its clerk as the services see it."""

    sync_desk: SyncDesk
    actor: Actor

    @property
    def context(self):  # type: ignore[no-untyped-def]
        return self.sync_desk.context

    def sync(self) -> None:
        report = self.sync_desk.sync()
        assert report.rejected == 0 and not report.conflicts, report

    def processing(self) -> Processing:
        return Processing(self.context)

    def state(self, case: str):  # type: ignore[no-untyped-def]
        with self.context.store.reading() as session:
            return load_case(session, case)

    def lookup(self, case: str, suffix: str):  # type: ignore[no-untyped-def]
        return Lookup(self.context, connect=self.sync_desk.client).lookup(case, suffix, self.actor)


def desk(server: Server, tmp_path: Path, center: str, clock: FakeClock) -> Desk:
    opened = new_desk(server, tmp_path, center, "1号窗口", clock=clock)
    opened.sync()  # the center's clerk accounts come with the first pull
    actor = Accounts(opened.context).actor_for(opened.clerk, Channel.COMMAND_LINE)
    return Desk(opened, actor)


def accept_for_b(a: Desk, *, serial: int = 457, at_processing: bool = False) -> str:
    item = default_catalog().item(ITEM)
    applicant = ApplicantInput(
        document_type="resident_id",
        id_number=resident_id(area="310105", birth=date(1970, 5, 1), serial=serial),
        name="王小五",
        phone="13800138000",
        household_street=B_STREET,
        residence_street=None,
    )
    request = IntakeRequest(applicant, None, item.code, everything(item), at_processing)
    accepted = Intake(a.context, Paperwork(a.context)).accept(request, a.actor, documents=False)
    assert accepted.forwarded and accepted.processing_center == CENTER_B
    return accepted.case_number


@pytest.fixture
def centers(pg_central: Server, tmp_path: Path, clock: FakeClock) -> tuple[Desk, Desk, Desk]:
    return (
        desk(pg_central, tmp_path, CENTER_A, clock),
        desk(pg_central, tmp_path, CENTER_B, clock),
        desk(pg_central, tmp_path, CENTER_C, clock),
    )


def inbox_entry(center: Desk, case: str, *, elsewhere: bool = False):  # type: ignore[no-untyped-def]
    lists = center.processing().lists(center.actor)
    entries = lists.elsewhere if elsewhere else lists.inbox
    [entry] = [e for e in entries if e.case_number == case]
    return entry


def test_forward_sign_supplement_supplied_approve_ready_collect(
    pg_central: Server, centers: tuple[Desk, Desk, Desk]
) -> None:
    a, b, c = centers
    case = accept_for_b(a)
    assert a.state(case).status is CaseStatus.FORWARDED
    a.sync()
    b.sync()
    entry = inbox_entry(b, case)
    assert (entry.status_label, entry.received) == ("已流转", False)
    assert entry.applicant_id_masked == "310105********" + ID_NUMBER[-4:]

    with pytest.raises(ServiceError, match="本中心不是此案的办理中心"):
        a.processing().sign_for(case, a.actor)
    with pytest.raises(ServiceError, match="请先签收"):
        b.processing().approve(case, b.actor)
    assert b.processing().sign_for(case, b.actor).status_label == "已签收"
    due = date(2026, 3, 9)
    asked = b.processing().request_supplement(
        case, b.actor, materials=["医疗费用票据及病历"], reason="票据不全", due=due
    )
    assert asked.status == CaseStatus.SUPPLEMENT_REQUESTED
    b.sync()
    a.sync()

    seen_at_a = inbox_entry(a, case, elsewhere=True)
    assert seen_at_a.status_label == "待补正"
    assert seen_at_a.supplement_materials == ("医疗费用票据及病历",)
    assert seen_at_a.supplement_due == due
    # The applicant brings the supplement to the center where they applied.
    assert a.processing().supplied(case, a.actor).status == CaseStatus.FORWARDED
    a.sync()
    b.sync()
    assert b.processing().approve(case, b.actor, note="符合条件").status == CaseStatus.APPROVED
    ready = b.processing().ready(case, b.actor)
    assert ready.status == CaseStatus.READY and ready.collection_center == CENTER_A
    b.sync()
    a.sync()

    with pytest.raises(ServiceError, match="申请人选择在"):
        b.processing().collect(case, b.actor)
    [to_hand_over] = [e for e in a.processing().inbox(a.actor) if e.case_number == case]
    assert to_hand_over.status == CaseStatus.READY
    assert a.processing().collect(case, a.actor, collected_by="王小五").status == "collected"
    a.sync()
    b.sync()

    at_a, at_b = a.state(case), b.state(case)
    assert at_a == at_b and at_a.status is CaseStatus.COLLECTED and at_a.problems == ()
    assert len(at_a.pauses) == 1
    central = pg_central.store.case(case)
    assert central is not None and central.status == "collected" and central.problem_count == 0

    # A third center holds nothing of the case, yet can tell the applicant where it stands.
    assert c.state(case) is None
    view = c.lookup(case, ID_NUMBER[-4:])
    assert (view.source, view.status, view.processing_center) == ("central", "collected", CENTER_B)
    assert view.applicant_name_masked == "王**" and view.stale_note is None
    kinds = [e.kind for e in view.events]
    assert kinds == [
        "accepted",
        "forwarded",
        "received_for_processing",
        "supplement_requested",
        "supplied",
        "approved",
        "ready",
        "collected",
    ]
    assert [e.center for e in view.events][:3] == [CENTER_A, CENTER_A, CENTER_B]
    with pytest.raises(ServiceError, match="没有找到该办件，或证件号码后四位不符"):
        c.lookup(case, "0000")
    with pytest.raises(ServiceError, match="没有找到该办件，或证件号码后四位不符"):
        c.lookup(case[:-1] + ("0" if case[-1] != "0" else "1"), ID_NUMBER[-4:])
    with c.context.store.reading() as session:
        local = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=case)
    assert [(e.action, e.outcome.value) for e in local] == [
        ("lookup_case", "success"),
        ("lookup_case", "failed"),
    ]
    with pg_central.store.database.reading() as session:
        rows = session.scalars(select(LookupAuditRow).order_by(LookupAuditRow.position)).all()
    assert [(r.center_code, r.clerk, r.outcome) for r in rows][:2] == [
        (CENTER_C, c.sync_desk.clerk, "found"),
        (CENTER_C, c.sync_desk.clerk, "not_found"),
    ]


def test_a_rejection_reaches_the_accepting_center(centers: tuple[Desk, Desk, Desk]) -> None:
    a, b, _c = centers
    case = accept_for_b(a)
    a.sync()
    b.sync()
    b.processing().sign_for(case, b.actor)
    rejected = b.processing().reject(case, b.actor, reason="家庭财产状况不符合规定")
    assert rejected.status == CaseStatus.REJECTED
    b.sync()
    a.sync()
    state = a.state(case)
    assert state.status is CaseStatus.REJECTED and state.closing_reason == "家庭财产状况不符合规定"
    assert all(e.case_number != case for e in a.processing().lists(a.actor).elsewhere)


def test_a_collection_at_the_processing_center_when_chosen(
    centers: tuple[Desk, Desk, Desk],
) -> None:
    a, b, _c = centers
    case = accept_for_b(a, at_processing=True)
    a.sync()
    b.sync()
    for step in ("sign_for", "approve", "ready"):
        getattr(b.processing(), step)(case, b.actor)
    b.sync()
    a.sync()
    with pytest.raises(ServiceError, match="申请人选择在"):
        a.processing().collect(case, a.actor)
    assert b.processing().collect(case, b.actor).status == CaseStatus.COLLECTED
    b.sync()
    a.sync()
    assert a.state(case).status is CaseStatus.COLLECTED


def test_overdue_cases_and_supplements_are_flagged_at_both_centers(
    centers: tuple[Desk, Desk, Desk], clock: FakeClock
) -> None:
    a, b, _c = centers
    waiting, plain = accept_for_b(a, serial=458), accept_for_b(a, serial=459)
    a.sync()
    b.sync()
    b.processing().sign_for(waiting, b.actor)
    b.processing().request_supplement(
        waiting, b.actor, materials=["户口簿"], reason="页数不全", due=date(2026, 3, 4)
    )
    b.sync()
    a.sync()

    clock.advance(timedelta(days=10))  # the supplement is late; the promised date is not
    flags = {
        name: {
            e.case_number: (e.overdue, e.supplement_overdue)
            for e in side.processing().lists(side.actor).overdue
        }
        for name, side in (("A", a), ("B", b))
    }
    assert flags["A"] == flags["B"] == {waiting: (False, True)}

    clock.advance(timedelta(days=60))  # the plain case is past its promised date
    for side in (a, b):
        late = {e.case_number: e for e in side.processing().lists(side.actor).overdue}
        assert late[plain].overdue and not late[plain].supplement_overdue
        assert not late[waiting].overdue and late[waiting].supplement_overdue  # clock stopped


def test_a_lookup_offline_answers_from_the_local_store(
    pg_central: Server, centers: tuple[Desk, Desk, Desk]
) -> None:
    a, _b, _c = centers
    case = accept_for_b(a)
    unsynced = a.lookup(case, ID_NUMBER[-4:])  # the center has not heard of it yet
    assert unsynced.source == "local" and "尚未同步" in (unsynced.stale_note or "")
    pg_central.stop()
    try:
        offline = a.lookup(case, ID_NUMBER[-4:])
    finally:
        pg_central.start()
    assert (offline.source, offline.stale_note) == ("local", STALE_OFFLINE)
    assert offline.status == "forwarded" and offline.processing_center == CENTER_B
