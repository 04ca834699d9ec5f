"""Enrollment: one-time codes that expire, device tokens kept only as hashes, numbering."""

from datetime import timedelta
from pathlib import Path

import pytest
from central_support import CENTER_A, CENTER_B, FakeClock, bearer, enrolled, http
from sqlalchemy import select

from tongban.central.app import create_app
from tongban.central.enrollment import Credentials, digest
from tongban.central.errors import CentralError, Expired, NotAuthenticated
from tongban.central.schema import WorkstationRow
from tongban.central.store import CentralStore

SUB_CENTER = "31011513101"  # 惠南镇 第一分中心
SUB_CENTERS_CENTER = "310115131"


def test_code_is_redeemed_once_for_a_token(store: CentralStore) -> None:
    enrollment = store.enroll(center_code=CENTER_A, name="1号窗口")
    assert len(enrollment.code) == 19 and enrollment.code.count("-") == 3
    redeemed, epoch = store.redeem(enrollment.code.lower().replace("-", " "), app_version="0.1.0")
    assert epoch == store.epoch()
    assert redeemed.workstation.status == "active"
    assert redeemed.center_name == "天平路街道社区事务受理服务中心"
    assert store.authenticate(redeemed.token).device_id == redeemed.workstation.device_id
    with pytest.raises(NotAuthenticated, match="登记码无效或已使用"):
        store.redeem(enrollment.code, app_version=None)


def test_expired_code_is_refused(store: CentralStore, clock: FakeClock) -> None:
    enrollment = store.enroll(center_code=CENTER_A, name="2号窗口", valid_for=timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    with pytest.raises(Expired, match="登记码已过期"):
        store.redeem(enrollment.code, app_version=None)


def test_enrolling_again_replaces_an_unused_code(store: CentralStore) -> None:
    first = store.enroll(center_code=CENTER_A, name="3号窗口")
    second = store.enroll(center_code=CENTER_A, name="3号窗口")
    assert second.workstation.number == first.workstation.number
    with pytest.raises(NotAuthenticated):
        store.redeem(first.code, app_version=None)
    store.redeem(second.code, app_version=None)
    with pytest.raises(CentralError, match="已有名为「3号窗口」的工作站"):
        store.enroll(center_code=CENTER_A, name="3号窗口")


def test_only_hashes_are_stored(store: CentralStore) -> None:
    enrollment = store.enroll(center_code=CENTER_A, name="1号窗口")
    with store.database.reading() as session:
        row = session.scalars(select(WorkstationRow)).one()
        code_hash = row.enroll_code_hash
    assert code_hash == digest(enrollment.code.replace("-", ""))
    redeemed, _ = store.redeem(enrollment.code, app_version=None)
    with store.database.reading() as session:
        row = session.scalars(select(WorkstationRow)).one()
        stored = [str(getattr(row, c.key)) for c in WorkstationRow.__table__.columns]
    assert row.token_hash == digest(redeemed.token)
    assert row.enroll_code_hash is None
    assert not any(redeemed.token in value for value in stored)


def test_numbers_count_up_per_center_and_sites_belong_to_the_center(store: CentralStore) -> None:
    numbers = [
        store.enroll(center_code=CENTER_A, name=f"窗口{i}").workstation.number for i in range(3)
    ]
    assert numbers == [1, 2, 3]
    assert store.enroll(center_code=CENTER_B, name="窗口0").workstation.number == 1
    sub = store.enroll(center_code=SUB_CENTERS_CENTER, name="分中心1号", site_code=SUB_CENTER)
    assert sub.workstation.site_code == SUB_CENTER
    with pytest.raises(CentralError, match="不是中心 310104003 或其分中心"):
        store.enroll(center_code=CENTER_A, name="错站", site_code=SUB_CENTER)
    with pytest.raises(CentralError, match="未知的中心代码"):
        store.enroll(center_code="310199999", name="无此中心")


def test_unknown_token_is_refused(store: CentralStore) -> None:
    with pytest.raises(NotAuthenticated, match="令牌无效"):
        store.authenticate("tbw1_not-a-token")


def test_enrollment_over_http(store: CentralStore, tmp_path: Path) -> None:
    enrollment = store.enroll(center_code=CENTER_A, name="1号窗口")
    with http(create_app(store)) as client:
        answer = client.post("/v1/enroll", json={"code": enrollment.code, "app_version": "0.1.0"})
        assert answer.status_code == 200
        body = answer.json()
        assert body["center_code"] == CENTER_A and body["workstation_number"] == 1
        again = client.post("/v1/enroll", json={"code": enrollment.code})
        assert again.status_code == 401
        assert again.json() == {"error": "not_authenticated", "message": "登记码无效或已使用"}
        status = client.get("/v1/status", headers=bearer(body["token"]))
        assert status.status_code == 200
        assert status.json()["expected_sequence"] == 1
        assert client.get("/v1/status").json()["message"] == "缺少工作站令牌"
        bad = client.get("/v1/status", headers=bearer("tbw1_wrong"))
        assert bad.status_code == 401


def test_expired_code_over_http_is_410(store: CentralStore, clock: FakeClock) -> None:
    enrollment = store.enroll(center_code=CENTER_A, name="1号窗口", valid_for=timedelta(hours=2))
    clock.advance(timedelta(hours=3))
    with http(create_app(store)) as client:
        answer = client.post("/v1/enroll", json={"code": enrollment.code})
    assert answer.status_code == 410
    assert "过期" in answer.json()["message"]


def test_last_contact_and_version_are_recorded(
    store: CentralStore, clock: FakeClock, tmp_path: Path
) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    clock.advance(timedelta(minutes=5))
    store.authenticate(counter.token, app_version="0.2.0")
    [ws] = store.workstations(CENTER_A)
    assert ws.app_version == "0.2.0"
    assert ws.last_contact_at == clock.current


def test_a_requests_credentials_never_show_the_token() -> None:
    """Credentials travel through the service's calls; printed or logged, they hide the token."""
    credentials = Credentials("tbw1_secret-device-token", app_version="0.2.0")
    assert "secret" not in repr(credentials) and "0.2.0" in repr(credentials)
