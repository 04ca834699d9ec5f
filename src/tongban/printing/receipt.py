"""受理回执: what the applicant takes home after acceptance, and the copy the center archives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.platypus import Flowable

from tongban.models.catalog import CollectionMethod, Mode
from tongban.models.rules import display_case_number
from tongban.printing.base import Document
from tongban.printing.labels import COLLECTION, MODE, long_date, long_datetime, material_form
from tongban.printing.values import (
    CenterOnPaper,
    PendingMaterial,
    PersonOnPaper,
    ReceivedMaterial,
    checked_case_number,
)

APPLICANT_COPY = "第一联　申请人留存"
CENTER_COPY = "第二联　中心存档"


@dataclass(frozen=True)
class ReceiptData:
    case_number: str
    center: CenterOnPaper
    item_code: str
    item_name: str
    mode: Mode
    applicant: PersonOnPaper
    accepted_at: datetime
    clerk: str  # name and staff number as the clerk signs, e.g. 李敏（工号 0123）
    received: tuple[ReceivedMaterial, ...]
    deferred: tuple[PendingMaterial, ...] = ()
    processing_center: str = ""  # 收受分离: the center that examines and decides
    agent: PersonOnPaper | None = None
    promised_by: date | None = None  # None: done on the spot (即办件)
    promised_days: int = 0  # 承诺办结时限 in working days
    collection: tuple[CollectionMethod, ...] = field(default=(CollectionMethod.COUNTER,))
    collection_place: str = ""  # where or how the result is handed over
    inquiry: str = ""  # how to ask about progress (phone, online service)

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_number", checked_case_number(self.case_number))
        if self.mode is Mode.SEPARATED and not self.processing_center:
            raise ValueError("收受分离事项的回执须写明审核办理中心")


class AcceptanceReceipt(Document[ReceiptData]):
    title = "受理回执"

    def center_name(self) -> str:
        return self.data.center.name

    def reference(self) -> str:
        return f"受理编号 {display_case_number(self.data.case_number)}"

    def story(self) -> list[Flowable]:
        # Both copies say the same below their titles: the same flowables are laid out once and
        # drawn twice (flowables keep no drawing state; a split makes new ones).
        body = self._body()
        return [
            *self.title_block(APPLICANT_COPY),
            *body,
            self.copy_break(),
            *self.title_block(CENTER_COPY),
            *body,
        ]

    def _body(self) -> list[Flowable]:
        data = self.data
        parts: list[Flowable] = [
            self.case_codes(data.case_number, display_case_number(data.case_number)),
            self.fields(self._case_rows()),
            self.heading(f"已收材料（{len(data.received)} 项）"),
            self._received_table(),
        ]
        if data.deferred:
            parts += [self.heading(f"容缺补交材料（{len(data.deferred)} 项）"), self._deferred()]
        parts += [
            self.heading("办理结果与查询"),
            self.fields(self._result_rows()),
            self.small("请妥善保管本回执，领取结果时请出示本回执和申请人身份证件。"),
            self.signatures(("申请人（代办人）签名", "受理人签名")),
        ]
        return parts

    def _case_rows(self) -> list[tuple[str, str]]:
        data = self.data
        rows = [
            ("受理中心", data.center.name),
            ("办理事项", f"{data.item_name}（{data.item_code}）"),
            ("受理方式", self._mode_text()),
            ("申请人", data.applicant.name),
            ("申请人证件", _identity(data.applicant)),
        ]
        if data.agent is not None:
            relation = f"（{data.agent.relationship}）" if data.agent.relationship else ""
            rows += [
                ("代办人", f"{data.agent.name}{relation}"),
                ("代办人证件", _identity(data.agent)),
            ]
        rows += [("受理时间", long_datetime(data.accepted_at)), ("受理人", data.clerk)]
        return rows

    def _mode_text(self) -> str:
        data = self.data
        if data.mode is Mode.SEPARATED:
            return (
                f"{MODE[data.mode]}：本中心受理，由{data.processing_center}审核办理，"
                "申请材料经本中心转交"
            )
        return f"{MODE[data.mode]}：由本中心办理"

    def _received_table(self) -> Flowable:
        received = self.data.received
        if self.is_roll:
            rows = [[m.name, _received_form(m)] for m in received]
            return self.table(("材料名称", "收取"), rows, (0.68, 0.32))
        rows = [
            [str(i), m.name, "已核验" if m.original_seen else "—", str(m.copies or "—")]
            for i, m in enumerate(received, start=1)
        ]
        header = ("序号", "材料名称", "原件", "复印件（份）")
        return self.table(header, rows, (0.08, 0.6, 0.14, 0.18), centred=(0, 2, 3))

    def _deferred(self) -> Flowable:
        deferred = self.data.deferred
        rows = [[m.name, material_form(m.form, m.copies), long_date(m.due)] for m in deferred]
        if self.is_roll:
            return self.table(("材料名称", "形式", "补交期限"), rows, (0.44, 0.28, 0.28))
        return self.table(("材料名称", "形式与份数", "补交期限"), rows, (0.5, 0.25, 0.25))

    def _result_rows(self) -> list[tuple[str, str]]:
        data = self.data
        if data.promised_by is None:
            promise = "即办件，当场办结"
        else:
            promise = f"{long_date(data.promised_by)}前（{data.promised_days}个工作日）"
        methods = "、".join(COLLECTION[m] for m in data.collection)
        place = f"：{data.collection_place}" if data.collection_place else ""
        return [
            ("承诺办结", promise),
            ("结果领取", f"{methods}{place}"),
            ("进度查询", data.inquiry or self._center_contact()),
        ]

    def _center_contact(self) -> str:
        center = self.data.center
        parts = [f"电话 {center.phone}" if center.phone else "", center.address]
        contact = "，".join(p for p in parts if p)
        return f"凭受理编号向{center.name}查询" + (f"（{contact}）" if contact else "")


def _identity(person: PersonOnPaper) -> str:
    return f"{person.document_label} {person.masked_id}"


def _received_form(material: ReceivedMaterial) -> str:
    original = "原件" if material.original_seen else ""
    copies = f"复印件{material.copies}份" if material.copies else ""
    return "，".join(p for p in (original, copies) if p)
