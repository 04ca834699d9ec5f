"""What the processing views (ui/inbox.py, ui/lookup.py) need from the application.

tongban.desktop implements `ProcessingServices` for the clerk logged in at the counter. As with
ui.ports.CounterServices, every method may be slow (the store, the central service, a scan
fetched over the network) and is called through tasks.TaskRunner, never on the GUI thread; a
refusal the clerk should read is ui.ports.ServiceError with a short Chinese message, shown in
the view as it is.

The values that cross are frozen and hold the applicant masked; the full name and identity
number come only from `reveal_applicant`, which the service audits. Which actions a case allows
here is the application's judgement (`WorkItem.actions`): the view only enables those buttons,
and the service judges again when one is pressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from tongban.ui.ports import CaseEvent


class Action(StrEnum):
    """What a clerk may do with a case after acceptance (each one event on the case)."""

    SIGN = "sign"  # 签收
    SUPPLEMENT = "supplement"  # 要求补正
    SUPPLIED = "supplied"  # 补正材料已交
    APPROVE = "approve"  # 准予办理
    REJECT = "reject"  # 不予批准
    READY = "ready"  # 结果待领取
    COLLECT = "collect"  # 已领取
    SCAN = "scan"  # 附扫描件: while the case is open, at its accepting or processing center


@dataclass(frozen=True)
class WorkItem:
    """One case of the center's lists: its work (inbox) or its cases processed elsewhere."""

    case_number: str
    item_name: str
    applicant_name_masked: str  # 王*
    applicant_id_masked: str  # 310105********1234
    status_label: str  # 已流转, 已签收, 待补正 …
    accepting_center_name: str
    processing_center_name: str
    accepted_at: datetime  # Shanghai time
    due: date | None  # promised date, moved on while waiting for supplements; None: 即办
    supplement_due: date | None
    supplement_materials: tuple[str, ...]
    overdue: bool  # past the promised date, not decided
    supplement_overdue: bool  # the supplement asked for is past its due date
    actions: frozenset[Action]  # what this center may do with it now

    def can(self, action: Action) -> bool:
        return action in self.actions


@dataclass(frozen=True)
class WorkLists:
    inbox: tuple[WorkItem, ...]  # to process here, or to hand over here
    elsewhere: tuple[WorkItem, ...]  # accepted here, processed by another center


@dataclass(frozen=True)
class MaterialLine:
    name: str
    received: str  # what was handed in, e.g. 原件已验；复印件 1 份 / 容缺，03-20 前补交


@dataclass(frozen=True)
class ScanLine:
    material: str
    file_name: str
    size_text: str  # e.g. 1.2 MB
    attached_at: datetime  # Shanghai time
    sha256: str
    here: bool  # the file is on this workstation (otherwise opening fetches it)


@dataclass(frozen=True)
class CaseFile:
    """An opened case: everything the processing clerk decides on, the applicant masked."""

    item: WorkItem
    collection_center_name: str
    agent_masked: str  # the 代办人, masked; "" when the applicant came in person
    materials: tuple[MaterialLine, ...]
    item_materials: tuple[str, ...]  # the item's materials in the catalog: the 补正 checklist
    supplement_reason: str
    closing_reason: str
    scans: tuple[ScanLine, ...]
    scans_note: str  # why the scans are not listed (e.g. not a party); "" when they are
    timeline: tuple[CaseEvent, ...]  # oldest first


@dataclass(frozen=True)
class ApplicantDetails:
    """The applicant unmasked, for the clerk who asked (audited)."""

    name: str
    document: str  # the document type's name
    id_number: str
    phone: str
    household: str  # the 户籍地 street, or 外省市
    residence: str  # the 居住地 street, or 同户籍地
    agent: str  # the 代办人 with their document; "" when none


@dataclass(frozen=True)
class StatusLine:
    at: datetime  # Shanghai time
    event: str  # 受理, 签收, 要求补正 …
    center_name: str  # "" when this workstation cannot tell


@dataclass(frozen=True)
class CaseStatusAnswer:
    """The status look-up's answer: what the applicant may be told, the applicant masked."""

    case_number: str
    status_label: str
    item_name: str
    accepting_center_name: str
    processing_center_name: str
    collection_center_name: str
    applicant_name_masked: str
    applicant_id_masked: str
    accepted_at: datetime
    due: date | None
    supplement_materials: tuple[str, ...]
    supplement_due: date | None
    closing_reason: str
    events: tuple[StatusLine, ...]
    stale_note: str  # why the answer may be out of date; "" when the center answered
    collect_here: bool  # the result waits at this center for collection


class ProcessingServices(Protocol):
    def work_lists(self) -> WorkLists:
        """The center's open cases, newest first, with their overdue flags (audited)."""
        ...

    def case_file(self, case_number: str) -> CaseFile:
        """One case opened: materials, scans and timeline (audited)."""
        ...

    def reveal_applicant(self, case_number: str) -> ApplicantDetails:
        """The applicant's full details, recorded in the audit log as a look at them."""
        ...

    def open_scan(self, case_number: str, sha256: str) -> Path:
        """The scan's file on this workstation, fetched from the center if needed (audited)."""
        ...

    def scan_folder(self) -> Path:
        """Where the file chooser for a scan starts: the scanner's output folder set for this
        workstation, else the user's home."""
        ...

    def attach_scan(self, case_number: str, material: str, path: Path) -> None:
        """Keep the file as a scan of `material` (refused when not a PDF or image, or too big)."""
        ...

    def default_supplement_due(self) -> date:
        """The due date a supplement request gets when the clerk sets none."""
        ...

    def sign_for(self, case_number: str) -> WorkItem:
        """签收."""
        ...

    def request_supplement(
        self, case_number: str, *, materials: Sequence[str], reason: str, due: date
    ) -> WorkItem:
        """补正: what is needed and by when; the promised date's clock stops while waiting."""
        ...

    def supplied(self, case_number: str, *, materials: Sequence[str]) -> WorkItem:
        """The applicant handed the supplement in (all asked for when `materials` is empty)."""
        ...

    def approve(self, case_number: str, *, note: str) -> WorkItem:
        """办结: 准予办理, with the clerk's note ("" for none)."""
        ...

    def reject(self, case_number: str, *, reason: str) -> WorkItem:
        """办结: 不予批准, with its reason."""
        ...

    def ready(self, case_number: str) -> WorkItem:
        """The result waits for collection at the center the applicant chose."""
        ...

    def collect(self, case_number: str, *, collected_by: str) -> WorkItem:
        """The result handed over here."""
        ...

    def lookup(self, case_number: str, id_last4: str) -> CaseStatusAnswer:
        """Status at any center: the case number and the last four characters of the ID."""
        ...
