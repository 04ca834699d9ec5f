"""Who may write what: the rules the service checks before an event enters the central log.

The author is the pushing workstation: its center (a sub-center's workstation belongs to its
center) and site. A case's two parties come from its `accepted` event: the accepting center and
the processing center (the same center for 直接受理 and 属地 items), and the collection center the
applicant chose at intake (one of the two; absent in older events = the accepting center).

    kind                                   who may write it
    accepted                               the accepting center; the case number must be one this
                                           workstation issues (its center code and number), the
                                           site its own, the processing center a known center,
                                           the collection center the accepting or the processing
                                           center
    receipt_printed, reprinted,            the accepting center (the counter that holds the
    deferred_supplied, forwarded,          paper originals and sees the applicant)
    cancelled, paper_sent
    received_for_processing (签收),        the processing center (it takes the case in, decides
    supplement_requested, approved,        and prepares the result; the paper file of a
    rejected, ready, paper_received,       transfer batch is sent to it, so it scans the file in
    paper_missing                          and reports what did not arrive)
    signed, supplied                       either party (the applicant may bring a supplement to
                                           the accepting center or to the processing center)
    scan_attached                          either party: the accepting center scans at intake,
                                           either center scans a supplement it was handed
    collected                              the collection center: the payload's `center`, when
                                           given, must be the author's center; and the author
                                           must be the case's collection center when the caller
                                           knows it (Parties.collection_center), else either
                                           party. Every store's fold also refuses a `center`
                                           other than the case's collection center.
    a case kind this version does not      either party (a newer workstation; the fold of an older
    know                                   one records it as a problem)
    notified, refused, guided (visits)     the workstation's own center and site

Whether an event fits the case's state (approving a cancelled case) is not checked here: such an
event really happened at a counter, and every store's fold records it as a problem the same way.
Every function returns None when the event is allowed, or the reason (zh_CN) it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tongban.models.catalog.schema import Mode
from tongban.models.rules import parse_case_number
from tongban.models.store import payloads as p
from tongban.models.store.events import (
    PAYLOAD_TYPES,
    VISIT_KINDS,
    Event,
    EventKind,
    StreamType,
    known_kind,
)

ACCEPTING_ONLY = frozenset(
    {
        EventKind.ACCEPTED,
        EventKind.RECEIPT_PRINTED,
        EventKind.REPRINTED,
        EventKind.DEFERRED_SUPPLIED,
        EventKind.FORWARDED,
        EventKind.CANCELLED,
        EventKind.PAPER_SENT,
    }
)
PROCESSING_ONLY = frozenset(
    {
        EventKind.RECEIVED_FOR_PROCESSING,
        EventKind.SUPPLEMENT_REQUESTED,
        EventKind.APPROVED,
        EventKind.REJECTED,
        EventKind.READY,
        EventKind.PAPER_RECEIVED,
        EventKind.PAPER_MISSING,
    }
)
EITHER_PARTY = frozenset({EventKind.SIGNED, EventKind.SUPPLIED, EventKind.SCAN_ATTACHED})
COLLECTION_ONLY = frozenset({EventKind.COLLECTED})


@dataclass(frozen=True)
class Author:
    center_code: str
    site_code: str
    workstation_number: int


@dataclass(frozen=True)
class Parties:
    """The two centers of a case: who writes which events and who pulls them."""

    accepting_center: str
    processing_center: str
    # Where the result is handed over; None when the caller does not know it (older index rows).
    collection_center: str | None = None


def parties_of(data: p.Accepted) -> Parties:
    """A case's parties as its `accepted` event names them."""
    return Parties(
        accepting_center=data.accepting_center,
        processing_center=data.processing_center,
        collection_center=data.collection_center or data.accepting_center,
    )


def check_accepted(
    author: Author, event: Event, data: p.Accepted, is_center: Callable[[str], bool]
) -> str | None:
    """An `accepted` event: a new case of this workstation's own numbering and site."""
    try:
        parts = parse_case_number(event.stream_id)
    except ValueError as error:
        return f"受理编号无效：{error}"
    if parts.center_code != author.center_code or parts.workstation_no != author.workstation_number:
        return f"受理编号 {event.stream_id} 不是本工作站编发的编号"
    if data.accepting_center != author.center_code:
        return f"受理中心 {data.accepting_center} 不是本工作站所属中心 {author.center_code}"
    if data.accepting_site != author.site_code:
        return f"受理点 {data.accepting_site} 不是本工作站所在的受理点 {author.site_code}"
    if not is_center(data.processing_center):
        return f"办理中心 {data.processing_center} 不是已登记的受理中心"
    if data.mode is not Mode.SEPARATED and data.processing_center != data.accepting_center:
        return "直接受理和属地事项只能由受理中心办理"
    collection = data.collection_center
    if collection is not None and collection not in (
        data.accepting_center,
        data.processing_center,
    ):
        return f"领取中心 {collection} 只能是受理中心或办理中心"
    return None


def check_case_event(author: Author, event: Event, parties: Parties) -> str | None:
    """A later event of a known case: the author's center must be the right party."""
    kind = known_kind(event.kind)
    here = author.center_code
    accepting = here == parties.accepting_center
    processing = here == parties.processing_center
    if kind is EventKind.ACCEPTED:
        return "案件已受理，不能重复受理"
    if kind in ACCEPTING_ONLY and not accepting:
        return f"只有受理中心 {parties.accepting_center} 可以记录此事件（{event.kind}）"
    if kind in PROCESSING_ONLY and not processing:
        return f"只有办理中心 {parties.processing_center} 可以记录此事件（{event.kind}）"
    if kind in COLLECTION_ONLY:
        return check_collection(author, event, parties)
    if not (accepting or processing):
        return "本中心既不是此案的受理中心，也不是办理中心"
    return None


def check_collection(author: Author, event: Event, parties: Parties) -> str | None:
    """`collected`: handed over at the collection center, and the payload says so truly."""
    here = author.center_code
    if here not in (parties.accepting_center, parties.processing_center):
        return "本中心既不是此案的受理中心，也不是办理中心"
    chosen = parties.collection_center
    if chosen is not None and here != chosen:
        return f"申请人选择在 {chosen} 领取，只有该中心可以记录领取"
    data = event.read_payload(p.Collected)
    if data.center is not None and data.center != here:
        return f"领取记录写明的中心 {data.center} 不是本工作站所属中心 {here}"
    return None


def check_visit(author: Author, event: Event) -> str | None:
    """A visit that ended without a case, recorded at the author's own center and site."""
    kind = known_kind(event.kind)
    if kind not in VISIT_KINDS:
        return f"{event.kind} 不是来访记录事件"
    data = event.read_payload(PAYLOAD_TYPES[kind])
    if data.center_code != author.center_code or data.site_code != author.site_code:
        return "来访记录的中心或受理点不是本工作站所在地"
    return None


def readable_payload(event: Event) -> str | None:
    """A known kind's payload must be readable by this version; unknown kinds pass as they are."""
    kind = known_kind(event.kind)
    if kind is None:
        return None
    try:
        event.read_payload(PAYLOAD_TYPES[kind])
    except p.PayloadError as error:
        return str(error)
    return None


def stream_problem(event: Event) -> str | None:
    if event.stream_type not in (StreamType.CASE, StreamType.VISIT):
        return f"未知的事件流类型：{event.stream_type}"
    kind = known_kind(event.kind)
    if kind is not None and (kind in VISIT_KINDS) != (event.stream_type == StreamType.VISIT):
        return f"事件类型 {event.kind} 与事件流类型 {event.stream_type} 不符"
    return None
