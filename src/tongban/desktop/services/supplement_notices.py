"""The 补正材料通知书 of a case waiting for a supplement, printable at either of its centers.

Built from the case's folded state (what the open `supplement_requested` event asks for, why and
by when), so both centers print the same notice. The applicant's number is printed masked; each
print is an audit entry, since the notice shows the applicant's name.
"""

from __future__ import annotations

from tongban.desktop.paperwork import DocumentKind, render_document
from tongban.desktop.services.accounts import Actor
from tongban.desktop.services.audit import audit
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.documents import Paperwork, person_on_paper
from tongban.desktop.services.errors import ServiceError, checked_case_number, service_errors
from tongban.models.catalog import Material
from tongban.models.clock import SHANGHAI
from tongban.models.store import (
    AuditOutcome,
    CaseState,
    CaseStatus,
    load_case,
)
from tongban.printing import CenterOnPaper, Paper, RequestedMaterial, SupplementNoticeData


class SupplementNotices:
    def __init__(self, context: CounterContext) -> None:
        self._context = context

    def data(self, case_number: str, actor: Actor) -> SupplementNoticeData:
        """The notice's content; ServiceError when the case is not waiting for a supplement."""
        number = checked_case_number(case_number)
        with service_errors(), self._context.store.transaction() as session:
            state = load_case(session, number)
            refusal = self._refusal(state, case_number)
            outcome = AuditOutcome.FAILED if refusal else AuditOutcome.SUCCESS
            audit(
                session,
                self._context,
                actor,
                action="print_supplement_notice",
                ref=number,
                detail="补正材料通知书",
                outcome=outcome,
            )
        if refusal is not None:
            raise ServiceError(refusal)
        assert state is not None
        return self._notice(state, actor)

    def pdf(self, case_number: str, actor: Actor, *, paper: str | None = None) -> bytes:
        data = self.data(case_number, actor)
        chosen = Paper(paper or self._context.settings.paper.value)
        return render_document(
            DocumentKind.SUPPLEMENT_NOTICE, data, chosen, allow_missing_glyphs=True
        )

    def _refusal(self, state: CaseState | None, typed: str) -> str | None:
        if state is None:
            return f"本工作站没有受理编号为 {typed.strip()} 的办件（可能尚未同步）"
        here = self._context.station.center_code
        if here not in (state.accepting_center, state.processing_center):
            return "本中心既不是此案的受理中心，也不是办理中心，不能打印补正材料通知书"
        if state.status is not CaseStatus.SUPPLEMENT_REQUESTED:
            return "此案当前没有待补正的要求"
        return None

    def _notice(self, state: CaseState, actor: Actor) -> SupplementNoticeData:
        assert state.applicant is not None and state.accepted_at is not None
        assert state.supplement_requested_at is not None
        listed = self._listed(state.item_code)
        return SupplementNoticeData(
            case_number=state.case_number,
            item_code=state.item_code,
            item_name=self._item_name(state.item_code),
            applicant=person_on_paper(state.applicant),
            accepted_on=state.accepted_at.astimezone(SHANGHAI).date(),
            accepting_center=self._center(state.accepting_center),
            processing_center=self._center(state.processing_center),
            materials=tuple(
                _requested(name, listed.get(name)) for name in state.supplement_materials
            ),
            reason=state.supplement_reason,
            requested_at=state.supplement_requested_at.astimezone(SHANGHAI),
            due=state.supplement_due,
            printing_center=Paperwork(self._context).center(),
            clerk=actor.signature,
        )

    def _listed(self, item_code: str) -> dict[str, Material]:
        try:
            return {m.name: m for m in self._context.catalog.item(item_code).materials}
        except KeyError:
            return {}

    def _item_name(self, code: str) -> str:
        try:
            return self._context.catalog.item(code).name
        except KeyError:
            return code

    def _center(self, code: str) -> CenterOnPaper:
        try:
            center = self._context.geography.center(code)
        except KeyError:
            return CenterOnPaper(name=code)
        return CenterOnPaper(name=center.name, address=center.address, phone=center.phone)


def _requested(name: str, listed: Material | None) -> RequestedMaterial:
    if listed is None:
        return RequestedMaterial(name)
    return RequestedMaterial(name, listed.form, listed.copies)
