"""Time at the counter and rest-day hours in the supervisor's report, from visits decided through
the real intake service at two workstations of one center, synced through a live central service
(PostgreSQL and SQLite): the central figures, the same figures from a workstation's own store
offline, every export, and `tongban intake --file` carrying the start."""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from counter_support import applicant, everything, item_named, request, resident_id
from printing_checks import flat_text
from sync_support import CENTER_A, T0, Desk, FakeClock, Server, new_desk
from test_cli_counter import case_file, demo_dir, run, run_json  # noqa: F401 (a fixture)
from test_reports_two_centers import intake
from tongban.central.schema import EventRow as CentralEventRow
from tongban.desktop.cli.report import render
from tongban.desktop.services.reports import Reports
from tongban.models.clock import SHANGHAI
from tongban.models.reports import CounterTimeBasis, IntakeReport, Source
from tongban.models.store import EventKind
from tongban.models.store.schema import EventRow

pytest_plugins = ("sync_support",)

DAY = T0.astimezone(SHANGHAI).date()  # Monday 2 March 2026
SATURDAY_AFTERNOON = datetime(2026, 3, 7, 14, 0, tzinfo=SHANGHAI)  # an ordinary rest day
ELSEWHERE = "310105001"  # 华阳路街道, another district: a 属地 item is guided there
# Seconds between identifying the applicant and the decision, per workstation, in order.
A1_VISITS = (("accept", 180), ("notify", 60), ("accept", None))  # None: no start recorded
A2_VISITS = (("accept", 300), ("refuse", 120), ("guide", 240))


def decide(desk: Desk, clock: FakeClock, what: str, spent: int | None, serial: int) -> None:
    """One applicant: identified now, decided `spent` seconds later (the start carried along)."""
    service, actor = intake(desk)
    identified = clock()
    clock.advance(timedelta(seconds=spent or 90))
    started = None if spent is None else identified
    if what == "guide":
        item = item_named("廉租住房申请")
        who = applicant(household=ELSEWHERE, id_number=resident_id("310105", serial=serial))
        service.guide(replace(request(item, {}, who), started_at=started), actor, documents=False)
        return
    item = item_named("敬老卡申领")
    checks = everything(item)
    if what == "notify":
        del checks[item.materials[0].name]
    who = applicant(id_number=resident_id(serial=serial))
    asked = replace(request(item, checks, who), started_at=started)
    if what == "accept":
        service.accept(asked, actor, documents=False)
    elif what == "notify":
        service.notify(asked, actor, documents=False)
    else:
        service.refuse(asked, actor, "不符合申请条件", documents=False)


def a_morning(server: Server, tmp_path: Path, clock: FakeClock) -> tuple[Desk, Desk]:
    a1 = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    a2 = new_desk(server, tmp_path, CENTER_A, "2号窗口", clock=clock)
    serial = 100
    for first, second in zip(A1_VISITS, A2_VISITS, strict=True):
        for desk, (what, spent) in ((a1, first), (a2, second)):
            serial += 1
            decide(desk, clock, what, spent, serial)
    # A Saturday afternoon acceptance: this center has not recorded its rest-day afternoon.
    clock.current = SATURDAY_AFTERNOON.astimezone(UTC)
    decide(a1, clock, "accept", 200, serial + 1)
    for desk in (a1, a2, a1):  # push everything, then pull what the other pushed
        desk.sync()
    return a1, a2


def check_the_monday(report: IntakeReport, a1: Desk, a2: Desk) -> None:
    measured = [s for _, s in (*A1_VISITS, *A2_VISITS) if s is not None]
    assert report.decisions == 6 and report.counter_time_cases == len(measured) == 5
    assert report.counter_time_basis == CounterTimeBasis.STARTED_AT
    assert report.counter_time_median_seconds == statistics.median(measured) == 180
    assert report.counter_time_p90_seconds == 300  # nearest rank: the 5th of 5
    assert report.decision_interval_median_seconds is None
    clerks = {line.clerk: line for line in report.clerks}
    assert (clerks[a1.clerk].counter_time_cases, clerks[a2.clerk].counter_time_cases) == (2, 3)
    assert clerks[a1.clerk].counter_time_median_seconds == 120  # of 180 and 60
    assert clerks[a1.clerk].counter_time_p90_seconds == 180
    assert clerks[a2.clerk].counter_time_median_seconds == 240  # of 300, 120, 240
    assert clerks[a2.clerk].counter_time_p90_seconds == 300
    assert "按记录了开始时间的 5 件计（本期决定共 6 件）" in report.notes[0]


