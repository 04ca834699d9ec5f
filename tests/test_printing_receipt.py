"""受理回执: content, codes, privacy, flowing onto more pages, and the 80 mm roll."""

from __future__ import annotations

import pytest
from reportlab.lib.units import mm

from printing_checks import barcodes_in_pdf, flat_text, fonts, page_texts, reader, text_origins
from printing_samples import (
    AGENT_ID,
    BIRTH_DIGITS,
    CASE_NUMBER,
    FULL_ID,
    long_receipt_data,
    receipt_data,
)
from tongban.models.catalog import Mode
from tongban.printing import AcceptanceReceipt, Paper, PersonOnPaper

DISPLAY_NUMBER = "310104003-260316-012-0042-9"


@pytest.fixture(scope="module")
def a4_pdf() -> bytes:
    return AcceptanceReceipt(receipt_data()).build()


@pytest.fixture(scope="module")
def roll_pdf() -> bytes:
    return AcceptanceReceipt(receipt_data(), paper=Paper.ROLL80).build()


def test_receipt_says_everything_the_applicant_needs(a4_pdf: bytes) -> None:
    text = flat_text(a4_pdf)
    expected = [
        "受理回执",
        "徐汇区天平路街道社区事务受理服务中心",
        DISPLAY_NUMBER,
        "生育保险待遇申领（RS012）",
        "收受分离：本中心受理，由杨浦区殷行街道社区事务受理服务中心审核办理",
        "王丽华",
        "310104********1235",
        "陈建国（配偶）",
        "310110********4415",
        "夫妻双方居民身份证",
        "出生医学证明",
        "申请人本人实名银行卡",
        "2026年3月30日",  # the deferred material's due date and the promised completion
        "2026年3月16日10:32",
        "李敏（工号0123）",
        "2026年3月30日前（10个工作日）",
        "无需领取：待遇核定后发放至申请人本人实名银行卡",
        "凭受理编号拨打021-12345678查询",
        "申请人（代办人）签名",
        "受理人签名",
    ]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, missing


def test_there_is_an_applicant_copy_and_a_center_copy(a4_pdf: bytes) -> None:
    pages = ["".join(t.split()) for t in page_texts(a4_pdf)]
    assert len(pages) == 2
    assert "第一联申请人留存" in pages[0]
    assert "第二联中心存档" in pages[1]
    assert all("第" in p and f"共{len(pages)}页" in p for p in pages)


def test_identity_numbers_never_appear_whole(a4_pdf: bytes, roll_pdf: bytes) -> None:
    for pdf in (a4_pdf, roll_pdf):
        text = flat_text(pdf)
        for secret in (FULL_ID, AGENT_ID, BIRTH_DIGITS, AGENT_ID[6:14]):
            assert secret not in text
            assert secret.encode() not in pdf
        metadata = reader(pdf).metadata or {}
        assert all(FULL_ID not in str(value) for value in metadata.values())


def test_every_font_is_embedded(a4_pdf: bytes, roll_pdf: bytes) -> None:
    for pdf in (a4_pdf, roll_pdf):
        used = fonts(pdf)
        assert used, "no fonts found"
        assert all(font.embedded for font in used), used


def test_qr_and_code128_carry_the_case_number_on_both_copies(a4_pdf: bytes) -> None:
    for found in barcodes_in_pdf(a4_pdf):
        assert ("QR-Code", CASE_NUMBER) in found
        assert ("CODE-128", CASE_NUMBER) in found


def test_roll_is_one_page_80_mm_wide_with_both_copies_and_codes(roll_pdf: bytes) -> None:
    pages = reader(roll_pdf).pages
    assert len(pages) == 1
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert width == pytest.approx(80 * mm, abs=0.5)
    assert height > 297 * mm  # two copies of a receipt are longer than an A4 page
    text = flat_text(roll_pdf)
    assert "第一联申请人留存" in text and "第二联中心存档" in text and "沿虚线撕开" in text
    found = barcodes_in_pdf(roll_pdf)[0]
    assert found.count(("QR-Code", CASE_NUMBER)) == 2
    assert ("CODE-128", CASE_NUMBER) in found


def test_roll_length_follows_the_content() -> None:
    short = AcceptanceReceipt(receipt_data(deferred=()), paper=Paper.ROLL80).build()
    long = AcceptanceReceipt(long_receipt_data(), paper=Paper.ROLL80).build()
    short_height = float(reader(short).pages[0].mediabox.height)
    long_page = reader(long).pages
    assert len(long_page) == 1
    assert float(long_page[0].mediabox.height) > short_height + 200 * mm


@pytest.mark.parametrize("paper", list(Paper))
def test_thirty_materials_and_a_forty_character_name_flow_onto_more_pages(paper: Paper) -> None:
    data = long_receipt_data()
    assert len(data.applicant.name) == 40 and len(data.received) == 30
    pdf = AcceptanceReceipt(data, paper=paper).build()
    pages = reader(pdf).pages
    if paper is Paper.A4:
        assert len(pages) >= 4  # each copy needs more than one page
    text = flat_text(pdf)
    assert text.count("".join(data.applicant.name.split())) == 2
    for material in data.received:
        assert text.count(material.name) == 2, material.name
    for index, x, y, run in text_origins(pdf):
        box = pages[index].mediabox
        assert 0 <= x <= float(box.width) and 0 <= y <= float(box.height), (index, x, y, run)


def test_a4_header_repeats_on_continued_pages() -> None:
    pdf = AcceptanceReceipt(long_receipt_data()).build()
    for text in page_texts(pdf):
        flat = "".join(text.split())
        assert flat.startswith("徐汇区天平路街道社区事务受理服务中心")
        assert f"受理编号{DISPLAY_NUMBER}" in flat


def test_rare_name_character_prints_with_the_fallback_font() -> None:
    data = receipt_data(applicant=PersonOnPaper("刘䶮", FULL_ID))
    pdf = AcceptanceReceipt(data).build()
    assert "刘䶮" in flat_text(pdf)
    names = {font.name for font in fonts(pdf)}
    assert any("ZenHei" in name for name in names), names


def test_an_on_the_spot_item_says_so() -> None:
    data = receipt_data(mode=Mode.DIRECT, processing_center="", promised_by=None, deferred=())
    text = flat_text(AcceptanceReceipt(data).build())
    assert "直接受理：由本中心办理" in text
    assert "即办件，当场办结" in text
    assert "容缺补交材料" not in text


def test_invalid_case_number_is_refused_before_printing() -> None:
    with pytest.raises(ValueError, match="校验位"):
        receipt_data(case_number=CASE_NUMBER[:-1] + ("0" if CASE_NUMBER[-1] != "0" else "1"))


def test_separated_item_needs_its_processing_center() -> None:
    with pytest.raises(ValueError, match="审核办理中心"):
        receipt_data(processing_center="")
