"""The fold: a case's state from its events, deterministic in any arrival order, never crashing."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.models.catalog import Mode
from tongban.models.rules import mask_identity
from tongban.models.rules.transfer_batch import make_batch_number
from tongban.models.store import (
    CASE_KINDS,
    Accepted,
    Agent,
    Approved,
    Cancelled,
    CaseStatus,
    Collected,
    DeferredSupplied,
    Event,
    EventKind,
    Forwarded,
    MaterialReceived,
    Person,
    Ready,
    ReceiptPrinted,
    Rejected,
    Reprinted,
    Signed,
    SupplementRequested,
    Supplied,
    Timestamp,
    fold,
)
from tongban.models.store.payloads import dump_payload

WS_A = "01900000-0000-7000-8000-00000000000a"
WS_P = "01900000-0000-7000-8000-00000000000b"
START = 1_714_957_200_000  # 2024-05-06 01:00 UTC
T0 = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
ID_NUMBER = "310104199001011234"


def accepted(mode: Mode = Mode.DIRECT, *, deferred: bool = True) -> Accepted:
    return Accepted(
        item_code="MZ003",
        catalog_revision="2024.1",
        mode=mode,
        applicant=Person(document_type="resident_id", id_number=ID_NUMBER, name="张三"),
        agent=Agent(
            name="李四",
            document_type="resident_id",
            id_number="31010419800101123X",
            relationship="子女",
        ),
        accepting_center="310104003",
        accepting_site="310104003",
        processing_center="310105001" if mode is Mode.SEPARATED else "310104003",
        due_date=date(2024, 5, 20),
        materials=(
            MaterialReceived(name="身份证", original_seen=True, copies_received=1),
            MaterialReceived(name="户口簿", deferred=deferred, deferred_due=date(2024, 5, 13)),
        ),
    )


_serials: dict[str, int] = {}


def ev(
    kind: str,
    payload: Any,
    *,
    at: int,
    logical: int = 0,
    ws: str = WS_A,
    seq: int | None = None,
    case: str = "C1",
) -> Event:
    """An event at START + `at` ms; sequence numbers count up per workstation unless given."""
    if seq is None:
        seq = _serials[ws] = _serials.get(ws, 0) + 1
    return Event(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ws}/{seq}")),
        workstation_id=ws,
        sequence=seq,
        hlc=Timestamp(START + at, logical),
        clerk="0001",
        kind=str(kind),
        stream_type="case",
        stream_id=case,
        payload=payload if isinstance(payload, dict) else dump_payload(payload),
        created_at=T0 + timedelta(milliseconds=at),
    )


def test_a_direct_case_from_acceptance_to_collection() -> None:
    events = [
        ev(EventKind.ACCEPTED, accepted(), at=0),
        ev(EventKind.RECEIPT_PRINTED, ReceiptPrinted(), at=1),
        ev(EventKind.SIGNED, Signed(document="承诺书", signer="applicant"), at=2),
        ev(
            EventKind.DEFERRED_SUPPLIED,
            DeferredSupplied(material="户口簿", original_seen=True),
            at=3,
        ),
        ev(EventKind.APPROVED, Approved(), at=4),
        ev(EventKind.READY, Ready(collect_at_site="310104003"), at=5),
        ev(EventKind.COLLECTED, Collected(collected_by="applicant"), at=6),
    ]
    state = fold(events)
    assert state.status is CaseStatus.COLLECTED
    assert state.problems == ()
    assert state.accepted_at == T0
    assert state.closed_at == T0 + timedelta(milliseconds=6)
    assert state.signed_documents == ("承诺书",)
    assert state.receipt_prints == 1
    assert state.outstanding_deferred == ()
    household = state.materials[1]
    assert household.original_seen and household.supplied_at == T0 + timedelta(milliseconds=3)
    assert state.event_count == 7 and state.last_event_id == events[-1].id


def test_a_separated_case_goes_through_supplement_and_back_to_forwarded() -> None:
    events = [
        ev(EventKind.ACCEPTED, accepted(Mode.SEPARATED), at=0),
        ev(EventKind.FORWARDED, Forwarded(processing_center="310105001"), at=1),
        ev(
            EventKind.SUPPLEMENT_REQUESTED,
            SupplementRequested(
                materials=("结婚证",), reason="复印件不清晰", due_date=date(2024, 6, 1)
            ),
            at=2,
            ws=WS_P,
        ),
    ]
    assert fold(events).status is CaseStatus.SUPPLEMENT_REQUESTED
    assert fold(events).supplement_due == date(2024, 6, 1)
    events.append(
        ev(
            EventKind.SUPPLIED,
            Supplied(materials=(MaterialReceived(name="结婚证", copies_received=1),)),
            at=3,
        )
    )
    state = fold(events)
    assert state.status is CaseStatus.FORWARDED
    assert state.supplement_due is None
    assert [m.name for m in state.materials] == ["身份证", "户口簿", "结婚证"]
    assert state.materials[2].supplied_at is not None
    events.append(ev(EventKind.REJECTED, Rejected(reason="不符合条件"), at=4, ws=WS_P))
    state = fold(events)
    assert state.status is CaseStatus.REJECTED and state.closing_reason == "不符合条件"


def test_an_illegal_transition_is_a_problem_and_changes_nothing() -> None:
    events = [
        ev(EventKind.ACCEPTED, accepted(Mode.DIRECT), at=0),
        ev(EventKind.FORWARDED, Forwarded(processing_center="310104003"), at=1),
        ev(EventKind.READY, Ready(collect_at_site="310104003"), at=2),
        ev(EventKind.REPRINTED, Reprinted(reason="遗失"), at=3),
    ]
    state = fold(events)
    assert state.status is CaseStatus.ACCEPTED
    assert [p.event_id for p in state.problems] == [e.id for e in events[1:]]
    assert "收受分离" in state.problems[0].message
    assert state.event_count == 4


def test_forwarding_to_another_center_than_the_processing_center_is_a_problem() -> None:
    events = [
        ev(EventKind.ACCEPTED, accepted(Mode.SEPARATED), at=0),
        ev(EventKind.FORWARDED, Forwarded(processing_center="310106001"), at=1),
    ]
    state = fold(events)
    assert state.status is CaseStatus.ACCEPTED and len(state.problems) == 1


def test_events_before_acceptance_and_a_second_acceptance_are_problems() -> None:
    early = ev(EventKind.APPROVED, Approved(), at=0)
    first = ev(EventKind.ACCEPTED, accepted(), at=1)
    second = ev(EventKind.ACCEPTED, accepted(Mode.SEPARATED), at=2, ws=WS_P)
    state = fold([second, early, first])
    assert state.status is CaseStatus.ACCEPTED and state.mode is Mode.DIRECT
    assert [p.event_id for p in state.problems] == [early.id, second.id]
    assert state.problems[0].message == "案件尚未受理"


def test_unknown_kinds_and_unreadable_payloads_are_problems_not_crashes() -> None:
    events = [
        ev(EventKind.ACCEPTED, accepted(), at=0),
        ev("stamped_by_a_newer_version", {"x": 1}, at=1),
        ev(EventKind.REJECTED, {"no_reason": True}, at=2),
        ev(EventKind.CANCELLED, {"reason": "申请人撤回", "added_later": 1}, at=3),
    ]
    state = fold(events)
    assert state.status is CaseStatus.CANCELLED  # unknown keys are ignored
    assert len(state.problems) == 2
    assert "未知的事件类型" in state.problems[0].message
    assert "reason" in state.problems[1].message


def test_a_late_event_lands_in_its_place() -> None:
    # The accepting center cancels (HLC t2); the processing center, not yet aware, approves
    # (t3). The cancellation arrives after the approval, but it happened first.
    acceptance = ev(EventKind.ACCEPTED, accepted(), at=0)
    cancel = ev(EventKind.CANCELLED, Cancelled(reason="申请人撤回"), at=2)
    approve = ev(EventKind.APPROVED, Approved(), at=3, ws=WS_P)
    in_arrival_order = fold([acceptance, approve, cancel])
    assert in_arrival_order.status is CaseStatus.CANCELLED
    assert [p.event_id for p in in_arrival_order.problems] == [approve.id]
    assert in_arrival_order.last_event_id == approve.id


def test_equal_times_are_ordered_by_workstation_then_sequence() -> None:
    acceptance = ev(EventKind.ACCEPTED, accepted(), at=0)
    by_p = ev(EventKind.CANCELLED, Cancelled(reason="乙"), at=5, ws=WS_P)
    by_a = ev(EventKind.CANCELLED, Cancelled(reason="甲"), at=5, ws=WS_A)
    state = fold([by_p, acceptance, by_a])
    assert state.closing_reason == "甲"  # WS_A sorts before WS_P
    assert [p.event_id for p in state.problems] == [by_p.id]


def test_fold_takes_one_case_only() -> None:
    with pytest.raises(ValueError):
        fold([])
    with pytest.raises(ValueError):
        fold(
            [
                ev(EventKind.ACCEPTED, accepted(), at=0),
                ev(EventKind.APPROVED, Approved(), at=1, case="C2"),
            ]
        )


def test_reprs_never_show_a_full_identity_number() -> None:
    state = fold([ev(EventKind.ACCEPTED, accepted(), at=0)])
    text = repr(state)
    assert ID_NUMBER not in text and "31010419800101123X" not in text
    assert state.applicant is not None and state.applicant.masked_id == mask_identity(ID_NUMBER)
    assert mask_identity(ID_NUMBER) == "310104********1234"


# --- property: the fold is a function of the set of events, not of their order -------------

BATCH_1 = make_batch_number("310104003", date(2026, 3, 16), 1, 1)
BATCH_2 = make_batch_number("310104003", date(2026, 3, 17), 1, 1)
SAMPLE_PAYLOADS: dict[str, list[dict[str, Any]]] = {
    EventKind.ACCEPTED: [dump_payload(accepted(Mode.SEPARATED)), dump_payload(accepted())],
    EventKind.RECEIPT_PRINTED: [{}],
    EventKind.REPRINTED: [dump_payload(Reprinted(reason="遗失"))],
    EventKind.DEFERRED_SUPPLIED: [
        dump_payload(DeferredSupplied(material="户口簿", copies_received=1))
    ],
    EventKind.FORWARDED: [dump_payload(Forwarded(processing_center="310105001"))],
    EventKind.RECEIVED_FOR_PROCESSING: [{}, {"note": "已核对材料"}],
    EventKind.SIGNED: [dump_payload(Signed(document="申请表", signer="agent"))],
    EventKind.SUPPLEMENT_REQUESTED: [
        dump_payload(SupplementRequested(materials=("户口簿",), reason="缺页"))
    ],
    EventKind.SUPPLIED: [dump_payload(Supplied(materials=(MaterialReceived(name="户口簿"),)))],
    EventKind.APPROVED: [{}],
    EventKind.REJECTED: [dump_payload(Rejected(reason="不符合条件"))],
    EventKind.READY: [dump_payload(Ready(collect_at_site="310104003"))],
    EventKind.COLLECTED: [dump_payload(Collected(collected_by="agent"))],
    EventKind.CANCELLED: [dump_payload(Cancelled(reason="逾期未补齐容缺材料"))],
    EventKind.SCAN_ATTACHED: [
        {
            "material": "户口簿",
            "file_name": "户口簿.pdf",
            "media_type": "application/pdf",
            "size": 1024,
            "sha256": "ab" * 32,
        }
    ],
    EventKind.PAPER_SENT: [
        {"batch": BATCH_1, "destination": "310105001", "originals": 2, "copies": 1},
        {"batch": BATCH_2, "destination": "310105001"},
    ],
    EventKind.PAPER_RECEIVED: [{"batch": BATCH_1}, {"batch": BATCH_2, "note": "箱外"}],
    EventKind.PAPER_MISSING: [{"batch": BATCH_1}],
    "from_the_future": [{}],
}
WORKSTATIONS = [WS_A, WS_P, "01900000-0000-7000-8000-00000000000c"]


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    kinds = [*sorted(str(k) for k in CASE_KINDS), "from_the_future"]
    counters = dict.fromkeys(WORKSTATIONS, 0)
    events = []
    if draw(st.booleans()):
        counters[WS_A] += 1
        events.append(
            ev(
                EventKind.ACCEPTED,
                SAMPLE_PAYLOADS[EventKind.ACCEPTED][0],
                at=-1,
                seq=counters[WS_A],
            )
        )
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        kind = draw(st.sampled_from(kinds))
        payload = draw(st.sampled_from([*SAMPLE_PAYLOADS[kind], {"broken": True}]))
        ws = draw(st.sampled_from(WORKSTATIONS))
        counters[ws] += 1
        at = draw(st.integers(min_value=0, max_value=6))  # few values: many equal HLCs
        logical = draw(st.integers(min_value=0, max_value=2))
        events.append(ev(kind, payload, at=at, logical=logical, ws=ws, seq=counters[ws]))
    return events


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fold_is_deterministic_under_any_permutation(data: st.DataObject) -> None:
    events = data.draw(histories())
    if not events:
        return
    shuffled = data.draw(st.permutations(events))
    state = fold(events)
    assert fold(shuffled) == state
    assert state.event_count == len(events)
    assert {p.event_id for p in state.problems} <= {e.id for e in events}