def check_the_saturday(report: IntakeReport) -> None:
    assert report.accepted == 1 and report.counter_time_median_seconds == 200
    assert [a.detail for a in report.outside_hours] == ["休息日下午（本中心下午服务时间未登记）"]
    assert any("下午的服务时间未登记" in note for note in report.notes)


def check_the_exports(report: IntakeReport) -> None:
    body = json.loads(render(report, "json"))
    assert body["counter_time_basis"] == "started_at"
    assert (body["counter_time_median_seconds"], body["counter_time_p90_seconds"]) == (180, 300)
    assert IntakeReport.from_json_dict(body) == report
    rows = list(csv.reader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))
    summary = {r[0]: r[1] for r in rows if len(r) == 2}
    assert summary["办理时长中位数"] == "3 分 0 秒"
    assert summary["办理时长90分位"] == "5 分 0 秒"
    assert summary["办理时长依据"] == "自识别申请人至作出决定（5 件）"
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True) if len(row) > 1}
    assert sheet["办理时长中位数"] == "3 分 0 秒"
    clerk_rows = list(book["分经办人"].iter_rows(values_only=True))
    assert clerk_rows[0][-3:] == ("计时件数", "办理时长中位数", "办理时长90分位")
    assert sorted(r[-2] for r in clerk_rows[1:]) == ["2 分 0 秒", "4 分 0 秒"]
    assert book["说明"]["A2"].value == report.notes[0]
    text = flat_text(render(report, "pdf"))
    assert "办理时长中位数：3分0秒" in text and "办理时长90分位：5分0秒" in text
    assert "4分0秒" in text  # the clerks' table


def check_everything(server: Server, tmp_path: Path, clock: FakeClock) -> tuple[Desk, Desk]:
    a1, a2 = a_morning(server, tmp_path, clock)
    central = Reports(a1.context).intake(DAY)
    assert central.source == Source.CENTRAL and not central.partial
    check_the_monday(central, a1, a2)
    check_the_exports(central)
    check_the_saturday(Reports(a1.context).intake(SATURDAY_AFTERNOON.date()))
    return a1, a2


def test_the_central_report_on_postgresql_and_the_offline_one_agree(
    pg_central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a1, a2 = check_everything(pg_central, tmp_path, clock)
    central = Reports(a1.context).intake(DAY)
    pg_central.stop()
    local = Reports(a1.context).intake(DAY)  # a1 pulled a2's events before the network went
    assert local.partial and local.source == Source.LOCAL
    check_the_monday(local, a1, a2)
    figures = ("counter_time_cases", "counter_time_median_seconds", "counter_time_p90_seconds")
    assert [getattr(local, f) for f in figures] == [getattr(central, f) for f in figures]
    assert local.clerks == central.clerks
    check_the_saturday(Reports(a1.context).intake(SATURDAY_AFTERNOON.date()))


def test_a_sqlite_central_counts_the_same(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    check_everything(central, tmp_path, clock)


def test_the_central_store_keeps_the_start_as_written(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a1, _a2 = a_morning(central, tmp_path, clock)
    with a1.store.reading() as session:
        local = {
            e.id: e.payload.get("started_at")
            for e in session.query(EventRow).filter(EventRow.kind == EventKind.ACCEPTED.value)
        }
    with central.store.database.reading() as session:
        rows = session.query(CentralEventRow).filter(CentralEventRow.id.in_(list(local)))
        stored = {row.id: row.payload.get("started_at") for row in rows}
    # a1's own acceptances (one without its start, the Saturday one) and the one pulled from a2
    assert len(stored) == 4 and stored == local
    assert sum(v is not None for v in stored.values()) == 3


def test_a_case_file_may_carry_the_start(tmp_path: Path, capsys, demo_dir: Path) -> None:  # noqa: F811
    started = datetime.now(SHANGHAI) - timedelta(minutes=4)
    file = case_file(tmp_path, started_at=started.isoformat())
    assert (
        run_json(capsys, "intake", "--file", file, "--clerk", "1001", "--data-dir", demo_dir)[
            "outcome"
        ]
        == "accepted"
    )
    plain = case_file(tmp_path, serial=124)
    assert run_json(capsys, "intake", "--file", plain, "--clerk", "1001", "--data-dir", demo_dir)
    code, out, err = run(capsys, "report", "daily", "--format", "json", "--data-dir", demo_dir)
    assert code == 0, err
    report = json.loads(out)
    assert report["counter_time_cases"] == 1
    assert 230 <= report["counter_time_median_seconds"] <= 300
    naive = case_file(tmp_path, serial=125, started_at="2026-03-02T09:28:00")
    argv = ("intake", "--file", naive, "--clerk", "1001", "--data-dir", demo_dir, "--json")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "started_at" in err and "带时区" in err and "Traceback" not in err
