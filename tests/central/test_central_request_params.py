"""The push's and the pull's headers and query, read by hand (central/request_params.py): the
same limits and the same answers as the endpoints whose parameters FastAPI reads."""

from pathlib import Path

import pytest
from central_support import CENTER_A, CENTER_B, Counter, bearer, enrolled, http

from tongban.central.app import create_app
from tongban.central.store import CentralStore
from tongban.models.closures import OUTBOX_HEADER
from tongban.models.sync_wire import MAX_PULL_BATCH, VERSION_HEADER


@pytest.fixture
def a(store: CentralStore, tmp_path: Path) -> Counter:
    return enrolled(store, tmp_path, CENTER_A)


@pytest.mark.parametrize(
    ("query", "place"),
    [
        ("wait=-1", "query.wait"),
        ("wait=61", "query.wait"),
        ("wait=nan", "query.wait"),
        ("wait=soon", "query.wait"),
        ("limit=0", "query.limit"),
        (f"limit={MAX_PULL_BATCH + 1}", "query.limit"),
        ("limit=2.5", "query.limit"),
        ("cursor=" + "x" * 121, "query.cursor"),
    ],
)
def test_a_pull_out_of_bounds_is_refused_naming_the_parameter(
    store: CentralStore, a: Counter, query: str, place: str
) -> None:
    with http(create_app(store)) as client:
        answer = client.get(f"/v1/pull?{query}", headers=bearer(a.token))
    assert answer.status_code == 422
    assert answer.json() == {"error": "invalid_request", "message": f"请求内容不正确：{place}"}


def test_every_bad_parameter_of_a_pull_is_named_at_once(store: CentralStore, a: Counter) -> None:
    with http(create_app(store)) as client:
        answer = client.get("/v1/pull?wait=99&limit=0", headers=bearer(a.token))
    assert answer.json()["message"] == "请求内容不正确：query.wait，query.limit"


@pytest.mark.parametrize(
    ("header", "value"), [(VERSION_HEADER, "1." * 17), (OUTBOX_HEADER, "1;" + "2" * 80)]
)
def test_an_overlong_header_is_refused_on_push_and_pull(
    store: CentralStore, a: Counter, header: str, value: str
) -> None:
    headers = {**bearer(a.token), header: value}
    with http(create_app(store)) as client:
        pulled = client.get("/v1/pull", headers=headers)
        pushed = client.post("/v1/push", json={"events": []}, headers=headers)
        status = client.get("/v1/status", headers=headers)  # FastAPI reads this one's
    for answer in (pulled, pushed, status):
        assert answer.status_code == 422
        assert answer.json()["message"] == f"请求内容不正确：header.{header}"


@pytest.mark.parametrize("authorization", [None, "Bearer", "Basic abc", "token-without-scheme"])
def test_without_a_bearer_token_push_and_pull_are_unauthenticated(
    store: CentralStore, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with http(create_app(store)) as client:
        pulled = client.get("/v1/pull?wait=99", headers=headers)  # the token is asked first
        pushed = client.post("/v1/push", json={"events": []}, headers=headers)
    for answer in (pulled, pushed):
        assert answer.status_code == 401
        assert answer.json() == {"error": "not_authenticated", "message": "缺少工作站令牌"}


def test_a_pull_within_bounds_is_answered(store: CentralStore, a: Counter, tmp_path: Path) -> None:
    b = enrolled(store, tmp_path, CENTER_B)
    a.accept(processing_center=CENTER_B)
    a.accept(processing_center=CENTER_B)
    store.push(a.workstation, a.outbox())
    headers = {**bearer(b.token), VERSION_HEADER: "1.2.3"}
    with http(create_app(store)) as client:
        first = client.get("/v1/pull?wait=0&limit=1", headers=headers)
        cursor = first.json()["cursor"]
        rest = client.get("/v1/pull", params={"cursor": cursor, "wait": "0.0"}, headers=headers)
    assert first.status_code == 200 and len(first.json()["events"]) == 1
    assert first.json()["more"] is True
    assert rest.status_code == 200 and len(rest.json()["events"]) == 1
    assert rest.json()["more"] is False


def test_the_service_description_still_names_the_parameters(store: CentralStore) -> None:
    with http(create_app(store)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    pulled = {p["name"] for p in paths["/v1/pull"]["get"]["parameters"]}
    pushed = {p["name"] for p in paths["/v1/push"]["post"]["parameters"]}
    assert {"cursor", "wait", "limit", "Authorization", VERSION_HEADER, OUTBOX_HEADER} <= pulled
    assert {"Authorization", VERSION_HEADER, OUTBOX_HEADER} <= pushed
    assert "PullResponse" in str(paths["/v1/pull"]["get"]["responses"]["200"])
