"""A year of intake for every center, written straight into a central PostgreSQL with COPY.

For bench_daily_report: `fill(url, cases=…, end=…)` writes the workstations, the events (with
the columns the service stores: author, accepting and processing center) and the case index
rows the service would have made, without going through HTTP. What a case gets:
- accepted (payload as the counter writes it: item, mode, applicant, centers, promised date,
  materials, and `started_at`, when the clerk identified the applicant: a few minutes before,
  as at_the_counter draws it; one in ten with a 容缺 material, half of those supplied later)
  and receipt_printed, at a time inside service hours (one in two hundred outside), on a random
  day of the year;
- processed at another center for a 收受分离 item half of the time;
- decided (approved, by a workstation of the processing center) when its promised date has
  passed; 2 % never are (overdue), 1 % are cancelled instead, 1 % have their receipt reprinted;
- beside the cases: one visit in five ends without one (告知 15 %, 不予受理 3 %, 指引 2 %),
  with its `started_at` too.
Plain (non-unique) indexes are dropped during the load and built again after it, then ANALYZE.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import psycopg

from tongban.models.catalog import Mode, default_catalog
from tongban.models.clock import SHANGHAI
from tongban.models.geography import shanghai
from tongban.models.rules import make_case_number

WORKSTATIONS_PER_CENTER = 4
EVENT_COLUMNS = (
    "txid, id, workstation_id, sequence, hlc, clerk, kind, stream_type, stream_id, payload, "
    "created_at, received_at, author_center, accepting_center, processing_center"
)
INDEX_COLUMNS = (
    "case_number, item_code, catalog_revision, mode, accepting_center, accepting_site, "
    "processing_center, status, accepted_at, due_date, event_count, problem_count, last_hlc, "
    "updated_at"
)
CHUNK = 20_000  # rows per COPY write
# Time at the counter: "about 3 minutes" for a trained clerk (the domain brief), skewed to the
# right (a complicated case takes far longer), between 40 seconds and 40 minutes.
COUNTER_MEDIAN_SECONDS = 180
COUNTER_SPREAD = 0.6  # sigma of the log-normal
COUNTER_BOUNDS = (40, 2400)
NULL = "\\N"  # COPY text format


@dataclass
class Desk:
    device_id: str
    center: str
    number: int
    clerk: str
    sequence: int = 0
    serials: dict[date, int] = field(default_factory=dict)


@dataclass
class Counts:
    cases: int = 0
    events: int = 0
    visits: int = 0


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class Generator:
    def __init__(self, *, cases: int, end: date, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.cases = cases
        self.end = end
        self.days = [end - timedelta(days=n) for n in range(365)]
        self.centers = sorted(shanghai().centers)
        catalog = default_catalog()
        self.revision = catalog.revision
        self.items = [i for i in catalog.items if i.mode is not Mode.HOME_DISTRICT]
        self.desks = {
            center: [
                Desk(str(uuid.uuid4()), center, n, f"{center[-4:]}{n:02d}")
                for n in range(1, WORKSTATIONS_PER_CENTER + 1)
            ]
            for center in self.centers
        }
        self.counts = Counts()

    def workstation_rows(self) -> Iterator[tuple[object, ...]]:
        at = datetime(self.end.year - 1, 1, 1, tzinfo=UTC)
        for desks in self.desks.values():
            for d in desks:
                yield (d.device_id, d.center, d.center, d.number, f"{d.number}号窗口", at)

    def _event(
        self,
        desk: Desk,
        kind: str,
        stream: str,
        payload: str,
        at: datetime,
        parties: tuple[str, str],
    ) -> str:
        desk.sequence += 1
        self.counts.events += 1
        hlc = int(at.timestamp() * 1000) << 16
        stream_type = "visit" if kind in ("notified", "refused", "guided") else "case"
        utc = _utc_text(at)
        return (
            f"1\t{uuid.uuid4()}\t{desk.device_id}\t{desk.sequence}\t{hlc}\t{desk.clerk}\t{kind}\t"
            f"{stream_type}\t{stream}\t{payload}\t{utc}\t{utc}\t{desk.center}\t"
            f"{parties[0]}\t{parties[1]}\n"
        )

    def _moment(self, day: date) -> datetime:
        if self.random.random() < 0.005:  # outside service hours
            minute = self.random.choice((7 * 60 + self.random.randrange(60), 17 * 60 + 30))
        else:
            minute = 8 * 60 + 30 + self.random.randrange(8 * 60)
        second = self.random.randrange(60)
        return datetime.combine(day, time(minute // 60, minute % 60, second), SHANGHAI)

    def at_the_counter(self, decided: datetime) -> str:
        """When the applicant of a decision taken at `decided` was identified (ISO 8601)."""
        drawn = self.random.lognormvariate(math.log(COUNTER_MEDIAN_SECONDS), COUNTER_SPREAD)
        seconds = min(max(drawn, COUNTER_BOUNDS[0]), COUNTER_BOUNDS[1])
        return (decided - timedelta(seconds=round(seconds))).isoformat()

    def rows(self) -> Iterator[tuple[str, str]]:
        """("events" | "case_index", one COPY text line) for every case and visit."""
        for _ in range(self.cases):
            yield from self._case()
            if self.random.random() < 0.25:  # one visit in five ends without a case
                yield "events", self._visit()

    def _case(self) -> Iterator[tuple[str, str]]:
        r = self.random
        center = r.choice(self.centers)
        desk = r.choice(self.desks[center])
        day = r.choice(self.days)
        at = self._moment(day)
        serial = desk.serials[day] = desk.serials.get(day, 0) + 1
        number = make_case_number(center, day, desk.number, serial)
        item = r.choice(self.items)
        processing = center
        if item.mode is Mode.SEPARATED and r.random() < 0.5:
            processing = r.choice(self.centers)
        due = day + timedelta(days=item.promised_days * 7 // 5 + 1) if item.promised_days else None
        deferred = r.random() < 0.1
        materials = [{"name": m.name, "original_seen": True} for m in item.materials[:3]]
        if deferred:
            materials.append(
                {"name": "容缺材料", "deferred": True, "deferred_due": str(day + timedelta(days=7))}
            )
        payload = {
            "item_code": item.code,
            "catalog_revision": self.revision,
            "mode": str(item.mode),
            "applicant": {
                "document_type": "resident_id",
                "id_number": f"3101041950{r.randrange(10**8):08d}",
                "name": "测试申请人",
            },
            "accepting_center": center,
            "accepting_site": center,
            "processing_center": processing,
            "due_date": None if due is None else str(due),
            "materials": materials,
            "started_at": self.at_the_counter(at),
        }
        parties = (center, processing)
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        yield "events", self._event(desk, "accepted", number, text, at, parties)
        later = at + timedelta(seconds=20)
        yield "events", self._event(desk, "receipt_printed", number, "{}", later, parties)
        count, status, last = 2, "accepted", later
        if r.random() < 0.01:
            reason = '{"reason":"回执污损"}'
            yield "events", self._event(desk, "reprinted", number, reason, later, parties)
            count += 1
        if deferred and r.random() < 0.5:
            supplied = json.dumps(
                {"material": "容缺材料", "original_seen": True}, ensure_ascii=False
            )
            last = at + timedelta(days=3)
            yield "events", self._event(desk, "deferred_supplied", number, supplied, last, parties)
            count += 1
        decided_on = (due or day) + timedelta(days=1)
        fate = r.random()
        if fate < 0.01:
            last = at + timedelta(hours=1)
            reason = '{"reason":"申请人撤回"}'
            yield "events", self._event(desk, "cancelled", number, reason, last, parties)
            count, status = count + 1, "cancelled"
        elif fate > 0.02 and decided_on <= self.end:
            decider = r.choice(self.desks[processing])
            last = datetime.combine(decided_on, time(10), SHANGHAI)
            yield "events", self._event(decider, "approved", number, "{}", last, parties)
            count, status = count + 1, "approved"
        self.counts.cases += 1
        index = (
            f"{number}\t{item.code}\t{self.revision}\t{item.mode}\t{center}\t{center}\t"
            f"{processing}\t{status}\t{_utc_text(at)}\t{NULL if due is None else due}\t"
            f"{count}\t0\t{int(last.timestamp() * 1000) << 16}\t{_utc_text(last)}\n"
        )
        yield "case_index", index

    def _visit(self) -> str:
        r = self.random
        center = r.choice(self.centers)
        desk = r.choice(self.desks[center])
        at = self._moment(r.choice(self.days))
        item = r.choice(self.items)
        fate = r.random()
        facts = {"center_code": center, "site_code": center, "item_code": item.code}
        facts["started_at"] = self.at_the_counter(at)
        if fate < 0.75:
            kind, extra = "notified", {"missing": [item.materials[0].name]}
        elif fate < 0.9:
            kind, extra = "refused", {"reason": "不符合申请条件"}
        else:
            kind, extra = "guided", {"guidance": "请到户籍地中心办理"}
        text = json.dumps({**facts, **extra}, ensure_ascii=False, separators=(",", ":"))
        self.counts.visits += 1
        return self._event(desk, kind, str(uuid.uuid4()), text, at, (center, center))


def fill(conninfo: str, *, cases: int, end: date) -> Counts:
    """Write the year; the events and the case index stream over two connections at once."""
    generator = Generator(cases=cases, end=end)
    with psycopg.connect(conninfo) as first, psycopg.connect(conninfo) as second:
        dropped = _drop_plain_indexes(first)
        _copy_workstations(first, generator)
        first.commit()
        _copy(first.cursor(), second.cursor(), generator)
        first.commit()
        second.commit()
        for statement in dropped:
            first.execute(statement)  # type: ignore[arg-type]
        first.commit()
        first.autocommit = True
        first.execute("VACUUM ANALYZE events")
        first.execute("VACUUM ANALYZE case_index")
        first.execute("VACUUM ANALYZE workstations")
    return generator.counts


def _drop_plain_indexes(connection: psycopg.Connection) -> list[str]:
    """Drop the indexes of events and case_index that back no constraint; their definitions."""
    rows = connection.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename IN ('events', 'case_index') AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    ).fetchall()
    for name, _definition in rows:
        connection.execute(f'DROP INDEX "{name}"')  # type: ignore[arg-type]
    return [definition for _name, definition in rows]


def _copy_workstations(connection: psycopg.Connection, generator: Generator) -> None:
    columns = "device_id, center_code, site_code, number, name, status, received_through, "
    columns += "created_at"
    statement = f"COPY workstations ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[arg-type]
        for device, center, site, number, name, at in generator.workstation_rows():
            copy.write_row((device, center, site, number, name, "active", 0, at))


def _copy(
    events_cursor: psycopg.Cursor, index_cursor: psycopg.Cursor, generator: Generator
) -> None:
    buffers: dict[str, list[str]] = {"events": [], "case_index": []}
    with (
        events_cursor.copy(f"COPY events ({EVENT_COLUMNS}) FROM STDIN") as events,  # type: ignore[arg-type]
        index_cursor.copy(f"COPY case_index ({INDEX_COLUMNS}) FROM STDIN") as index,  # type: ignore[arg-type]
    ):
        copies = {"events": events, "case_index": index}
        for table, line in generator.rows():
            buffer = buffers[table]
            buffer.append(line)
            if len(buffer) >= CHUNK:
                copies[table].write("".join(buffer))
                buffer.clear()
        for table, buffer in buffers.items():
            copies[table].write("".join(buffer))
