"""补正材料通知书: what the processing center needs to decide, why, by when, and where to bring it.

Printable at either center of a case (the applicant may be told at the accepting center or at
the processing center, and may bring the materials to either). The case number is printed as
Code 128 and QR so the receiving clerk scans it when the materials come in; the applicant's
number only masked. The clock of the promised date stops while the materials are awaited
(models/processing.py): the notice says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from tongban.models.catalog import MaterialForm
from tongban.models.rules import display_case_number
from tongban.printing.base import Document
from tongban.printing.labels import long_date, long_datetime, material_form
from tongban.printing.values import CenterOnPaper, PersonOnPaper, checked_case_number


@dataclass(frozen=True)
class RequestedMaterial:
    name: str
    form: MaterialForm | None = None  # from the catalog when the item lists the material
    copies: int = 0


@dataclass(frozen=True)
class SupplementNoticeData:
    case_number: str
    item_code: str
    item_name: str
    applicant: PersonOnPaper
    accepted_on: date
    accepting_center: CenterOnPaper
    processing_center: CenterOnPaper  # the center that asks for the supplement
    materials: tuple[RequestedMaterial, ...]
    reason: str
    requested_at: datetime
    due: date | None  # None: no date was set (the processing center is to be asked)
    printing_center: CenterOnPaper  # where this copy is printed (the header)
    clerk: str  # who prints it: 姓名（工号 N）

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_number", checked_case_number(self.case_number))
        if not self.materials:
            raise ValueError("补正材料通知书至少应列出一项材料")
        if not self.reason.strip():
            raise ValueError("补正材料通知书必须写明补正理由")

    @property
    def places(self) -> tuple[CenterOnPaper, ...]:
        """Where the materials may be brought: either center of the case, once each."""
        if self.accepting_center.name == self.processing_center.name:
            return (self.processing_center,)
        return (self.accepting_center, self.processing_center)


class SupplementNotice(Document[SupplementNoticeData]):
    title = "补正材料通知书"

    def center_name(self) -> str:
        return self.data.printing_center.name

    def reference(self) -> str:
        return f"受理编号 {display_case_number(self.data.case_number)}"

    def story(self) -> list[Flowable]:
        data = self.data
        number = data.case_number
        return [
            *self.title_block(),
            self.case_codes(number, display_case_number(number)),
            Spacer(0, 3 * mm),
            self.fields(
                [
                    ("申请人", data.applicant.name),
                    ("证件", f"{data.applicant.document_label} {data.applicant.masked_id}"),
                    ("办理事项", f"{data.item_name}（{data.item_code}）"),
                    ("受理中心", data.accepting_center.name),
                    ("受理日期", long_date(data.accepted_on)),
                    ("办理中心", data.processing_center.name),
                ]
            ),
            Spacer(0, 1 * mm),
            self.para(
                f"{data.applicant.name}：您申请办理的“{data.item_name}”事项，经"
                f"{data.processing_center.name}审核，需要补正下列材料"
                f"（共 {len(data.materials)} 项）："
            ),
            self._materials(),
            self.fields([("补正理由", data.reason), ("补正期限", self._due())]),
            self.heading("提交地点（任选其一）"),
            *self._places(),
            self.heading("说明"),
            *(self.para(f"{i}. {line}") for i, line in enumerate(self._notes(), start=1)),
            Spacer(0, 2 * mm),
            self.fields(
                [
                    ("通知时间", long_datetime(data.requested_at)),
                    ("打印单位", data.printing_center.name),
                    ("经办人", data.clerk),
                ]
            ),
            self.signatures(("申请人签收",)),
        ]

    def _due(self) -> str:
        due = self.data.due
        if due is None:
            return "请向办理中心询问"
        return f"请于{long_date(due)}（含当日）前提交"

    def _materials(self) -> Flowable:
        rows = [[str(i), m.name, _form(m)] for i, m in enumerate(self.data.materials, start=1)]
        widths = (0.12, 0.5, 0.38) if self.is_roll else (0.08, 0.6, 0.32)
        return self.table(("序号", "材料名称", "形式与份数"), rows, widths, centred=(0,))

    def _places(self) -> list[Flowable]:
        if not self.is_roll:
            rows = [[c.name, c.address or "—", c.phone or "—"] for c in self.data.places]
            return [self.table(("中心", "地址", "电话"), rows, (0.42, 0.36, 0.22))]
        places = []
        for center in self.data.places:
            lines = [center.name]
            if center.address:
                lines.append(f"地址：{center.address}")
            if center.phone:
                lines.append(f"电话：{center.phone}")
            places.append(KeepTogether([self.para(line) for line in lines]))
            places.append(Spacer(0, 1.5 * mm))
        return places

    def _notes(self) -> list[str]:
        return [
            "请携带本通知书和申请人身份证件，到上述任一中心窗口提交补正材料；"
            "窗口扫描本通知书上的受理编号条码即可登记。",
            "自发出本通知之日起至补正材料交齐之日止，不计入承诺办结时限。",
            "如不能在期限内补正，请及时与办理中心联系。",
        ]


def _form(material: RequestedMaterial) -> str:
    if material.form is None:
        return "按审核要求"
    if material.form is MaterialForm.ORIGINAL and material.copies > 0:
        return f"原件 {material.copies} 份"  # forms and photos the center keeps
    return material_form(material.form, material.copies)
