"""The supervisor's report against cases made through the real intake path at three workstations
of two centers, synced through a live PostgreSQL central service: the figures of the central
report, their agreement across JSON, CSV, XLSX and PDF, the offline (partial) report from a
workstation's own store, the center restriction, and the command line."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from counter_support import applicant, everything, item_named, request, resident_id
from printing_checks import flat_text
from sync_support import CENTER_A, CENTER_B, T0, Desk, FakeClock, Server, new_desk
from tongban.desktop.cli.front import main as cli_main
from tongban.desktop.cli.report import render
from tongban.desktop.services import Actor, Cases, Channel, Intake, Paperwork, ServiceError
from tongban.desktop.services.reports import Reports
from tongban.desktop.sync.client import SyncError
from tongban.models.clock import SHANGHAI
from tongban.models.reports import IntakeReport, Source
from tongban.models.store.clerks import ClerkRole

pytest_plugins = ("sync_support",)

DAY = T0.astimezone(SHANGHAI).date()  # Monday 2 March 2026, 09:30 in Shanghai
A_STREET = CENTER_A  # 天平路街道: its street code is its center's code
B_STREET = CENTER_B  # 华阳路街道


@dataclass
class Made:
    """What the counters did, as the test itself counts it."""

    cases: dict[str, tuple[str, str]]  # case number -> (item code, clerk)
    forwarded: set[str]
    notified: int = 0
    refused: int = 0


def intake(desk: Desk) -> tuple[Intake, Actor]:
    actor = Actor(desk.clerk, "测试员", ClerkRole.CLERK, Channel.COUNTER)
    return Intake(desk.context, Paperwork(desk.context)), actor


def accept(
    desk: Desk,
    made: Made,
    name: str,
    *,
    household: str = A_STREET,
    receipt: bool = False,
    **kw: object,
) -> str:
    service, actor = intake(desk)
    item = item_named(name)
    who = applicant(household=household, id_number=resident_id(serial=100 + len(made.cases)))
    checks = everything(item, **kw)  # type: ignore[arg-type]
    result = service.accept(request(item, checks, who), actor, documents=receipt)
    made.cases[result.case_number] = (item.code, desk.clerk)
    if result.forwarded:
        made.forwarded.add(result.case_number)
    return result.case_number


def desks(server: Server, tmp_path: Path, clock: FakeClock) -> dict[str, Desk]:
    return {
        "a1": new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock),
        "a2": new_desk(server, tmp_path, CENTER_A, "2号窗口", clock=clock),
        "b1": new_desk(server, tmp_path, CENTER_B, "1号窗口", clock=clock),
    }


@pytest.fixture
def city(pg_central: Server, tmp_path: Path, clock: FakeClock) -> dict[str, Desk]:
    return desks(pg_central, tmp_path, clock)


def a_day_at_the_counters(city: dict[str, Desk], clock: FakeClock) -> Made:
    a1, a2, b1 = city["a1"], city["a2"], city["b1"]
    made = Made(cases={}, forwarded=set())
    first = accept(a1, made, "敬老卡申领", receipt=True)  # printed, so it can be reprinted
    accept(a1, made, "敬老卡申领")
    accept(a1, made, "生育保险待遇申领", household=B_STREET)  # processed by B: forwarded out
    accept(a2, made, "生育保险待遇申领", deferred=("本人实名银行卡",))
    service, actor = intake(a2)
    item = item_named("最低生活保障")
    checks = everything(item)
    del checks[item.materials[0].name]
    service.notify(request(item, checks), actor, documents=False)
    service.refuse(request(item, everything(item)), actor, "不符合申请条件", documents=False)
    made.notified, made.refused = 1, 1
    Cases(a1.context, Paperwork(a1.context)).reprint(first, intake(a1)[1], reason="回执污损")
    accept(b1, made, "敬老卡申领")
    clock.advance(timedelta(hours=8))  # 17:30 in Shanghai: after the counters close
    late = accept(a2, made, "敬老卡申领")
    clock.advance(timedelta(hours=-8))
    for desk in (a1, a2, b1, a1, a2):  # push everything, then pull what the others pushed
        desk.sync()
    made.cases["late"] = made.cases[late]  # remembered for the anomaly check
    return made


def expected_for(made: Made, center: str, desks: dict[str, Desk]) -> dict[str, object]:
    clerks = {d.clerk for d in desks.values() if d.center == center}
    ours = {n: v for n, v in made.cases.items() if n != "late" and v[1] in clerks}
    return {
        "accepted": len(ours),
        "forwarded_out": len(made.forwarded & ours.keys()),
        "by_item": dict(Counter(item for item, _ in ours.values())),
        "by_clerk": dict(Counter(clerk for _, clerk in ours.values())),
    }


def test_the_central_report_counts_every_workstation_and_every_format_agrees(
    city: dict[str, Desk], clock: FakeClock
) -> None:
    check_the_central_report(city, clock)


def test_a_sqlite_central_counts_the_same(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    check_the_central_report(desks(central, tmp_path, clock), clock)


def check_the_central_report(city: dict[str, Desk], clock: FakeClock) -> None:
    made = a_day_at_the_counters(city, clock)
    report = Reports(city["a1"].context).intake(DAY)
    assert report.source == Source.CENTRAL and not report.partial
    expected = expected_for(made, CENTER_A, city)
    assert expected["accepted"] == 5
    for key, value in expected.items():
        assert getattr(report, key) == value, key
    assert (report.notified, report.refused, report.received_in) == (1, 1, 0)
    assert report.deferred_accepted == 1
    first = next(iter(made.cases))
    # The item is on the case's `accepted` event, not on the reprint: the report looks it up.
    assert [(a.reference, a.item_code) for a in report.reprints] == [(first, made.cases[first][0])]
    assert [a.reference for a in report.outside_hours] == [
        n for n, v in made.cases.items() if v == made.cases["late"] and n != "late"
    ]
    assert [a.detail for a in report.refusals] == ["不符合申请条件"]
    assert report.by_department and sum(report.by_department.values()) == 5
    assert {w.name for w in report.workstations} == {"1号窗口", "2号窗口"}
    b = Reports(city["b1"].context).intake(DAY)
    assert (b.accepted, b.received_in, b.forwarded_out) == (1, 1, 0)
    assert_formats_agree(report)


def assert_formats_agree(report: IntakeReport) -> None:
    body = json.loads(render(report, "json"))
    assert IntakeReport.from_json_dict(body) == report
    required = ("center", "date", "accepted", "notified", "refused", "forwarded_out")
    assert set(required) | {"received_in", "by_item", "by_clerk"} <= body.keys()
    totals = {
        "受理件数": body["accepted"],
        "一次性告知": body["notified"],
        "不予受理": body["refused"],
        "转出件数": body["forwarded_out"],
        "转入件数": body["received_in"],
    }
    csv_bytes = render(report, "csv")
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese only with the BOM
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    summary = {r[0]: r[1] for r in rows if len(r) == 2}
    assert {k: int(summary[k]) for k in totals} == totals
    assert items_in(rows, 3) == body["by_item"]
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True) if len(row) > 1}
    assert {k: sheet[k] for k in totals} == totals
    assert sheet_counts(book["分事项"], 3) == body["by_item"]
    assert sheet_counts(book["分经办人"], 1) == body["by_clerk"]
    text = flat_text(render(report, "pdf"))
    for label, value in totals.items():
        assert f"{label}：{value}" in text
    for code, count in body["by_item"].items():
        assert code in text and str(count) in text
    for reprint in report.reprints:  # its row names the item, on paper as in the window
        [row] = [r for r in rows if reprint.reference in r]
        assert reprint.item_name and reprint.item_name in row
    if report.partial:
        for shown in (text, csv_bytes.decode("utf-8-sig"), str(book["概要"]["A1"].value)):
            assert "数据不完整" in shown


def sheet_counts(sheet: Worksheet, column: int) -> dict[str, int]:
    """Code -> count of a sheet's rows (below its heading, and the warning if there is one)."""
    rows = sheet.iter_rows(values_only=True)
    return {
        str(r[0]): r[column]
        for r in rows
        if len(r) > column and isinstance(r[column], int) and r[column] and r[0] != "合计"
    }


