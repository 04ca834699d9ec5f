"""每日受理报表: a center's counts for a day (or a range), item by item, to sign off.

The item table is always there; a report made from tongban.models.reports (report_exports.py)
adds its summary, a warning when it is incomplete, and further tables (by clerk, by hour,
anomalies, overdue cases, workstations) as `sections`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable

from tongban.printing.base import Document
from tongban.printing.labels import long_date, long_datetime
from tongban.printing.values import CenterOnPaper

COLUMNS = ("受理", "其中容缺", "其中转出", "不予受理", "一次性告知", "属地指引")
ROLL_COLUMNS = ("受理", "容缺", "转出", "不予受理", "告知", "指引")


@dataclass(frozen=True)
class DailyItemRow:
    item_code: str
    item_name: str
    accepted: int
    deferred: int = 0  # of the accepted: 容缺受理
    forwarded: int = 0  # of the accepted: 收受分离, sent on to the processing center
    refused: int = 0
    informed: int = 0  # 一次性告知 issued
    guided: int = 0  # 属地办理指引 issued

    @property
    def counts(self) -> tuple[int, ...]:
        return (
            self.accepted,
            self.deferred,
            self.forwarded,
            self.refused,
            self.informed,
            self.guided,
        )


@dataclass(frozen=True)
class ReportSection:
    """A further table: its heading, column names, rows of text and column widths (fractions)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class DailyReportData:
    center: CenterOnPaper
    day: date
    rows: tuple[DailyItemRow, ...]
    prepared_at: datetime
    prepared_by: str
    scope: str = ""  # e.g. 第3号窗口; empty for the whole center
    last_day: date | None = None  # a range report: `day` to `last_day`
    warning: str = ""  # printed prominently, e.g. that the figures are incomplete
    summary: tuple[tuple[str, str], ...] = ()
    sections: tuple[ReportSection, ...] = ()

    @property
    def period_text(self) -> str:
        if self.last_day is None or self.last_day == self.day:
            return long_date(self.day)
        return f"{long_date(self.day)}至{long_date(self.last_day)}"


class DailyIntakeReport(Document[DailyReportData]):
    title = "每日受理报表"

    def center_name(self) -> str:
        return self.data.center.name

    def reference(self) -> str:
        return f"报表日期 {self.data.period_text}"

    def story(self) -> list[Flowable]:
        data = self.data
        story: list[Flowable] = [*self.title_block(data.period_text)]
        if data.warning:
            story.append(self.heading(data.warning))
        story += [
            self.fields(
                [
                    ("受理中心", data.center.name),
                    ("统计范围", data.scope or "全中心"),
                    ("制表时间", long_datetime(data.prepared_at)),
                    ("制表人", data.prepared_by),
                    *data.summary,
                ]
            ),
            self.heading(f"分事项统计（{len(data.rows)} 个事项）"),
            self._table(),
        ]
        for section in data.sections:
            story += [self.heading(section.title), self._section(section)]
        story.append(self.signatures(("制表人签名", "审核人签名")))
        return story

    def _section(self, section: ReportSection) -> Flowable:
        if not section.rows:
            return self.para("（无）")
        numbers = range(1, len(section.header))
        return self.table(section.header, section.rows, section.widths, centred=numbers)

    def _table(self) -> Flowable:
        # A roll's narrow column would break the code apart: there the name alone identifies.
        rows = [[self._item(r), *map(str, r.counts)] for r in self.data.rows]
        totals = [sum(column) for column in zip(*(r.counts for r in self.data.rows), strict=True)]
        rows.append(["合计", *map(str, totals or [0] * len(COLUMNS))])
        header = ("事项", *(ROLL_COLUMNS if self.is_roll else COLUMNS))
        return self.table(header, rows, (0.34, *[0.11] * 6), centred=range(1, 7))

    def _item(self, row: DailyItemRow) -> str:
        return row.item_name if self.is_roll else f"{row.item_name}（{row.item_code}）"
