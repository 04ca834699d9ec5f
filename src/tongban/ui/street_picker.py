"""District → street pickers for the household (户籍地) and residence (居住地) addresses.

The street field is an editable QComboBox whose items are the streets of the chosen district
(all of Shanghai when no district is chosen). Typing filters a popup by Chinese, pinyin or
initials (pinyin_filter), best matches first; Enter takes the top row (or the one chosen with
the arrow keys) and the district follows it. Leaving the field takes the top row too; text that
matches no street is never taken for one.
The household picker also offers 外省市户籍 (registered outside Shanghai).

Models: StreetListModel (all streets) ← DistrictFilterModel (the combo's items) ←
StreetSearchModel (the popup's rows). QComboBox maps a popup row back through this chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QWidget

from tongban.models.geography import Geography, Street
from tongban.ui.pinyin_filter import PinyinFilter

ModelIndex = QModelIndex | QPersistentModelIndex
CODE_ROLE = Qt.ItemDataRole.UserRole
DISTRICT_ROLE = Qt.ItemDataRole.UserRole + 1
OUTSIDE_SHANGHAI = "outside"  # the district combo's entry for a household outside Shanghai


@dataclass(frozen=True)
class StreetChoice:
    """What a picker holds: nothing yet, a street, or (household only) outside Shanghai."""

    street: str | None = None
    outside_shanghai: bool = False

    @property
    def chosen(self) -> bool:
        return self.street is not None or self.outside_shanghai


class StreetListModel(QAbstractListModel):
    """Every street of the geography, in code order; display is the street's name."""

    def __init__(self, geography: Geography, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._streets: list[Street] = sorted(geography.streets.values(), key=lambda s: s.code)
        self._districts = {code: d.name for code, d in geography.districts.items()}
        self._row_of = {street.code: row for row, street in enumerate(self._streets)}

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._streets)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        street = self._streets[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return street.name
        if role == CODE_ROLE:
            return street.code
        if role == DISTRICT_ROLE:
            return street.district_code
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self._districts.get(street.district_code, '')} {street.name}（{street.code}）"
        return None

    def row_of(self, code: str) -> int:
        return self._row_of.get(code, -1)

    def names(self) -> dict[str, str]:
        return {street.code: street.name for street in self._streets}


