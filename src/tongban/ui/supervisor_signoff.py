"""The 日结 dialog: the supervisor types the password again and signs the day off.

Keyboard first: the password field has the focus, Enter signs, Esc cancels. When the center
refuses because workstations have not synced the day, they are listed here, each with what it
still lacks, and the dialog stays open so the supervisor can try again after they sync.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tongban.models.closures import DayStatus

ALARM = "color: #b3261e;"


class SignOffDialog(QDialog):
    submitted = Signal(str)  # the password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signoff")
        self.setWindowTitle(self.tr("日结"))
        self.setModal(True)
        self.setMinimumWidth(640)
        self.intro = QLabel()
        self.intro.setObjectName("signoff.intro")
        self.intro.setWordWrap(True)
        self.signer = QLabel()
        self.signer.setObjectName("signoff.signer")
        self.password = QLineEdit()
        self.password.setObjectName("signoff.password")
        self.password.setAccessibleName(self.tr("主管密码"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("请再次输入主管密码，回车签字"))
        self.message = QLabel()
        self.message.setObjectName("signoff.message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ALARM)
        self.stragglers = QListWidget()
        self.stragglers.setObjectName("signoff.stragglers")
        self.stragglers.setAccessibleName(self.tr("尚未同步的工作站"))
        self.stragglers.setWordWrap(True)
        self.stragglers.setVisible(False)
        buttons = QDialogButtonBox()
        self.sign = QPushButton(self.tr("签字日结"))
        self.sign.setObjectName("signoff.submit")
        self.sign.setDefault(True)
        buttons.addButton(self.sign, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("signoff.cancel")
        cancel.setAutoDefault(False)
        self.sign.clicked.connect(self._submit)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.signer, self.password, self.message, self.stragglers):
            layout.addWidget(widget)
        layout.addWidget(buttons)

    def open_for(self, day: date, signer: str) -> None:
        self.intro.setText(
            self.tr(
                "日结 {day}：签字后当日的受理、告知、不予受理、补打和撤销不能再记录或更改，"
                "当日统计数报送中心。各工作站须已同步当日数据。"
            ).format(day=f"{day:%Y-%m-%d}")
        )
        self.signer.setText(self.tr("签字主管：{signer}").format(signer=signer))
        self.password.clear()
        self.message.clear()
        self.stragglers.clear()
        self.stragglers.setVisible(False)
        self.set_busy(False)
        self.show()
        self.raise_()
        self.activateWindow()
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.sign.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if not busy:
            self.password.setFocus()

    def show_refusal(self, message: str) -> None:
        self.set_busy(False)
        self.message.setText(message)
        self.password.clear()

    def show_stragglers(self, status: DayStatus) -> None:
        self.set_busy(False)
        self.message.setText(
            self.tr(
                "以下 {n} 台工作站尚未同步 {day} 的数据，暂不能日结。请让其联网同步后再试："
            ).format(n=len(status.stragglers), day=f"{status.day:%Y-%m-%d}")
        )
        self.stragglers.clear()
        self.stragglers.addItems([s.line() for s in status.stragglers])
        self.stragglers.setVisible(True)
        self.password.clear()

    def _submit(self) -> None:
        password = self.password.text()
        if not password:
            self.message.setText(self.tr("请输入密码"))
            return
        self.set_busy(True)
        self.submitted.emit(password)
