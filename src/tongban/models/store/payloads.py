"""What each kind of event carries (its payload), as small frozen dataclasses.

Payloads are validated when they are made (pydantic dataclasses) and stored as JSON. Reading a
payload ignores keys it does not know, so a workstation running an older version can still fold
events written by a newer one; it never guesses a missing required key (the fold records a
problem instead). Field names are part of the sync format: rename nothing, add with defaults.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from tongban.models.catalog.schema import Mode
from tongban.models.rules import mask_identity

# Centers and streets have 9-digit division codes.
NineDigitCode = Annotated[str, Field(pattern=r"^\d{9}$")]
# A site is a center (its 9-digit code) or a sub-center (the center's code + a 2-digit ordinal).
SiteCode = Annotated[str, Field(pattern=r"^\d{9}(\d{2})?$")]
ItemCode = Annotated[str, Field(pattern=r"^[A-Z]{2,4}\d{3}$")]
Text = Annotated[str, Field(min_length=1)]

# hide_input_in_errors: a validation error must never echo an identity number into a log.
_CONFIG = ConfigDict(extra="ignore", str_strip_whitespace=True, hide_input_in_errors=True)
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Person:
    """The applicant as identified at the counter. The full number is kept out of repr()."""

    document_type: Text
    id_number: Text = field(repr=False)
    name: Text
    phone: str | None = None
    household_street: NineDigitCode | None = None  # 户籍地 street
    residence_street: NineDigitCode | None = None  # 居住地 street

    @property
    def masked_id(self) -> str:
        return mask_identity(self.id_number)


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Agent:
    """Someone applying on the applicant's behalf (代办人)."""

    name: Text
    document_type: Text
    id_number: Text = field(repr=False)
    relationship: Text

    @property
    def masked_id(self) -> str:
        return mask_identity(self.id_number)


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class MaterialReceived:
    name: Text
    original_seen: bool = False
    copies_received: int = Field(default=0, ge=0)
    deferred: bool = False  # 容缺: to be supplied later, by deferred_due
    deferred_due: date | None = None


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Accepted:
    item_code: ItemCode
    catalog_revision: Text
    mode: Mode
    applicant: Person
    agent: Agent | None = None
    accepting_center: NineDigitCode
    accepting_site: SiteCode
    processing_center: NineDigitCode
    due_date: date | None = None  # promised completion; None for 即办件 done on the spot
    materials: tuple[MaterialReceived, ...] = ()
    # Where the applicant chose to collect the result: the accepting or the processing center.
    # None (events written before the choice existed) means the accepting center.
    collection_center: NineDigitCode | None = None
    # When the clerk identified the applicant (the visit began), as the window recorded it;
    # None in events written before it was recorded or when it is not known (a script).
    started_at: AwareDatetime | None = None


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class ReceiptPrinted:
    pass


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Reprinted:
    reason: Text


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class DeferredSupplied:
    material: Text
    original_seen: bool = False
    copies_received: int = Field(default=0, ge=0)


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Forwarded:
    processing_center: NineDigitCode


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class ReceivedForProcessing:
    """签收: the processing center took the case in; the clerk and time are the event's."""

    note: str = ""


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Signed:
    document: Text  # e.g. 申请表, 承诺书, 委托书
    signer: Text  # applicant or agent, as the counter recorded


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class SupplementRequested:
    materials: tuple[Text, ...] = Field(min_length=1)
    reason: Text
    due_date: date | None = None


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Supplied:
    materials: tuple[MaterialReceived, ...] = Field(min_length=1)


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Approved:
    note: str = ""


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Rejected:
    reason: Text


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Ready:
    collect_at_site: SiteCode  # where the result waits (the accepting site, usually)


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Collected:
    collected_by: Text  # applicant, agent, or the name of whoever signed for it
    method: Text = "counter"  # counter, mail, electronic (CollectionMethod values)
    # The center where it was handed over; None in events written before it was recorded.
    center: NineDigitCode | None = None


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Cancelled:
    reason: Text


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class ScanAttached:
    """A scan of one material (models/scans.py); the file itself travels apart, by its sha256."""

    material: Text  # a material of the case, or one a supplement request asks for
    file_name: Text  # as it was on the attaching workstation, for people
    media_type: Text  # application/pdf, image/png, image/jpeg or image/tiff
    size: int = Field(ge=1)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


# A transfer batch number (models/rules/transfer_batch.py): JJ + 21 digits + check character.
BatchNumber = Annotated[str, Field(pattern=r"^JJ\d{21}[\dX]$")]


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class PaperSent:
    """材料流转: the case's paper file left in a transfer batch for the processing center."""

    batch: BatchNumber
    destination: NineDigitCode  # the receiving center (the case's processing center)
    originals: int = Field(default=0, ge=0)  # originals in the file (forms, photos kept)
    copies: int = Field(default=0, ge=0)


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class PaperReceived:
    """The receiving center scanned the case's file in, as part of `batch` (or as an extra)."""

    batch: BatchNumber
    note: str = ""


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class PaperMissing:
    """The receiving center closed its check of `batch` without this case's file."""

    batch: BatchNumber


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class VisitFacts:
    """A visit that ended without a case: where, for which item, and who (if identified)."""

    center_code: NineDigitCode
    site_code: SiteCode
    item_code: ItemCode | None = None
    catalog_revision: str | None = None
    applicant: Person | None = None
    started_at: AwareDatetime | None = None  # when the applicant was identified, as in Accepted


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Notified(VisitFacts):
    """一次性告知: everything missing was told at once, in writing."""

    missing: tuple[Text, ...] = Field(min_length=1)
    note: str = ""


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Refused(VisitFacts):
    """不予受理: the reason, given in writing with the right to review or suit."""

    reason: Text


@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Guided(VisitFacts):
    """A guidance slip: where to go or what to do instead."""

    guidance: Text


class PayloadError(ValueError):
    """A stored payload that does not match its kind."""


@cache
def _adapter(payload_type: type) -> TypeAdapter[Any]:
    return TypeAdapter(payload_type)


def dump_payload(payload: object) -> dict[str, Any]:
    """The JSON-ready form of a payload (dates as ISO text)."""
    result: dict[str, Any] = _adapter(type(payload)).dump_python(payload, mode="json")
    return result


def load_payload(payload_type: type[T], raw: object) -> T:
    """Read a stored payload; PayloadError names the fields at fault, never their values."""
    try:
        result: T = _adapter(payload_type).validate_python(raw)
    except ValidationError as error:
        places = "，".join(".".join(map(str, e["loc"])) or "(整体)" for e in error.errors())
        raise PayloadError(f"事件内容不完整或有误：{places}") from None
    return result
