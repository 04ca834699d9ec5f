"""Step ③, the materials checklist: one row per material, judged by models.intake.

The model holds what the clerk saw of each material (MaterialCheck) and asks assess_materials
for every state; it never judges a material itself. Rows for agent-only materials (代办人身份证件,
授权委托书) appear when an agent is entered. Keys on the table: Space 收到 (the whole row),
O 原件, +/- 复印件份数, R 容缺, T 条件适用.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tongban.models.catalog import Item, Material, MaterialForm, Requirement
from tongban.models.intake import (
    MaterialCheck,
    MaterialsAssessment,
    MaterialState,
    assess_materials,
)
from tongban.ui.i18n import form_text, requirement_text, state_name

ModelIndex = QModelIndex | QPersistentModelIndex

COL_NAME, COL_REQUIREMENT, COL_FORM, COL_ORIGINAL, COL_COPIES, COL_DEFERRED, COL_STATE = range(7)
COLUMN_COUNT = 7

_STATE_COLOURS = {
    MaterialState.RECEIVED: QColor("#1b7a2f"),
    MaterialState.DEFERRED: QColor("#a35c00"),
    MaterialState.MISSING: QColor("#b3261e"),
    MaterialState.NOT_NEEDED: QColor("#6b6b6b"),
}


def _has_original(material: Material) -> bool:
    return material.form is not MaterialForm.COPY


def _has_copies(material: Material) -> bool:
    return material.form is not MaterialForm.ORIGINAL


def _condition_is_judged(material: Material) -> bool:
    """A conditional material whose condition the clerk decides (not the agent ones)."""
    return material.requirement is Requirement.CONDITIONAL and not material.for_agent


def _check_state(on: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked


class MaterialsModel(QAbstractTableModel):
    """The checklist of one item for one applicant."""

    assessment_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._item: Item | None = None
        self._has_agent = False
        self._rows: list[Material] = []
        self._checks: dict[str, MaterialCheck] = {}
        self._assessment: MaterialsAssessment | None = None  # cached until the next change

    # What the window sets --------------------------------------------------------------------

    def set_item(self, item: Item | None) -> None:
        """A new item starts an empty checklist."""
        self.beginResetModel()
        self._item = item
        self._checks = {}
        self._rows = self._visible_rows()
        self._assessment = None
        self.endResetModel()
        self.assessment_changed.emit()

    def set_has_agent(self, has_agent: bool) -> None:
        if has_agent == self._has_agent:
            return
        self.beginResetModel()
        self._has_agent = has_agent
        self._rows = self._visible_rows()
        self._assessment = None
        self.endResetModel()
        self.assessment_changed.emit()

    def _visible_rows(self) -> list[Material]:
        if self._item is None:
            return []
        return [m for m in self._item.materials if self._has_agent or not m.for_agent]

    # What the window reads --------------------------------------------------------------------

    def item(self) -> Item | None:
        return self._item

    def material_at(self, row: int) -> Material:
        return self._rows[row]

    def check(self, row: int) -> MaterialCheck:
        return self._checks.get(self._rows[row].name, MaterialCheck())

    def checks(self) -> dict[str, MaterialCheck]:
        """The checks of the rows on the list (what the service is sent)."""
        return {m.name: self.check(row) for row, m in enumerate(self._rows)}

    def assessment(self) -> MaterialsAssessment | None:
        if self._item is None:
            return None
        if self._assessment is None:
            self._assessment = assess_materials(
                self._item, self.checks(), has_agent=self._has_agent
            )
        return self._assessment

    def state(self, row: int) -> MaterialState:
        assessment = self.assessment()
        assert assessment is not None
        return assessment.states[self._rows[row].name]

    # The clerk's actions ------------------------------------------------------------------------

    def toggle_received(self, row: int) -> None:
        """Everything of this material seen, or (again) nothing."""
        material, check = self._rows[row], self.check(row)
        if self.state(row) is MaterialState.RECEIVED:
            self._update(row, replace(check, original_seen=False, copies_received=0))
        else:
            copies = material.copies if _has_copies(material) else 0
            seen = _has_original(material)
            self._update(
                row, replace(check, original_seen=seen, copies_received=copies, deferred=False)
            )

    def toggle_original(self, row: int) -> None:
        if _has_original(self._rows[row]):
            check = self.check(row)
            self._update(row, replace(check, original_seen=not check.original_seen))

    def change_copies(self, row: int, delta: int) -> None:
        material = self._rows[row]
        if _has_copies(material):
            check = self.check(row)
            count = min(max(check.copies_received + delta, 0), material.copies)
            self._update(row, replace(check, copies_received=count))

    def toggle_deferred(self, row: int) -> None:
        """容缺: only where the item allows it, and only for what has not been received."""
        if self._rows[row].deferrable and self.state(row) is not MaterialState.RECEIVED:
            check = self.check(row)
            self._update(row, replace(check, deferred=not check.deferred))

    def toggle_applies(self, row: int) -> None:
        if _condition_is_judged(self._rows[row]):
            check = self.check(row)
            self._update(row, replace(check, applies=not check.applies))

    def _update(self, row: int, check: MaterialCheck) -> None:
        self._checks[self._rows[row].name] = check
        self._assessment = None
        # A material's state depends on its own check only: repainting its row is enough.
        self.dataChanged.emit(self.index(row, 0), self.index(row, COLUMN_COUNT - 1))
        self.assessment_changed.emit()

    # QAbstractTableModel --------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (
            self.tr("材料（空格：收到）"),
            self.tr("要求（T：条件适用）"),
            self.tr("形式"),
            self.tr("原件（O）"),
            self.tr("复印件（+/-）"),
            self.tr("容缺（R）"),
            self.tr("状态"),
        )
        return headers[section]

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self._is_checkable(index.row(), index.column()):
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def _is_checkable(self, row: int, column: int) -> bool:
        material = self._rows[row]
        return {
            COL_NAME: True,
            COL_REQUIREMENT: _condition_is_judged(material),
            COL_ORIGINAL: _has_original(material),
            COL_DEFERRED: material.deferrable,
        }.get(column, False)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and self._is_checkable(row, column):
            return self._checked(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATE:
            return _STATE_COLOURS[self.state(row)]
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_NAME, COL_REQUIREMENT):
            # Long names and conditions are elided in a narrow column: the tooltip has them whole.
            material = self._rows[row]
            return "\n".join(
                filter(None, (material.name, requirement_text(material), material.note))
            )
        return None

    def _text(self, row: int, column: int) -> str | None:
        material, check = self._rows[row], self.check(row)
        if column == COL_NAME:
            return material.name
        if column == COL_REQUIREMENT:
            return requirement_text(material)
        if column == COL_FORM:
            return form_text(material)
        if column == COL_COPIES and _has_copies(material):
            return f"{check.copies_received}/{material.copies}"
        if column == COL_DEFERRED and not material.deferrable:
            return self.tr("不可容缺")
        if column == COL_STATE:
            return state_name(self.state(row))
        return None

    def _checked(self, row: int, column: int) -> Qt.CheckState:
        check = self.check(row)
        if column == COL_NAME:
            return _check_state(self.state(row) is MaterialState.RECEIVED)
        if column == COL_REQUIREMENT:
            return _check_state(check.applies)
        if column == COL_ORIGINAL:
            return _check_state(check.original_seen)
        return _check_state(check.deferred)

    def setData(
        self, index: ModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        row, column = index.row(), index.column()
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked
        if wanted == (self._checked(row, column) == Qt.CheckState.Checked):
            return True
        toggles = {
            COL_NAME: self.toggle_received,
            COL_REQUIREMENT: self.toggle_applies,
            COL_ORIGINAL: self.toggle_original,
            COL_DEFERRED: self.toggle_deferred,
        }
        if column not in toggles:
            return False
        toggles[column](row)
        return True


def status_text(assessment: MaterialsAssessment | None) -> str:
    """The line under the checklist: what is still missing, said once and completely."""

    if assessment is None:
        return QCoreApplication.translate("materials", "请先选择事项")
    names = "、".join
    parts = []
    if assessment.missing:
        parts.append(
            QCoreApplication.translate("materials", "尚缺 {n} 项：{names}").format(
                n=len(assessment.missing), names=names(m.name for m in assessment.missing)
            )
        )
    if assessment.deferred:
        parts.append(
            QCoreApplication.translate(
                "materials", "容缺 {n} 项：{names}（申请人须签署承诺书）"
            ).format(n=len(assessment.deferred), names=names(m.name for m in assessment.deferred))
        )
    if not parts:
        return QCoreApplication.translate("materials", "材料齐全")
    return "；".join(parts)


class MaterialsView(QWidget):
    """The checklist table, its status line and the key hints. Builds widgets only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableView()
        self.table.setObjectName("materials.list")
        self.table.setAccessibleName(self.tr("材料清单"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("materials.status")
        self.status.setAccessibleName(self.tr("材料状态"))
        self.status.setWordWrap(True)
        self.keys = QLabel(
            self.tr("空格 收到/未收到 · O 原件 · +/- 复印件份数 · R 容缺 · T 条件适用")
        )
        self.keys.setObjectName("materials.keys")
        self.keys.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.keys)

    def fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_REQUIREMENT, QHeaderView.ResizeMode.Stretch)


