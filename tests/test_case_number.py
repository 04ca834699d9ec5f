from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.rules import (
    CaseNumberParts,
    display_case_number,
    is_valid_case_number,
    make_case_number,
    normalise_case_number,
    parse_case_number,
)

EXAMPLE = "31010400326112801200428"  # 天平路 center, 2026-11-28, workstation 12, serial 42


def mod_11_2_by_hand(body: str) -> str:
    """ISO 7064 MOD 11-2 written out, independent of python-stdnum."""
    remainder = 0
    for digit in body:
        remainder = (remainder + int(digit)) * 2 % 11
    return "0123456789X"[(12 - remainder) % 11]


def test_example_number_and_its_display_form():
    number = make_case_number("310104003", date(2026, 11, 28), 12, 42)
    assert number == EXAMPLE
    assert number[-1] == mod_11_2_by_hand(number[:-1])
    assert display_case_number(number) == "310104003-261128-012-0042-8"


def test_check_character_can_be_x():
    number = make_case_number("310104003", date(2026, 11, 28), 12, 9)
    assert number.endswith("X")
    assert is_valid_case_number(number)
    assert is_valid_case_number(number.lower())


def test_parse_reads_every_part():
    assert parse_case_number(EXAMPLE) == CaseNumberParts("310104003", date(2026, 11, 28), 12, 42)


def test_typed_forms_are_accepted():
    assert normalise_case_number(" 310104003-261128 012–0042-8 ") == EXAMPLE
    assert normalise_case_number("３１０１０４００３２６１１２８０１２００４２８") == EXAMPLE
    assert parse_case_number("310104003-261128-012-0042-8").serial == 42


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3101040032611280120042", "受理编号应为23位，现为22位"),
        ("31010400326112801200428A", "受理编号含有非法字符"),
        ("3101040032611280120X428", "受理编号只有最后一位可以是X"),
        ("31010400326112801200427", "受理编号校验位不符，请核对"),
    ],
)
def test_invalid_numbers_explain_themselves(text: str, message: str):
    with pytest.raises(ValueError, match=message):
        parse_case_number(text)
    assert not is_valid_case_number(text)


def with_check(body: str) -> str:
    return body + mod_11_2_by_hand(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("3101040032613280120042", "日期无效"),
        ("3101040032611280000042", "工作站编号无效"),
        ("3101040032611280120000", "流水号无效"),
    ],
)
def test_numbers_with_a_good_check_but_impossible_parts(body: str, message: str):
    with pytest.raises(ValueError, match=message):
        parse_case_number(with_check(body))


@pytest.mark.parametrize(
    ("center", "day", "workstation", "serial"),
    [
        ("31010400", date(2026, 1, 1), 1, 1),
        ("31010400a", date(2026, 1, 1), 1, 1),
        ("３１０１０４００３", date(2026, 1, 1), 1, 1),
        ("310104003", date(1999, 12, 31), 1, 1),
        ("310104003", date(2100, 1, 1), 1, 1),
        ("310104003", date(2026, 1, 1), 0, 1),
        ("310104003", date(2026, 1, 1), 1000, 1),
        ("310104003", date(2026, 1, 1), 1, 0),
        ("310104003", date(2026, 1, 1), 1, 10000),
    ],
)
def test_out_of_range_parts_are_refused(center: str, day: date, workstation: int, serial: int):
    with pytest.raises(ValueError):
        make_case_number(center, day, workstation, serial)


def test_display_refuses_an_invalid_number():
    with pytest.raises(ValueError):
        display_case_number("31010400326112801200427")


# --- properties -------------------------------------------------------------------------------

parts = st.builds(
    CaseNumberParts,
    center_code=st.integers(0, 999_999_999).map(lambda n: f"{n:09d}"),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    workstation_no=st.integers(1, 999),
    serial=st.integers(1, 9999),
)


def make(p: CaseNumberParts) -> str:
    return make_case_number(p.center_code, p.day, p.workstation_no, p.serial)


@given(parts)
def test_round_trip(p: CaseNumberParts):
    number = make(p)
    assert len(number) <= 24
    assert parse_case_number(number) == p
    assert parse_case_number(display_case_number(number)) == p
    assert number[:-1].isdigit()


@given(parts, parts)
def test_different_parts_give_different_numbers(p: CaseNumberParts, q: CaseNumberParts):
    assert (make(p) == make(q)) == (p == q)


@given(parts, st.integers(0, 22), st.sampled_from("0123456789X"))
def test_every_single_substitution_is_caught(p: CaseNumberParts, position: int, char: str):
    number = make(p)
    if char == number[position]:
        return
    assert not is_valid_case_number(number[:position] + char + number[position + 1 :])


@given(parts, st.integers(0, 21), st.sampled_from([1, 2]))
def test_every_transposition_of_different_characters_is_caught(
    p: CaseNumberParts, position: int, distance: int
):
    number = make(p)
    other = min(position + distance, 22)
    if number[position] == number[other]:
        return
    chars = list(number)
    chars[position], chars[other] = chars[other], chars[position]
    assert not is_valid_case_number("".join(chars))