def items_in(rows: list[list[str]], column: int) -> dict[str, int]:
    start = rows.index(["【分事项】"]) + 2
    found = {}
    for row in rows[start:]:
        if not row or row[0] == "合计":
            break
        if int(row[column]):
            found[row[0]] = int(row[column])
    return found


def test_offline_the_report_comes_from_the_local_store_and_says_it_is_partial(
    city: dict[str, Desk], clock: FakeClock, pg_central: Server
) -> None:
    made = a_day_at_the_counters(city, clock)
    pg_central.stop()
    report = Reports(city["a2"].context).intake(DAY)
    assert report.partial and report.source == Source.LOCAL
    assert "无法连接" in report.partial_reason
    # a2 had pulled a1's events before the network went: the same figures as the center's.
    expected = expected_for(made, CENTER_A, city)
    for key, value in expected.items():
        assert getattr(report, key) == value, key
    assert (report.notified, report.refused, len(report.reprints)) == (1, 1, 1)
    first = next(iter(made.cases))
    assert [a.item_code for a in report.reprints] == [made.cases[first][0]]
    assert [w.pending_events for w in report.workstations] == [0]
    assert_formats_agree(report)


def test_the_deferred_material_comes_due_in_a_later_report(
    city: dict[str, Desk], clock: FakeClock
) -> None:
    a_day_at_the_counters(city, clock)
    friday = DAY + timedelta(days=4)  # the bank card is due five working days after Monday
    report = Reports(city["a1"].context).intake(friday)
    assert [(d.material, d.late) for d in report.deferred_due] == [("本人实名银行卡", False)]
    assert report.accepted == 0
    ranged = Reports(city["a1"].context).intake(DAY, friday)
    assert ranged.accepted == 5 and ranged.by_day[DAY.isoformat()] == 5


def test_a_workstation_sees_only_its_own_center(city: dict[str, Desk]) -> None:
    with pytest.raises(ServiceError, match="只能查看本中心"):
        Reports(city["a1"].context).intake(DAY, center=CENTER_B)
    with city["a1"].client() as client, pytest.raises(SyncError) as refused:
        client.intake_report(CENTER_B, DAY, DAY)
    assert refused.value.status == 403


def test_the_command_writes_each_format(
    city: dict[str, Desk], clock: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_day_at_the_counters(city, clock)
    data_dir = str(city["a1"].context.data_dir)
    base = ["report", "daily", "--date", DAY.isoformat(), "--data-dir", data_dir]
    assert cli_main([*base, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 5
    for name in ("csv", "xlsx", "pdf"):
        out = tmp_path / f"report.{name}"
        assert cli_main([*base, "--format", name, "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    assert cli_main([*base, "--format", "pdf"]) == 2
    assert cli_main(["report", "range", "--from", "2026-03-05", "--to", "2026-03-01"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and "Traceback" not in "".join(errors)


def test_dates_are_shanghai_dates() -> None:
    assert date(2026, 3, 2) == DAY
