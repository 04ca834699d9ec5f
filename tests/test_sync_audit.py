"""The clerks' audit log reaches the center in the sync round (POST /v1/audit), once each even
when an answer is lost, never with a full identity number; `tongban central audit` reads it.
Real sync over HTTP against a SQLite and a PostgreSQL central."""

from __future__ import annotations

import json
from dataclasses import astuple
from datetime import UTC

import httpx
import pytest
from sqlalchemy import select
from uuid6 import uuid7

from sync_support import CENTER_A, CENTER_B, T0, Desk, FakeClock, Server, new_desk
from tongban.central.cli import main as central_main
from tongban.central.schema import AuditEntryRow
from tongban.desktop.services.counter import Counter
from tongban.desktop.sync import engine
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.models.store.audit import AuditEntry, AuditOutcome, SubjectType, unsent_audit_count
from tongban.models.store.privacy import looks_like_id_number
from tongban.models.store.schema import AuditRow

pytest_plugins = ("sync_support",)  # the live central service fixtures

ID_NUMBER = "310105199001011234"
MASKED = "310105********1234"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> tuple[Server, str]:
    """The live central service and its database URL, on each database."""
    if request.param == "sqlite":
        return request.getfixturevalue("central"), request.getfixturevalue("sqlite_central_url")
    return request.getfixturevalue("pg_central"), request.getfixturevalue("pg_central_url")


class LosingClient(SyncClient):
    """Delivers the audit batch, then loses the answer (the center committed it)."""

    def push_audit(self, entries):  # type: ignore[no-untyped-def]
        super().push_audit(entries)
        raise SyncError(SyncErrorKind.OFFLINE, "连接中断")


def _token(desk: Desk) -> str:
    with desk.client() as client:
        return client._http.headers["Authorization"].removeprefix("Bearer ")


def _audited_desk(server: Server, tmp_path, clock: FakeClock) -> Desk:  # type: ignore[no-untyped-def]
    """A workstation whose clerk logged in and searched by an ID number, plus one entry an
    older program wrote with a full number in it (the store refuses that today)."""
    from central_support import PASSWORD  # on the path once sync_support is imported

    a = new_desk(server, tmp_path, CENTER_A, "1号窗口", clock=clock)
    a.sync()  # the clerk's account arrives from the center
    counter = Counter(a.context)
    assert counter.login(a.clerk, PASSWORD).ok
    assert counter.search_cases(ID_NUMBER) == []
    with a.store.transaction() as session:
        session.add(
            AuditRow(
                id=str(uuid7()),
                at=T0,
                workstation_id=a.context.station.device_id,
                clerk="0999",
                action="view_applicant",
                subject_type="search",
                subject_ref=ID_NUMBER,
                outcome="success",
                detail=f"旧版本写入：{ID_NUMBER}",
                synced_at=None,
            )
        )
    return a


def _central_rows(server: Server) -> list[AuditEntryRow]:
    with server.store.database.reading() as session:
        return list(session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.position)))


def test_audit_entries_arrive_once_despite_a_lost_answer(
    backend: tuple[Server, str], tmp_path, clock: FakeClock
) -> None:
    server, _url = backend
    a = _audited_desk(server, tmp_path, clock)
    with a.store.reading() as session:
        written = unsent_audit_count(session)
    assert written >= 3  # the login, the search, the old entry
    with LosingClient(server.url, _token(a)) as losing, pytest.raises(SyncError):
        engine.sync_once(a.context, losing)
    with a.store.reading() as session:
        assert unsent_audit_count(session) == written  # not acknowledged here
    assert len(_central_rows(server)) == written  # but stored there

    report = a.sync()  # sent again: the center holds each once
    assert (report.audit_sent, report.audit_pending, report.audit_problem) == (written, 0, None)
    rows = _central_rows(server)
    assert len(rows) == written == len({r.entry_id for r in rows})
    assert {r.center_code for r in rows} == {CENTER_A}
    assert {r.device_id for r in rows} == {a.context.station.device_id}
    assert a.sync().audit_sent == 0

    texts = [str(v) for r in rows for v in (r.clerk, r.action, r.subject_ref, r.detail)]
    assert not any(looks_like_id_number(t) or ID_NUMBER in t for t in texts)
    assert MASKED in texts  # the search, and the old entry, masked on the way
    assert f"旧版本写入：{MASKED}" in texts


