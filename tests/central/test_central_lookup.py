"""GET /v1/lookup: any center may ask, the answer is masked, misses look alike and are limited,
and every look-up is audited; on PostgreSQL and SQLite."""

from pathlib import Path

import pytest
from central_support import CENTER_A, CENTER_B, CENTER_C, Counter, bearer, enrolled, http
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tongban.central.app import create_app
from tongban.central.lookup import MAX_MISSES
from tongban.central.schema import LookupAuditRow
from tongban.central.store import CentralStore
from tongban.models.lookup_wire import CLERK_HEADER, NOT_FOUND
from tongban.models.store import EventKind, Forwarded, ReceivedForProcessing

ID_LAST4 = "1234"  # central_support's applicant: 310105199001011234


def headers(counter: Counter) -> dict[str, str]:
    return {**bearer(counter.token), CLERK_HEADER: counter.clerk}


@pytest.fixture
def case(store: CentralStore, tmp_path: Path) -> tuple[str, Counter, Counter]:
    a = enrolled(store, tmp_path, CENTER_A)
    b = enrolled(store, tmp_path, CENTER_B)
    number = a.accept(processing_center=CENTER_B)
    a.record(number, EventKind.FORWARDED, Forwarded(processing_center=CENTER_B))
    store.push(a.workstation, a.outbox())
    b.apply(a.outbox())
    b.record(number, EventKind.RECEIVED_FOR_PROCESSING, ReceivedForProcessing())
    assert [r.outcome for r in store.push(b.workstation, b.outbox()).outcome.results] == [
        "accepted"
    ]
    return number, a, b


def test_a_third_center_sees_the_status_masked(
    store: CentralStore, tmp_path: Path, case: tuple[str, Counter, Counter]
) -> None:
    number, _a, _b = case
    c = enrolled(store, tmp_path, CENTER_C)
    with http(create_app(store)) as client:
        answer = client.get(
            f"/v1/lookup/{number}", params={"id_last4": ID_LAST4}, headers=headers(c)
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["status_label"], body["processing_center"]) == (
        "forwarded",
        "已签收",
        CENTER_B,
    )
    assert body["applicant_name_masked"] == "王*"
    assert body["applicant_id_masked"] == "310105********1234"
    assert "310105199001011234" not in answer.text
    assert [(e["kind"], e["center"]) for e in body["events"]] == [
        ("accepted", CENTER_A),
        ("forwarded", CENTER_A),
        ("received_for_processing", CENTER_B),
    ]


def test_a_wrong_suffix_reads_like_an_unknown_case_and_guessing_stops(
    store: CentralStore, tmp_path: Path, case: tuple[str, Counter, Counter]
) -> None:
    number, a, _b = case
    with http(create_app(store)) as client:

        def ask(case_number: str, suffix: str):  # type: ignore[no-untyped-def]
            return client.get(
                f"/v1/lookup/{case_number}", params={"id_last4": suffix}, headers=headers(a)
            )

        wrong, unknown = ask(number, "9999"), ask(number[:-4] + "0000", ID_LAST4)
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json() == unknown.json() == {"error": "not_found", "message": NOT_FOUND}
        for _ in range(MAX_MISSES - 1):
            assert ask(number, "9999").status_code == 404
        limited = ask(number, ID_LAST4)  # even the right suffix, for the rest of the hour
        assert limited.status_code == 429
        assert ask(number, "x23").status_code == 422
        stranger = client.get(
            f"/v1/lookup/{number}",
            params={"id_last4": ID_LAST4},
            headers={**bearer(a.token), CLERK_HEADER: "NOBODY1"},
        )
        assert stranger.status_code == 403
    with store.database.reading() as session:
        outcomes = [r.outcome for r in session.scalars(select(LookupAuditRow))]
    assert outcomes.count("not_found") == MAX_MISSES + 1  # the unknown number too
    assert outcomes[-2:] == ["too_many", "forbidden"]


def test_the_lookup_audit_is_append_only(
    store: CentralStore, case: tuple[str, Counter, Counter]
) -> None:
    number, a, _b = case
    with http(create_app(store)) as client:
        client.get(f"/v1/lookup/{number}", params={"id_last4": ID_LAST4}, headers=headers(a))
    with pytest.raises(DBAPIError), store.database.transaction() as session:
        session.execute(text("DELETE FROM lookup_audit"))
