"""办件 (Ctrl+F7): the center's processing work. Widgets only; the logic is
ui/inbox_controller.py.

Above, two lists: 待办 (cases this center processes, or hands over) and 本中心受理、他中心办理
(cases accepted here and processed elsewhere, to follow their progress and overdue flags).
Below, the opened case: the applicant (masked until the clerk asks), materials, scans, the
timeline, and the actions, each with its Alt+digit key.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tongban.ui.inbox_models import TIMELINE_DETAIL_COLUMN
from tongban.ui.processing_ports import Action
from tongban.ui.tables import list_table

ALARM = "color: #b3261e;"
HEADING = "font-size: 12pt; font-weight: bold; color: #1a4f9c;"
# The action buttons in their order on screen, and their keys.
ACTION_TEXTS = (
    (Action.SIGN, "签收"),
    (Action.SUPPLEMENT, "要求补正…"),
    (Action.SUPPLIED, "补正已交…"),
    (Action.APPROVE, "准予办理…"),
    (Action.REJECT, "不予批准…"),
    (Action.READY, "结果待领取"),
    (Action.COLLECT, "领取…"),
    (Action.SCAN, "附扫描件…"),
)
ACTION_KEYS = {action: f"Alt+{n}" for n, (action, _text) in enumerate(ACTION_TEXTS, start=1)}
REVEAL_KEY = "Alt+X"
REFRESH_KEY = "Alt+R"


def keyed_button(name: str, text: str, key: str, owner: QWidget) -> QPushButton:
    """A button labelled with its key; the key presses it while the focus is inside `owner`
    (and only when it is enabled)."""
    button = QPushButton(f"{text}（{key}）")
    button.setObjectName(name)
    button.setAccessibleName(text.rstrip("…"))
    shortcut = QShortcut(QKeySequence(key), owner)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(button.click)
    return button


def make_label(name: str, accessible: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CaseFileView(QWidget):
    """The opened case: heading, applicant and centers, materials, scans, timeline, actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = make_label("inbox.heading", self.tr("所选办件"))
        self.heading.setStyleSheet(HEADING)
        self.flags = make_label("inbox.flags", self.tr("超期提醒"))
        self.flags.setStyleSheet(ALARM + " font-weight: bold;")
        self.applicant = make_label("inbox.applicant", self.tr("申请人"))
        self.reveal = keyed_button("inbox.reveal", self.tr("显示完整信息"), REVEAL_KEY, self)
        self.reveal.setToolTip(self.tr("查看申请人完整姓名、证件号码和联系方式（记入审计日志）"))
        self.centers = make_label("inbox.centers", self.tr("受理、办理和领取中心"))
        self.supplement = make_label("inbox.supplement", self.tr("补正与办结情况"))
        self.materials = list_table("inbox.materials", self.tr("材料"), word_wrap=False)
        self.scans = list_table("inbox.scans", self.tr("扫描件"), word_wrap=False)
        self.scans_note = make_label("inbox.scansNote", self.tr("扫描件提示"))
        self.timeline = list_table("inbox.timeline", self.tr("办件经过"), word_wrap=False)
        self.actions = {action: self._button(action, text) for action, text in ACTION_TEXTS}
        self._lay_out()

    def _button(self, action: Action, text: str) -> QPushButton:
        name, key = f"inbox.action.{action.value}", ACTION_KEYS[action]
        button = keyed_button(name, self.tr(text), key, self)
        button.setMinimumHeight(32)
        return button

    def _lay_out(self) -> None:
        info = QGridLayout()
        info.addWidget(QLabel(self.tr("申请人")), 0, 0, Qt.AlignmentFlag.AlignTop)
        info.addWidget(self.applicant, 0, 1)
        info.addWidget(self.reveal, 0, 2, Qt.AlignmentFlag.AlignTop)
        info.addWidget(QLabel(self.tr("中心")), 1, 0, Qt.AlignmentFlag.AlignTop)
        info.addWidget(self.centers, 1, 1, 1, 2)
        info.addWidget(self.supplement, 2, 0, 1, 3)
        info.setColumnStretch(1, 1)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.heading)
        left.addWidget(self.flags)
        left.addLayout(info)
        left.addWidget(self._titled(self.tr("材料"), self.materials), 3)
        scans = self._titled(self.tr("扫描件（回车打开）"), self.scans)
        scans.layout().addWidget(self.scans_note)
        left.addWidget(scans, 2)
        buttons = QGridLayout()
        for index, button in enumerate(self.actions.values()):
            buttons.addWidget(button, index // 4, index % 4)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self._titled(self.tr("办件经过"), self.timeline), 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 4)
        layout.addLayout(right, 7)

    @staticmethod
    def _titled(title: str, table: QTableView) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(QLabel(title))
        layout.addWidget(table, 1)
        return box

    def fit_timeline(self) -> None:
        """Once the model is set: 说明 takes the room that is left (elided, whole in its
        tooltip), so the timeline never scrolls sideways."""
        header = self.timeline.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TIMELINE_DETAIL_COLUMN, QHeaderView.ResizeMode.Stretch)

    def focus_chain(self) -> list[QWidget]:
        return [*self.actions.values(), self.reveal, self.materials, self.scans, self.timeline]


class InboxView(QWidget):
    """The two lists above, the opened case below, a message line and 刷新."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inbox")
        self.message = make_label("inbox.message", self.tr("提示"))
        self.refresh = keyed_button("inbox.refresh", self.tr("刷新"), REFRESH_KEY, self)
        self.inbox = list_table("inbox.list", self.tr("待办"), word_wrap=False)
        elsewhere = self.tr("本中心受理、他中心办理")
        self.elsewhere = list_table("inbox.elsewhere", elsewhere, word_wrap=False)
        self.lists = QTabWidget()
        self.lists.setObjectName("inbox.lists")
        self.lists.addTab(self.inbox, self.tr("待办"))
        self.lists.addTab(self.elsewhere, self.tr("本中心受理、他中心办理"))
        self.file = CaseFileView()
        hint = QLabel(
            self.tr("↑↓ 选择　回车 打开办件　Ctrl+Tab 切换列表　Alt+1…8 办理　Esc 回到列表")
        )
        hint.setStyleSheet("color: #555555;")
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(hint)
        top.addWidget(self.refresh)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.lists)
        split.addWidget(self.file)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 390])  # about six rows of the lists at 1366×768
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        # Tab: the list, the actions, then the rest of the case, 刷新 last.
        chain = [self.lists, *self.file.focus_chain(), self.refresh]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def current_list(self) -> QTableView:
        return self.elsewhere if self.lists.currentIndex() == 1 else self.inbox

    def show_message(self, text: str, *, alarm: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ALARM if alarm else "")
