"""打印测试页: printed when a workstation is set up, to check the printer and the paper format.

It carries what real paperwork carries — Chinese text in the bundled fonts, a Code 128 and a QR
code, a signature line — on the same page geometry, so a page that prints well means the receipts
will too. No personal data: only the workstation's names and the printer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from tongban.printing.base import Document
from tongban.printing.flowables import code128
from tongban.printing.labels import long_date, long_datetime

TEST_CODE = "TONGBAN-TEST-0123456789"  # what a scanner should read from both codes


@dataclass(frozen=True)
class TestPageData:
    center_name: str  # may be empty before the workstation knows it
    workstation_name: str
    printer_name: str  # as the administrator chose it ("" = the system's default printer)
    printed_at: datetime


class PrinterTestPage(Document[TestPageData]):
    title = "打印测试页"

    def center_name(self) -> str:
        return self.data.center_name

    def reference(self) -> str:
        return long_date(self.data.printed_at.date())

    def story(self) -> list[Flowable]:
        data = self.data
        width = self.geometry.frame_width
        bars = code128(TEST_CODE, max_width=width * (1 if self.is_roll else 0.6), height=10 * mm)
        bars.hAlign = "CENTER"
        qr = self.qr_code(TEST_CODE, size=(22 if self.is_roll else 26) * mm)
        qr.hAlign = "CENTER"
        return [
            *self.title_block(),
            self.fields(
                [
                    ("工作站", data.workstation_name),
                    ("打印机", data.printer_name or "系统默认打印机"),
                    ("纸张", self.paper.label),
                    ("打印时间", long_datetime(data.printed_at)),
                ]
            ),
            self.para(
                "请检查：文字清晰完整，左右没有被裁切；条码和二维码黑白分明，扫码枪能读出 "
                f"{TEST_CODE}。如有问题，请由管理员更换打印机或纸张设置。"
            ),
            Spacer(0, 3 * mm),
            bars,
            Spacer(0, 1 * mm),
            self.para(TEST_CODE, self.styles.centered),
            Spacer(0, 2 * mm),
            qr,
            self.signatures(["检查人"]),
        ]
