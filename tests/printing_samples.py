"""Sample inputs for every printed document (tests, benches and docs/paperwork).

The people, numbers and item codes are invented for illustration; the center names follow the real
naming of Shanghai's centers. Regenerate the gallery with:

    python tests/printing_samples.py docs/paperwork
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from tongban.models.catalog import CollectionMethod, MaterialForm, Mode, Source
from tongban.models.rules import make_case_number
from tongban.printing import (
    CenterOnPaper,
    DailyItemRow,
    DailyReportData,
    DocumentKind,
    GuidanceData,
    ManifestData,
    ManifestEntry,
    MissingMaterial,
    MissingNoticeData,
    Paper,
    PendingMaterial,
    PersonOnPaper,
    PledgeData,
    ReceiptData,
    ReceivedMaterial,
    RefusalData,
    RequestedMaterial,
    SupplementNoticeData,
    WindowOnPaper,
    make_document,
)

CASE_NUMBER = make_case_number("310104003", date(2026, 3, 16), 12, 42)
# A valid resident ID (check character computed per GB 11643): never to appear whole on paper.
FULL_ID = "310104198503121235"
BIRTH_DIGITS = "19850312"
AGENT_ID = "310110196207084415"

TIANPING = CenterOnPaper("徐汇区天平路街道社区事务受理服务中心", address="", phone="021-12345678")
YINHANG = CenterOnPaper("杨浦区殷行街道社区事务受理服务中心")
APPLICANT = PersonOnPaper("王丽华", FULL_ID)
AGENT = PersonOnPaper("陈建国", AGENT_ID, relationship="配偶")
ACCEPTED_AT = datetime(2026, 3, 16, 10, 32)
CLERK = "李敏（工号 0123）"


def receipt_data(**changes: object) -> ReceiptData:
    data = ReceiptData(
        case_number=CASE_NUMBER,
        center=TIANPING,
        item_code="RS012",
        item_name="生育保险待遇申领",
        mode=Mode.SEPARATED,
        processing_center=YINHANG.name,
        applicant=APPLICANT,
        agent=AGENT,
        accepted_at=ACCEPTED_AT,
        clerk=CLERK,
        received=(
            ReceivedMaterial("夫妻双方居民身份证", original_seen=True, copies=1),
            ReceivedMaterial("夫妻双方户口簿", original_seen=True, copies=1),
            ReceivedMaterial("结婚证", original_seen=True, copies=1),
            ReceivedMaterial("出生医学证明", original_seen=True, copies=1),
            ReceivedMaterial("代办人居民身份证", original_seen=True),
        ),
        deferred=(
            PendingMaterial("申请人本人实名银行卡", MaterialForm.COPY, 1, date(2026, 3, 30)),
        ),
        promised_by=date(2026, 3, 30),
        promised_days=10,
        collection=(CollectionMethod.NONE,),
        collection_place="待遇核定后发放至申请人本人实名银行卡",
        inquiry="凭受理编号拨打 021-12345678 查询，或到任一社区事务受理服务中心窗口查询",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def long_receipt_data() -> ReceiptData:
    """30 materials and a 40-character name: must flow onto more pages, never overflow."""
    name = "阿卜杜热合曼·买买提依明·艾力·吐尔逊·阿不都拉·司马义·热合曼·托合提"
    name = (name * 2)[:40]
    materials = tuple(
        ReceivedMaterial(f"第{i}项申请材料：相关证明文件（含附件与说明）", True, i % 3)
        for i in range(1, 31)
    )
    return receipt_data(applicant=PersonOnPaper(name, FULL_ID), received=materials)


def missing_notice_data() -> MissingNoticeData:
    return MissingNoticeData(
        center=TIANPING,
        item_code="MZ031",
        item_name="最低生活保障",
        applicant_name="王丽华",
        issued_at=ACCEPTED_AT,
        clerk=CLERK,
        missing=(
            MissingMaterial("户口簿", MaterialForm.ORIGINAL_AND_COPY, 1, Source.APPLICANT),
            MissingMaterial(
                "家庭经济状况核对授权书",
                MaterialForm.ORIGINAL,
                0,
                Source.CENTER,
                where="共同生活的成年家庭成员均须签名",
            ),
            MissingMaterial(
                "残疾人证",
                MaterialForm.COPY,
                1,
                Source.ISSUING_BODY,
                where="区残疾人联合会",
                condition="家庭成员中有残疾人的",
            ),
        ),
    )


def refusal_data() -> RefusalData:
    return RefusalData(
        center=TIANPING,
        item_code="MZ011",
        item_name="敬老卡申领",
        applicant=APPLICANT,
        applied_on=date(2026, 3, 16),
        decided_at=ACCEPTED_AT,
        reason="申请人距年满65周岁尚有一个月以上，不符合本事项的申请条件",
        clerk=CLERK,
        case_number=CASE_NUMBER,
    )


def guidance_data() -> GuidanceData:
    return GuidanceData(
        issuing_center=TIANPING,
        item_code="ZJ002",
        item_name="廉租住房申请",
        applicant_name="王丽华",
        target_center=CenterOnPaper("杨浦区殷行街道社区事务受理服务中心"),
        district_name="杨浦区",
        basis="户籍地",
        issued_at=ACCEPTED_AT,
        clerk=CLERK,
        windows=(WindowOnPaper(date(2026, 4, 1), date(2026, 4, 30), "第二批集中受理"),),
        materials=(
            "申请人及共同申请家庭成员的居民身份证、户口簿",
            "现居住房屋的租赁合同或产权证明",
        ),
    )


def pledge_data() -> PledgeData:
    receipt = receipt_data()
    return PledgeData(
        case_number=CASE_NUMBER,
        center=TIANPING,
        item_code=receipt.item_code,
        item_name=receipt.item_name,
        applicant=APPLICANT,
        agent=AGENT,
        deferred=receipt.deferred,
        signed_at=ACCEPTED_AT,
        clerk=CLERK,
    )


def manifest_data(count: int = 6) -> ManifestData:
    names = ("王丽华", "赵志强", "孙梅", "周建平", "吴晓燕", "郑国庆", "冯秀英", "褚明")
    entries = tuple(
        ManifestEntry(
            case_number=make_case_number("310104003", date(2026, 3, 16), 12, 40 + i),
            item_name="生育保险待遇申领",
            applicant_name=names[i % len(names)],
            originals=1 + i % 2,
            copies=4,
        )
        for i in range(count)
    )
    return ManifestData(
        manifest_number="JJ-310104003-20260316-01",
        from_center=TIANPING,
        to_center=YINHANG,
        created_at=datetime(2026, 3, 16, 16, 40),
        handed_over_by=CLERK,
        entries=entries,
    )


def daily_report_data() -> DailyReportData:
    return DailyReportData(
        center=TIANPING,
        day=date(2026, 3, 16),
        rows=(
            DailyItemRow("MZ011", "敬老卡申领", accepted=14, refused=1, informed=2),
            DailyItemRow("RS012", "生育保险待遇申领", accepted=6, deferred=1, forwarded=4),
            DailyItemRow("GA101", "居住证新办", accepted=21, informed=3),
            DailyItemRow("ZJ002", "廉租住房申请", accepted=0, guided=2),
        ),
        prepared_at=datetime(2026, 3, 16, 16, 45),
        prepared_by=CLERK,
    )


def supplement_notice_data() -> SupplementNoticeData:
    return SupplementNoticeData(
        case_number=CASE_NUMBER,
        item_code="CL001",
        item_name="残疾人证申领",
        applicant=APPLICANT,
        accepted_on=date(2026, 3, 16),
        accepting_center=TIANPING,
        processing_center=CenterOnPaper(
            YINHANG.name, address="杨浦区殷行路 1288 号", phone="021-87654321"
        ),
        materials=(
            RequestedMaterial("近期二寸免冠彩色照片", MaterialForm.ORIGINAL, 2),
            RequestedMaterial("既往病历或诊断证明", MaterialForm.COPY, 1),
            RequestedMaterial("残疾评定机构出具的评定意见"),
        ),
        reason="照片背景颜色不符合制证要求；诊断证明缺少医疗机构盖章",
        requested_at=datetime(2026, 3, 18, 14, 5),
        due=date(2026, 4, 1),
        printing_center=TIANPING,
        clerk=CLERK,
    )


SAMPLES = {
    DocumentKind.RECEIPT: receipt_data,
    DocumentKind.MISSING_NOTICE: missing_notice_data,
    DocumentKind.REFUSAL: refusal_data,
    DocumentKind.GUIDANCE: guidance_data,
    DocumentKind.PLEDGE: pledge_data,
    DocumentKind.MANIFEST: manifest_data,
    DocumentKind.DAILY_REPORT: daily_report_data,
    DocumentKind.SUPPLEMENT_NOTICE: supplement_notice_data,
}


def render_gallery(out_dir: Path, *, dpi: int = 110) -> list[Path]:
    """One PNG per document (first page, A4) plus the receipt on a roll, via pdftoppm."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    jobs = [(kind, Paper.A4) for kind in SAMPLES] + [(DocumentKind.RECEIPT, Paper.ROLL80)]
    with tempfile.TemporaryDirectory() as scratch:
        for kind, paper in jobs:
            pdf = Path(scratch) / f"{kind}.pdf"
            pdf.write_bytes(make_document(kind, SAMPLES[kind](), paper=paper).build())
            stem = out_dir / f"{kind}-{paper}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(stem),
                ],
                check=True,
            )
            made.append(stem.with_suffix(".png"))
    return made


if __name__ == "__main__":
    for path in render_gallery(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/paperwork")):
        print(path)
