"""ReportLab documents: plain data in, PDF bytes out.

One base class (base.Document) owns page geometry, fonts, styles, header, footer and page numbers;
each document is a small subclass with a frozen input dataclass beside it. See docs/PRINTING.md.
"""

from tongban.printing.base import Document
from tongban.printing.daily_report import DailyIntakeReport, DailyItemRow, DailyReportData
from tongban.printing.fonts import (
    MISSING_GLYPH_MARK,
    DocumentFonts,
    MissingGlyphsError,
    bundled_fonts,
)
from tongban.printing.guidance import GuidanceData, HomeDistrictGuidance, WindowOnPaper
from tongban.printing.manifest import ManifestData, ManifestEntry, TransferManifest
from tongban.printing.missing_notice import (
    MissingMaterial,
    MissingMaterialsNotice,
    MissingNoticeData,
)
from tongban.printing.paper import Paper
from tongban.printing.pledge import DeferralPledge, PledgeData
from tongban.printing.receipt import AcceptanceReceipt, ReceiptData
from tongban.printing.refusal import RefusalData, RefusalNotice
from tongban.printing.registry import DOCUMENTS, DocumentKind, make_document
from tongban.printing.supplement_notice import (
    RequestedMaterial,
    SupplementNotice,
    SupplementNoticeData,
)
from tongban.printing.values import (
    CenterOnPaper,
    PendingMaterial,
    PersonOnPaper,
    ReceivedMaterial,
)

__all__ = [
    "DOCUMENTS",
    "MISSING_GLYPH_MARK",
    "AcceptanceReceipt",
    "CenterOnPaper",
    "DailyIntakeReport",
    "DailyItemRow",
    "DailyReportData",
    "DeferralPledge",
    "Document",
    "DocumentFonts",
    "DocumentKind",
    "GuidanceData",
    "HomeDistrictGuidance",
    "ManifestData",
    "ManifestEntry",
    "MissingGlyphsError",
    "MissingMaterial",
    "MissingMaterialsNotice",
    "MissingNoticeData",
    "Paper",
    "PendingMaterial",
    "PersonOnPaper",
    "PledgeData",
    "ReceiptData",
    "ReceivedMaterial",
    "RefusalData",
    "RefusalNotice",
    "RequestedMaterial",
    "SupplementNotice",
    "SupplementNoticeData",
    "TransferManifest",
    "WindowOnPaper",
    "bundled_fonts",
    "make_document",
]
