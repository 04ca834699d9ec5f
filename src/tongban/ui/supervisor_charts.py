"""The supervisor's charts (QtCharts, from the PySide6-Addons wheel): where looking beats reading.

Two charts, each fed a plain {label: count} mapping from the intake report: accepted cases by
the hour of the day (bars), and the share by department or by mode (a pie). They only draw;
the tables beside them carry the same figures for reading and for keyboard users.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QWidget

OPENING_HOURS = tuple(f"{hour:02d}" for hour in range(8, 17))  # 08 … 16: always on the axis
BAR_COLOUR = QColor("#2f6fae")
SLICE_COLOURS = tuple(
    QColor(c) for c in ("#2f6fae", "#e0892b", "#3c9a5f", "#b3261e", "#7a5ea8", "#8c6d46", "#6b7785")
)
MAX_SLICES = len(SLICE_COLOURS)  # the rest are drawn as one slice, 其他


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(QApplication.font())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


class HourChart(QChartView):
    """Accepted cases by Shanghai hour (report.by_hour)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisor.hourChart")
        self.setAccessibleName(self.tr("按时段受理件数图"))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setChart(_chart(self.tr("按时段受理件数")))
        self.chart().legend().hide()
        self.bars = QBarSet(self.tr("受理"))
        self.bars.setColor(BAR_COLOUR)
        series = QBarSeries()
        series.append(self.bars)
        series.setLabelsVisible(True)
        self.hours = QBarCategoryAxis()
        self.hours.setTitleText(self.tr("时"))
        self.counts = QValueAxis()
        self.counts.setLabelFormat("%d")
        chart = self.chart()
        chart.addSeries(series)
        chart.addAxis(self.hours, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(self.hours)
        series.attachAxis(self.counts)
        self.set_counts({})

    def set_counts(self, by_hour: Mapping[str, int]) -> None:
        hours = sorted(set(OPENING_HOURS) | set(by_hour))
        self.bars.remove(0, self.bars.count())
        self.bars.append([float(by_hour.get(hour, 0)) for hour in hours])
        self.hours.clear()
        self.hours.append([str(int(hour)) for hour in hours])  # 8 … 16: narrow enough to show
        top = max([1, *by_hour.values()])
        self.counts.setRange(0, top)
        if top <= 5:
            self.counts.setTickCount(top + 1)  # one tick per case: whole numbers only
        else:
            self.counts.applyNiceNumbers()

    def values(self) -> dict[str, int]:
        """What the bars show, by hour label (for tests and the accessible description)."""
        labels = (f"{int(label):02d}" for label in self.hours.categories())
        return {label: int(self.bars.at(i)) for i, label in enumerate(labels)}


class ShareChart(QChartView):
    """A pie of counts by label (by department or by mode); the largest slices, then 其他."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisor.shareChart")
        self.setAccessibleName(self.tr("受理件数构成图"))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setChart(_chart(""))
        self.chart().legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart().legend().setFont(QApplication.font())
        self.series = QPieSeries()
        self.chart().addSeries(self.series)

    def set_counts(self, title: str, counts: Mapping[str, int]) -> None:
        self.chart().setTitle(title)
        self.series.clear()
        ordered = sorted(((n, label) for label, n in counts.items() if n), reverse=True)
        shown = ordered[: MAX_SLICES - 1] if len(ordered) > MAX_SLICES else ordered
        rest = sum(n for n, _ in ordered[len(shown) :])
        parts = [(label, n) for n, label in shown] + ([(self.tr("其他"), rest)] if rest else [])
        for index, (label, n) in enumerate(parts):
            piece = self.series.append(f"{label} {n}", n)
            piece.setColor(SLICE_COLOURS[index % len(SLICE_COLOURS)])
            piece.setLabelVisible(False)
        if not parts:
            self.chart().setTitle(title + self.tr("（无）"))

    def values(self) -> dict[str, int]:
        return {s.label().rsplit(" ", 1)[0]: int(s.value()) for s in self.series.slices()}
