"""The intake path: applicant → item → materials → decision, for one applicant at a time.

IntakeController ties the step controllers together. On every change it recomputes, from the
domain rules, where this application would be handled (models.routing), what the clerk should
notice (models.rules eligibility) and which decisions are possible (decision.available_actions).
The decisions themselves go to the services through the task runner; the answer (a case
number and its receipt, or a notice) is shown for printing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject, Signal

from tongban.models.catalog import Catalog, Item
from tongban.models.geography import Geography
from tongban.models.routing import Decision, Routing, route
from tongban.models.rules import check_eligibility, mask_identity
from tongban.ui.applicant import ApplicantController
from tongban.ui.applicant_state import ApplicantState
from tongban.ui.cases import readable_case_number
from tongban.ui.decision import ActionState, DecisionView, RefuseDialog, available_actions
from tongban.ui.item_picker import ItemPicker, Tone
from tongban.ui.materials import MaterialsModel, MaterialsView
from tongban.ui.ports import AcceptResult, CounterServices, IntakeRequest, VisitResult
from tongban.ui.tasks import TaskRunner

ShowDocument = Callable[..., None]  # show_document(title=, summary=, pdf=)

_TONE_OF_DECISION = {
    Decision.HANDLE_HERE: Tone.GOOD,
    Decision.FORWARD: Tone.NOTICE,
    Decision.REFUSE: Tone.STOP,
}


class IntakeController(QObject):
    """One applicant's visit, from identification to the decision."""

    decided = Signal()  # something was recorded: the sync count may have changed

    def __init__(
        self,
        *,
        applicant: ApplicantController,
        items: ItemPicker,
        materials: MaterialsModel,
        materials_view: MaterialsView,
        decision: DecisionView,
        refuse_dialog: RefuseDialog,
        show_document: ShowDocument,
        geography: Geography,
        catalog: Catalog,
        services: CounterServices,
        runner: TaskRunner,
        today: Callable[[], date],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.applicant = applicant
        self.items = items
        self.materials = materials
        self._materials_view = materials_view
        self._decision = decision
        self._refuse_dialog = refuse_dialog
        self._show_document = show_document
        self._geography = geography
        self._catalog = catalog
        self._services = services
        self._runner = runner
        self._today = today
        self._site: str | None = None
        self._routing: Routing | None = None
        self._decided = False
        self._busy = False
        self._connect()
        self._refresh()

    def _connect(self) -> None:
        self.applicant.changed.connect(self._applicant_changed)
        self.applicant.done.connect(self.focus_item)
        self.items.item_chosen.connect(self._item_chosen)
        self.materials.assessment_changed.connect(self._refresh)
        d = self._decision
        d.accept.clicked.connect(self.accept)
        d.notify.clicked.connect(self.notify)
        d.refuse.clicked.connect(self.refuse)
        d.guide.clicked.connect(self.guide)
        d.next.clicked.connect(self.next_applicant)
        self._refuse_dialog.reason.textChanged.connect(self._refusal_edited)
        self._refuse_dialog.accepted.connect(self._refusal_confirmed)

    # Session and navigation ---------------------------------------------------------------------

    def start(self, site_code: str) -> None:
        """A clerk logged in at `site_code` (a center or sub-center): start with a clean form."""
        self._site = site_code
        self.next_applicant()

    def next_applicant(self) -> None:
        """Clear everything for the next person (F12)."""
        self._decided = False
        self.applicant.clear()
        self.items.clear()
        self.materials.set_item(None)
        self._decision.case_number.clear()
        self._set_steps_enabled(True)
        self._refresh()
        self.focus_applicant()

    def focus_applicant(self) -> None:
        self.applicant.view.id_number.setFocus()
        self.applicant.view.id_number.selectAll()

    def focus_item(self) -> None:
        self.items.view.search.setFocus()
        self.items.view.search.selectAll()

    def focus_materials(self) -> None:
        self._materials_view.table.setFocus()

    def fill_from_scan(self, number: str) -> None:
        """A card was read. After a decision it is the next applicant's card: start afresh."""
        if self._busy:
            return
        if self._decided:
            self.next_applicant()
        self.applicant.fill_from_scan(number)

    # Recomputing ----------------------------------------------------------------------------------

    def _applicant_changed(self) -> None:
        self.materials.set_has_agent(self.applicant.state().has_agent)
        self._refresh()

    def _item_chosen(self, item: Item | None) -> None:
        if item is not self.materials.item():
            self.materials.set_item(item)
        if item is not None:
            self.focus_materials()
        self._refresh()

    def _refresh(self) -> None:
        state = self.applicant.state()
        item = self.items.chosen()
        self._routing, text, tone = self._route(state, item)
        self.items.show_routing(text, tone, self._warnings(state, item))
        actions = available_actions(
            applicant=state,
            item=item,
            routing=self._routing,
            assessment=self.materials.assessment(),
            decided=self._decided,
        )
        if self._busy:
            actions = ActionState(False, False, False, False, self.tr("正在提交…"))
        self._decision.show_actions(actions)

    def actions(self) -> ActionState:
        """What the decision buttons currently allow (for the window and tests)."""
        d = self._decision
        return ActionState(
            d.accept.isEnabled(),
            d.notify.isEnabled(),
            d.refuse.isEnabled(),
            d.guide.isEnabled(),
            d.blocker.text(),
        )

    def _route(self, state: ApplicantState, item: Item | None) -> tuple[Routing | None, str, Tone]:
        if item is None:
            return None, self.tr("请先选择事项"), Tone.NEUTRAL
        if self._site is None:
            return None, self.tr("尚未登录受理点"), Tone.NEUTRAL
        if not state.household.chosen or (state.separated and state.residence.street is None):
            return None, self.tr("选择户籍地（及居住地）后显示办理去向"), Tone.NEUTRAL
        try:
            routing = route(
                geography=self._geography,
                catalog=self._catalog,
                site=self._site,
                item=item,
                household_street=state.household.street,
                residence_street=state.residence.street if state.separated else None,
                on=self._today(),
            )
        except ValueError as error:  # reference data and configuration disagree
            return None, self.tr("无法确定办理去向：{error}").format(error=error), Tone.STOP
        return routing, routing.reason, _TONE_OF_DECISION[routing.decision]

    def _warnings(self, state: ApplicantState, item: Item | None) -> list[str]:
        identity = state.identity
        if item is None or identity is None or not identity.valid:
            return []
        found = check_eligibility(
            item,
            birth_date=identity.birth_date,
            shanghai_hukou=state.shanghai_hukou,
            on=self._today(),
        )
        return [warning.message for warning in found]

    def _set_steps_enabled(self, enabled: bool) -> None:
        for widget in (self.applicant.view, self.items.view, self._materials_view):
            widget.setEnabled(enabled)

    # Decisions ------------------------------------------------------------------------------------

    def _request(self) -> IntakeRequest | None:
        state = self.applicant.state()
        item = self.items.chosen()
        applicant = state.to_input()
        if applicant is None or item is None:
            return None
        return IntakeRequest(
            applicant,
            state.agent,
            item.code,
            self.materials.checks(),
            started_at=state.identified_at,
        )

    def accept(self) -> None:
        request = self._request()
        if request is None or not self._decision.accept.isEnabled():
            return
        self._submit(lambda: self._services.accept(request), self._accepted)

    def notify(self) -> None:
        request = self._request()
        if request is None or not self._decision.notify.isEnabled():
            return
        self._submit(lambda: self._services.notify(request), self._notified)

    def guide(self) -> None:
        request = self._request()
        if request is None or not self._decision.guide.isEnabled():
            return
        self._submit(lambda: self._services.guide(request), self._guided)

    def refuse(self) -> None:
        if self._request() is None or not self._decision.refuse.isEnabled():
            return
        dialog = self._refuse_dialog
        dialog.reason.clear()
        dialog.ok.setEnabled(False)
        dialog.open()
        dialog.reason.setFocus()

    def _refusal_edited(self) -> None:
        self._refuse_dialog.ok.setEnabled(bool(self._refuse_dialog.reason_text()))

    def _refusal_confirmed(self) -> None:
        request, reason = self._request(), self._refuse_dialog.reason_text()
        if request is None or not reason:
            return
        self._submit(lambda: self._services.refuse(request, reason), self._refused)

    def _submit(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        self._busy = True
        self._refresh()
        self._runner.run(
            work, on_success=lambda result: self._finish(done, result), on_failure=self._failed
        )

    def _finish(self, done: Callable[[object], None], result: object) -> None:
        self._busy = False
        self._decided = True
        self._set_steps_enabled(False)
        self._refresh()
        done(result)
        self._decision.next.setFocus()
        self.decided.emit()

    def _failed(self, message: str) -> None:
        self._busy = False
        self._refresh()
        self._decision.blocker.setText(message)
        self._decision.blocker.setStyleSheet("color: #b3261e;")

    # Showing the outcome --------------------------------------------------------------------------

    def _who_and_what(self) -> list[str]:
        state, item = self.applicant.state(), self.items.chosen()
        number = state.identity.number if state.identity else ""
        lines = [
            self.tr("申请人：{name}（{id}）").format(name=state.name, id=mask_identity(number))
        ]
        if item is not None:
            lines.append(self.tr("事项：{code} {name}").format(code=item.code, name=item.name))
        return lines

    def _accepted(self, result: object) -> None:
        assert isinstance(result, AcceptResult)
        number = readable_case_number(result.case_number)
        self._decision.case_number.setText(self.tr("受理编号：{number}").format(number=number))
        lines = [self.tr("受理编号：{number}").format(number=number), *self._who_and_what()]
        lines.append(self.tr("承办中心：{center}").format(center=result.processing_center_name))
        lines.append(self.tr("承诺办结日期：{day}").format(day=result.due_date.isoformat()))
        if result.deadline_warning:
            lines.append(self.tr("注意：{warning}").format(warning=result.deadline_warning))
        title = self.tr("受理回执") if result.receipt_pdf else self.tr("已受理（未生成回执）")
        self._show_document(title=title, summary="\n".join(lines), pdf=result.receipt_pdf)

    def _notified(self, result: object) -> None:
        assert isinstance(result, VisitResult)
        assessment = self.materials.assessment()
        missing = "、".join(m.name for m in assessment.missing) if assessment else ""
        lines = [*self._who_and_what(), self.tr("尚缺材料：{names}").format(names=missing)]
        self._show_visit(self.tr("一次性告知单"), lines, result)

    def _refused(self, result: object) -> None:
        assert isinstance(result, VisitResult)
        reason = self._refuse_dialog.reason_text()
        lines = [*self._who_and_what(), self.tr("不予受理理由：{reason}").format(reason=reason)]
        self._show_visit(self.tr("不予受理通知书"), lines, result)

    def _guided(self, result: object) -> None:
        assert isinstance(result, VisitResult)
        lines = [*self._who_and_what()]
        if self._routing is not None:
            lines.append(self._routing.reason)
        self._show_visit(self.tr("办理地点告知"), lines, result)

    def _show_visit(self, title: str, lines: list[str], result: VisitResult) -> None:
        if result.notice_pdf is None:
            title = self.tr("{title}（未生成文书）").format(title=title)
        self._show_document(title=title, summary="\n".join(lines), pdf=result.notice_pdf)
