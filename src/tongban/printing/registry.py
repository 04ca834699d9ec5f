"""Which document class prints which kind of paper, for callers that choose by name (CLI, UI)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from tongban.printing.base import Document
from tongban.printing.daily_report import DailyIntakeReport, DailyReportData
from tongban.printing.fonts import DocumentFonts
from tongban.printing.guidance import GuidanceData, HomeDistrictGuidance
from tongban.printing.manifest import ManifestData, TransferManifest
from tongban.printing.missing_notice import MissingMaterialsNotice, MissingNoticeData
from tongban.printing.paper import Paper
from tongban.printing.pledge import DeferralPledge, PledgeData
from tongban.printing.receipt import AcceptanceReceipt, ReceiptData
from tongban.printing.refusal import RefusalData, RefusalNotice
from tongban.printing.supplement_notice import SupplementNotice, SupplementNoticeData


class DocumentKind(StrEnum):
    RECEIPT = "receipt"  # 受理回执
    MISSING_NOTICE = "missing-notice"  # 一次性告知单
    REFUSAL = "refusal"  # 不予受理通知书
    GUIDANCE = "guidance"  # 属地办理指引
    PLEDGE = "pledge"  # 容缺受理承诺书
    MANIFEST = "manifest"  # 材料交接清单
    DAILY_REPORT = "daily-report"  # 每日受理报表
    SUPPLEMENT_NOTICE = "supplement-notice"  # 补正材料通知书


DOCUMENTS: Mapping[DocumentKind, tuple[type[Document[Any]], type]] = {
    DocumentKind.RECEIPT: (AcceptanceReceipt, ReceiptData),
    DocumentKind.MISSING_NOTICE: (MissingMaterialsNotice, MissingNoticeData),
    DocumentKind.REFUSAL: (RefusalNotice, RefusalData),
    DocumentKind.GUIDANCE: (HomeDistrictGuidance, GuidanceData),
    DocumentKind.PLEDGE: (DeferralPledge, PledgeData),
    DocumentKind.MANIFEST: (TransferManifest, ManifestData),
    DocumentKind.DAILY_REPORT: (DailyIntakeReport, DailyReportData),
    DocumentKind.SUPPLEMENT_NOTICE: (SupplementNotice, SupplementNoticeData),
}


def make_document(
    kind: DocumentKind | str,
    data: object,
    *,
    paper: Paper = Paper.A4,
    fonts: DocumentFonts | None = None,
    substitute_missing_glyphs: bool = False,
) -> Document[Any]:
    """The document of this kind for data; TypeError when data is another document's input."""
    document_class, data_class = DOCUMENTS[DocumentKind(kind)]
    if not isinstance(data, data_class):
        expected, given = data_class.__name__, type(data).__name__
        raise TypeError(f"{document_class.title}需要 {expected}，收到 {given}")
    return document_class(
        data, paper=paper, fonts=fonts, substitute_missing_glyphs=substitute_missing_glyphs
    )
