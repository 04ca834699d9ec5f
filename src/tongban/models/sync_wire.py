"""The sync protocol's JSON bodies (pydantic v2), shared by the service and its clients.

It lives in tongban.models (it imports only pydantic and the store's Event) so that the
workstation's sync client, which may not import tongban.central, uses the same definitions.
An event on the wire carries exactly the fields of tongban.models.store.Event; `hlc` is the
64-bit integer form. Unknown keys are ignored, so a newer peer may add fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from tongban.models.app_versions import AppVersions
from tongban.models.store.events import Event

MAX_PUSH_BATCH = 500
MAX_PULL_BATCH = 1000
MAX_WAIT_SECONDS = 60
VERSION_HEADER = "X-Tongban-Version"  # the workstation's program version, on every request

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
Outcome = Literal["accepted", "duplicate", "rejected"]
_NUL_FREE_JSON = "tongban.nul_free_json"  # validation context: the JSON text holds no U+0000


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class WireEvent(_Body):
    id: Uuid
    workstation_id: Uuid
    sequence: int = Field(ge=1, le=2**31 - 1)
    hlc: int = Field(ge=0, le=2**63 - 1)
    clerk: str = Field(min_length=1, max_length=20)
    kind: str = Field(min_length=1, max_length=32)
    stream_type: str = Field(min_length=1, max_length=8)
    stream_id: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any]
    created_at: AwareDatetime

    @field_validator("clerk", "kind", "stream_type", "stream_id", "payload")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        # PostgreSQL text and JSONB cannot hold U+0000; refuse it here, not as a server error.
        if isinstance(info.context, dict) and info.context.get(_NUL_FREE_JSON):
            return value  # read from JSON text that has none (push_request_of_json)
        if _has_nul(value):
            raise ValueError("不能包含空字符（U+0000）")
        return value

    @classmethod
    def from_event(cls, event: Event) -> WireEvent:
        return cls(**event.columns())

    @classmethod
    def of_held(cls, event: Event) -> WireEvent:
        """An event this side already holds, to send: it was checked when it was recorded or
        received, so it is not validated again (for a batch of 500, ~18 ms of a push)."""
        return cls.model_construct(**event.columns())

    def to_event(self) -> Event:
        return Event.from_columns(self)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class _AnnouncesVersions(_Body):
    """The program versions the service announces (docs/SYNC.md "Updates"). Optional: a body
    from a service that announces none still parses, and an older client ignores them."""

    # No length limit here: a newer service's longer version must not make the whole answer
    # unreadable (this service announces at most 32 characters).
    current_app_version: str | None = None
    minimum_app_version: str | None = None

    def app_versions(self) -> AppVersions:
        return AppVersions(current=self.current_app_version, minimum=self.minimum_app_version)


class HealthResponse(_Body):
    """GET /v1/health: the service answers (the setup wizard checks an address with it)."""

    status: Literal["ok"]
    epoch: str


class EnrollRequest(_Body):
    code: str = Field(min_length=1, max_length=64)
    app_version: str | None = Field(default=None, max_length=32)


class EnrollResponse(_AnnouncesVersions):
    device_id: str
    token: str  # shown once; the service keeps only its hash
    center_code: str
    center_name: str
    site_code: str
    workstation_number: int
    workstation_name: str
    epoch: str


class StatusResponse(_AnnouncesVersions):
    epoch: str
    device_id: str
    center_code: str
    site_code: str
    workstation_number: int
    expected_sequence: int  # the next sequence number the service expects from this device
    server_time: datetime


class PushRequest(_Body):
    events: list[WireEvent] = Field(max_length=MAX_PUSH_BATCH)


def push_request_of_json(body: bytes) -> PushRequest:
    """A push's body, validated straight from its JSON; ValidationError when it does not fit.

    JSON text can carry U+0000 inside a string only as the escape \\u0000 (a raw control
    character is not JSON), so a body without that escape holds none, and the deep search of
    every payload for it (~6 ms of a batch of 500) is skipped; a body with it is searched."""
    nul_free = b"\\u0000" not in body
    return PushRequest.model_validate_json(body, context={_NUL_FREE_JSON: nul_free})


class PushResult(_Body):
    event_id: str
    sequence: int
    outcome: Outcome
    reason: str | None = None  # zh_CN, for a rejected event (同步问题)


class PushResponse(_Body):
    epoch: str
    results: list[PushResult]
    expected_sequence: int
    quarantined: bool
    quarantine_reason: str | None = None


class CatalogRevisionInfo(_Body):
    revision: str
    effective_from: date
    checksum: str


class ClosedDayInfo(_Body):
    """A day of the workstation's center signed off by a supervisor (日结, models/closures.py)."""

    day: date
    signed_by: str
    signed_at: datetime


class PullResponse(_AnnouncesVersions):
    epoch: str
    cursor: str  # pass it back as ?cursor= to continue
    reset: bool  # the given cursor was of an earlier epoch: the feed started again
    more: bool  # more events are ready now: pull again without waiting
    events: list[WireEvent]
    catalog_revisions: list[CatalogRevisionInfo]
    clerks_revision: int
    # The center's recent sign-offs (日结). Optional: an older service sends none.
    closed_days: list[ClosedDayInfo] = Field(default_factory=list)


class CatalogResponse(_Body):
    revision: str
    effective_from: date
    checksum: str
    content: str  # the revision file (YAML, as read by tongban.models.catalog.parse_catalog)


class ClerkAccount(_Body):
    number: str
    name: str
    role: str
    center_code: str
    active: bool
    password_hash: str  # argon2id; lets the clerk log in at any workstation of the center offline


class ClerksResponse(_Body):
    revision: int
    clerks: list[ClerkAccount]


class ErrorResponse(_Body):
    error: str
    message: str  # zh_CN, for people
