"""Step ②, picking the item: search as you type, results with what a clerk needs to see.

The search itself is models.search.ItemSearch (Chinese, pinyin, initials, code); its index is
built on the worker thread and handed in with `set_search`. Where this applicant's case would be
handled (the routing) and the eligibility warnings are computed by the intake controller and
shown here with `show_routing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tongban.models.catalog import Item
from tongban.models.search import ItemSearch
from tongban.ui.i18n import fee_text, mode_name, promised_days_text

ModelIndex = QModelIndex | QPersistentModelIndex

COL_CODE, COL_NAME, COL_MODE, COL_DEPARTMENT, COL_DAYS, COL_FEE = range(6)
COLUMN_COUNT = 6


class Tone(StrEnum):
    """How a routing line reads: fine, worth noticing, or stop."""

    NEUTRAL = "neutral"
    GOOD = "good"
    NOTICE = "notice"
    STOP = "stop"


_TONE_STYLES = {
    Tone.NEUTRAL: "color: #555555;",
    Tone.GOOD: "color: #1b7a2f; font-weight: bold;",
    Tone.NOTICE: "color: #1a4f9c; font-weight: bold;",
    Tone.STOP: "color: #b3261e; font-weight: bold;",
}


class ItemResultsModel(QAbstractTableModel):
    """Search results: code, name, mode, department, promised time, fee."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Item] = []

    def set_items(self, items: Sequence[Item]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> Item:
        return self._items[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (
            self.tr("编码"),
            self.tr("事项名称"),
            self.tr("办理方式"),
            self.tr("部门"),
            self.tr("承诺时限"),
            self.tr("收费"),
        )
        return headers[section]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join((item.name, item.applicants, *item.conditions))
        return None

    def _text(self, item: Item, column: int) -> str:
        texts = {
            COL_CODE: lambda: item.code,
            COL_NAME: lambda: item.name,
            COL_MODE: lambda: mode_name(item.mode),
            COL_DEPARTMENT: lambda: item.department,
            COL_DAYS: lambda: promised_days_text(item),
            COL_FEE: lambda: fee_text(item),
        }
        return texts[column]()


class ItemPickerView(QWidget):
    """Search field, results, the chosen item, its routing and warnings. Builds widgets only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("item.search")
        self.search.setAccessibleName(self.tr("事项查找"))
        self.search.setPlaceholderText(self.tr("事项名称、拼音、首字母或编码，回车选定"))
        self.search.setClearButtonEnabled(True)
        self.results = QTableView()
        self.results.setObjectName("item.results")
        self.results.setAccessibleName(self.tr("事项查找结果"))
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setTabKeyNavigation(False)
        self.results.verticalHeader().setVisible(False)
        # Compact rows: more results fit on a 768-pixel-high counter screen.
        self.results.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.chosen = QLabel()
        self.chosen.setObjectName("item.chosen")
        self.chosen.setAccessibleName(self.tr("已选事项"))
        self.chosen.setWordWrap(True)
        self.routing = QLabel()
        self.routing.setObjectName("item.routing")
        self.routing.setAccessibleName(self.tr("办理去向"))
        self.routing.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setObjectName("item.warnings")
        self.warnings.setAccessibleName(self.tr("申请条件提示"))
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #a35c00;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.chosen)
        layout.addWidget(self.routing)
        layout.addWidget(self.warnings)

    def fit_columns(self) -> None:
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)


class ItemPicker(QObject):
    """Controller of the item step: searching, choosing, and showing the routing."""

    item_chosen = Signal(object)  # Item | None

    def __init__(self, view: ItemPickerView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.model = ItemResultsModel(self)
        self._search: ItemSearch | None = None
        self._chosen: Item | None = None
        view.results.setModel(self.model)
        view.fit_columns()
        view.search.textChanged.connect(self._refresh)
        view.search.returnPressed.connect(self._choose_current)
        view.search.installEventFilter(self)
        view.results.activated.connect(lambda index: self._choose_row(index.row()))
        self.show_routing(self.tr("请先选择事项"), Tone.NEUTRAL, [])

    def set_search(self, search: ItemSearch) -> None:
        """The index is ready (built on the worker thread)."""
        self._search = search
        self._refresh()

    def chosen(self) -> Item | None:
        return self._chosen

    def clear(self) -> None:
        self.view.search.clear()
        self._set_chosen(None)

    def show_routing(self, text: str, tone: Tone, warnings: Sequence[str]) -> None:
        self.view.routing.setText(text)
        self.view.routing.setStyleSheet(_TONE_STYLES[tone])
        self.view.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.view.warnings.setVisible(bool(warnings))

    def _refresh(self) -> None:
        if self._search is None:
            self.model.set_items([])
            return
        self.model.set_items(self._search.search(self.view.search.text()))
        if self.model.rowCount() > 0:
            self.view.results.setCurrentIndex(self.model.index(0, COL_CODE))

    def _choose_current(self) -> None:
        row = self.view.results.currentIndex().row()
        self._choose_row(row if row >= 0 else 0)

    def _choose_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self._set_chosen(self.model.item_at(row))

    def _set_chosen(self, item: Item | None) -> None:
        self._chosen = item
        if item is None:
            self.view.chosen.setText(self.tr("未选择事项"))
        else:
            self.view.chosen.setText(
                self.tr("已选：{code} {name} · {mode} · {department} · 承诺 {days} · {fee}").format(
                    code=item.code,
                    name=item.name,
                    mode=mode_name(item.mode),
                    department=item.department,
                    days=promised_days_text(item),
                    fee=fee_text(item),
                )
            )
        self.item_chosen.emit(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down/Up in the search field walk the results without leaving the field.
        if watched is self.view.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and self.model.rowCount() > 0:
                row = self.view.results.currentIndex().row() + step
                row = min(max(row, 0), self.model.rowCount() - 1)
                self.view.results.setCurrentIndex(self.model.index(row, COL_CODE))
                return True
        return False
