"""一次性告知单: all that is missing at once, in what form, how many, and where to get it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable

from tongban.models.catalog import MaterialForm, Source
from tongban.printing.base import Document
from tongban.printing.labels import SOURCE, long_date, long_datetime, material_form
from tongban.printing.values import CenterOnPaper


@dataclass(frozen=True)
class MissingMaterial:
    name: str
    form: MaterialForm
    copies: int
    source: Source
    where: str = ""  # where exactly to get it (the catalog's note on the material)
    condition: str = ""  # for a conditional material: why it is needed in this case


@dataclass(frozen=True)
class MissingNoticeData:
    center: CenterOnPaper
    item_code: str
    item_name: str
    applicant_name: str
    issued_at: datetime
    clerk: str
    missing: tuple[MissingMaterial, ...]
    notice_number: str = ""  # the center's own number for the notice, if it keeps one

    def __post_init__(self) -> None:
        if not self.missing:
            raise ValueError("一次性告知单至少应列出一项缺少的材料")


class MissingMaterialsNotice(Document[MissingNoticeData]):
    title = "一次性告知单"

    def center_name(self) -> str:
        return self.data.center.name

    def reference(self) -> str:
        number = self.data.notice_number
        return f"告知单编号 {number}" if number else long_date(self.data.issued_at.date())

    def story(self) -> list[Flowable]:
        data = self.data
        return [
            *self.title_block(),
            self.para(f"{data.applicant_name}："),
            self.para(
                f"您申请办理的“{data.item_name}”（{data.item_code}）事项，申请材料尚不齐全。"
                f"现将需要补正的全部材料（共 {len(data.missing)} 项）一次性告知如下，"
                "请补齐后再来办理。"
            ),
            self._missing_table(),
            self.heading("告知信息"),
            self.fields(
                [
                    ("告知单位", data.center.name),
                    ("地址", data.center.address),
                    ("咨询电话", data.center.phone),
                    ("告知时间", long_datetime(data.issued_at)),
                    ("告知人", data.clerk),
                ]
            ),
            self.signatures(("申请人签收",)),
        ]

    def _missing_table(self) -> Flowable:
        missing = self.data.missing
        if self.is_roll:
            rows = [[_name(m), f"{material_form(m.form, m.copies)}；{_where(m)}"] for m in missing]
            return self.table(("材料", "形式份数与获取途径"), rows, (0.45, 0.55))
        rows = [
            [str(i), _name(m), material_form(m.form, m.copies), _where(m)]
            for i, m in enumerate(missing, start=1)
        ]
        return self.table(
            ("序号", "材料名称", "形式与份数", "获取途径"),
            rows,
            (0.08, 0.37, 0.2, 0.35),
            centred=(0,),
        )


def _name(material: MissingMaterial) -> str:
    return f"{material.name}（{material.condition}）" if material.condition else material.name


def _where(material: MissingMaterial) -> str:
    source = SOURCE[material.source]
    return f"{source}：{material.where}" if material.where else source
