"""进度查询 (Ctrl+F6): any case's status at any center, from its number and the last four
characters of the applicant's ID; the result handed over when it waits at this center.

The case number may be typed in its display form (with dashes); its check character is checked
here before anything is asked. The answer shows the status, the centers, the applicant masked
and the timeline; when the center could not answer, this workstation's record is shown with a
note that it may be out of date. `LookupView` builds widgets; `LookupController` asks
ProcessingServices on the worker thread.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tongban.models.rules import normalise_case_number, parse_case_number
from tongban.ui.cases import readable_case_number
from tongban.ui.inbox import ALARM, HEADING, keyed_button, make_label
from tongban.ui.inbox_models import day_text, minute_text, status_events_model
from tongban.ui.processing_dialogs import TextDialog, collect_dialog
from tongban.ui.processing_ports import CaseStatusAnswer, ProcessingServices, WorkItem
from tongban.ui.tables import list_table
from tongban.ui.tasks import TaskRunner

STALE_STYLE = "background: #fff1d6; color: #7a4100; padding: 6px; font-weight: bold;"
ID_LAST4_LENGTH = 4
DEFAULT_COLLECTOR = "申请人"
COLLECT_KEY = "Alt+1"


class LookupView(QWidget):
    """The question (case number, ID suffix), the answer, its timeline, 领取."""

    FIELDS = (
        ("item", "事项"),
        ("applicant", "申请人"),
        ("accepting", "受理中心"),
        ("processing", "办理中心"),
        ("collection", "领取中心"),
        ("dates", "受理与承诺"),
        ("supplement", "补正 / 理由"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lookup")
        self.case = QLineEdit()
        self.case.setObjectName("lookup.case")
        self.case.setAccessibleName(self.tr("受理编号"))
        self.case.setPlaceholderText(self.tr("受理编号，可带短横线，回车下一项"))
        self.case.setMaxLength(40)
        self.id_last4 = QLineEdit()
        self.id_last4.setObjectName("lookup.idLast4")
        self.id_last4.setAccessibleName(self.tr("证件号码后四位"))
        self.id_last4.setPlaceholderText(self.tr("证件号码后四位，回车查询"))
        self.id_last4.setMaxLength(ID_LAST4_LENGTH)
        self.id_last4.setMaximumWidth(220)
        self.find = QPushButton(self.tr("查询（回车）"))
        self.find.setObjectName("lookup.find")
        self.message = make_label("lookup.message", self.tr("提示"))
        self.stale = make_label("lookup.stale", self.tr("可能不是最新"))
        self.stale.setStyleSheet(STALE_STYLE)
        self.stale.setVisible(False)
        self.status = make_label("lookup.status", self.tr("办件状态"))
        self.status.setStyleSheet(HEADING)
        self.fields = {
            key: make_label(f"lookup.{key}", self.tr(caption)) for key, caption in self.FIELDS
        }
        self.events = list_table("lookup.events", self.tr("办件经过"), word_wrap=False)
        self.collect = keyed_button("lookup.collect", self.tr("领取…"), COLLECT_KEY, self)
        self.collect.setMinimumHeight(32)
        self._lay_out()

    def _lay_out(self) -> None:
        question = QHBoxLayout()
        question.addWidget(QLabel(self.tr("受理编号")))
        question.addWidget(self.case, 3)
        question.addWidget(QLabel(self.tr("证件后四位")))
        question.addWidget(self.id_last4, 1)
        question.addWidget(self.find)
        answer = QFormLayout()
        for key, caption in self.FIELDS:
            answer.addRow(self.tr(caption), self.fields[key])
        left = QVBoxLayout()
        left.addWidget(self.status)
        left.addLayout(answer)
        left.addStretch(1)
        left.addWidget(self.collect, 0, Qt.AlignmentFlag.AlignLeft)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("办件经过")))
        right.addWidget(self.events, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(question)
        layout.addWidget(self.message)
        layout.addWidget(self.stale)
        layout.addLayout(body, 1)

    def show_message(self, text: str, *, alarm: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ALARM if alarm else "")


def case_number_problem(text: str) -> str | None:
    """Why the typed case number cannot be one (check character included); None when fine."""
    if not text.strip():
        return QCoreApplication.translate("lookup", "请输入受理编号")
    try:
        parse_case_number(normalise_case_number(text))
    except ValueError as error:
        return str(error)
    return None


class LookupController(QObject):
    recorded = Signal()  # the result was handed over (the status bar's sync count changes)

    def __init__(
        self,
        view: LookupView,
        *,
        services: ProcessingServices,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self.events = status_events_model(self)
        self.answer: CaseStatusAnswer | None = None
        self._asked = 0
        self.collect_dialog: TextDialog = collect_dialog(view)
        view.events.setModel(self.events)
        view.case.returnPressed.connect(self._case_entered)
        view.id_last4.returnPressed.connect(self.search)
        view.id_last4.textEdited.connect(lambda text: view.id_last4.setText(text.upper()))
        view.find.clicked.connect(self.search)
        view.collect.clicked.connect(self.open_collect)
        self.collect_dialog.submitted.connect(self._collect)
        self.clear()

    def focus(self) -> None:
        self.view.case.setFocus()
        self.view.case.selectAll()

    def clear(self) -> None:
        """Nothing of the last applicant stays."""
        self._asked += 1
        self.view.case.clear()
        self.view.id_last4.clear()
        self.view.show_message("")
        self._show(None)
        self.collect_dialog.reject()

    def _case_entered(self) -> None:
        problem = case_number_problem(self.view.case.text())
        if problem:
            self.view.show_message(problem, alarm=True)
            return
        self.view.show_message("")
        self.view.id_last4.setFocus()
        self.view.id_last4.selectAll()

    def search(self, *, note: str = "") -> None:
        """Ask; `note` is shown with the answer (what was just done)."""
        typed, suffix = self.view.case.text(), self.view.id_last4.text().strip()
        problem = case_number_problem(typed)
        if problem is None and len(suffix) != ID_LAST4_LENGTH:
            problem = self.tr("请输入申请人证件号码的后四位")
        if problem:
            self.view.show_message(problem, alarm=True)
            return
        number = normalise_case_number(typed)
        self._asked += 1
        asked = self._asked
        self.view.show_message(self.tr("正在查询…"))
        self._runner.run(
            lambda: self._services.lookup(number, suffix),
            on_success=lambda answer: self._answered(asked, answer, note),
            on_failure=lambda message: self._refused(asked, message),
        )

    def _answered(self, asked: int, answer: CaseStatusAnswer, note: str) -> None:
        if asked != self._asked:
            return
        self._show(answer)
        self.view.show_message(note or self.tr("已查到此办件"))
        (self.view.collect if answer.collect_here else self.view.events).setFocus()

    def _refused(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self._show(None)
            self.view.show_message(message, alarm=True)

    def _show(self, answer: CaseStatusAnswer | None) -> None:
        self.answer = answer
        v = self.view
        v.stale.setText(answer.stale_note if answer else "")
        v.stale.setVisible(bool(answer and answer.stale_note))
        v.status.setText(
            f"{readable_case_number(answer.case_number)}　{answer.status_label}" if answer else ""
        )
        texts = self._field_texts(answer) if answer else {}
        for key, label in v.fields.items():
            label.setText(texts.get(key, ""))
        self.events.set_rows(answer.events if answer else [])
        v.collect.setEnabled(bool(answer and answer.collect_here))
        v.collect.setToolTip(
            self.tr("结果在本中心待领取") if answer and answer.collect_here else ""
        )

    def _field_texts(self, a: CaseStatusAnswer) -> dict[str, str]:
        supplement = ""
        if a.supplement_materials:
            supplement = self.tr("待补正：{m}（限 {day}）").format(
                m="、".join(a.supplement_materials), day=day_text(a.supplement_due)
            )
        if a.closing_reason:
            supplement = self.tr("理由：{r}").format(r=a.closing_reason)
        return {
            "item": a.item_name,
            "applicant": f"{a.applicant_name_masked}　{a.applicant_id_masked}",
            "accepting": a.accepting_center_name,
            "processing": a.processing_center_name,
            "collection": a.collection_center_name,
            "dates": self.tr("{at} 受理；承诺办结 {due}").format(
                at=minute_text(a.accepted_at), due=day_text(a.due)
            ),
            "supplement": supplement or "—",
        }

    # 领取 ---------------------------------------------------------------------------------------

    def open_collect(self) -> None:
        answer = self.answer
        if answer is None or not answer.collect_here:
            return
        self.collect_dialog.prepare(self.tr(DEFAULT_COLLECTOR))
        line = f"{readable_case_number(answer.case_number)}　{answer.item_name}"
        self.collect_dialog.open_for(line)

    def _collect(self, collected_by: str) -> None:
        answer = self.answer
        if answer is None:
            self.collect_dialog.reject()
            return
        number = answer.case_number
        self._runner.run(
            lambda: self._services.collect(number, collected_by=collected_by),
            on_success=self._collected,
            on_failure=self.collect_dialog.show_refusal,
        )

    def _collected(self, item: WorkItem) -> None:
        self.collect_dialog.accept()
        self.recorded.emit()
        done = self.tr("已领取：{case}").format(case=readable_case_number(item.case_number))
        self.search(note=done)  # the status again, now 已领取
