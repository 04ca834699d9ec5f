"""Step ①, the applicant: identity document, name, phone, household and residence, agent.

The identity number is checked as it is typed (models.rules.check_identity): validity, birth
date, gender and age show next to the field. A valid number asks the services whether the
applicant has been here before, and prefills what the clerk has not typed yet. Residence
defaults to the household address; F10 (人户分离) opens the residence picker.

The moment a valid number is first entered (a card read, or the last character typed) is when
the clerk identified the applicant: the visit starts then (`ApplicantState.identified_at`, read
from the window's clock). Another valid number is another applicant and starts anew; emptying
the number, or clearing the form (F12), forgets it. Correcting the same number keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tongban.models.clock import shanghai_now
from tongban.models.geography import Geography
from tongban.models.intake import AgentInput
from tongban.models.rules import DocumentType, IdentityCheck, check_identity
from tongban.ui.applicant_state import ApplicantState, identity_text, phone_is_plausible
from tongban.ui.i18n import document_type_name
from tongban.ui.pinyin_filter import PinyinFilter
from tongban.ui.ports import CounterServices, KnownApplicant
from tongban.ui.street_picker import StreetChoice, StreetPicker, StreetPickerView
from tongban.ui.tasks import TaskRunner

_GOOD_STYLE = "color: #1b7a2f;"
_BAD_STYLE = "color: #b3261e;"


class ApplicantView(QGroupBox):
    """The applicant form. Builds widgets only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("① 申请人（F2）"))
        self.id_type = self._document_combo("applicant.idType", self.tr("申请人证件类型"))
        self.id_number = self._line("applicant.idNumber", self.tr("申请人证件号码"))
        self.id_number.setMaxLength(24)
        self.id_number.setPlaceholderText(self.tr("刷证、扫码或输入"))
        self.id_info = self._info("applicant.idInfo", self.tr("证件核验结果"))
        self.name = self._line("applicant.name", self.tr("申请人姓名"))
        self.phone = self._line("applicant.phone", self.tr("联系电话"))
        self.household = StreetPickerView("applicant.household", self.tr("户籍地"))
        self.separated = QCheckBox(self.tr("人户分离（F10）"))
        self.separated.setObjectName("applicant.separated")
        self.separated.setAccessibleName(self.tr("人户分离"))
        self.residence = StreetPickerView("applicant.residence", self.tr("居住地"))
        self.has_agent = QCheckBox(self.tr("他人代办"))
        self.has_agent.setObjectName("applicant.hasAgent")
        self.has_agent.setAccessibleName(self.tr("他人代办"))
        self.agent_box = self._agent_box()
        form = QFormLayout()
        form.addRow(self.tr("证件类型"), self.id_type)
        form.addRow(self.tr("证件号码"), self.id_number)
        form.addRow("", self.id_info)
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("联系电话"), self.phone)
        form.addRow(self.tr("户籍地"), self.household)
        form.addRow("", self.separated)
        form.addRow(self.tr("居住地"), self.residence)
        form.addRow("", self.has_agent)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.agent_box)
        layout.addStretch(1)

    def _agent_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("代办人"))
        box.setObjectName("agent.box")
        self.agent_id_type = self._document_combo("agent.idType", self.tr("代办人证件类型"))
        self.agent_id_number = self._line("agent.idNumber", self.tr("代办人证件号码"))
        self.agent_id_number.setMaxLength(24)
        self.agent_info = self._info("agent.idInfo", self.tr("代办人证件核验结果"))
        self.agent_name = self._line("agent.name", self.tr("代办人姓名"))
        self.relationship = QComboBox()
        self.relationship.setObjectName("agent.relationship")
        self.relationship.setAccessibleName(self.tr("代办人与申请人关系"))
        self.relationship.setEditable(True)
        self.relationship.addItems(
            [
                self.tr("配偶"),
                self.tr("子女"),
                self.tr("父母"),
                self.tr("兄弟姐妹"),
                self.tr("其他亲属"),
                self.tr("朋友"),
                self.tr("单位同事"),
                self.tr("其他"),
            ]
        )
        self.relationship.setCurrentIndex(-1)
        form = QFormLayout(box)
        form.addRow(self.tr("证件类型"), self.agent_id_type)
        form.addRow(self.tr("证件号码"), self.agent_id_number)
        form.addRow("", self.agent_info)
        form.addRow(self.tr("姓名"), self.agent_name)
        form.addRow(self.tr("与申请人关系"), self.relationship)
        box.setVisible(False)
        return box

    def _document_combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        for kind in DocumentType:
            combo.addItem(document_type_name(kind), kind.value)
        return combo

    def _line(self, name: str, accessible: str) -> QLineEdit:
        line = QLineEdit()
        line.setObjectName(name)
        line.setAccessibleName(accessible)
        return line

    def _info(self, name: str, accessible: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        return label

    def focus_order(self) -> list[QWidget]:
        """The widgets in the order the clerk fills them in."""
        return [
            self.id_type,
            self.id_number,
            self.name,
            self.phone,
            self.household.district,
            self.household.street,
            self.separated,
            self.residence.district,
            self.residence.street,
            self.has_agent,
            self.agent_id_type,
            self.agent_id_number,
            self.agent_name,
            self.relationship,
        ]


class ApplicantController(QObject):
    """Validation, the returning-applicant lookup, residence and agent toggles."""

    changed = Signal()
    done = Signal()  # the clerk finished the form with Enter: move on to the item

    def __init__(
        self,
        view: ApplicantView,
        *,
        geography: Geography,
        pinyin: PinyinFilter,
        services: CounterServices,
        runner: TaskRunner,
        today: Callable[[], date],
        now: Callable[[], datetime] = shanghai_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self._today = today
        self._now = now
        self.household = StreetPicker(
            view.household, geography, pinyin, allow_outside=True, parent=self
        )
        self.residence = StreetPicker(view.residence, geography, pinyin, parent=self)
        self._identity: IdentityCheck | None = None
        self._agent_identity: IdentityCheck | None = None
        self._returning_note = ""
        self._identified: tuple[str, datetime] | None = None  # (number, when first entered)
        self._connect()
        self.clear()

    def _connect(self) -> None:
        v = self.view
        v.id_type.currentIndexChanged.connect(lambda _: self._identity_edited(final=True))
        v.id_number.textEdited.connect(lambda _: self._identity_edited(final=False))
        v.id_number.editingFinished.connect(lambda: self._identity_edited(final=True))
        v.id_number.returnPressed.connect(v.name.setFocus)
        v.name.textChanged.connect(self.changed)
        v.name.returnPressed.connect(v.phone.setFocus)
        v.phone.textChanged.connect(self._phone_edited)
        v.phone.returnPressed.connect(v.household.street.setFocus)
        self.household.changed.connect(self._household_changed)
        self.household.picked.connect(self._household_picked)
        self.residence.changed.connect(self.changed)
        self.residence.picked.connect(self.done)
        v.separated.toggled.connect(self._separated_toggled)
        v.separated.clicked.connect(self._focus_residence)
        v.has_agent.toggled.connect(self._agent_toggled)
        v.has_agent.clicked.connect(self._focus_agent)
        v.agent_id_type.currentIndexChanged.connect(lambda _: self._agent_edited(final=True))
        v.agent_id_number.textEdited.connect(lambda _: self._agent_edited(final=False))
        v.agent_id_number.editingFinished.connect(lambda: self._agent_edited(final=True))
        v.agent_name.textChanged.connect(self.changed)
        v.relationship.currentTextChanged.connect(self.changed)
        v.relationship.lineEdit().returnPressed.connect(self.done)

    # What the window asks -------------------------------------------------------------------

    def state(self) -> ApplicantState:
        v = self.view
        agent, agent_problem = self._agent()
        return ApplicantState(
            identity=self._identity,
            name=v.name.text().strip(),
            phone=v.phone.text().strip(),
            household=self.household.value(),
            separated=v.separated.isChecked(),
            residence=self.residence.value(),
            has_agent=v.has_agent.isChecked(),
            agent=agent,
            agent_problem=agent_problem,
            identified_at=self._identified[1] if self._identified else None,
        )

    def clear(self) -> None:
        """Everything back to empty, for the next applicant."""
        v = self.view
        v.id_type.setCurrentIndex(0)
        v.id_number.clear()
        v.name.clear()
        v.phone.clear()
        v.phone.setStyleSheet("")
        self.household.clear()
        v.separated.setChecked(False)
        self._separated_toggled(False)
        v.has_agent.setChecked(False)
        v.agent_id_type.setCurrentIndex(0)
        v.agent_id_number.clear()
        v.agent_name.clear()
        v.relationship.setCurrentIndex(-1)
        v.relationship.setEditText("")
        self._identity = None
        self._agent_identity = None
        self._returning_note = ""
        self._identified = None
        self._show_identity(final=False)
        v.agent_info.clear()
        self.changed.emit()

    def fill_from_scan(self, number: str) -> None:
        """A card reader or scanner delivered a number: take it whatever had the focus."""
        detected = check_identity(number, today=self._today()).document_type
        if detected is not None:
            self.view.id_type.blockSignals(True)
            self.view.id_type.setCurrentIndex(self.view.id_type.findData(detected.value))
            self.view.id_type.blockSignals(False)
        self.view.id_number.setText(number)
        self._identity_edited(final=True)
        self._focus_first_gap()

    def _focus_first_gap(self) -> None:
        """After a card read (and a prefill), on to the first field still empty."""
        v = self.view
        if not v.name.text():
            v.name.setFocus()
        elif not v.phone.text():
            v.phone.setFocus()
        elif not self.household.value().chosen:
            v.household.street.setFocus()
        else:
            self.done.emit()

    def toggle_separated(self) -> None:
        if self.view.separated.isEnabled():
            self.view.separated.toggle()
            self._focus_residence(self.view.separated.isChecked())

    # Identity -----------------------------------------------------------------------------------

    def _document_type(self, combo: QComboBox) -> DocumentType:
        return DocumentType(combo.currentData())

    def _identity_edited(self, *, final: bool) -> None:
        typed = self.view.id_number.text()
        previous = self._identity
        if typed.strip():
            self._identity = check_identity(
                typed, self._document_type(self.view.id_type), today=self._today()
            )
        else:
            self._identity = None
        same_person = (
            previous is not None
            and self._identity is not None
            and previous.number == self._identity.number
        )
        if not same_person:
            self._returning_note = ""
        self._note_identification()
        self._show_identity(final=final)
        if self._identity is not None and self._identity.valid and not same_person:
            self._look_up(self._identity)
        self.changed.emit()

    def _note_identification(self) -> None:
        """The visit starts when a valid number is first entered; a new number, a new visit."""
        identity, known = self._identity, self._identified
        if identity is None:
            self._identified = None
        elif identity.valid and (known is None or known[0] != identity.number):
            self._identified = (identity.number, self._now())

    def _show_identity(self, *, final: bool) -> None:
        typed = self.view.id_number.text()
        if self._identity is None:
            self.view.id_info.setText(self.tr("刷身份证或扫码可从任意位置直接录入"))
            self.view.id_info.setStyleSheet("color: #6b6b6b;")
            return
        text, good = identity_text(self._identity, typed, self._today(), final=final)
        if self._returning_note:
            text = f"{text} · {self._returning_note}"
        self.view.id_info.setText(text)
        self.view.id_info.setStyleSheet(_GOOD_STYLE if good else _BAD_STYLE)

    def _look_up(self, identity: IdentityCheck) -> None:
        kind = identity.document_type
        if kind is None:
            return
        self._runner.run(
            lambda: self._services.find_applicant(kind.value, identity.number),
            on_success=lambda known: self._prefill(identity.number, known),
            on_failure=lambda _message: None,  # the clerk simply types the details
        )

    def _prefill(self, number: str, known: KnownApplicant | None) -> None:
        if known is None or self._identity is None or self._identity.number != number:
            return  # not known, or the clerk has moved on to another number
        v = self.view
        # The lookup answers after the clerk's Enter already moved on to an empty field; if that
        # field is filled now, the cursor moves on to the first one still empty, as after a scan.
        focus = QApplication.focusWidget()
        waiting_in_a_gap = any(focus is f and not f.text() for f in (v.name, v.phone))
        if not v.name.text():
            v.name.setText(known.name)
        if not v.phone.text():
            v.phone.setText(known.phone)
        if not self.household.value().chosen:
            self.household.set_value(
                StreetChoice(known.household_street, known.household_street is None)
            )
        if known.residence_street and not v.separated.isChecked():
            v.separated.setChecked(True)
            self.residence.set_value(StreetChoice(known.residence_street))
        self._returning_note = self.tr("已带出上次登记信息，请与申请人核对")
        self._show_identity(final=True)
        self.changed.emit()
        if waiting_in_a_gap:
            self._focus_first_gap()

    # Phone, residence, agent --------------------------------------------------------------------

    def _phone_edited(self, text: str) -> None:
        bad = bool(text.strip()) and not phone_is_plausible(text)
        self.view.phone.setStyleSheet("border: 1px solid #b3261e;" if bad else "")
        self.view.phone.setToolTip(self.tr("联系电话格式不正确") if bad else "")
        self.changed.emit()

    def _household_changed(self) -> None:
        outside = self.household.value().outside_shanghai
        # Someone registered outside Shanghai is served where they live: residence is needed.
        if outside and not self.view.separated.isChecked():
            self.view.separated.setChecked(True)
        self.view.separated.setEnabled(not outside)
        self.changed.emit()

    def _household_picked(self) -> None:
        if self.view.separated.isChecked():
            self.view.residence.street.setFocus()
        else:
            self.done.emit()

    def _separated_toggled(self, on: bool) -> None:
        self.view.residence.setEnabled(on)
        if not on:
            self.residence.clear()
        self.changed.emit()

    def _focus_residence(self, on: bool) -> None:
        if on:
            self.view.residence.street.setFocus()

    def _agent_toggled(self, on: bool) -> None:
        self.view.agent_box.setVisible(on)
        self.changed.emit()

    def _focus_agent(self, on: bool) -> None:
        if on:
            self.view.agent_id_number.setFocus()

    def _agent_edited(self, *, final: bool) -> None:
        typed = self.view.agent_id_number.text()
        kind = self._document_type(self.view.agent_id_type)
        self._agent_identity = check_identity(typed, kind, today=self._today()) if typed else None
        if self._agent_identity is None:
            self.view.agent_info.clear()
        else:
            text, good = identity_text(self._agent_identity, typed, self._today(), final=final)
            self.view.agent_info.setText(text)
            self.view.agent_info.setStyleSheet(_GOOD_STYLE if good else _BAD_STYLE)
        self.changed.emit()

    def _agent(self) -> tuple[AgentInput | None, str | None]:
        v = self.view
        if not v.has_agent.isChecked():
            return None, None
        identity = self._agent_identity
        name, relationship = v.agent_name.text().strip(), v.relationship.currentText().strip()
        if identity is None or not identity.valid or identity.document_type is None:
            return None, self.tr("请录入代办人的有效证件号码")
        if self._identity is not None and identity.number == self._identity.number:
            return None, self.tr("代办人不能是申请人本人")
        if not name or not relationship:
            return None, self.tr("请录入代办人姓名及与申请人关系")
        agent = AgentInput(identity.document_type.value, identity.number, name, relationship)
        return agent, None
