from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.rules import (
    DocumentType,
    age_on,
    check_identity,
    mask_identity,
    reaches_age_on,
)

TODAY = date(2026, 3, 15)
# The worked example of GB 11643-1999 (check character X, even serial: female).
STANDARD_EXAMPLE = "11010519491231002X"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body: str) -> str:
    """The check character computed by hand from the standard's weights, independent of stdnum."""
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def with_check(body: str) -> str:
    return body + check_char(body)


def check(number: str, kind: DocumentType | None = None):
    return check_identity(number, kind, today=TODAY)


# --- resident ID ------------------------------------------------------------------------------


def test_standard_example_is_valid_and_read():
    answer = check(STANDARD_EXAMPLE)
    assert answer.valid
    assert answer.reason is None
    assert answer.document_type is DocumentType.RESIDENT_ID
    assert answer.birth_date == date(1949, 12, 31)
    assert answer.gender == "F"
    assert answer.area_code == "110105"
    assert not answer.converted_from_15


def test_lowercase_x_and_spaces_are_normalised():
    answer = check(" 110105 19491231 002x ")
    assert answer.valid
    assert answer.number == STANDARD_EXAMPLE


def test_full_width_digits_from_a_chinese_ime_are_accepted():
    answer = check("１１０１０５１９４９１２３１００２Ｘ")
    assert answer.valid
    assert answer.number == STANDARD_EXAMPLE


def test_odd_serial_is_male():
    answer = check(with_check("31010419800101001"))
    assert answer.valid
    assert answer.gender == "M"


@pytest.mark.parametrize("area", ["310102", "310103", "310108", "310119", "310201", "710000"])
def test_retired_and_unusual_area_codes_are_accepted(area: str):
    assert check(with_check(area + "19700101002")).valid


def test_unknown_province_is_rejected():
    answer = check(with_check("99010419700101002"), DocumentType.RESIDENT_ID)
    assert not answer.valid
    assert answer.reason == "这是外国人永久居留身份证号码，请改选证件类型"
    answer = check(with_check("20010419700101002"))
    assert not answer.valid
    assert answer.reason == "地址码无效"


def test_wrong_check_character():
    answer = check("110105194912310021")
    assert not answer.valid
    assert answer.reason == "校验码错误"
    assert answer.birth_date is None


@pytest.mark.parametrize(
    ("birth", "reason"),
    [
        ("19490230", "出生日期无效"),
        ("19491301", "出生日期无效"),
        ("20260316", "出生日期晚于今天"),
        ("18991231", "出生日期早于1900年"),
    ],
)
def test_bad_birth_dates(birth: str, reason: str):
    answer = check(with_check("310104" + birth + "001"))
    assert not answer.valid
    assert answer.reason == reason


def test_born_today_is_valid_and_leap_day_is_a_real_date():
    assert check(with_check("310104" + TODAY.strftime("%Y%m%d") + "001")).valid
    assert check(with_check("31010420000229001")).valid
    assert not check(with_check("31010419000229001")).valid  # 1900 was not a leap year


def test_default_today_is_the_real_today():
    tomorrow = date.today() + timedelta(days=1)
    assert not check_identity(with_check("310104" + tomorrow.strftime("%Y%m%d") + "001")).valid


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "长度应为18位"),
        ("1101051949123100211", "长度应为18位"),
        ("1101051949X231002X", "含有非法字符"),
        ("11010519491231002-", "含有非法字符"),
    ],
)
def test_shape_errors(number: str, reason: str):
    answer = check(number, DocumentType.RESIDENT_ID)
    assert not answer.valid
    assert answer.reason == reason


def test_empty_input():
    answer = check("   ")
    assert not answer.valid
    assert answer.reason == "证件号码为空"


def test_fifteen_digit_number_is_converted():
    answer = check("310104800229001")
    assert answer.valid
    assert answer.converted_from_15
    assert answer.number == with_check("31010419800229001")
    assert answer.birth_date == date(1980, 2, 29)
    assert answer.gender == "M"


def test_fifteen_digit_number_with_impossible_date_is_rejected():
    answer = check("310104810229001")
    assert not answer.valid
    assert answer.reason == "出生日期无效"
    assert answer.number == "310104810229001"


def test_explicit_resident_id_with_hmt_prefix_points_to_the_right_type():
    answer = check(with_check("81000019900101002"), DocumentType.RESIDENT_ID)
    assert not answer.valid
    assert "港澳台" in (answer.reason or "")


# --- other documents --------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_hmt_residence_permit(prefix: str):
    answer = check(with_check(prefix + "19900101001"))
    assert answer.valid
    assert answer.document_type is DocumentType.HMT_RESIDENCE_PERMIT
    assert answer.birth_date == date(1990, 1, 1)
    assert answer.gender == "M"


def test_hmt_residence_permit_needs_its_prefix():
    answer = check(with_check("31010419900101001"), DocumentType.HMT_RESIDENCE_PERMIT)
    assert not answer.valid
    assert "810000" in (answer.reason or "")


def test_new_foreign_permanent_residence_card():
    # 9, province of acceptance 31, nationality 840, birth date, serial, MOD 11-2 check.
    answer = check(with_check("93184019850615002"))
    assert answer.valid
    assert answer.document_type is DocumentType.FOREIGN_PERMANENT_RESIDENCE
    assert answer.birth_date == date(1985, 6, 15)
    assert answer.gender == "F"
    assert answer.area_code is None


