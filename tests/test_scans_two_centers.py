"""Scans across three workstations of different centers over a PostgreSQL central: A attaches a
scan to a 收受分离 case of B's household; the upload is cut off after the center stored a chunk
whose answer never arrived, the service is stopped and started again, and the next round sends
only what the center lacks; B opens the scan and gets the very bytes; C, a third center, does
not."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from sync_support import CENTER_A, CENTER_B, Desk, FakeClock, Server, new_desk
from tongban.central.schema import ScanFileRow
from tongban.desktop.services.accounts import Actor, Channel
from tongban.desktop.services.errors import ServiceError
from tongban.desktop.services.scans import Scans
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.desktop.sync.engine import sync_once
from tongban.desktop.sync.setup import device_secrets
from tongban.models.scans import CHUNK_BYTES
from tongban.models.store import SubjectType, audit_trail
from tongban.models.store.clerks import ClerkRole
from tongban.models.store.scan_uploads import scan_uploads

pytest_plugins = ("sync_support",)  # the live central service fixtures

CENTER_C = "310101002"  # 黄浦 a third center
SCAN = b"%PDF-1.7\n" + bytes(range(256)) * (CHUNK_BYTES * 5 // 2 // 256)  # 2.5 MB: 3 chunks
SHA = hashlib.sha256(SCAN).hexdigest()


class Flaky(httpx.BaseTransport):
    """Real HTTP, except that the answer to PUT number `lose_after` is lost (the center stored
    the chunk) and every PUT after it finds no connection; `puts` counts the PUTs sent."""

    def __init__(self, lose_after: int | None = None) -> None:
        self._real = httpx.HTTPTransport()
        self._lose_after = lose_after
        self.puts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.puts += 1
            if self._lose_after is not None and self.puts > self._lose_after:
                raise httpx.ConnectError("connection refused", request=request)
            if self._lose_after is not None and self.puts == self._lose_after:
                response = self._real.handle_request(request)
                response.read()
                response.close()
                raise httpx.ReadError("connection reset", request=request)
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def client_of(desk: Desk, transport: httpx.BaseTransport) -> SyncClient:
    settings = desk.context.settings
    token = device_secrets(desk.context.data_dir, settings).get_token()
    return SyncClient(desk.server_url, token, transport=transport)


def actor_of(desk: Desk) -> Actor:
    return Actor(number=desk.clerk, name="测试员", role=ClerkRole.CLERK, channel=Channel.COUNTER)


def central_received(server: Server) -> int:
    with server.store.database.reading() as session:
        row = session.get(ScanFileRow, SHA)
        return 0 if row is None else row.received


def test_a_scan_reaches_the_processing_center_intact_after_an_interrupted_upload(
    pg_central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a = new_desk(pg_central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    b = new_desk(pg_central, tmp_path, CENTER_B, "1号窗口", clock=clock)
    c = new_desk(pg_central, tmp_path, CENTER_C, "1号窗口", clock=clock)
    case = a.accept(processing_center=CENTER_B, household_street=CENTER_B)
    source = tmp_path / "身份证 扫描.pdf"
    source.write_bytes(SCAN)
    attached = Scans(a.context).attach(case, "身份证", source, actor_of(a))
    assert (attached.sha256, attached.upload) == (SHA, "待同步")

    # The second chunk reaches the center but its answer is lost; the round fails as offline.
    flaky = Flaky(lose_after=2)
    with client_of(a, flaky) as client, pytest.raises(SyncError) as cut:
        sync_once(a.context, client)
    assert cut.value.kind is SyncErrorKind.OFFLINE
    assert central_received(pg_central) == 2 * CHUNK_BYTES
    with a.store.reading() as session:
        [upload] = scan_uploads(session, case)
    assert (upload.uploaded_bytes, upload.done) == (CHUNK_BYTES, False)
    assert b.sync().pulled == 2  # the events went before the bytes

    # The service is down for a while, then back on the same address.
    pg_central.stop()
    with pytest.raises(SyncError) as down:
        a.sync()
    assert down.value.kind is SyncErrorKind.OFFLINE
    pg_central.start()

    counting = Flaky()
    with client_of(a, counting) as client:
        report = sync_once(a.context, client)
    assert report.scans_uploaded == 1
    assert counting.puts == 1  # only the last half megabyte was sent again
    with a.store.reading() as session:
        [upload] = scan_uploads(session, case)
    assert (upload.uploaded_bytes, upload.done, upload.problem) == (len(SCAN), True, None)
    assert a.sync().scans_uploaded == 0  # nothing left to send

    # B, the processing center, opens it: fetched, checked, kept, audited.
    [listed] = Scans(b.context).scans_of(case, actor_of(b))
    assert (listed.sha256, listed.here, listed.upload) == (SHA, False, "")
    opened = Scans(b.context).open_scan(case, SHA, actor_of(b))
    assert opened.read_bytes() == SCAN
    assert opened.is_relative_to(b.context.data_dir)
    with b.store.reading() as session:
        trail = audit_trail(session, subject_type=SubjectType.CASE, subject_ref=case)
    assert [(e.action, e.outcome.value) for e in trail][-1] == ("open_scan", "success")

    # C, a third center, has no way in: not through its counter, not through the service.
    c.sync()
    with pytest.raises(ServiceError, match="没有受理编号"):
        Scans(c.context).open_scan(case, SHA, actor_of(c))
    with c.client() as client, pytest.raises(SyncError) as refused:
        client.scan_content(case, SHA)
    assert refused.value.status == 403
    assert "既不是此案的受理中心，也不是办理中心" in str(refused.value)
