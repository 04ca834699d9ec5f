"""Plain values shared by several documents' inputs. No database: callers copy what they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.models.catalog import MaterialForm
from tongban.models.rules import normalise_case_number, parse_case_number
from tongban.printing.masking import mask_identity


@dataclass(frozen=True)
class CenterOnPaper:
    """A 社区事务受理服务中心 as printed; address and phone stay empty where not yet known."""

    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PersonOnPaper:
    """An applicant or agent. The identity number is only ever printed masked."""

    name: str
    id_number: str
    document_label: str = "居民身份证"
    relationship: str = ""  # an agent's relationship to the applicant (代办人与申请人关系)

    @property
    def masked_id(self) -> str:
        return mask_identity(self.id_number)

    def __repr__(self) -> str:
        # Keeps the full number out of logs and tracebacks as well as off paper.
        return f"PersonOnPaper(name={self.name!r}, id_number={self.masked_id!r})"


def checked_case_number(value: str) -> str:
    """The compact case number (as the barcodes carry it); ValueError in Chinese when not valid."""
    parse_case_number(value)
    return normalise_case_number(value)


@dataclass(frozen=True)
class ReceivedMaterial:
    name: str
    original_seen: bool
    copies: int = 0


@dataclass(frozen=True)
class PendingMaterial:
    """A material still to come: deferred under 容缺 with its due date."""

    name: str
    form: MaterialForm
    copies: int
    due: date
