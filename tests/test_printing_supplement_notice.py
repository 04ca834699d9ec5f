"""The 补正材料通知书 on both papers: what it says, its codes, and what it must not show."""

from __future__ import annotations

from dataclasses import replace

import pytest

from printing_checks import barcodes_in_pdf, flat_text
from printing_samples import CASE_NUMBER, FULL_ID, supplement_notice_data
from tongban.printing import CenterOnPaper, DocumentKind, Paper, make_document


@pytest.mark.parametrize("paper", list(Paper))
def test_it_says_what_where_and_by_when(paper: Paper) -> None:
    pdf = make_document(DocumentKind.SUPPLEMENT_NOTICE, supplement_notice_data(), paper=paper)
    text = "".join(flat_text(pdf.build()).split())
    for phrase in (
        "补正材料通知书",
        "310104003-260316-012-0042-9",
        "王丽华",
        "310104********1235",
        "残疾人证申领（CL001）",
        "共3项",
        "近期二寸免冠彩色照片",
        "原件2份",
        "复印件1份",
        "按审核要求",
        "照片背景颜色不符合制证要求",
        "请于2026年4月1日（含当日）前提交",
        "提交地点（任选其一）",
        "徐汇区天平路街道社区事务受理服务中心",
        "杨浦区殷行路1288号",
        "021-87654321",
        "不计入承诺办结时限",
        "李敏（工号0123）",
        "申请人签收",
    ):
        assert phrase in text, phrase
    assert FULL_ID not in text


def test_the_case_number_scans_from_the_paper() -> None:
    pdf = make_document(DocumentKind.SUPPLEMENT_NOTICE, supplement_notice_data()).build()
    found = {value for page in barcodes_in_pdf(pdf) for _kind, value in page}
    assert CASE_NUMBER in found


def test_one_place_when_the_case_is_processed_where_it_was_accepted() -> None:
    same = CenterOnPaper("徐汇区天平路街道社区事务受理服务中心", phone="021-12345678")
    data = replace(supplement_notice_data(), accepting_center=same, processing_center=same)
    assert data.places == (same,)


def test_a_notice_needs_materials_and_a_reason() -> None:
    with pytest.raises(ValueError, match="至少应列出"):
        replace(supplement_notice_data(), materials=())
    with pytest.raises(ValueError, match="补正理由"):
        replace(supplement_notice_data(), reason=" ")
    with pytest.raises(ValueError, match="校验位"):
        replace(supplement_notice_data(), case_number=CASE_NUMBER[:-1] + "0")
