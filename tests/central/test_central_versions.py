"""`tongban central versions` and the versions the service announces in its answers."""

from pathlib import Path

import pytest
from central_support import CENTER_A, bearer, enrolled, http

from tongban.central.app import create_app
from tongban.central.cli import main
from tongban.central.store import CentralStore
from tongban.central.versions import Announcement, announce_versions, announced_versions
from tongban.models.app_versions import (
    AppVersions,
    VersionError,
    below_minimum,
    checked_announcement,
    update_notice,
)
from tongban.models.sync_wire import PullResponse, StatusResponse


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_shows_and_sets_the_versions(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["versions", "--db", db_url], capsys)
    assert code == 0 and "尚未公布程序版本" in out
    code, out, _ = run(
        ["versions", "--db", db_url, "--current", "0.3.0", "--minimum", "0.2"], capsys
    )
    assert code == 0 and "当前版本 0.3.0，最低版本 0.2" in out
    code, out, _ = run(["versions", "--db", db_url], capsys)
    assert code == 0 and out.strip() == "当前版本 0.3.0，最低版本 0.2"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--current", "0.3.0"], "请同时给出 --current 和 --minimum"),
        (["--current", "0.2.0", "--minimum", "0.10.0"], "最低版本 0.10.0 不能高于当前版本 0.2.0"),
        (["--current", "最新", "--minimum", "0.1.0"], "版本号格式不正确"),
    ],
)
def test_versions_that_cannot_be_announced_are_one_line(
    sqlite_url: str, options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["versions", "--db", sqlite_url, *options], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_the_service_announces_them_in_enroll_status_and_pull(
    store: CentralStore, tmp_path: Path
) -> None:
    announce_versions(store.database, current="0.3.0", minimum="0.2.0")
    counter = enrolled(store, tmp_path, CENTER_A)
    code = store.enroll(center_code=CENTER_A, name="2号窗口").code
    with http(create_app(store)) as client:
        enroll = client.post("/v1/enroll", json={"code": code}).json()
        status = client.get("/v1/status", headers=bearer(counter.token)).json()
        pull = client.get("/v1/pull", headers=bearer(counter.token)).json()
    for body in (enroll, status, pull):
        assert (body["current_app_version"], body["minimum_app_version"]) == ("0.3.0", "0.2.0")


def test_nothing_announced_is_announced_as_nothing(store: CentralStore, tmp_path: Path) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    with http(create_app(store)) as client:
        status = client.get("/v1/status", headers=bearer(counter.token)).json()
    assert status["current_app_version"] is None and status["minimum_app_version"] is None


def test_each_instance_reads_the_database_again_after_a_while(store: CentralStore) -> None:
    now = [0.0]
    announcement = Announcement(store.database, ttl=30, clock=lambda: now[0])
    assert announcement.get() == AppVersions()
    announce_versions(store.database, current="0.3.0", minimum="0.2.0")
    assert announcement.get() == AppVersions()  # still the value read a moment ago
    now[0] = 31
    assert announcement.get() == AppVersions(current="0.3.0", minimum="0.2.0")
    assert announced_versions(store.database) == announcement.get()


def test_a_body_from_a_service_without_versions_still_parses() -> None:
    status = StatusResponse.model_validate(
        {
            "epoch": "e",
            "device_id": "d",
            "center_code": CENTER_A,
            "site_code": CENTER_A,
            "workstation_number": 1,
            "expected_sequence": 1,
            "server_time": "2026-03-10T09:00:00+08:00",
        }
    )
    pull = PullResponse.model_validate(
        {
            "epoch": "e",
            "cursor": "c",
            "reset": False,
            "more": False,
            "events": [],
            "catalog_revisions": [],
            "clerks_revision": 0,
        }
    )
    assert status.app_versions() == pull.app_versions() == AppVersions()


@pytest.mark.parametrize(
    ("installed", "minimum", "below"),
    [
        ("0.9.0", "0.10.0", True),  # compared as versions, not as text
        ("0.10.0", "0.9.0", False),
        ("0.2.0rc1", "0.2.0", True),
        ("0.2.0", "0.2", False),
        ("0.1.0", None, False),
        ("unknown", "0.2.0", False),  # a development tree never raises the alarm
        ("0.1.0", "not a version", False),
    ],
)
def test_below_minimum(installed: str, minimum: str | None, below: bool) -> None:
    assert below_minimum(installed, minimum) is below
    notice = update_notice(installed, AppVersions(current="0.3.0", minimum=minimum))
    assert bool(notice) is below
    if below:
        assert f"本机程序版本 {installed} 低于中心要求的最低版本 {minimum}" in notice


def test_an_announcement_is_checked_and_normalised() -> None:
    assert checked_announcement(" 0.3.0 ", "0.2") == AppVersions(current="0.3.0", minimum="0.2")
    with pytest.raises(VersionError, match="版本号过长"):
        checked_announcement("1." * 20 + "0", "0.1.0")
