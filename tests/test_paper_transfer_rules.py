"""Transfer batch numbers and the fold of the paper events (paper_sent, paper_received,
paper_missing): pure rules, no store."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_2

from tongban.models.catalog import Mode
from tongban.models.rules.transfer_batch import (
    display_batch_number,
    is_valid_batch_number,
    make_batch_number,
    parse_batch_number,
)
from tongban.models.store import (
    Accepted,
    Cancelled,
    Event,
    MaterialReceived,
    Person,
    Timestamp,
    fold,
)
from tongban.models.store.events import PaperStep
from tongban.models.store.payloads import PaperMissing, PaperReceived, PaperSent, dump_payload

A, B = "310104003", "310105001"
T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
BATCH = make_batch_number(A, date(2026, 3, 16), 12, 1)
BATCH_2 = make_batch_number(A, date(2026, 3, 17), 12, 1)
BAD_DAY = "310104003261316012001"  # month 13, with a right check character

# --- batch numbers -----------------------------------------------------------------------------


def test_a_batch_number_has_its_parts_and_a_check_character() -> None:
    assert BATCH.startswith("JJ31010400326031601200") and len(BATCH) == 24
    assert BATCH.isascii() and BATCH.isprintable()
    parts = parse_batch_number(BATCH)
    assert (parts.center_code, parts.day, parts.workstation_no, parts.serial) == (
        A,
        date(2026, 3, 16),
        12,
        1,
    )
    display = display_batch_number(BATCH)
    assert display == "JJ-310104003-260316-012-001-2"  # the example of the docs
    assert parse_batch_number(display.lower()) == parts  # typed with hyphens, lower case


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("310104003-260316-012-0042-8", "JJ 开头"),
        ("JJ3101040032603160120010", "位"),  # 25 characters
        ("JJ31010400326031601200X1", "非法字符"),
        ("JJ" + BAD_DAY + mod_11_2.calc_check_digit(BAD_DAY), "日期无效"),
    ],
)
def test_malformed_batch_numbers_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_batch_number(text)


def test_parts_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="流水号"):
        make_batch_number(A, date(2026, 3, 16), 12, 1000)
    with pytest.raises(ValueError, match="工作站编号"):
        make_batch_number(A, date(2026, 3, 16), 0, 1)
    with pytest.raises(ValueError, match="中心代码"):
        make_batch_number("31010400", date(2026, 3, 16), 1, 1)


@given(
    ws=st.integers(1, 999),
    serial=st.integers(1, 999),
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    position=st.integers(2, 23),
    data=st.data(),
)
def test_every_single_mistyped_character_is_caught(
    ws: int, serial: int, day: date, position: int, data: st.DataObject
) -> None:
    number = make_batch_number(A, day, ws, serial)
    assert is_valid_batch_number(number)
    alphabet = "0123456789X" if position == 23 else "0123456789"
    wrong = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    assert not is_valid_batch_number(number[:position] + wrong + number[position + 1 :])


@given(ws=st.integers(1, 999), serial=st.integers(1, 999), position=st.integers(2, 22))
def test_every_swap_of_neighbours_is_caught(ws: int, serial: int, position: int) -> None:
    number = make_batch_number(A, date(2026, 3, 16), ws, serial)
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not is_valid_batch_number(swapped)


# --- the fold --------------------------------------------------------------------------------

_sequence = iter(range(1, 10_000))


def ev(kind: str, payload: Any, *, at: int, ws: str = "a", clerk: str = "0001") -> Event:
    seq = next(_sequence)
    return Event(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ws}/{seq}")),
        workstation_id=ws,
        sequence=seq,
        hlc=Timestamp(1_773_626_400_000 + at, 0),
        clerk=clerk,
        kind=kind,
        stream_type="case",
        stream_id="C1",
        payload=payload if isinstance(payload, dict) else dump_payload(payload),
        created_at=T0 + timedelta(milliseconds=at),
    )


def accepted(mode: Mode = Mode.SEPARATED, processing: str = B) -> Event:
    payload = Accepted(
        item_code="CL001",
        catalog_revision="2018-07-01",
        mode=mode,
        applicant=Person(document_type="resident_id", id_number="310105199001011234", name="王五"),
        accepting_center=A,
        accepting_site=A,
        processing_center=processing,
        materials=(MaterialReceived(name="残疾人证申请表", original_seen=True),),
    )
    return ev("accepted", payload, at=0)


def sent(batch: str = BATCH, *, at: int = 10, to: str = B) -> Event:
    return ev("paper_sent", PaperSent(batch=batch, destination=to, originals=3, copies=1), at=at)


def received(batch: str = BATCH, *, at: int = 20) -> Event:
    return ev("paper_received", PaperReceived(batch=batch), at=at, ws="b", clerk="0002")


def missing(batch: str = BATCH, *, at: int = 20) -> Event:
    return ev("paper_missing", PaperMissing(batch=batch), at=at, ws="b", clerk="0002")


def test_sent_then_received_keeps_where_the_paper_is() -> None:
    state = fold([accepted(), sent(), received()])
    assert state.problems == ()
    out, arrived = state.paper
    assert (out.step, out.batch, out.destination, out.originals, out.copies) == (
        PaperStep.SENT,
        BATCH,
        B,
        3,
        1,
    )
    assert out.at == T0 + timedelta(milliseconds=10) and out.clerk == "0001"
    assert (arrived.step, arrived.batch, arrived.extra, arrived.clerk) == (
        PaperStep.RECEIVED,
        BATCH,
        False,
        "0002",
    )
    assert state.paper_sent == out and state.paper_received == arrived
    assert state.paper_missing is None


def test_a_file_in_another_batch_or_never_sent_is_extra() -> None:
    never_sent = fold([accepted(), received()])
    assert never_sent.problems == () and never_sent.paper_received.extra  # type: ignore[union-attr]
    wrong_box = fold([accepted(), sent(), received(BATCH_2)])
    assert wrong_box.paper_received.extra  # type: ignore[union-attr]


def test_missing_then_sent_again_in_another_batch_then_received() -> None:
    state = fold([accepted(), sent(), missing()])
    assert state.paper_missing is not None and state.paper_missing.batch == BATCH
    again = fold([accepted(), sent(), missing(), sent(BATCH_2, at=30), received(BATCH_2, at=40)])
    assert again.problems == ()
    assert again.paper_missing is None and not again.paper_received.extra  # type: ignore[union-attr]
    late = fold([accepted(), sent(), missing(), received(at=30)])
    assert late.problems == () and late.paper_missing is None


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([sent(), sent(BATCH_2, at=11)], "尚未确认未到"),
        ([sent(), missing(), sent(at=30)], "送出过"),
        ([sent(to="310101002")], "不是本案的办理中心"),
        ([sent(), received(), sent(BATCH_2, at=30)], "已由办理中心签收"),
        ([sent(), received(), received(at=30)], "已在交接批次"),
        ([sent(), missing(BATCH_2)], "最近一次不是"),
        ([sent(), received(), missing(at=30)], "已签收"),
        ([sent(), missing(), missing(at=30)], "已记为未到"),
        ([ev("cancelled", Cancelled(reason="撤回"), at=5), sent()], "已办结"),
    ],
)
def test_what_the_fold_refuses(events: list[Event], message: str) -> None:
    state = fold([accepted(), *events])
    assert len(state.problems) == 1 and message in state.problems[0].message


def test_paper_moves_only_between_two_centers_of_a_separated_case() -> None:
    direct = fold([accepted(Mode.DIRECT, processing=A), sent(to=A)])
    assert "收受分离" in direct.problems[0].message
    here = fold([accepted(processing=A), sent(to=A)])
    assert "无需流转" in here.problems[0].message


def test_a_payload_with_a_malformed_batch_is_a_problem_not_a_crash() -> None:
    bad = ev("paper_sent", {"batch": "JJ123", "destination": B}, at=10)
    state = fold([accepted(), bad])
    assert state.paper == () and "batch" in state.problems[0].message
