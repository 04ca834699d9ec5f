"""Paper transfer batches and the 补正材料通知书 across centers, over a real PostgreSQL store.

A accepts 残疾人证申领 cases (paper_moves) of B's households, builds a batch and prints the
材料交接清单; B scans one file in, scans a file that was not in the batch, and closes its check:
one file missing, one extra, seen alike at both centers after sync. A sends the missing file again
in a new batch. The supplement notice prints at both centers and not at a third one; the service
refuses a paper event written by the wrong center.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from counter_support import everything, resident_id
from printing_checks import flat_text
from sync_support import CENTER_A, CENTER_B, FakeClock, Server, new_desk
from sync_support import Desk as SyncDesk
from tongban.desktop.services import Accounts, Actor, Channel, Intake, Paperwork, ServiceError
from tongban.desktop.services.processing import Processing
from tongban.desktop.services.supplement_notices import SupplementNotices
from tongban.desktop.services.transfers import InBatch, Transfers
from tongban.models.catalog import default_catalog
from tongban.models.intake import ApplicantInput
from tongban.models.rules import display_case_number
from tongban.models.rules.transfer_batch import parse_batch_number
from tongban.models.store import EventKind, SubjectType, audit_trail, load_case, record_event
from tongban.models.store.payloads import PaperReceived
from tongban.ui.ports import IntakeRequest

pytest_plugins = ("sync_support",)

CENTER_C = "310101002"
B_STREET = "310105001"
BIRTH = date(1970, 5, 1)


@dataclass
class Desk:
    sync_desk: SyncDesk
    actor: Actor

    @property
    def context(self):  # type: ignore[no-untyped-def]
        return self.sync_desk.context

    def sync(self) -> None:
        report = self.sync_desk.sync()
        assert report.rejected == 0 and not report.conflicts, report

    def transfers(self) -> Transfers:
        return Transfers(self.context)

    def state(self, case: str):  # type: ignore[no-untyped-def]
        with self.context.store.reading() as session:
            return load_case(session, case)


def desk(server: Server, tmp_path: Path, center: str, clock: FakeClock) -> Desk:
    opened = new_desk(server, tmp_path, center, "1号窗口", clock=clock)
    opened.sync()
    return Desk(opened, Accounts(opened.context).actor_for(opened.clerk, Channel.COMMAND_LINE))


def accept(a: Desk, serial: int, item_code: str = "CL001") -> str:
    item = default_catalog().item(item_code)
    applicant = ApplicantInput(
        document_type="resident_id",
        id_number=resident_id(area="310105", birth=BIRTH, serial=serial),
        name=f"王小{serial}",
        phone="13800138000",
        household_street=B_STREET,
        residence_street=None,
    )
    request = IntakeRequest(applicant, None, item.code, everything(item), False)
    accepted = Intake(a.context, Paperwork(a.context)).accept(request, a.actor, documents=False)
    assert accepted.processing_center == CENTER_B
    return accepted.case_number


@pytest.fixture
def centers(pg_central: Server, tmp_path: Path, clock: FakeClock) -> tuple[Desk, Desk, Desk]:
    return (
        desk(pg_central, tmp_path, CENTER_A, clock),
        desk(pg_central, tmp_path, CENTER_B, clock),
        desk(pg_central, tmp_path, CENTER_C, clock),
    )


def test_a_batch_with_one_missing_and_one_extra_file(
    pg_central: Server, centers: tuple[Desk, Desk, Desk]
) -> None:
    a, b, _c = centers
    first, second, stray = accept(a, 457), accept(a, 458), accept(a, 459)
    accept(a, 460, "MZ003")  # 收受分离 too, but its paper stays at A
    [group] = a.transfers().pending_paper(a.actor)
    assert group.destination == CENTER_B
    assert [c.case_number for c in group.cases] == [first, second, stray]
    # 身份证件 and 户口簿 are seen and returned; 2 photos and the application form travel.
    assert {(c.originals, c.copies) for c in group.cases} == {(3, 0)}

    built = a.transfers().build_batch(CENTER_B, [first, second], a.actor)
    batch = built.batch_number
    assert parse_batch_number(batch).center_code == CENTER_A
    assert built.expected == (first, second) and built.outstanding == (first, second)
    manifest = flat_text(a.transfers().manifest_pdf(batch, a.actor, paper="a4"))
    compact = "".join(manifest.split())
    for case in (first, second):
        assert display_case_number(case) in compact
    assert "王*" in manifest and "王小457" not in manifest
    for serial in (457, 458):
        assert resident_id(area="310105", birth=BIRTH, serial=serial) not in compact
    assert "19700501" not in compact
    with pytest.raises(ServiceError, match="已在交接批次"):
        a.transfers().build_batch(CENTER_B, [first], a.actor)
    assert [c.case_number for c in a.transfers().pending_paper(a.actor)[0].cases] == [stray]

    a.sync()
    b.sync()
    with pytest.raises(ServiceError, match="不是本中心"):
        a.transfers().scan_in(batch, first, a.actor)
    assert b.transfers().batch_status(batch, b.actor).outstanding == (first, second)
    scanned = b.transfers().scan_in(batch, first, b.actor)
    assert (scanned.extra, scanned.repeated) == (False, False)
    assert b.transfers().scan_in(batch, display_case_number(first), b.actor).repeated
    extra = b.transfers().scan_in(batch, stray, b.actor)
    assert extra.extra and not extra.repeated
    closed = b.transfers().close_receipt(batch, b.actor)
    assert (closed.received, closed.missing, closed.extra) == ((first,), (second,), (stray,))
    assert closed.closed and closed.outstanding == ()
    b.sync()
    a.sync()

    at_a = a.transfers().batch_status(batch, a.actor)
    assert (at_a.received, at_a.missing, at_a.extra) == ((first,), (second,), (stray,))
    assert at_a.closed and at_a.to_center == CENTER_B
    for case in (first, second, stray):
        assert a.state(case) == b.state(case)
        assert a.state(case).problems == ()
        central = pg_central.store.case(case)
        assert central is not None and central.problem_count == 0
    assert a.state(second).paper_missing is not None
    with b.context.store.reading() as session:
        trail = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=second)
    assert [e.action for e in trail] == ["paper_missing"]
    assert trail[0].detail.endswith("；渠道：命令行")  # as every entry a clerk's act writes

    # The missing file is found and sent again, in a new batch with a note on the manifest.
    [again] = a.transfers().pending_paper(a.actor)[0].cases
    assert (again.case_number, again.resend_after) == (second, batch)
    resent = a.transfers().build_batch(CENTER_B, [], a.actor)
    assert resent.batch_number != batch and resent.expected == (second,)
    note = "".join(flat_text(a.transfers().manifest_pdf(resent.batch_number, a.actor)).split())
    assert f"补送：批次{batch}中未到" in note
    a.sync()
    b.sync()
    assert b.transfers().scan_in(resent.batch_number, second, b.actor).extra is False
    after = b.transfers().batch_status(batch, b.actor)
    assert after.missing == () and after.received == (first, second)
    assert after.cases[1].received_in == resent.batch_number


def test_the_wrong_center_cannot_write_paper_events(centers: tuple[Desk, Desk, Desk]) -> None:
    a, b, c = centers
    case = accept(a, 471)
    batch = a.transfers().build_batch(CENTER_B, [case], a.actor).batch_number
    a.sync()
    c.sync()
    with pytest.raises(ServiceError, match="本工作站没有交接批次"):
        c.transfers().batch_status(batch, c.actor)
    # Written past the service at the accepting center: the center refuses it.
    with a.context.store.transaction() as session:
        record_event(
            session,
            workstation=a.context.station.device_id,
            clerk=a.sync_desk.clerk,
            case_number=case,
            kind=EventKind.PAPER_RECEIVED,
            payload=PaperReceived(batch=batch),
            at=a.context.now(),
        )
    report = a.sync_desk.sync()
    assert report.rejected == 1
    b.sync()
    assert b.state(case).paper_received is None
    assert b.transfers().batch_status(batch, b.actor).cases[0].state is InBatch.OUTSTANDING


def test_the_supplement_notice_prints_at_both_centers(centers: tuple[Desk, Desk, Desk]) -> None:
    a, b, c = centers
    case = accept(a, 481)
    a.sync()
    b.sync()
    with pytest.raises(ServiceError, match="没有待补正"):
        SupplementNotices(b.context).pdf(case, b.actor)
    processing = Processing(b.context)
    processing.sign_for(case, b.actor)
    due = date(2026, 3, 30)
    processing.request_supplement(
        case, b.actor, materials=["近期二寸免冠彩色照片"], reason="照片背景不符合要求", due=due
    )
    b.sync()
    a.sync()
    full_id = resident_id(area="310105", birth=BIRTH, serial=481)
    for center in (b, a):
        pdf = SupplementNotices(center.context).pdf(case, center.actor, paper="a4")
        text = "".join(flat_text(pdf).split())
        for phrase in (
            "补正材料通知书",
            display_case_number(case),
            "残疾人证申领",
            "近期二寸免冠彩色照片",
            "原件2份",
            "照片背景不符合要求",
            "2026年3月30日",
            "310105********" + full_id[-4:],
            "华阳路街道社区事务受理服务中心",
        ):
            assert phrase in text, (center.context.station.center_code, phrase)
        assert full_id not in text and full_id.encode() not in pdf
        with center.context.store.reading() as session:
            trail = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=case)
        assert "print_supplement_notice" in [e.action for e in trail]
    c.sync()
    with pytest.raises(ServiceError, match="没有受理编号"):
        SupplementNotices(c.context).pdf(case, c.actor)
