"""The paperwork of a decision: the printing package's input values, built from what was recorded.

A receipt is built from the case's folded state (the same function at acceptance and at a
reprint), so the paper always says what the event log says. Rendering goes through
desktop.paperwork on the workstation's paper. A character no bundled font has prints as 〓 for the
clerk to complete by hand: the applicant must leave with the paper even with a rare name.
A document that cannot be produced at all gives None (the decision is recorded regardless; the
receipt can be printed again from the case).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from tongban.desktop.paperwork import DocumentKind, render_document
from tongban.desktop.services.context import CounterContext
from tongban.models.catalog import (
    CollectionMethod,
    Item,
    Material,
    MaterialForm,
    Mode,
    Requirement,
)
from tongban.models.clock import SHANGHAI
from tongban.models.rules import DocumentType
from tongban.models.store import CaseState
from tongban.models.store import payloads as p
from tongban.printing import (
    CenterOnPaper,
    GuidanceData,
    MissingMaterial,
    MissingNoticeData,
    PendingMaterial,
    PersonOnPaper,
    PledgeData,
    ReceiptData,
    ReceivedMaterial,
    RefusalData,
    WindowOnPaper,
)
from tongban.printing import Paper as PrintPaper

log = logging.getLogger(__name__)

DOCUMENT_LABELS = {
    DocumentType.RESIDENT_ID: "居民身份证",
    DocumentType.HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: "外国人永久居留身份证",
    DocumentType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    DocumentType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    DocumentType.PASSPORT: "护照",
}


def document_label(document_type: str) -> str:
    try:
        return DOCUMENT_LABELS[DocumentType(document_type)]
    except ValueError:
        return document_type


class Paperwork:
    """Builds and renders the documents of one workstation (its center, its paper)."""

    def __init__(self, context: CounterContext, *, paper: str | None = None) -> None:
        self._context = context
        # The workstation's paper unless a command asks for the other one ("a4" or "roll80").
        self._paper = paper or context.settings.paper.value

    # What the printing package needs ----------------------------------------------------------

    def center(self) -> CenterOnPaper:
        """This workstation's site as printed (a sub-center prints its own name and address)."""
        geography = self._context.geography
        code = self._context.station.site_code
        place = geography.sub_centers.get(code) or geography.center(code)
        return CenterOnPaper(name=place.name, address=place.address, phone=place.phone)

    def receipt_data(self, state: CaseState, item: Item | None, clerk: str) -> ReceiptData:
        assert state.applicant is not None and state.mode is not None
        assert state.accepted_at is not None
        geography = self._context.geography
        separated = state.mode is Mode.SEPARATED
        return ReceiptData(
            case_number=state.case_number,
            center=self.center(),
            item_code=state.item_code,
            item_name=item.name if item else state.item_code,
            mode=state.mode,
            applicant=person_on_paper(state.applicant),
            accepted_at=state.accepted_at.astimezone(SHANGHAI),
            clerk=clerk,
            received=tuple(
                ReceivedMaterial(m.name, m.original_seen, m.copies_received)
                for m in state.materials
                if not m.deferred or m.supplied_at is not None
            ),
            deferred=self._pending(state, item),
            processing_center=geography.center_label(state.processing_center) if separated else "",
            agent=agent_on_paper(state.agent) if state.agent else None,
            promised_by=state.due_date,
            promised_days=item.promised_days if item else 0,
            collection=item.collection if item else (CollectionMethod.COUNTER,),
        )

    def pledge_data(self, state: CaseState, item: Item | None, clerk: str) -> PledgeData | None:
        """The 容缺承诺书 while deferred materials are outstanding; None when there are none."""
        pending = self._pending(state, item)
        if not pending:
            return None
        assert state.applicant is not None and state.accepted_at is not None
        return PledgeData(
            case_number=state.case_number,
            center=self.center(),
            item_code=state.item_code,
            item_name=item.name if item else state.item_code,
            applicant=person_on_paper(state.applicant),
            deferred=pending,
            signed_at=state.accepted_at.astimezone(SHANGHAI),
            clerk=clerk,
            agent=agent_on_paper(state.agent) if state.agent else None,
        )

    def missing_notice_data(
        self,
        item: Item,
        applicant_name: str,
        missing: Sequence[Material],
        *,
        at: datetime,
        clerk: str,
    ) -> MissingNoticeData:
        return MissingNoticeData(
            center=self.center(),
            item_code=item.code,
            item_name=item.name,
            applicant_name=applicant_name,
            issued_at=at,
            clerk=clerk,
            missing=tuple(_missing(m) for m in missing),
        )

    def refusal_data(
        self, item: Item, applicant: p.Person, reason: str, *, at: datetime, clerk: str
    ) -> RefusalData:
        return RefusalData(
            center=self.center(),
            item_code=item.code,
            item_name=item.name,
            applicant=person_on_paper(applicant),
            applied_on=at.date(),
            decided_at=at,
            reason=reason,
            clerk=clerk,
        )

    def guidance_data(
        self, item: Item, applicant_name: str, target_code: str, *, at: datetime, clerk: str
    ) -> GuidanceData:
        """属地办理指引: the applicant's own center and the district's windows still to come."""
        geography = self._context.geography
        target = geography.center(target_code)
        windows = sorted(
            self._context.catalog.windows_for(item.code, target.district_code),
            key=lambda w: w.opens,
        )
        return GuidanceData(
            issuing_center=self.center(),
            item_code=item.code,
            item_name=item.name,
            applicant_name=applicant_name,
            target_center=CenterOnPaper(target.name, target.address, target.phone),
            district_name=geography.district(target.district_code).name,
            basis="户籍地",
            issued_at=at,
            clerk=clerk,
            windows=tuple(
                WindowOnPaper(w.opens, w.closes, w.note or "")
                for w in windows
                if w.closes >= at.date()
            ),
            materials=tuple(_to_bring(m) for m in item.materials if _listed(m)),
        )

    # Rendering --------------------------------------------------------------------------------

    def render(self, kind: DocumentKind, data: object) -> bytes | None:
        paper = PrintPaper(self._paper)
        try:
            return render_document(kind, data, paper, allow_missing_glyphs=True)
        except Exception:
            # The decision is already recorded; losing it over a document would be worse.
            log.exception("could not render the %s document", kind)
            return None

    def render_all(self, parts: Sequence[tuple[DocumentKind, object]]) -> bytes | None:
        """Several documents as one PDF, in order (e.g. the receipt, then the pledge to sign)."""
        rendered = [self.render(kind, data) for kind, data in parts]
        if any(pdf is None for pdf in rendered):
            return None
        return join_pdfs([pdf for pdf in rendered if pdf is not None])

    # Internals --------------------------------------------------------------------------------

    def _pending(self, state: CaseState, item: Item | None) -> tuple[PendingMaterial, ...]:
        by_name = {m.name: m for m in item.materials} if item else {}
        pending = []
        for m in state.outstanding_deferred:
            listed = by_name.get(m.name)
            due = m.deferred_due or state.due_date
            if due is None:  # every deferral written here has a date; one from elsewhere may not
                log.warning("deferred material without a due date in case %s", state.case_number)
                continue
            form = listed.form if listed else MaterialForm.ORIGINAL
            copies = listed.copies if listed else 0
            pending.append(PendingMaterial(m.name, form, copies, due))
        return tuple(pending)


def person_on_paper(person: p.Person) -> PersonOnPaper:
    return PersonOnPaper(
        name=person.name,
        id_number=person.id_number,
        document_label=document_label(person.document_type),
    )


def agent_on_paper(agent: p.Agent) -> PersonOnPaper:
    return PersonOnPaper(
        name=agent.name,
        id_number=agent.id_number,
        document_label=document_label(agent.document_type),
        relationship=agent.relationship,
    )


def join_pdfs(parts: Sequence[bytes]) -> bytes:
    if len(parts) == 1:
        return parts[0]
    # pypdf (with the cryptography it loads) costs a quarter of a second to import: only when a
    # receipt has a pledge to join, not at start-up.
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(BytesIO(part)))
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _missing(material: Material) -> MissingMaterial:
    return MissingMaterial(
        name=material.name,
        form=material.form,
        copies=material.copies,
        source=material.source,
        where=material.note or "",
        condition=material.condition or "",
    )


def _listed(material: Material) -> bool:
    return material.requirement is not Requirement.OPTIONAL


def _to_bring(material: Material) -> str:
    if material.condition:
        return f"{material.name}（{material.condition}）"
    return material.name