class DistrictFilterModel(QSortFilterProxyModel):
    """The streets of one district, or all of them when the district is None."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._district: str | None = None

    def set_district(self, code: str | None) -> None:
        if code != self._district:
            self.beginFilterChange()
            self._district = code
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def district(self) -> str | None:
        return self._district

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        if self._district is None:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return index.data(DISTRICT_ROLE) == self._district


class StreetSearchModel(QSortFilterProxyModel):
    """The streets whose name matches what the clerk typed (Chinese, pinyin or initials);
    those matching from their first character come first."""

    def __init__(self, pinyin: PinyinFilter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pinyin = pinyin
        self._query = ""
        self._ranks: dict[str, int] = {}

    def set_query(self, text: str) -> None:
        if text != self._query:
            self._query = text
            self._ranks = {}
            self.invalidate()
            # Without a query the streets keep their code order; ranking is for matches only.
            self.sort(0 if text else -1)

    def _rank(self, code: str) -> int | None:
        if code not in self._ranks:
            rank = self._pinyin.rank(code, self._query)
            if rank is None:
                return None
            self._ranks[code] = rank
        return self._ranks[code]

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        return self._rank(index.data(CODE_ROLE)) is not None

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        left_code, right_code = left.data(CODE_ROLE), right.data(CODE_ROLE)
        left_rank, right_rank = self._rank(left_code) or 0, self._rank(right_code) or 0
        return (left_rank, left_code) < (right_rank, right_code)


class StreetPickerView(QWidget):
    """A district combo and an editable street combo side by side. Builds widgets only."""

    def __init__(self, name: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.district = QComboBox()
        self.district.setObjectName(f"{name}District")
        self.district.setAccessibleName(self.tr("{label}所在区").format(label=label))
        self.street = QComboBox()
        self.street.setObjectName(f"{name}Street")
        self.street.setAccessibleName(self.tr("{label}街道（镇）").format(label=label))
        self.street.setEditable(True)
        self.street.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.street.setMinimumContentsLength(10)
        self.street.lineEdit().setPlaceholderText(self.tr("街道名、拼音或首字母"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.district, 2)
        layout.addWidget(self.street, 3)
        self.setFocusProxy(self.district)


class StreetPicker(QObject):
    """Controller of one StreetPickerView: filtering, choosing, and the value it holds."""

    changed = Signal()
    picked = Signal()  # the clerk took a street with Enter or a click in the list

    def __init__(
        self,
        view: StreetPickerView,
        geography: Geography,
        pinyin: PinyinFilter,
        *,
        allow_outside: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._geography = geography
        self._pinyin = pinyin
        self._quiet = False
        self._streets = StreetListModel(geography, self)
        self._by_district = DistrictFilterModel(self)
        self._by_district.setSourceModel(self._streets)
        self._search = StreetSearchModel(pinyin, self)
        self._search.setSourceModel(self._by_district)
        self._fill_districts(allow_outside)
        self._setup_street_combo()
        self.view.district.currentIndexChanged.connect(self._district_chosen)
        self.view.street.currentIndexChanged.connect(self._street_chosen)
        self.view.street.lineEdit().textEdited.connect(self._typed)
        self.view.street.lineEdit().returnPressed.connect(self._entered)
        self.view.street.lineEdit().editingFinished.connect(self._settle)

    def _fill_districts(self, allow_outside: bool) -> None:
        combo = self.view.district
        combo.addItem(self.tr("全部区"), None)
        for code, district in sorted(self._geography.districts.items()):
            combo.addItem(district.name, code)
        if allow_outside:
            combo.addItem(self.tr("外省市户籍"), OUTSIDE_SHANGHAI)

    def _setup_street_combo(self) -> None:
        combo = self.view.street
        combo.setModel(self._by_district)
        completer = QCompleter(self._search, combo)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(12)
        combo.setCompleter(completer)
        completer.activated.connect(lambda _text: self.picked.emit())
        combo.setCurrentIndex(-1)

    # The value ----------------------------------------------------------------------------

    def value(self) -> StreetChoice:
        if self.view.district.currentData() == OUTSIDE_SHANGHAI:
            return StreetChoice(outside_shanghai=True)
        code = self.view.street.currentData(CODE_ROLE)
        shown = self.view.street.currentText()
        if code and shown == self.view.street.itemText(self.view.street.currentIndex()):
            return StreetChoice(street=code)
        return StreetChoice()

    def set_value(self, choice: StreetChoice) -> None:
        if choice.outside_shanghai:
            self._select_district(OUTSIDE_SHANGHAI)
        elif choice.street is not None and choice.street in self._geography.streets:
            self._select_district(self._geography.street(choice.street).district_code)
            self._select_street(choice.street)
        else:
            self.clear()
            return
        self.changed.emit()

    def clear(self) -> None:
        self._select_district(None)
        self._search.set_query("")
        self.view.street.setCurrentIndex(-1)
        self.view.street.setEditText("")
        self.changed.emit()

    # Reactions ------------------------------------------------------------------------------

    @contextmanager
    def _rearranging(self) -> Iterator[None]:
        """Row changes caused by re-filtering are not the clerk choosing a street."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _district_chosen(self, _row: int) -> None:
        district = self.view.district.currentData()
        outside = district == OUTSIDE_SHANGHAI
        with self._rearranging():
            current = self.view.street.currentData(CODE_ROLE)
            moved = district is not None and self._district_of(current) not in (None, district)
            if outside or moved:
                self.view.street.setCurrentIndex(-1)
                self.view.street.setEditText("")
            self._by_district.set_district(None if outside else district)
            self.view.street.setEnabled(not outside)
        self.changed.emit()

    def _street_chosen(self, _row: int) -> None:
        if self._quiet:
            return
        code = self.view.street.currentData(CODE_ROLE)
        if code and self._by_district.district() is None:
            # Chosen among all of Shanghai: show its district, keeping the street.
            self._select_district(self._geography.street(code).district_code)
        self.changed.emit()

    def _typed(self, text: str) -> None:
        self._search.set_query(text)
        completer = self.view.street.completer()
        if not text or self._search.rowCount() == 0:
            completer.popup().hide()
            return
        # Nothing is highlighted: a highlighted row would replace the typed text. Enter takes
        # the top row (see _settle); Down walks the list.
        completer.complete()

    def _entered(self) -> None:
        """Enter: take the best match, and tell the form to move on."""
        self._settle()
        if self.value().street is not None:
            self.picked.emit()

    def _settle(self) -> None:
        """Enter or leaving the field: the typed text becomes the best matching street."""
        combo = self.view.street
        combo.completer().popup().hide()
        text = combo.currentText()
        if combo.currentIndex() >= 0 and text == combo.itemText(combo.currentIndex()):
            return
        if not text:
            combo.setCurrentIndex(-1)
            self.changed.emit()
            return
        self._search.set_query(text)
        if self._search.rowCount() > 0:
            self._select_street(self._search.index(0, 0).data(CODE_ROLE))
            return
        # Unknown text never stands for a street: show what is really chosen.
        combo.setEditText(combo.itemText(combo.currentIndex()) if combo.currentIndex() >= 0 else "")
        self.changed.emit()

    def _district_of(self, street: str | None) -> str | None:
        return self._geography.street(street).district_code if street else None

    def _select_district(self, code: str | None) -> None:
        combo = self.view.district
        row = combo.findData(code) if code is not None else 0
        outside = code == OUTSIDE_SHANGHAI
        with self._rearranging():
            combo.blockSignals(True)
            combo.setCurrentIndex(max(row, 0))
            combo.blockSignals(False)
            self._by_district.set_district(None if outside else code)
            self.view.street.setEnabled(not outside)

    def _select_street(self, code: str) -> None:
        source_row = self._streets.row_of(code)
        proxy = self._by_district.mapFromSource(self._streets.index(source_row, 0))
        self.view.street.setCurrentIndex(proxy.row())
