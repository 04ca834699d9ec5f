"""Finding an item while the clerk types: by name, alias, pinyin, pinyin initials or code.

The search answers on every keystroke over thousands of items, and every reading of a polyphonic
character (长 chang/zhang, 行 xing/hang …) must find the item. Spelling out every combination of
readings per name multiplies quickly, so the index works per character instead. Each item's name,
aliases and code are laid end to end, one position per character, with an empty position after
each text so that no match runs from one text into the next. For every search key (a character, a
syllable, an initial, the beginning of a syllable) the index keeps a bitset - a Python int - of the
positions where that key may stand. A query is matched by shifting and and-ing these ints, which
runs in C: one step per typed unit, not one Python step per item.

Items are laid out in tie-break order (shorter name first, then code), so lower bits are better
items, and a search with a limit stops as soon as it has enough.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice
from operator import itemgetter

from tongban.models.catalog.schema import Item

_IGNORED_IN_QUERY = str.maketrans("", "", " \t\r\n\u3000'’·")
# Consonant pairs a typist may use as one initial: "zhqhl" for 长期护理.
_DOUBLE_INITIALS = ("zh", "ch", "sh")
_GUARD_BYTE = 0b1000_0000  # an item's guard bit, the top bit of its last byte


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or syllable apostrophes (xi'an)."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_IGNORED_IN_QUERY)


@dataclass
class _CharKeys:
    """What a typist may type for one character, by where in the query it stands."""

    initials: set[str] = field(default_factory=set)  # "j", "zh" (and the character itself)
    inside: set[str] = field(default_factory=set)  # whole syllables, initials, the character
    at_end: set[str] = field(default_factory=set)  # the last unit: any prefix of a syllable


def _keys_for(char: str, readings: list[str]) -> _CharKeys:
    keys = _CharKeys({char}, {char}, {char})
    for reading in readings:
        for spelling in {reading, reading.replace("v", "u")}:  # 女: nv, as most IMEs, or nu
            keys.initials.add(spelling[0])
            keys.initials.update(d for d in _DOUBLE_INITIALS if spelling.startswith(d))
            keys.inside.add(spelling)
            keys.at_end.update(spelling[:n] for n in range(1, len(spelling) + 1))
    keys.inside |= keys.initials
    return keys


def _reader() -> Callable[[str], list[str]]:
    """Every toneless reading of a Han character; [] for anything else."""
    # pypinyin takes about a quarter of a second to import: only an index build pays for it.
    from pypinyin import Style, pinyin

    def readings(char: str) -> list[str]:
        found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
        return list(found[0]) if found else []

    return readings


def _bitset(positions: list[int]) -> int:
    if not positions:
        return 0
    buffer = bytearray(max(positions) // 8 + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def _shared(bits: int, distinct: dict[int, int]) -> int:
    return distinct.setdefault(bits, bits)


class _Gather:
    """The bytes at fixed offsets, in one C call (operator.itemgetter) whatever their number."""

    def __init__(self, offsets: list[int]) -> None:
        self._offsets = offsets
        self._get = itemgetter(*offsets) if len(offsets) > 1 else None

    def __len__(self) -> int:
        return len(self._offsets)

    def __call__(self, data: bytes) -> Sequence[int]:
        if self._get is None:
            return [data[offset] for offset in self._offsets]
        gathered: tuple[int, ...] = self._get(data)
        return gathered


class _Layout:
    """The positions of every text, gathered item by item before they become bitsets."""

    TABLES = ("literal", "initials", "inside", "at_end")
    AREAS = tuple(
        f"{kind}{part}" for kind in ("name", "alias", "code") for part in ("_start", "", "_end")
    )

    def __init__(self) -> None:
        self.owner: list[int] = []  # position -> rank of the item it belongs to
        self.keyed: dict[str, defaultdict[str, list[int]]] = {
            table: defaultdict(list) for table in self.TABLES
        }
        self.areas: dict[str, list[int]] = {area: [] for area in (*self.AREAS, "item_end")}
        self._reader = _reader()
        self._keys: dict[str, _CharKeys] = {}

    def add(self, rank: int, item: Item) -> None:
        self._text(rank, "name", item.name, pinyin=True)
        for alias in item.aliases:
            self._text(rank, "alias", alias, pinyin=True)
        self._text(rank, "code", item.code, pinyin=False)
        # Pad the item to whole bytes. Its last position, always empty, is its guard (see
        # _Index.items_with); alone in the top bit of the item's last byte, it can be read per
        # item straight from the bytes of a bitset.
        while len(self.owner) % 8:
            self.owner.append(rank)
        self.areas["item_end"].append(len(self.owner) - 1)

    def _text(self, rank: int, kind: str, text: str, *, pinyin: bool) -> None:
        self.areas[f"{kind}_start"].append(len(self.owner))
        for char in normalize(text):
            position = len(self.owner)
            self.areas[kind].append(position)
            self.keyed["literal"][char].append(position)
            if pinyin:
                self._spellings(char, position)
            self.owner.append(rank)
        self.areas[f"{kind}_end"].append(len(self.owner) - 1)
        self.owner.append(rank)  # the empty position after the text

    def _spellings(self, char: str, position: int) -> None:
        if char not in self._keys:
            self._keys[char] = _keys_for(char, self._reader(char))
        keys = self._keys[char]
        for table, spellings in (
            ("initials", keys.initials),
            ("inside", keys.inside),
            ("at_end", keys.at_end),
        ):
            for spelling in spellings:
                self.keyed[table][spelling].append(position)


class _Index:
    """The bitset of every search key and text area, over the positions of a _Layout."""

    def __init__(self, ranked: Sequence[Item]) -> None:
        layout = _Layout()
        for rank, item in enumerate(ranked):
            layout.add(rank, item)
        self.owner = layout.owner
        distinct: dict[int, int] = {}  # one int per distinct bitset: "j" is the same in 3 tables
        self.tables = {
            table: {key: _shared(_bitset(p), distinct) for key, p in keyed.items()}
            for table, keyed in layout.keyed.items()
        }
        self.masks = {area: _bitset(positions) for area, positions in layout.areas.items()}
        self.masks["text_start"] = self.masks["name_start"] | self.masks["alias_start"]
        self.masks["text"] = self.masks["name"] | self.masks["alias"]
        self.guards = self.masks["item_end"]
        self.size_bytes = len(self.owner) // 8
        self.guard_bytes = _Gather([end // 8 for end in layout.areas["item_end"]])
        self.fill = ((1 << len(self.owner)) - 1) & ~self.guards
        self.longest_key = max((len(k) for k in self.tables["inside"]), default=1)

    def literal(self, query: str, starts: int) -> int:
        """Last positions of each exact occurrence of query that begins on a bit of `starts`."""
        chars = self.tables["literal"]
        ends = starts & chars.get(query[0], 0)
        for char in query[1:]:
            if not ends:
                return 0
            ends = (ends << 1) & chars.get(char, 0)
        return ends

    def spelled(self, query: str, starts: int, inside: str, at_end: str) -> int:
        """Like literal, but each unit of the query may be any key of the two tables.

        ends[j] holds the positions where a unit ending at query[j - 1] may stand. Every way of
        cutting the query into keys (jing|lao|k, j|l|k, 敬|老|k …) is followed at once.
        """
        inner, last, size = self.tables[inside], self.tables[at_end], len(query)
        ends = [0] * (size + 1)
        for i in range(size):
            here = starts if i == 0 else ends[i] << 1
            if not here:
                continue
            for j in range(i + 1, min(size, i + self.longest_key) + 1):
                bits = (last if j == size else inner).get(query[i:j])
                if bits:
                    ends[j] |= here & bits
        return ends[size]

    def items_with(self, positions: int) -> int:
        """The guard bit of every item that owns one of `positions`, all at once.

        Adding `fill` (every position but the guards) to the matches carries a 1 into an item's
        guard exactly when the item holds a match; the guard absorbs the carry, so no item's sum
        spills into the next.
        """
        return (positions + self.fill) & self.guards

    def ranks(self, guards: int) -> Iterator[int]:
        """The ranks of the items whose guard bits are set, best first."""
        data = guards.to_bytes(self.size_bytes, "little")
        if guards.bit_count() * 32 > len(self.guard_bytes):
            # Many items: read every item's guard byte at once, in C.
            return compress(range(len(self.guard_bytes)), self.guard_bytes(data))
        return self._sparse_ranks(data)

    def _sparse_ranks(self, data: bytes) -> Iterator[int]:
        # Few items: bytes.find skips the long runs of zero bytes in C.
        byte = data.find(_GUARD_BYTE)
        while byte != -1:
            yield self.owner[byte * 8 + 7]
            byte = data.find(_GUARD_BYTE, byte + 1)


class ItemSearch:
    """Builds the index once for a list of items; search() then answers per keystroke.

    Ranking, best first: exact code, name prefix, name substring, alias substring, pinyin-initials
    prefix, full-pinyin prefix, pinyin anywhere in a name or alias (from a syllable start), code
    prefix. Within one rank: shorter name first, then code. Pinyin matches names and aliases,
    with every reading of a polyphonic character, and may mix in characters ("敬老k").
    """

    def __init__(self, items: Sequence[Item]) -> None:
        self._items = tuple(items)
        self._ranked = sorted(self._items, key=lambda item: (len(item.name), item.code))
        self._index = _Index(self._ranked)

    def search(self, query: str, limit: int | None = None) -> list[Item]:
        """Items matching query, best first; the whole list in catalog order for an empty query."""
        if limit is not None and limit < 0:
            raise ValueError("limit 不能为负数")
        wanted = normalize(query)
        if not wanted:
            return list(self._items[:limit])
        found: list[Item] = []
        already = 0  # guard bits of the items found by a better kind of match
        for matches in self._matches(wanted):
            if limit is not None and len(found) >= limit:
                break
            if not matches:
                continue
            new = self._index.items_with(matches) & ~already
            already |= new
            room = None if limit is None else limit - len(found)
            found.extend(map(self._ranked.__getitem__, islice(self._index.ranks(new), room)))
        return found

    def _matches(self, query: str) -> Iterator[int]:
        """Match positions of each kind of match, best kind first, each computed when asked for."""
        index, masks = self._index, self._index.masks
        yield index.literal(query, masks["code_start"]) & masks["code_end"]
        yield index.literal(query, masks["name_start"])
        yield index.literal(query, masks["name"])
        yield index.literal(query, masks["alias"])
        if any("a" <= char <= "z" for char in query):  # without letters these repeat the above
            yield index.spelled(query, masks["text_start"], "initials", "initials")
            yield index.spelled(query, masks["text_start"], "inside", "at_end")
            yield index.spelled(query, masks["text"], "inside", "at_end")
        yield index.literal(query, masks["code_start"])
