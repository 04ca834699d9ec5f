"""The notices, the guidance slip, the pledge, the manifest and the daily report, on both papers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from reportlab.lib.units import mm

from printing_checks import barcodes_in_pdf, flat_text, fonts, page_texts, reader
from printing_samples import (
    AGENT_ID,
    BIRTH_DIGITS,
    FULL_ID,
    SAMPLES,
    daily_report_data,
    guidance_data,
    manifest_data,
    missing_notice_data,
    pledge_data,
    refusal_data,
)
from tongban.printing import DocumentKind, Paper, make_document
from tongban.printing.registry import DOCUMENTS

CASES = [(kind, paper) for kind in DocumentKind for paper in Paper]


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[DocumentKind, Paper], bytes]:
    return {
        (kind, paper): make_document(kind, SAMPLES[kind](), paper=paper).build()
        for kind, paper in CASES
    }


def test_every_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(DocumentKind) == set(DOCUMENTS)


@pytest.mark.parametrize(("kind", "paper"), CASES)
def test_fonts_embedded_no_full_id_and_page_numbers(
    rendered: dict[tuple[DocumentKind, Paper], bytes], kind: DocumentKind, paper: Paper
) -> None:
    pdf = rendered[kind, paper]
    used = fonts(pdf)
    assert used and all(font.embedded for font in used), used
    text = flat_text(pdf)
    for secret in (FULL_ID, AGENT_ID, BIRTH_DIGITS):
        assert secret not in text and secret.encode() not in pdf
    pages = page_texts(pdf)
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in "".join(page.split())
    width = float(reader(pdf).pages[0].mediabox.width)
    assert width == pytest.approx(210 * mm if paper is Paper.A4 else 80 * mm, abs=0.5)
    if paper is Paper.ROLL80:
        assert len(pages) == 1


@pytest.mark.parametrize("paper", list(Paper))
def test_missing_notice_lists_everything_with_form_and_source(
    rendered: dict[tuple[DocumentKind, Paper], bytes], paper: Paper
) -> None:
    text = flat_text(rendered[DocumentKind.MISSING_NOTICE, paper])
    for phrase in (
        "一次性告知单",
        "“最低生活保障”（MZ031）",
        "共3项",
        "户口簿",
        "原件及复印件1份",
        "申请人自备",
        "家庭经济状况核对授权书",
        "窗口提供，现场填写：共同生活的成年家庭成员均须签名",
        "残疾人证（家庭成员中有残疾人的）",
        "复印件1份",
        "向出具单位开具：区残疾人联合会",
        "申请人签收",
    ):
        assert phrase in text, phrase


def test_refusal_gives_reason_and_rights(rendered: dict[tuple[DocumentKind, Paper], bytes]) -> None:
    text = flat_text(rendered[DocumentKind.REFUSAL, Paper.A4])
    for phrase in (
        "不予受理通知书",
        "310104********1235",
        "经审查，申请人距年满65周岁尚有一个月以上，不符合本事项的申请条件。决定不予受理。",
        "六十日内向有管辖权的行政复议机关申请行政复议",
        "六个月内向有管辖权的人民法院提起行政诉讼",
        "（盖章）",
    ):
        assert phrase in text, phrase


def test_refusal_names_the_configured_review_body_and_court() -> None:
    data = replace(refusal_data(), review_body="上海市徐汇区人民政府", court="上海市徐汇区人民法院")
    text = flat_text(make_document(DocumentKind.REFUSAL, data).build())
    assert "六十日内向上海市徐汇区人民政府申请行政复议" in text
    assert "六个月内向上海市徐汇区人民法院提起行政诉讼" in text


def test_refusal_without_reason_is_not_printable() -> None:
    with pytest.raises(ValueError, match="理由"):
        replace(refusal_data(), reason="  ")


def test_guidance_names_center_and_window(
    rendered: dict[tuple[DocumentKind, Paper], bytes],
) -> None:
    text = flat_text(rendered[DocumentKind.GUIDANCE, Paper.A4])
    for phrase in (
        "属地办理指引",
        "“廉租住房申请”（ZJ002）不属于全市通办事项，须到您户籍地所属的社区事务受理服务中心申请",
        "杨浦区殷行街道社区事务受理服务中心",
        "杨浦区受理期",
        "2026年4月1日",
        "2026年4月30日",
        "第二批集中受理",
        "现居住房屋的租赁合同或产权证明",
    ):
        assert phrase in text, phrase


def test_guidance_without_announced_window_says_to_call_first() -> None:
    data = replace(guidance_data(), windows=())
    text = flat_text(make_document(DocumentKind.GUIDANCE, data).build())
    assert "目前没有已公布的受理期，请先电话咨询上述受理中心再前往" in text


def test_pledge_lists_what_by_when_and_asks_for_signature(
    rendered: dict[tuple[DocumentKind, Paper], bytes],
) -> None:
    text = flat_text(rendered[DocumentKind.PLEDGE, Paper.A4])
    for phrase in (
        "容缺受理承诺书",
        "310104003-260316-012-0042-9",
        "310104********1235",
        "申请人本人实名银行卡",
        "复印件1份",
        "2026年3月30日",
        "逾期未补齐上述材料的，本申请将终止办理",
        "承诺人（代办人）签名",
    ):
        assert phrase in text, phrase
    assert pledge_data().deferred


@pytest.mark.parametrize("paper", list(Paper))
def test_manifest_has_a_readable_barcode_per_case_and_totals(
    rendered: dict[tuple[DocumentKind, Paper], bytes], paper: Paper
) -> None:
    data = manifest_data()
    pdf = rendered[DocumentKind.MANIFEST, paper]
    found = {value for page in barcodes_in_pdf(pdf) for kind, value in page if kind == "CODE-128"}
    assert {entry.case_number for entry in data.entries} | {data.manifest_number} <= found
    text = flat_text(pdf)
    assert "合计：案件6件，原件9份，复印件24份。" in text
    assert "移交人签名" in text and "接收人签名" in text
    for entry in data.entries:
        assert entry.applicant_name not in text  # names travel masked: 王丽华 → 王**
    assert "王**" in text


def test_manifest_of_forty_cases_continues_on_more_pages() -> None:
    pdf = make_document(DocumentKind.MANIFEST, manifest_data(40)).build()
    texts = page_texts(pdf)
    assert len(texts) >= 3
    assert "".join(texts[1].split()).count("生育保险待遇申领") > 5
    assert "受理编号" in texts[1]  # the table's heading row repeats


def test_daily_report_counts_and_totals(
    rendered: dict[tuple[DocumentKind, Paper], bytes],
) -> None:
    text = flat_text(rendered[DocumentKind.DAILY_REPORT, Paper.A4])
    rows = daily_report_data().rows
    assert "每日受理报表" in text and "2026年3月16日" in text
    totals = [sum(r.counts[i] for r in rows) for i in range(6)]
    assert totals == [41, 1, 4, 1, 5, 2]
    assert "合计" + "".join(map(str, totals)) in text
    assert "制表人签名" in text and "审核人签名" in text


def test_daily_report_with_no_cases_still_prints() -> None:
    data = replace(daily_report_data(), rows=(), day=date(2026, 3, 17))
    text = flat_text(make_document(DocumentKind.DAILY_REPORT, data).build())
    assert "合计000000" in text


def test_registry_refuses_the_wrong_input() -> None:
    with pytest.raises(TypeError, match="ReceiptData"):
        make_document(DocumentKind.RECEIPT, missing_notice_data())
