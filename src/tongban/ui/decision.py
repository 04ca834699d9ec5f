"""Step ④, the decision: which actions make sense now, the action buttons, the refusal dialog.

`available_actions` is a pure function of the step states, so the rule "受理 only when the
materials allow it and the item may be accepted here" is tested without a window.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tongban.models.catalog import Item
from tongban.models.intake import MaterialsAssessment
from tongban.models.routing import Decision, Routing
from tongban.ui.applicant_state import ApplicantState


@dataclass(frozen=True)
class ActionState:
    accept: bool
    notify: bool
    refuse: bool
    guide: bool
    blocker: str  # why 受理 is not possible now (zh_CN); empty when it is


def available_actions(
    *,
    applicant: ApplicantState,
    item: Item | None,
    routing: Routing | None,
    assessment: MaterialsAssessment | None,
    decided: bool,
) -> ActionState:
    """Which decisions the clerk may take for this applicant and item."""
    if decided:
        return ActionState(
            False,
            False,
            False,
            False,
            QCoreApplication.translate("decision", "本次接待已办结，按 F12 接待下一位"),
        )
    identified = applicant.identified and item is not None
    refused_here = routing is not None and routing.decision is Decision.REFUSE
    may_proceed = routing is not None and not refused_here
    missing = assessment is not None and bool(assessment.missing)
    blocker = _accept_blocker(applicant, item, routing, assessment)
    return ActionState(
        accept=not blocker,
        notify=identified and may_proceed and missing,
        refuse=identified,
        guide=identified and refused_here and routing.processing_center is not None,
        blocker=blocker,
    )


def _accept_blocker(
    applicant: ApplicantState,
    item: Item | None,
    routing: Routing | None,
    assessment: MaterialsAssessment | None,
) -> str:
    problems = applicant.problems()
    if problems:
        return problems[0]
    if item is None or assessment is None:
        return QCoreApplication.translate("decision", "请选择事项")
    if routing is None:
        return QCoreApplication.translate("decision", "无法确定办理去向")
    if routing.decision is Decision.REFUSE:
        return routing.reason
    if not assessment.can_accept:
        names = "、".join(m.name for m in assessment.missing)
        return QCoreApplication.translate("decision", "尚缺必需材料：{names}").format(names=names)
    return ""


class DecisionView(QWidget):
    """The action buttons, the reason 受理 is unavailable, and the new case's number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accept = self._button("action.accept", self.tr("受理（F5）"), self.tr("受理"))
        self.accept.setStyleSheet("font-weight: bold;")
        self.notify = self._button(
            "action.notify", self.tr("一次性告知（F6）"), self.tr("一次性告知")
        )
        self.refuse = self._button("action.refuse", self.tr("不予受理（F7）"), self.tr("不予受理"))
        self.guide = self._button(
            "action.guide", self.tr("告知办理地（F8）"), self.tr("告知办理地")
        )
        self.next = self._button("action.next", self.tr("下一位（F12）"), self.tr("下一位"))
        self.blocker = QLabel()
        self.blocker.setObjectName("action.blocker")
        self.blocker.setAccessibleName(self.tr("不能受理的原因"))
        self.blocker.setWordWrap(True)
        self.blocker.setStyleSheet("color: #6b6b6b;")
        self.case_number = QLabel()
        self.case_number.setObjectName("case.number")
        self.case_number.setAccessibleName(self.tr("受理编号"))
        self.case_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.case_number.setStyleSheet("font-size: 13pt; font-weight: bold; color: #1a4f9c;")
        buttons = QHBoxLayout()
        for button in (self.accept, self.notify, self.refuse, self.guide):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.case_number)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.blocker)

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setMinimumHeight(36)
        return button

    def show_actions(self, actions: ActionState) -> None:
        self.accept.setEnabled(actions.accept)
        self.notify.setEnabled(actions.notify)
        self.refuse.setEnabled(actions.refuse)
        self.guide.setEnabled(actions.guide)
        self.blocker.setText(actions.blocker)
        self.blocker.setStyleSheet("color: #6b6b6b;")


class RefuseDialog(QDialog):
    """不予受理: the reason, in the clerk's words. Builds widgets only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refuse")
        self.setWindowTitle(self.tr("不予受理"))
        self.setModal(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("refuse.reason")
        self.reason.setAccessibleName(self.tr("不予受理理由"))
        self.reason.setPlaceholderText(self.tr("写明不予受理的理由（将印在不予受理通知书上）"))
        self.reason.setMaxLength(200)
        note = QLabel(self.tr("请告知申请人依法享有申请行政复议或者提起行政诉讼的权利。"))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("refuse.ok")
        self.ok.setText(self.tr("不予受理（回车）"))
        self.ok.setDefault(True)
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setObjectName("refuse.cancel")
        self.cancel.setText(self.tr("取消（Esc）"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("不予受理理由")))
        layout.addWidget(self.reason)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(520, 180)

    def reason_text(self) -> str:
        return self.reason.text().strip()
