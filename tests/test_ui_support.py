"""Shared material of the UI tests: a small catalog, Shanghai's streets, a recording service.

Nothing here is a test. The catalog's items are built for the tests (names follow real items,
the fields are chosen to exercise the window); the geography uses the bundled districts and
streets with one test center per street.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from tongban.models.catalog import Catalog
from tongban.models.geography import Center, District, Geography, Street
from tongban.ui.ports import (
    AcceptResult,
    CaseEvent,
    CaseSummary,
    IntakeRequest,
    KnownApplicant,
    LoginResult,
    PendingEventRow,
    ServiceError,
    SessionInfo,
    SyncProblemRow,
    SyncState,
    VisitResult,
    WorkstationInfo,
)

TODAY = date(2026, 3, 2)
TIANPING = "310104003"  # 天平路街道, 徐汇区
XUJIAHUI = "310104011"  # 徐家汇街道, 徐汇区
NANJING_EAST = "310101002"  # 南京东路街道, 黄浦区


def _check_character(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def resident_id(body17: str) -> str:
    return body17 + _check_character(body17)


# Valid resident IDs (check character computed here).
OLD_MAN_ID = resident_id("31010419580307123")  # born 1958-03-07, male: 67 on TODAY
YOUNG_WOMAN_ID = resident_id("31010119900202124")  # born 1990-02-02, female
AGENT_ID = resident_id("31010419850505201")


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("tongban.models") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def streets_geography() -> Geography:
    districts = [District(r["code"], r["name"]) for r in _rows("districts.csv")]
    streets = [Street(r["code"], r["name"], r["district_code"]) for r in _rows("streets.csv")]
    centers = [
        Center(s.code, f"{s.name}社区事务受理服务中心", s.district_code, (s.code,)) for s in streets
    ]
    return Geography(districts, streets, centers, [])


_ID_CARD = {"name": "申请人身份证", "form": "original"}
_AGENT_ID = {
    "name": "代办人身份证件",
    "form": "original",
    "requirement": "conditional",
    "condition": "委托他人代办时",
    "for_agent": True,
}
_LETTER = {
    "name": "授权委托书",
    "form": "original",
    "requirement": "conditional",
    "condition": "委托他人代办时",
    "for_agent": True,
}
_COMMON = {
    "type": "公共服务",
    "applicants": "符合条件的申请人",
    "legal_days": 20,
    "result": "办理结果",
    "collection": ["counter"],
}

CATALOG = Catalog.model_validate(
    {
        "revision": "test",
        "effective_from": "2018-07-01",
        "departments": ["民政", "卫健", "住建", "公安"],
        "items": [
            {
                **_COMMON,
                "code": "MZ001",
                "name": "敬老卡申领",
                "department": "民政",
                "mode": "direct",
                "city_wide_from": "2018-03-01",
                "eligibility": {"age": {"min_years": 65, "advance_days": 30}, "hukou": "shanghai"},
                "promised_days": 10,
                "materials": [
                    _ID_CARD,
                    {
                        "name": "户口簿",
                        "form": "original_and_copy",
                        "copies": 1,
                        "deferrable": True,
                    },
                    {"name": "近期一寸照片", "form": "copy", "copies": 2},
                    _AGENT_ID,
                    _LETTER,
                ],
            },
            {
                **_COMMON,
                "code": "WJ001",
                "name": "生育保险待遇申领",
                "department": "卫健",
                "mode": "separated",
                "processing_center": "household",
                "city_wide_from": "2018-03-01",
                "promised_days": 15,
                "materials": [
                    _ID_CARD,
                    {"name": "结婚证", "form": "original_and_copy", "copies": 1},
                    {
                        "name": "离婚证明",
                        "form": "copy",
                        "copies": 1,
                        "requirement": "conditional",
                        "condition": "再婚的",
                    },
                    {
                        "name": "银行卡复印件",
                        "form": "copy",
                        "copies": 1,
                        "requirement": "optional",
                    },
                ],
            },
            {
                **_COMMON,
                "code": "ZJ001",
                "name": "廉租住房申请",
                "department": "住建",
                "mode": "home_district",
                "city_wide_from": None,
                "promised_days": 20,
                "materials": [_ID_CARD],
            },
            {
                **_COMMON,
                "code": "GA001",
                "name": "居住证新办",
                "department": "公安",
                "mode": "direct",
                "city_wide_from": "2018-07-01",
                "eligibility": {"hukou": "non_shanghai"},
                "legal_days": 15,
                "promised_days": 0,
                "fee": {"amount_yuan": "20"},
                "materials": [_ID_CARD],
            },
        ],
    }
)

SESSION = SessionInfo(
    center_name="天平路街道社区事务受理服务中心",
    site_code=TIANPING,
    clerk_number="1001",
    clerk_name="王敏",
    role="窗口受理员",
    workstation_name="3号窗口",
    demo=True,
)
WORKSTATION = WorkstationInfo(
    site_code=TIANPING,
    site_name="天平路街道社区事务受理服务中心",
    workstation_name="3号窗口",
    demo=True,
    demo_hint="演示账号：1001，密码 demo-1001",
)


def case_number() -> str:
    from tongban.models.rules import make_case_number

    return make_case_number(TIANPING, TODAY, 3, 15)


@dataclass
class RecordingServices:
    """CounterServices for the tests: answers from its fields, records every call."""

    password: str = "secret-1001"
    known: dict[str, KnownApplicant] = field(default_factory=dict)
    receipt_pdf: bytes | None = None
    notice_pdf: bytes | None = None
    cases: list[CaseSummary] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    sync_count: int = 0
    sync_online: bool | None = None  # None: no server configured
    sync_problems: int = 0
    last_contact: datetime | None = None
    pending_rows: list[PendingEventRow] = field(default_factory=list)
    problem_rows: list[SyncProblemRow] = field(default_factory=list)
    fail_accept: str | None = None
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def last(self, name: str) -> Any:
        return next(args for called, args in reversed(self.calls) if called == name)

    def workstation(self) -> WorkstationInfo:
        self.calls.append(("workstation", None))
        return WORKSTATION

    def login(self, clerk_number: str, password: str) -> LoginResult:
        self.calls.append(("login", clerk_number))
        if clerk_number == "1001" and password == self.password:
            return LoginResult(SESSION)
        return LoginResult(None, "工号或密码不正确，还可尝试 4 次")

    def unlock(self, password: str) -> LoginResult:
        self.calls.append(("unlock", None))
        if password == self.password:
            return LoginResult(SESSION)
        return LoginResult(None, "密码不正确")

    def lock(self) -> None:
        self.calls.append(("lock", None))

    def logout(self) -> None:
        self.calls.append(("logout", None))

    def find_applicant(self, document_type: str, id_number: str) -> KnownApplicant | None:
        self.calls.append(("find_applicant", (document_type, id_number)))
        return self.known.get(id_number)

    def accept(self, request: IntakeRequest) -> AcceptResult:
        self.calls.append(("accept", request))
        if self.fail_accept:
            raise ServiceError(self.fail_accept)
        return AcceptResult(
            case_number=case_number(),
            processing_center_name="天平路街道社区事务受理服务中心",
            due_date=date(2026, 3, 16),
            deadline_warning=None,
            receipt_pdf=self.receipt_pdf,
        )

    def notify(self, request: IntakeRequest) -> VisitResult:
        self.calls.append(("notify", request))
        return VisitResult(self.notice_pdf)

    def refuse(self, request: IntakeRequest, reason: str) -> VisitResult:
        self.calls.append(("refuse", (request, reason)))
        return VisitResult(self.notice_pdf)

    def guide(self, request: IntakeRequest) -> VisitResult:
        self.calls.append(("guide", request))
        return VisitResult(self.notice_pdf)

    def search_cases(self, query: str) -> Sequence[CaseSummary]:
        self.calls.append(("search_cases", query))
        return list(self.cases)

    def case_events(self, case_number: str) -> Sequence[CaseEvent]:
        self.calls.append(("case_events", case_number))
        return list(self.events)

    def receipt(self, case_number: str) -> bytes | None:
        self.calls.append(("receipt", case_number))
        return self.receipt_pdf

    def print_document(self, pdf: bytes, *, title: str, printer: str = "") -> None:
        self.calls.append(("print_document", (title, printer)))

    def pending_sync_count(self) -> int:
        self.calls.append(("pending_sync_count", None))
        return self.sync_count

    def sync_state(self) -> SyncState:
        self.calls.append(("sync_state", None))
        return SyncState(self.sync_online, self.sync_count, self.sync_problems, self.last_contact)

    def sync_details(self) -> tuple[Sequence[PendingEventRow], Sequence[SyncProblemRow]]:
        self.calls.append(("sync_details", None))
        return list(self.pending_rows), list(self.problem_rows)


def a_case() -> CaseSummary:
    return CaseSummary(
        case_number=case_number(),
        item_name="敬老卡申领",
        applicant_name="李建国",
        applicant_id_masked="310104********1234",
        status="已受理",
        accepted_at=datetime(2026, 3, 2, 9, 41),
        processing_center_name="天平路街道社区事务受理服务中心",
        due_date=date(2026, 3, 16),
    )


def type_chinese(widget: QWidget, text: str) -> None:
    """Commit Chinese text as an input method would (keyClicks aborts on non-ASCII)."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def a_pdf(pages: int = 1) -> bytes:
    """A small real PDF (ReportLab), for the preview and print paths."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=A5)
    for page in range(pages):
        drawing.drawString(60, 500, f"Receipt page {page + 1}")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()
