"""Intake at the demo counter: accept, forward, notify, refuse, guide, and what each leaves."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from counter_support import (
    HERE,
    OTHER_DISTRICT_STREET,
    DemoCounter,
    applicant,
    demo_counter,
    everything,
    item_named,
    request,
    resident_id,
)
from printing_checks import flat_text, reader
from tongban.desktop.services import (
    DEMO_PASSWORD,
    Acceptance,
    Actor,
    Channel,
    Counter,
    Intake,
    Paperwork,
    ServiceError,
)
from tongban.models.catalog import Mode
from tongban.models.geography import shanghai
from tongban.models.intake import AgentInput, MaterialCheck
from tongban.models.rules import is_valid_case_number, mask_identity, parse_case_number
from tongban.models.store import (
    AuditOutcome,
    CaseStatus,
    EventKind,
    SubjectType,
    audit_between,
    audit_trail,
    case_events,
    load_case,
    pending_events,
    verify_case,
)
from tongban.models.store.clerks import ClerkRole
from tongban.models.store.schema import AuditRow, CaseRow, EventRow, VisitRow
from tongban.ui.ports import CounterServices, IntakeRequest

HOUSEHOLD_ELSEWHERE = OTHER_DISTRICT_STREET  # 华阳路街道, 长宁区


@pytest.fixture
def demo(tmp_path) -> DemoCounter:
    demo = demo_counter(tmp_path / "demo")
    assert demo.counter.login("1001", DEMO_PASSWORD).ok
    return demo


def counts(demo: DemoCounter) -> dict[str, int]:
    with demo.context.store.reading() as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (CaseRow, EventRow, VisitRow, AuditRow)
        }


def state_of(demo: DemoCounter, number: str):
    with demo.context.store.reading() as session:
        state = load_case(session, number)
        assert verify_case(session, number) == []
    assert state is not None
    return state


def test_a_direct_item_is_accepted_and_handled_here(demo):
    item = item_named("敬老卡申领")
    assert item.mode is Mode.DIRECT
    result = demo.counter.accept(request(item, everything(item)))
    assert is_valid_case_number(result.case_number)
    parts = parse_case_number(result.case_number)
    assert (parts.center_code, parts.day, parts.workstation_no) == (HERE, date(2026, 3, 10), 1)
    assert result.processing_center_name == "天平路街道社区事务受理服务中心"
    assert result.due_date == date(2026, 3, 31)  # 15 working days, the day itself not counted
    assert result.deadline_warning is None
    assert result.receipt_pdf is not None and result.receipt_pdf.startswith(b"%PDF")
    text = flat_text(result.receipt_pdf)
    assert "受理回执" in text and "2026年3月31日" in text and "敬老卡申领" in text
    state = state_of(demo, result.case_number)
    assert state.status is CaseStatus.ACCEPTED and state.processing_center == HERE
    assert state.clerk == "1001" and state.receipt_prints == 1
    with demo.context.store.reading() as session:
        trail = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=result.case_number)
    assert [(e.action, e.outcome) for e in trail] == [("accept", AuditOutcome.SUCCESS)]


def test_a_separated_item_is_forwarded_to_the_household_center(demo):
    item = item_named("生育保险待遇申领")
    assert item.mode is Mode.SEPARATED
    who = applicant(
        household=HOUSEHOLD_ELSEWHERE, id_number=resident_id("310105", date(1992, 5, 1))
    )
    result = demo.counter.accept(request(item, everything(item), who))
    target = shanghai().center_for_street(HOUSEHOLD_ELSEWHERE)
    assert result.processing_center_name == target.name != "天平路街道社区事务受理服务中心"
    state = state_of(demo, result.case_number)
    assert state.processing_center == target.code and state.accepting_center == HERE
    assert state.mode is Mode.SEPARATED
    assert "华阳路" in flat_text(result.receipt_pdf or b"")


def test_a_separated_item_of_a_household_here_is_handled_here(demo):
    item = item_named("最低生活保障")
    result = demo.counter.accept(request(item, everything(item)))
    assert state_of(demo, result.case_number).processing_center == HERE


def test_missing_materials_are_told_at_once_and_no_case_is_made(demo):
    item = item_named("最低生活保障")
    checks = everything(item)
    dropped = [m.name for m in item.materials][:2]
    for name in dropped:
        del checks[name]
    before = counts(demo)
    with pytest.raises(ServiceError, match="尚缺必需材料"):
        demo.counter.accept(request(item, checks))
    assert counts(demo) == before
    visit = demo.counter.notify(request(item, checks))
    assert visit.notice_pdf is not None and "一次性告知单" in flat_text(visit.notice_pdf)
    after = counts(demo)
    assert after["cases"] == 0 and after["visits"] == 1 and after["events"] == before["events"] + 1
    with demo.context.store.reading() as session:
        row = session.scalars(select(VisitRow)).one()
    assert row.outcome == "notified" and row.details["missing"] == dropped
    assert row.item_code == item.code and row.clerk == "1001"


def test_notify_is_refused_when_nothing_is_missing(demo):
    item = item_named("敬老卡申领")
    before = counts(demo)
    with pytest.raises(ServiceError, match="无需一次性告知"):
        demo.counter.notify(request(item, everything(item)))
    assert counts(demo) == before


def test_a_refusal_records_its_reason_and_gives_the_written_notice(demo):
    item = item_named("敬老卡申领")
    with pytest.raises(ServiceError, match="理由"):
        demo.counter.refuse(request(item, {}), "   ")
    visit = demo.counter.refuse(request(item, {}), "申请人不属于本事项的申请对象")
    assert visit.notice_pdf is not None
    assert "不予受理通知书" in flat_text(visit.notice_pdf)
    with demo.context.store.reading() as session:
        row = session.scalars(select(VisitRow)).one()
    assert row.outcome == "refused"
    assert row.details["reason"] == "申请人不属于本事项的申请对象"


def test_a_home_district_item_at_the_wrong_center_is_guided_to_the_own_center(demo):
    item = item_named("廉租住房申请")
    assert item.mode is Mode.HOME_DISTRICT
    who = applicant(household=HOUSEHOLD_ELSEWHERE, id_number=resident_id("310105"))
    before = counts(demo)
    with pytest.raises(ServiceError, match="仅由户籍地受理"):
        demo.counter.accept(request(item, everything(item), who))
    assert counts(demo) == before
    visit = demo.counter.guide(request(item, {}, who))
    own = shanghai().center_for_street(HOUSEHOLD_ELSEWHERE)
    assert visit.notice_pdf is not None and own.name in flat_text(visit.notice_pdf)
    with demo.context.store.reading() as session:
        row = session.scalars(select(VisitRow)).one()
    assert row.outcome == "guided" and own.name in row.details["guidance"]


def test_guidance_is_refused_where_the_item_can_be_accepted(demo):
    item = item_named("敬老卡申领")
    with pytest.raises(ServiceError, match="无需告知办理地"):
        demo.counter.guide(request(item, {}))


def test_a_deferrable_material_is_accepted_with_its_due_date(demo):
    item = item_named("生育保险待遇申领")
    deferrable = [m.name for m in item.materials if m.deferrable]
    assert deferrable == ["本人实名银行卡"]
    result = demo.counter.accept(request(item, everything(item, deferred=tuple(deferrable))))
    state = state_of(demo, result.case_number)
    [pending] = state.outstanding_deferred
    assert pending.name == "本人实名银行卡" and pending.deferred_due == date(2026, 3, 17)
    pdf = result.receipt_pdf or b""
    titles = [page.extract_text() for page in reader(pdf).pages]
    assert "受理回执" in titles[0] and "容缺受理承诺书" in titles[-1]
    assert "2026年3月17日" in titles[0] and "2026年3月17日" in titles[-1]


def test_a_non_deferrable_material_marked_deferred_is_still_missing(demo):
    item = item_named("生育保险待遇申领")
    checks = everything(item)
    checks["结婚证"] = MaterialCheck(deferred=True)
    with pytest.raises(ServiceError, match="结婚证"):
        demo.counter.accept(request(item, checks))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id_number": "310104195001011234"}, "证件号码无效"),
        ({"name": "  "}, "姓名"),
        ({"phone": "12345"}, "联系电话"),
        ({"phone": ""}, "联系电话"),
        ({"household": "999999999"}, "户籍地"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(demo, change, message):
    item = item_named("敬老卡申领")
    who = applicant(**change)
    before = counts(demo)
    with pytest.raises(ServiceError, match=message):
        demo.counter.accept(request(item, everything(item), who))
    assert counts(demo) == before


def test_an_unknown_item_or_material_is_refused(demo):
    item = item_named("敬老卡申领")
    with pytest.raises(ServiceError, match="ZZ999"):
        demo.counter.accept(IntakeRequest(applicant(), None, "ZZ999", {}))
    checks = {**everything(item), "不存在的材料": MaterialCheck(original_seen=True)}
    with pytest.raises(ServiceError, match="不存在的材料"):
        demo.counter.accept(request(item, checks))


def test_an_agent_brings_the_agents_materials(demo):
    item = item_named("敬老卡申领")
    agent = AgentInput("resident_id", resident_id(birth=date(1980, 2, 2)), "代办人", "子女")
    base = IntakeRequest(applicant(), agent, item.code, everything(item))
    with pytest.raises(ServiceError, match="授权委托书"):
        demo.counter.accept(base)
    agent_papers = {
        m.name: MaterialCheck(original_seen=True, copies_received=m.copies)
        for m in item.materials
        if m.for_agent
    }
    result = demo.counter.accept(
        IntakeRequest(applicant(), agent, item.code, {**base.checks, **agent_papers})
    )
    state = state_of(demo, result.case_number)
    assert state.agent is not None and state.agent.relationship == "子女"


def test_case_numbers_stay_unique_and_valid_over_many_acceptances(demo):
    item = item_named("敬老卡申领")
    intake = Intake(demo.context, Paperwork(demo.context))
    actor = Actor("1001", "演示受理员甲", ClerkRole.CLERK, Channel.COUNTER)
    numbers = []
    for serial in range(40):
        who = applicant(id_number=resident_id(serial=serial + 100))
        numbers.append(intake.accept(request(item, everything(item), who), actor, documents=False))
        if serial == 19:
            demo.clock.advance(days=1)
    found = [r.case_number for r in numbers]
    assert len(set(found)) == 40 and all(is_valid_case_number(n) for n in found)
    serials = [(parse_case_number(n).day, parse_case_number(n).serial) for n in found]
    assert serials[:20] == [(date(2026, 3, 10), s) for s in range(1, 21)]
    assert serials[20:] == [(date(2026, 3, 11), s) for s in range(1, 21)]


def test_every_recorded_event_waits_in_the_outbox(demo):
    item = item_named("敬老卡申领")
    accepted = demo.counter.accept(request(item, everything(item)))
    demo.counter.notify(request(item_named("最低生活保障"), {}))
    with demo.context.store.reading() as session:
        pending = pending_events(session)
    kinds = [e.kind for e in pending]
    assert kinds == [EventKind.ACCEPTED, EventKind.RECEIPT_PRINTED, EventKind.NOTIFIED]
    assert pending[0].stream_id == accepted.case_number
    assert demo.counter.pending_sync_count() == 3


def test_search_masks_numbers_and_every_search_is_audited(demo):
    item = item_named("敬老卡申领")
    number = resident_id(serial=321)
    same_person = request(item, everything(item), applicant(id_number=number, name="王小明"))
    accepted = demo.counter.accept(same_person)
    demo.clock.advance(minutes=5)
    later = demo.counter.accept(same_person)
    for query in (number, "王小明", accepted.case_number):
        found = demo.counter.search_cases(query)
        assert {c.applicant_id_masked for c in found} == {mask_identity(number)}
    newest_first = [c.case_number for c in demo.counter.search_cases("王小明")]
    assert newest_first == [later.case_number, accepted.case_number]
    assert demo.counter.search_cases("无此人") == []
    with pytest.raises(ServiceError, match="只输入"):
        demo.counter.search_cases(f"王小明 {number}")
    day = timedelta(days=1)
    with demo.context.store.reading() as session:
        entries = audit_between(session, demo.clock.now - day, demo.clock.now + day)
    searches = [e for e in entries if e.action == "search_cases"]
    assert len(searches) == 5
    assert all(number not in e.subject_ref + e.detail for e in searches)


def test_the_timeline_and_a_reprint(demo):
    item = item_named("敬老卡申领")
    accepted = demo.counter.accept(request(item, everything(item)))
    pdf = demo.counter.receipt(accepted.case_number)
    assert pdf is not None and "受理回执" in flat_text(pdf)
    timeline = demo.counter.case_events(accepted.case_number)
    assert [e.event for e in timeline] == ["受理", "出具回执", "补打回执"]
    assert all(e.actor == "演示受理员甲（工号 1001）" and not e.synced for e in timeline)
    with demo.context.store.reading() as session:
        kinds = [e.kind for e in case_events(session, accepted.case_number)]
    assert kinds == [EventKind.ACCEPTED, EventKind.RECEIPT_PRINTED, EventKind.REPRINTED]
    with pytest.raises(ServiceError, match="没有受理编号"):
        demo.counter.case_events("310104003-260310-001-0099-0")


def test_a_returning_applicant_is_recognised(demo):
    item = item_named("敬老卡申领")
    number = resident_id(serial=555)
    demo.counter.accept(request(item, everything(item), applicant(id_number=number, name="李大爷")))
    known = demo.counter.find_applicant("resident_id", number)
    assert known is not None and known.name == "李大爷" and known.household_street == HERE
    assert demo.counter.find_applicant("resident_id", resident_id(serial=556)) is None


def test_nothing_is_done_before_a_clerk_logs_in(tmp_path):
    demo = demo_counter(tmp_path / "demo")
    item = item_named("敬老卡申领")
    with pytest.raises(ServiceError, match="请先登录"):
        demo.counter.accept(request(item, everything(item)))
    assert counts(demo)["cases"] == 0


def test_a_full_disk_is_one_message_and_nothing_half_written(demo):
    item = item_named("敬老卡申领")
    demo.counter.accept(request(item, everything(item)))
    before = counts(demo)
    store = demo.context.store
    with store.reading() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()

    # SQLite's own ceiling on the file's size: the next write fails exactly as on a full disk.
    def ceiling(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(store.engine, "connect", ceiling)
    store.engine.dispose()
    big = applicant(name="很长的名字" * 15, id_number=resident_id(serial=777))
    with pytest.raises(ServiceError, match="磁盘已满"):
        for _ in range(200):
            demo.counter.accept(request(item, everything(item), big))
    event.remove(store.engine, "connect", ceiling)
    store.engine.dispose()
    after = counts(demo)
    # Whole acceptances only: each case has its accepted event, its receipt event and its audit.
    assert after["cases"] - before["cases"] == (after["audit_log"] - before["audit_log"])
    with store.reading() as session:
        for number in session.scalars(select(CaseRow.case_number)):
            assert verify_case(session, number) == []


def test_eligibility_warnings_travel_with_the_acceptance(demo):
    item = item_named("敬老卡申领")
    young = applicant(id_number=resident_id(birth=date(1990, 1, 1)))
    intake = Intake(demo.context, Paperwork(demo.context))
    actor = Actor("1001", "演示受理员甲", ClerkRole.CLERK, Channel.COUNTER)
    result = intake.accept(request(item, everything(item), young), actor, documents=False)
    assert isinstance(result, Acceptance)
    assert any("未满 65 周岁" in w for w in result.warnings)


def test_an_item_done_on_the_spot_has_no_promised_date(demo):
    item = item_named("居住证挂失")
    assert item.promised_days == 0
    result = demo.counter.accept(request(item, everything(item)))
    assert result.due_date == date(2026, 3, 10)
    assert state_of(demo, result.case_number).due_date is None
    assert "即办件" in flat_text(result.receipt_pdf or b"")


def test_the_counter_offers_every_method_the_window_calls():
    def shape(function):
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
        ]

    wanted = {
        name: member
        for name, member in vars(CounterServices).items()
        if callable(member) and not name.startswith("_")
    }
    assert len(wanted) == 17
    for name, member in wanted.items():
        assert shape(getattr(Counter, name)) == shape(member), name


def test_documents_go_to_the_printer_the_clerk_chose(tmp_path):
    printed = []
    demo = demo_counter(tmp_path / "demo")
    counter = Counter(demo.context, printer=lambda *job: printed.append(job))
    with pytest.raises(ServiceError, match="请先登录"):
        counter.print_document(b"%PDF-1.4", title="受理回执")
    counter.login("1001", DEMO_PASSWORD)
    counter.print_document(b"%PDF-1.4", title="受理回执")
    counter.print_document(b"%PDF-1.4", title="受理回执", printer="柜台2")
    assert printed == [(b"%PDF-1.4", "受理回执", ""), (b"%PDF-1.4", "受理回执", "柜台2")]
