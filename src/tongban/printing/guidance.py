"""属地办理指引: for an item never city-wide, the center to visit and the district's window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable

from tongban.printing.base import Document
from tongban.printing.labels import long_date, long_datetime
from tongban.printing.values import CenterOnPaper


@dataclass(frozen=True)
class WindowOnPaper:
    """One announced acceptance period of the district (inclusive dates)."""

    opens: date
    closes: date
    note: str = ""


@dataclass(frozen=True)
class GuidanceData:
    issuing_center: CenterOnPaper
    item_code: str
    item_name: str
    applicant_name: str
    target_center: CenterOnPaper  # the applicant's own center
    district_name: str
    basis: str  # how the own center was found: 户籍地 or 居住地
    issued_at: datetime
    clerk: str
    windows: tuple[WindowOnPaper, ...] = ()  # announced periods still open or to come
    materials: tuple[str, ...] = ()  # what to bring, as the catalog lists it


class HomeDistrictGuidance(Document[GuidanceData]):
    title = "属地办理指引"

    def center_name(self) -> str:
        return self.data.issuing_center.name

    def reference(self) -> str:
        return long_date(self.data.issued_at.date())

    def story(self) -> list[Flowable]:
        data = self.data
        parts: list[Flowable] = [
            *self.title_block(),
            self.para(f"{data.applicant_name}："),
            self.para(
                f"“{data.item_name}”（{data.item_code}）不属于全市通办事项，须到您{data.basis}"
                f"所属的社区事务受理服务中心申请，并在{data.district_name}公布的受理期内办理。"
            ),
            self.heading("请前往"),
            self.fields(
                [
                    ("受理中心", data.target_center.name),
                    ("地址", data.target_center.address or "（本系统暂无地址，请电话咨询）"),
                    ("电话", data.target_center.phone),
                ]
            ),
            self.heading(f"{data.district_name}受理期"),
            self._windows(),
        ]
        if data.materials:
            parts += [
                self.heading("申请时请携带"),
                *(self.para(f"{i}. {name}") for i, name in enumerate(data.materials, start=1)),
                self.small("以上材料以受理中心的告知为准。"),
            ]
        parts += [
            self.heading("指引信息"),
            self.fields(
                [
                    ("指引单位", data.issuing_center.name),
                    ("指引时间", long_datetime(data.issued_at)),
                    ("经办人", data.clerk),
                ]
            ),
        ]
        return parts

    def _windows(self) -> Flowable:
        windows = self.data.windows
        if not windows:
            return self.para("目前没有已公布的受理期，请先电话咨询上述受理中心再前往。")
        rows = [[long_date(w.opens), long_date(w.closes), w.note] for w in windows]
        return self.table(("开始日期", "截止日期", "说明"), rows, (0.3, 0.3, 0.4))
