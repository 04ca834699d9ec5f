"""ProcessingServices for the UI tests: answers from its fields, records every call.

Nothing here is a test. The cases are built for the tests (a 收受分离 case forwarded to this
center, a direct one waiting for a supplement past its due date, one accepted here and processed
elsewhere, overdue); an action answers with the case as the service would leave it, or raises
the refusal set in `refuse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from test_ui_support import TIANPING, TODAY
from tongban.models.rules import make_case_number
from tongban.ui.ports import CaseEvent, ServiceError
from tongban.ui.processing_ports import (
    Action,
    ApplicantDetails,
    CaseFile,
    CaseStatusAnswer,
    MaterialLine,
    ScanLine,
    StatusLine,
    WorkItem,
    WorkLists,
)

HERE_NAME = "天平路街道社区事务受理服务中心"
HUAYANG_NAME = "华阳路街道社区事务受理服务中心"
FORWARDED = make_case_number("310105001", TODAY, 2, 7)  # accepted at 华阳路, processed here
WAITING = make_case_number(TIANPING, TODAY, 3, 11)  # direct, waiting for a supplement
ELSEWHERE = make_case_number(TIANPING, TODAY, 3, 12)  # accepted here, processed at 华阳路
SCAN_SHA = "ab" * 32
SCANNER_FOLDER = Path("/srv/scanner/out")
ID_LAST4 = "123X"
ACCEPTED_AT = datetime(2026, 2, 10, 9, 30)


def work_item(number: str, **changes: Any) -> WorkItem:
    base = WorkItem(
        case_number=number,
        item_name="生育保险待遇申领",
        applicant_name_masked="陈*",
        applicant_id_masked="310105********123X",
        status_label="已流转",
        accepting_center_name=HUAYANG_NAME,
        processing_center_name=HERE_NAME,
        accepted_at=datetime(2026, 2, 10, 9, 30),
        due=date(2026, 3, 3),
        supplement_due=None,
        supplement_materials=(),
        overdue=False,
        supplement_overdue=False,
        actions=frozenset({Action.SIGN}),
    )
    return replace(base, **changes)


def default_lists() -> WorkLists:
    return WorkLists(
        inbox=(
            work_item(FORWARDED),
            work_item(
                WAITING,
                item_name="敬老卡申领",
                applicant_name_masked="李**",
                applicant_id_masked="310104********1234",
                status_label="待补正",
                accepting_center_name=HERE_NAME,
                supplement_due=date(2026, 2, 27),
                supplement_materials=("户口簿",),
                supplement_overdue=True,
                actions=frozenset({Action.SUPPLIED, Action.REJECT, Action.SCAN}),
            ),
        ),
        elsewhere=(
            work_item(
                ELSEWHERE,
                accepting_center_name=HERE_NAME,
                processing_center_name=HUAYANG_NAME,
                due=date(2026, 2, 27),
                overdue=True,
                actions=frozenset(),
            ),
        ),
    )


@dataclass
class RecordingProcessing:
    lists: WorkLists = field(default_factory=default_lists)
    refuse: str | None = None  # every action refused with this message
    stale_note: str = ""
    collect_here: bool = False
    attached: list[ScanLine] = field(default_factory=list)  # scans attached through the fake
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def last(self, name: str) -> Any:
        return next(args for called, args in reversed(self.calls) if called == name)

    def _find(self, number: str) -> WorkItem:
        return next(
            i for i in (*self.lists.inbox, *self.lists.elsewhere) if i.case_number == number
        )

    def work_lists(self) -> WorkLists:
        self.calls.append(("work_lists", None))
        return self.lists

    def case_file(self, case_number: str) -> CaseFile:
        self.calls.append(("case_file", case_number))
        return CaseFile(
            item=self._find(case_number),
            collection_center_name=HERE_NAME,
            agent_masked="",
            materials=(
                MaterialLine("夫妻双方身份证件", "原件已验"),
                MaterialLine("结婚证", "原件已验；复印件 1 份"),
            ),
            item_materials=("夫妻双方身份证件", "结婚证", "生育医学证明"),
            supplement_reason="",
            closing_reason="",
            scans=(
                ScanLine(
                    "结婚证",
                    "marriage.pdf",
                    "1.2 MB",
                    datetime(2026, 2, 10, 9, 35),
                    SCAN_SHA,
                    False,
                ),
                *self.attached,
            ),
            scans_note="",
            timeline=(
                CaseEvent(
                    datetime(2026, 2, 10, 9, 30), "受理", "工号 2001", HUAYANG_NAME, "", True
                ),
                CaseEvent(
                    datetime(2026, 2, 10, 9, 30), "转出", "工号 2001", HUAYANG_NAME, "", True
                ),
            ),
        )

    def reveal_applicant(self, case_number: str) -> ApplicantDetails:
        self.calls.append(("reveal_applicant", case_number))
        return ApplicantDetails(
            name="陈静",
            document="居民身份证",
            id_number="31010519920501246X",
            phone="13900139000",
            household="华阳路街道",
            residence="同户籍地",
            agent="",
        )

    def open_scan(self, case_number: str, sha256: str) -> Path:
        self.calls.append(("open_scan", (case_number, sha256)))
        return Path("/tmp/scan.pdf")

    def scan_folder(self) -> Path:
        self.calls.append(("scan_folder", None))
        return SCANNER_FOLDER

    def attach_scan(self, case_number: str, material: str, path: Path) -> None:
        self.calls.append(("attach_scan", (case_number, material, path)))
        if self.refuse:
            raise ServiceError(self.refuse)
        self.attached.append(
            ScanLine(material, path.name, "1 KB", datetime(2026, 3, 10, 10, 0), "cd" * 32, True)
        )

    def default_supplement_due(self) -> date:
        self.calls.append(("default_supplement_due", None))
        return date(2026, 3, 16)

    def _act(self, name: str, case_number: str, args: Any, **changes: Any) -> WorkItem:
        self.calls.append((name, (case_number, args)))
        if self.refuse:
            raise ServiceError(self.refuse)
        return replace(self._find(case_number), **changes)

    def sign_for(self, case_number: str) -> WorkItem:
        return self._act("sign_for", case_number, None, status_label="已签收")

    def request_supplement(
        self, case_number: str, *, materials: Sequence[str], reason: str, due: date
    ) -> WorkItem:
        args = (tuple(materials), reason, due)
        return self._act("request_supplement", case_number, args, status_label="待补正")

    def supplied(self, case_number: str, *, materials: Sequence[str]) -> WorkItem:
        return self._act("supplied", case_number, tuple(materials), status_label="已签收")

    def approve(self, case_number: str, *, note: str) -> WorkItem:
        return self._act("approve", case_number, note, status_label="准予办理")

    def reject(self, case_number: str, *, reason: str) -> WorkItem:
        return self._act("reject", case_number, reason, status_label="不予批准")

    def ready(self, case_number: str) -> WorkItem:
        return self._act("ready", case_number, None, status_label="待领取")

    def collect(self, case_number: str, *, collected_by: str) -> WorkItem:
        return self._act("collect", case_number, collected_by, status_label="已领取")

    def lookup(self, case_number: str, id_last4: str) -> CaseStatusAnswer:
        self.calls.append(("lookup", (case_number, id_last4)))
        if id_last4.upper() != ID_LAST4:
            raise ServiceError("没有找到该办件，或证件号码后四位不符")
        return CaseStatusAnswer(
            case_number=case_number,
            status_label="待领取" if self.collect_here else "已签收",
            item_name="生育保险待遇申领",
            accepting_center_name=HUAYANG_NAME,
            processing_center_name=HERE_NAME,
            collection_center_name=HERE_NAME,
            applicant_name_masked="陈*",
            applicant_id_masked="310105********123X",
            accepted_at=datetime(2026, 2, 10, 9, 30),
            due=date(2026, 3, 3),
            supplement_materials=(),
            supplement_due=None,
            closing_reason="",
            events=(
                StatusLine(datetime(2026, 2, 10, 9, 30), "受理", HUAYANG_NAME),
                StatusLine(datetime(2026, 2, 11, 10, 0), "签收", HERE_NAME),
            ),
            stale_note=self.stale_note,
            collect_here=self.collect_here,
        )
