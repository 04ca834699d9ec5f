"""The small dialogs of the processing actions: 补正, 补正已交, 准予, 不予批准, 领取, 附扫描件.

Keyboard first: the first field has the focus, Space ticks a material, Tab moves on, Enter
submits, Esc cancels. A dialog checks what it can (a material ticked, a reason written), then
emits `submitted` with its values and waits: the controller closes it when the service has
recorded the action, or shows the service's refusal in it and leaves it open to correct.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ALARM = "color: #b3261e;"
MAX_TEXT = 500
SEPARATORS = ("、", "，", ",", ";", "；")


@dataclass(frozen=True)
class ScanChoice:
    material: str
    path: Path


@dataclass(frozen=True)
class SupplementRequest:
    materials: tuple[str, ...]
    reason: str
    due: date


class ActionDialog(QDialog):
    """A titled dialog for one case: its fields, a refusal line, submit and cancel."""

    submitted = Signal(object)  # the dialog's values
    # Every dialog below defines these two methods (declared, not defined, here: abc cannot be
    # used, ABCMeta and Qt's metaclass do not combine on a QDialog).
    first_field: Callable[[], QWidget]  # the field that takes the focus on opening or refusal
    values: Callable[[], object | None]  # the values to submit, or None after saying what's missing

    def __init__(self, name: str, title: str, submit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(520)
        self.case = QLabel()
        self.case.setObjectName(f"{name}.case")
        self.case.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName(f"{name}.message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ALARM)
        self.form = QFormLayout()
        buttons = QDialogButtonBox()
        self.ok = QPushButton(submit)
        self.ok.setObjectName(f"{name}.ok")
        self.ok.setDefault(True)
        buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(self.tr("取消（Esc）"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName(f"{name}.cancel")
        cancel.setAutoDefault(False)
        self.ok.clicked.connect(self._submit)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.case)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def open_for(self, case_line: str) -> None:
        self.case.setText(case_line)
        self.message.clear()
        self.set_busy(False)
        self.show()
        self.first_field().setFocus()

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)

    def show_refusal(self, message: str) -> None:
        self.set_busy(False)
        self.message.setText(message)
        self.first_field().setFocus()

    def _submit(self) -> None:
        values = self.values()
        if values is None:
            return
        self.set_busy(True)
        self.submitted.emit(values)


def _checklist(name: str, accessible: str) -> QListWidget:
    checklist = QListWidget()
    checklist.setObjectName(name)
    checklist.setAccessibleName(accessible)
    checklist.setMaximumHeight(150)
    return checklist


def _fill_checklist(checklist: QListWidget, names: Sequence[str], checked: Sequence[str]) -> None:
    checklist.clear()
    for name in dict.fromkeys(names):
        entry = QListWidgetItem(name)
        entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        entry.setCheckState(Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked)
        checklist.addItem(entry)
    if checklist.count():
        checklist.setCurrentRow(0)


def _checked(checklist: QListWidget) -> list[str]:
    return [
        checklist.item(row).text()
        for row in range(checklist.count())
        if checklist.item(row).checkState() is Qt.CheckState.Checked
    ]


def _split(text: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    return [part.strip() for part in text.split(SEPARATORS[0]) if part.strip()]


def _line(name: str, accessible: str, placeholder: str) -> QLineEdit:
    line = QLineEdit()
    line.setObjectName(name)
    line.setAccessibleName(accessible)
    line.setPlaceholderText(placeholder)
    line.setMaxLength(MAX_TEXT)
    return line


class SupplementDialog(ActionDialog):
    """补正: the materials needed (ticked, or written), the reason, and the due date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("supplement", self.tr("要求补正"), self.tr("要求补正（回车）"), parent)
        self.materials = _checklist("supplement.materials", self.tr("需要补正的材料"))
        self.other = _line(
            "supplement.other", self.tr("其他材料"), self.tr("清单外的材料，多项用顿号分隔")
        )
        self.reason = _line(
            "supplement.reason", self.tr("补正理由"), self.tr("写明需要补正的原因和要求")
        )
        self.due = QDateEdit()
        self.due.setObjectName("supplement.due")
        self.due.setAccessibleName(self.tr("补正期限"))
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setCalendarPopup(True)
        hint = QLabel(self.tr("空格勾选材料，Tab 下一项。等待补正期间，承诺办结时限暂停计算。"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        self.form.addRow(self.tr("材料"), self.materials)
        self.form.addRow(self.tr("其他材料"), self.other)
        self.form.addRow(self.tr("补正理由"), self.reason)
        self.form.addRow(self.tr("补正期限"), self.due)
        self.form.addRow(hint)

    def prepare(self, materials: Sequence[str], due: date) -> None:
        _fill_checklist(self.materials, materials, ())
        self.other.clear()
        self.reason.clear()
        self.due.setDate(QDate(due.year, due.month, due.day))

    def first_field(self) -> QWidget:
        return self.materials if self.materials.count() else self.other

    def values(self) -> SupplementRequest | None:
        names = tuple(dict.fromkeys([*_checked(self.materials), *_split(self.other.text())]))
        if not names:
            self.message.setText(self.tr("请勾选或填写需要补正的材料"))
            return None
        reason = self.reason.text().strip()
        if not reason:
            self.message.setText(self.tr("请填写补正理由"))
            self.reason.setFocus()
            return None
        chosen = self.due.date()
        return SupplementRequest(names, reason, date(chosen.year(), chosen.month(), chosen.day()))


class SuppliedDialog(ActionDialog):
    """补正材料已交: the requested materials handed in (all ticked to begin with)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("supplied", self.tr("补正材料已交"), self.tr("确认已交（回车）"), parent)
        self.materials = _checklist("supplied.materials", self.tr("已交的补正材料"))
        self.form.addRow(self.tr("已交材料"), self.materials)

    def prepare(self, materials: Sequence[str]) -> None:
        _fill_checklist(self.materials, materials, materials)

    def first_field(self) -> QWidget:
        return self.materials

    def values(self) -> tuple[str, ...] | None:
        names = tuple(_checked(self.materials))
        if not names:
            self.message.setText(self.tr("请勾选申请人交来的材料"))
            return None
        return names


class ScanDialog(ActionDialog):
    """附扫描件: which material the scan shows, and its file (chosen with 浏览, or a path pasted).

    浏览 (Alt+F) only asks for the file: the controller owns the chooser and its start folder."""

    browse_requested = Signal()
    BROWSE_KEY = "Alt+F"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("scan", self.tr("附扫描件"), self.tr("附上（回车）"), parent)
        self.material = QComboBox()
        self.material.setObjectName("scan.material")
        self.material.setAccessibleName(self.tr("扫描件所属的材料"))
        self.file = _line(
            "scan.file", self.tr("扫描件文件"), self.tr("按 Alt+F 选择文件，或粘贴文件路径")
        )
        self.browse = QPushButton(self.tr("浏览…（{key}）").format(key=self.BROWSE_KEY))
        self.browse.setObjectName("scan.browse")
        self.browse.setAccessibleName(self.tr("选择扫描件文件"))
        self.browse.clicked.connect(lambda _=False: self.browse_requested.emit())
        shortcut = QShortcut(QKeySequence(self.BROWSE_KEY), self)
        shortcut.activated.connect(self.browse.click)
        hint = QLabel(self.tr("PDF 或图片（PNG、JPEG、TIFF），不超过 20 MB"))
        hint.setStyleSheet("color: #555555;")
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(self.browse)
        self.form.addRow(self.tr("材料"), self.material)
        self.form.addRow(self.tr("文件"), row)
        self.form.addRow(hint)

    def prepare(self, materials: Sequence[str]) -> None:
        self.material.clear()
        self.material.addItems(list(dict.fromkeys(materials)))
        self.file.clear()

    def set_file(self, path: Path) -> None:
        """A file chosen: shown, and Enter attaches it."""
        self.file.setText(str(path))
        self.message.clear()
        self.ok.setFocus()

    def first_field(self) -> QWidget:
        return self.material

    def show_refusal(self, message: str) -> None:
        """A refusal is about the file (its type, its size, not found): back to choose again."""
        super().show_refusal(message)
        self.browse.setFocus()

    def values(self) -> ScanChoice | None:
        material = self.material.currentText().strip()
        if not material:
            self.message.setText(self.tr("此案没有可选的材料"))
            return None
        text = self.file.text().strip()
        if not text:
            self.message.setText(self.tr("请选择扫描件文件（Alt+F）"))
            self.browse.setFocus()
            return None
        return ScanChoice(material, Path(text).expanduser())


class TextDialog(ActionDialog):
    """One line of text: 准予办理's note, 不予批准's reason, 领取's collector."""

    def __init__(
        self,
        name: str,
        title: str,
        label: str,
        *,
        submit: str,
        required: str = "",  # the message when left empty; "" when it may be empty
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(name, title, submit, parent)
        self._required = required
        self.text = _line(f"{name}.text", label, placeholder)
        self.form.addRow(label, self.text)

    def prepare(self, text: str = "") -> None:
        self.text.setText(text)
        self.text.selectAll()

    def first_field(self) -> QWidget:
        return self.text

    def values(self) -> str | None:
        text = self.text.text().strip()
        if self._required and not text:
            self.message.setText(self._required)
            return None
        return text


def _t(text: str) -> str:
    return QCoreApplication.translate("processing", text)


def approve_dialog(parent: QWidget | None = None) -> TextDialog:
    return TextDialog(
        "approve",
        _t("准予办理"),
        _t("办结意见"),
        submit=_t("准予办理（回车）"),
        placeholder=_t("可不填"),
        parent=parent,
    )


def reject_dialog(parent: QWidget | None = None) -> TextDialog:
    return TextDialog(
        "reject",
        _t("不予批准"),
        _t("不予批准的理由"),
        submit=_t("不予批准（回车）"),
        required=_t("请填写不予批准的理由"),
        placeholder=_t("写明理由和依据，申请人将被告知"),
        parent=parent,
    )


def collect_dialog(parent: QWidget | None = None) -> TextDialog:
    return TextDialog(
        "collect",
        _t("领取结果"),
        _t("领取人"),
        submit=_t("确认领取（回车）"),
        required=_t("请填写领取人"),
        placeholder=_t("申请人本人，或代领人姓名"),
        parent=parent,
    )
