"""不予受理通知书: the refusal in writing, its reason, and the right to review or to sue.

The time limits printed are the national ones: sixty days to apply for administrative review
(行政复议法 art. 20) and six months to sue directly (行政诉讼法 art. 46), both counted from when
the applicant learns of the decision — for a notice handed over at the counter, from receiving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from tongban.models.rules import display_case_number
from tongban.printing.base import Document
from tongban.printing.labels import long_date, long_datetime
from tongban.printing.values import CenterOnPaper, PersonOnPaper, checked_case_number

GENERIC_REVIEW_BODY = "有管辖权的行政复议机关"
GENERIC_COURT = "有管辖权的人民法院"


@dataclass(frozen=True)
class RefusalData:
    center: CenterOnPaper
    item_code: str
    item_name: str
    applicant: PersonOnPaper
    applied_on: date
    decided_at: datetime
    reason: str  # why the application is not accepted, in full sentences
    clerk: str
    legal_basis: str = ""  # the provision the refusal rests on, when there is one to cite
    review_body: str = ""  # the 行政复议机关 by name; generic wording when not configured
    court: str = ""  # the court by name; generic wording when not configured
    case_number: str = ""  # when the application had been registered under a case number

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("不予受理通知书必须写明理由")
        if self.case_number:
            object.__setattr__(self, "case_number", checked_case_number(self.case_number))


class RefusalNotice(Document[RefusalData]):
    title = "不予受理通知书"

    def center_name(self) -> str:
        return self.data.center.name

    def reference(self) -> str:
        if self.data.case_number:
            return f"受理编号 {display_case_number(self.data.case_number)}"
        return long_date(self.data.decided_at.date())

    def story(self) -> list[Flowable]:
        data = self.data
        parts: list[Flowable] = [*self.title_block()]
        if data.case_number:
            number = data.case_number
            parts.append(self.case_codes(number, display_case_number(number)))
        parts += [
            self.fields(
                [
                    ("申请人", data.applicant.name),
                    ("证件", f"{data.applicant.document_label} {data.applicant.masked_id}"),
                    ("申请事项", f"{data.item_name}（{data.item_code}）"),
                    ("申请日期", long_date(data.applied_on)),
                ]
            ),
            Spacer(0, 2 * mm),
            self.para(f"{data.applicant.name}："),
            self.para(self._decision()),
            self.para(self._remedies()),
            self.heading("通知信息"),
            self.fields(
                [
                    ("通知单位", data.center.name),
                    ("地址", data.center.address),
                    ("咨询电话", data.center.phone),
                    ("通知时间", long_datetime(data.decided_at)),
                    ("经办人", data.clerk),
                ]
            ),
            self.para(f"{data.center.name}（盖章）", self.styles.small_right),
            self.signatures(("申请人签收",)),
        ]
        return parts

    def _decision(self) -> str:
        data = self.data
        reason = data.reason.strip().rstrip("。")
        basis = f"根据{data.legal_basis}，" if data.legal_basis else ""
        return (
            f"你于{long_date(data.applied_on)}申请办理“{data.item_name}”。经审查，{reason}。"
            f"{basis}决定不予受理。"
        )

    def _remedies(self) -> str:
        review_body = self.data.review_body or GENERIC_REVIEW_BODY
        court = self.data.court or GENERIC_COURT
        return (
            "如对本决定不服，可以自收到本通知书之日起六十日内向"
            f"{review_body}申请行政复议，也可以自收到本通知书之日起六个月内向{court}提起行政诉讼。"
        )