def test_the_administrator_reads_a_centers_day(
    backend: tuple[Server, str], tmp_path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    server, url = backend
    a = _audited_desk(server, tmp_path, clock)
    a.sync()
    total = len(_central_rows(server))
    day = T0.astimezone(UTC).date().isoformat()  # 09:30 in Shanghai: the same day

    assert central_main(["audit", "--center", CENTER_A, "--date", day, "--db", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == total + 1  # one line per entry, then the count
    assert lines[-1].endswith(f"共 {total} 条审计记录")
    login = next(line for line in lines if "登录" in line)
    assert login.startswith("09:30:00") and f"工号 {a.clerk}" in login and "成功" in login
    assert "1号工作站（1号窗口）" in login
    assert not any(ID_NUMBER in line for line in lines)

    assert central_main(["audit", "--center", CENTER_A, "--date", day, "--clerk", "0999",
                         "--db", url, "--json"]) == 0  # fmt: skip
    [old] = json.loads(capsys.readouterr().out)
    assert (old["clerk"], old["subject_ref"]) == ("0999", MASKED)
    assert old["at"] == "2026-03-02T09:30:00+08:00"

    assert central_main(["audit", "--center", CENTER_B, "--date", day, "--db", url]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("共 0 条审计记录")
    assert central_main(["audit", "--center", "999999999", "--date", day, "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "未知的中心代码" in err and "Traceback" not in err


def test_only_the_workstations_own_entries_and_never_a_full_number(
    central: Server, tmp_path, clock: FakeClock
) -> None:
    a = new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    b = new_desk(central, tmp_path, CENTER_B, "1号窗口", clock=clock)
    foreign = AuditEntry(
        id=str(uuid7()),
        at=T0,
        workstation_id=b.context.station.device_id,  # B's, sent with A's token
        clerk=a.clerk,
        action="view_case",
        subject_type=SubjectType.CASE,
        subject_ref="x",
        outcome=AuditOutcome.SUCCESS,
        detail="",
    )
    with a.client() as client, pytest.raises(SyncError) as refused:
        client.push_audit([foreign])
    assert refused.value.status == 403 and "其他工作站" in str(refused.value)

    own = [str(v) for v in astuple(foreign)]
    body = {
        "entries": [
            {
                "id": own[0],
                "at": T0.isoformat(),
                "workstation_id": a.context.station.device_id,
                "clerk": a.clerk,
                "action": "view_case",
                "subject_type": "search",
                "subject_ref": ID_NUMBER,  # a full number: refused whatever the client did
                "outcome": "success",
                "detail": "",
            }
        ]
    }
    answer = httpx.post(
        f"{central.url}/v1/audit", json=body, headers={"Authorization": f"Bearer {_token(a)}"}
    )
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_request"
    assert _central_rows(central) == []


class OldService(httpx.BaseTransport):
    """Real HTTP to a service of an earlier version: it has no /v1/audit yet."""

    def __init__(self) -> None:
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/audit":
            body = {"error": "http_error", "message": "没有这个接口"}
            return httpx.Response(404, json=body, request=request)
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def test_a_service_without_the_audit_endpoint_does_not_stop_the_pull(
    central: Server, tmp_path, clock: FakeClock
) -> None:
    a = _audited_desk(central, tmp_path, clock)
    b = new_desk(central, tmp_path, CENTER_B, "1号窗口", clock=clock)
    b.accept(processing_center=CENTER_A)
    b.sync()
    with SyncClient(central.url, _token(a), transport=OldService()) as old:
        report = engine.sync_once(a.context, old)
    assert report.pulled == 1 and report.audit_sent == 0
    assert report.audit_problem is not None and "没有这个接口" in report.audit_problem
    assert report.audit_pending >= 3 and _central_rows(central) == []
    report = a.sync()  # the service is upgraded: everything goes
    assert report.audit_sent >= 3 and report.audit_pending == 0