class MaterialsController(QObject):
    """Keyboard on the checklist, and the status line."""

    def __init__(
        self, view: MaterialsView, model: MaterialsModel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.model = model
        view.table.setModel(model)
        view.fit_columns()
        view.table.installEventFilter(self)
        model.assessment_changed.connect(self._show_status)
        model.modelReset.connect(self._select_first_row)
        self._show_status()

    def _show_status(self) -> None:
        assessment = self.model.assessment()
        self.view.status.setText(status_text(assessment))
        missing = assessment is not None and bool(assessment.missing)
        self.view.status.setStyleSheet("color: #b3261e;" if missing else "")
        self.view.table.resizeRowsToContents()

    def _select_first_row(self) -> None:
        if self.model.rowCount() > 0:
            self.view.table.setCurrentIndex(self.model.index(0, COL_NAME))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return False

    def _key(self, event: QKeyEvent) -> bool:
        row = self.view.table.currentIndex().row()
        allowed = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        if row < 0 or event.modifiers() & ~allowed:
            return False
        actions = {
            Qt.Key.Key_Space: lambda: self.model.toggle_received(row),
            Qt.Key.Key_O: lambda: self.model.toggle_original(row),
            Qt.Key.Key_Plus: lambda: self.model.change_copies(row, 1),
            Qt.Key.Key_Equal: lambda: self.model.change_copies(row, 1),
            Qt.Key.Key_Minus: lambda: self.model.change_copies(row, -1),
            Qt.Key.Key_R: lambda: self.model.toggle_deferred(row),
            Qt.Key.Key_T: lambda: self.model.toggle_applies(row),
        }
        action = actions.get(Qt.Key(event.key()))
        if action is None:
            return False
        action()
        return True