def test_new_foreign_permanent_residence_card_with_bad_check():
    body = "93184019850615002"
    wrong = "0" if check_char(body) != "0" else "1"
    answer = check(body + wrong)
    assert not answer.valid
    assert answer.reason == "校验码错误"


def test_old_foreign_permanent_residence_card_by_shape():
    answer = check("usa310685061501")
    assert answer.valid
    assert answer.document_type is DocumentType.FOREIGN_PERMANENT_RESIDENCE
    assert answer.number == "USA310685061501"
    assert answer.birth_date is None
    bad = check("US3310685061501", DocumentType.FOREIGN_PERMANENT_RESIDENCE)
    assert not bad.valid


@pytest.mark.parametrize("number", ["H12345678", "M12345678", "H1234567801"])
def test_hk_macao_permit(number: str):
    answer = check(number)
    assert answer.valid
    assert answer.document_type is DocumentType.HK_MACAO_PERMIT


@pytest.mark.parametrize("number", ["H1234567", "K12345678", "H123456789"])
def test_hk_macao_permit_shape_errors(number: str):
    assert not check(number, DocumentType.HK_MACAO_PERMIT).valid


def test_taiwan_permit():
    answer = check("01234567")
    assert answer.valid
    assert answer.document_type is DocumentType.TAIWAN_PERMIT
    assert not check("0123456", DocumentType.TAIWAN_PERMIT).valid
    assert not check("T0123456", DocumentType.TAIWAN_PERMIT).valid


def test_passport():
    answer = check("E12345678")
    assert answer.valid
    assert answer.document_type is DocumentType.PASSPORT
    assert check("123456789", DocumentType.PASSPORT).valid
    assert check("E1234", DocumentType.PASSPORT).valid
    assert not check("E123", DocumentType.PASSPORT).valid
    assert not check("E1234567890123456X", DocumentType.PASSPORT).valid
    assert check("E12-345", DocumentType.PASSPORT).reason == "含有非法字符"


def test_all_digit_numbers_are_never_guessed_to_be_passports():
    answer = check("3101041990010100")  # a resident ID with two digits missing
    assert not answer.valid
    assert answer.document_type is DocumentType.RESIDENT_ID


def test_unrecognisable_input_is_an_answer_not_an_exception():
    for text in ("张三", "AB", "31010419900101001?", "-" * 30):
        answer = check(text)
        assert not answer.valid
        assert answer.reason


# --- properties -------------------------------------------------------------------------------

provinces = st.sampled_from(["11", "31", "32", "44", "65", "71", "82"])
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    area = draw(provinces) + f"{draw(st.integers(0, 9999)):04d}"
    birth = draw(birth_dates).strftime("%Y%m%d")
    serial = f"{draw(st.integers(0, 999)):03d}"
    return with_check(area + birth + serial)


@given(resident_ids())
def test_generated_resident_ids_are_valid_and_read_back(number: str):
    answer = check(number)
    assert answer.valid
    assert answer.number == number
    assert answer.birth_date is not None
    assert answer.birth_date.strftime("%Y%m%d") == number[6:14]
    assert answer.gender == ("M" if int(number[16]) % 2 else "F")


@given(resident_ids(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_error_is_caught(number: str, position: int, shift: int):
    wrong = str((int(number[position]) + shift) % 10)
    assert not check(number[:position] + wrong + number[position + 1 :]).valid


@given(st.text(max_size=30))
def test_arbitrary_text_never_raises(text: str):
    answer = check(text)
    assert answer.valid == (answer.reason is None)


@given(st.text(alphabet="0123456789XH", max_size=25))
def test_mask_never_returns_the_whole_number(text: str):
    masked = mask_identity(text)
    assert len(masked) == len(text)
    if text:
        assert masked != text
        assert "*" in masked


def test_mask_shapes():
    assert mask_identity("310104199001011234") == "310104********1234"
    assert mask_identity("11010519491231002x") == "110105********002X"
    assert mask_identity("H12345678") == "H1*****78"
    assert mask_identity("12345") == "12*45"
    assert mask_identity("1234") == "1**4"
    assert mask_identity("12") == "**"
    assert mask_identity("") == ""


# --- age --------------------------------------------------------------------------------------


def test_age_on_birthday_and_day_before():
    birth = date(1961, 5, 1)
    assert age_on(birth, date(2026, 4, 30)) == 64
    assert age_on(birth, date(2026, 5, 1)) == 65


def test_leap_day_birthday():
    birth = date(1960, 2, 29)
    assert reaches_age_on(birth, 65) == date(2025, 2, 28)
    assert age_on(birth, date(2025, 2, 27)) == 64
    assert age_on(birth, date(2025, 2, 28)) == 65
    assert age_on(birth, date(2024, 2, 28)) == 63
    assert age_on(birth, date(2024, 2, 29)) == 64


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@given(st.dates(max_value=date(2030, 12, 31)), st.integers(0, 120))
def test_age_is_reached_exactly_on_its_day(birth: date, years: int):
    reached = reaches_age_on(birth, years)
    assert age_on(birth, reached) == years
    if reached > birth:
        assert age_on(birth, reached - timedelta(days=1)) == years - 1


@given(st.dates(max_value=date(2030, 12, 31)), st.integers(0, 40000))
def test_age_never_decreases(birth: date, offset: int):
    day = birth + timedelta(days=offset)
    assert age_on(birth, day) <= age_on(birth, day + timedelta(days=1))
