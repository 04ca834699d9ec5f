"""容缺受理承诺书: the applicant's signed promise to supply the minor missing materials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable

from tongban.models.rules import display_case_number
from tongban.printing.base import Document
from tongban.printing.labels import long_date, long_datetime, material_form
from tongban.printing.values import (
    CenterOnPaper,
    PendingMaterial,
    PersonOnPaper,
    checked_case_number,
)


@dataclass(frozen=True)
class PledgeData:
    case_number: str
    center: CenterOnPaper
    item_code: str
    item_name: str
    applicant: PersonOnPaper
    deferred: tuple[PendingMaterial, ...]
    signed_at: datetime
    clerk: str
    agent: PersonOnPaper | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_number", checked_case_number(self.case_number))
        if not self.deferred:
            raise ValueError("容缺受理承诺书至少应列出一项容缺材料")


class DeferralPledge(Document[PledgeData]):
    title = "容缺受理承诺书"

    def center_name(self) -> str:
        return self.data.center.name

    def reference(self) -> str:
        return f"受理编号 {display_case_number(self.data.case_number)}"

    def story(self) -> list[Flowable]:
        data = self.data
        applicant = data.applicant
        return [
            *self.title_block(),
            self.fields(
                [
                    ("受理编号", display_case_number(data.case_number)),
                    ("办理事项", f"{data.item_name}（{data.item_code}）"),
                    ("承诺人", applicant.name),
                    ("证件", f"{applicant.document_label} {applicant.masked_id}"),
                    ("代办人", data.agent.name if data.agent else ""),
                ]
            ),
            self.para(
                f"本人申请办理“{data.item_name}”，主要申请材料已经齐全，下列材料暂缺。"
                "本人申请容缺受理，并承诺在补交期限前将下列材料送交受理中心："
            ),
            self._deferred_table(),
            self.para("本人知悉：逾期未补齐上述材料的，本申请将终止办理。"),
            self.para("本人对所提交材料的真实性负责。"),
            self.fields(
                [
                    ("受理中心", data.center.name),
                    ("受理时间", long_datetime(data.signed_at)),
                    ("受理人", data.clerk),
                ]
            ),
            self.signatures(("承诺人（代办人）签名", "受理人签名")),
        ]

    def _deferred_table(self) -> Flowable:
        rows = [
            [m.name, material_form(m.form, m.copies), long_date(m.due)] for m in self.data.deferred
        ]
        widths = (0.44, 0.28, 0.28) if self.is_roll else (0.5, 0.25, 0.25)
        return self.table(("材料名称", "形式与份数", "补交期限"), rows, widths)
