"""材料交接清单: the paper that travels with a batch of case files from one center to another.

Every case carries its own barcode so the receiving center can scan the files in; applicants'
names are printed with all but the first character hidden — enough to match an envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from tongban.models.rules import display_case_number
from tongban.printing.base import Document
from tongban.printing.flowables import code128
from tongban.printing.labels import long_datetime
from tongban.printing.masking import mask_name
from tongban.printing.values import CenterOnPaper, checked_case_number


@dataclass(frozen=True)
class ManifestEntry:
    case_number: str
    item_name: str
    applicant_name: str  # printed masked
    originals: int  # paper originals in the file
    copies: int
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_number", checked_case_number(self.case_number))


@dataclass(frozen=True)
class ManifestData:
    manifest_number: str  # printable ASCII: it is printed as a barcode
    from_center: CenterOnPaper
    to_center: CenterOnPaper
    created_at: datetime
    handed_over_by: str
    entries: tuple[ManifestEntry, ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise ValueError("交接清单至少应有一件案件")
        if not (self.manifest_number.isascii() and self.manifest_number.isprintable()):
            raise ValueError("交接清单编号只能包含英文字母、数字和符号")


class TransferManifest(Document[ManifestData]):
    title = "材料交接清单"

    def center_name(self) -> str:
        return self.data.from_center.name

    def reference(self) -> str:
        return f"清单编号 {self.data.manifest_number}"

    def story(self) -> list[Flowable]:
        data = self.data
        width = self.geometry.frame_width
        number_bars = code128(data.manifest_number, max_width=min(width, 80 * mm), height=10 * mm)
        number_bars.hAlign = "CENTER"
        return [
            *self.title_block(),
            number_bars,
            Spacer(0, 1 * mm),
            self.para(data.manifest_number, self.styles.centered),
            Spacer(0, 2 * mm),
            self.fields(
                [
                    ("移交中心", data.from_center.name),
                    ("接收中心", data.to_center.name),
                    ("接收中心地址", data.to_center.address),
                    ("制单时间", long_datetime(data.created_at)),
                    ("制单人", data.handed_over_by),
                ]
            ),
            self.heading(f"案件清单（共 {len(data.entries)} 件）"),
            self._entries(),
            Spacer(0, 2 * mm),
            self.para(self._totals()),
            self.signatures(("移交人签名", "接收人签名")),
        ]

    def _totals(self) -> str:
        entries = self.data.entries
        originals = sum(e.originals for e in entries)
        copies = sum(e.copies for e in entries)
        return f"合计：案件 {len(entries)} 件，原件 {originals} 份，复印件 {copies} 份。"

    def _entries(self) -> Flowable:
        entries = self.data.entries
        if self.is_roll:
            rows = [[str(i), self._case_block(e)] for i, e in enumerate(entries, start=1)]
            return self.table(("序号", "案件"), rows, (0.12, 0.88), centred=(0,))
        rows = [
            [
                str(i),
                self._case_cell(e, width=0.4 * self.geometry.frame_width),
                e.item_name,
                mask_name(e.applicant_name),
                str(e.originals),
                str(e.copies),
            ]
            for i, e in enumerate(entries, start=1)
        ]
        return self.table(
            ("序号", "受理编号", "事项", "申请人", "原件", "复印件"),
            rows,
            (0.06, 0.4, 0.26, 0.1, 0.08, 0.1),
            centred=(0, 3, 4, 5),
        )

    def _case_cell(self, entry: ManifestEntry, *, width: float) -> list[Flowable]:
        # The cell's padding (2.5 pt each side) is not available to the bars.
        bars = code128(entry.case_number, max_width=width - 6, height=8 * mm)
        bars.hAlign = "CENTER"
        cell: list[Flowable] = [
            bars,
            self.para(display_case_number(entry.case_number), self.styles.cell_head),
        ]
        if entry.note:
            cell.append(self.para(entry.note, self.styles.cell))
        return cell

    def _case_block(self, entry: ManifestEntry) -> list[Flowable]:
        cell = self._case_cell(entry, width=0.88 * self.geometry.frame_width)
        cell.insert(
            2,
            self.para(
                f"{entry.item_name}｜申请人 {mask_name(entry.applicant_name)}｜"
                f"原件 {entry.originals} 份，复印件 {entry.copies} 份",
                self.styles.cell,
            ),
        )
        return cell
