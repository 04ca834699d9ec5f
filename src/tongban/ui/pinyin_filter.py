"""Matching short place names as a clerk types them: Chinese, pinyin, initials, or a mix.

"天平", "tianping", "tpl", "tianpl" and "天pl" all find 天平路街道. Every reading of a polyphonic
character counts, because place names often use the rarer one (杨行 yáng háng, 长桥 cháng qiáo).
The readings come from pypinyin, which takes a quarter of a second to import: they are built
once, by `prepare()` (which the window calls on its worker thread at start-up) or by the first
`matches()` that needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from tongban.models.search import normalize

_DOUBLE_INITIALS = ("zh", "ch", "sh")
Readings = tuple[tuple[str, ...], ...]  # per character, its toneless readings


class PinyinFilter:
    """Answers whether a query matches the text filed under a key (e.g. a street code)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = {key: normalize(text) for key, text in texts.items()}
        self._readings: dict[str, Readings] | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Build the readings (slow on first call); safe to call from any thread."""
        with self._lock:
            if self._readings is None:
                self._readings = _build_readings(self._texts)

    def matches(self, key: str, query: str) -> bool:
        return self.rank(key, query) is not None

    def rank(self, key: str, query: str) -> int | None:
        """0: the query matches from the first character (or the code); 1: further in; None: no
        match. Lists put rank 0 first: "xu" shows 徐家汇 before 新泾."""
        wanted = normalize(query)
        if not wanted:
            return 0
        text = self._texts[key]
        if text.startswith(wanted) or key.casefold().startswith(wanted):
            return 0
        if wanted in text:
            return 1
        if not any("a" <= char <= "z" for char in wanted):
            return None
        if self._readings is None:
            self.prepare()
        assert self._readings is not None
        start = first_spelled_from(wanted, text, self._readings[key])
        if start is None:
            return None
        return 0 if start == 0 else 1


def _build_readings(texts: Mapping[str, str]) -> dict[str, Readings]:
    from pypinyin import Style, lazy_pinyin, pinyin

    heteronyms: dict[str, tuple[str, ...]] = {}  # 街, 道, 镇 … recur in most names

    def others_of(char: str) -> tuple[str, ...]:
        if char not in heteronyms:
            found = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda _: None)
            heteronyms[char] = tuple(found[0]) if found else ()
        return heteronyms[char]

    def readings_of(text: str) -> Readings:
        # lazy_pinyin knows phrases (长宁 → chang ning); the heteronym lists add other readings.
        phrase = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: [""] * len(chunk))
        if len(phrase) != len(text):
            phrase = [""] * len(text)
        return tuple(
            tuple(dict.fromkeys(r for r in (first, *others_of(char)) if r))
            for char, first in zip(text, phrase, strict=True)
        )

    return {key: readings_of(text) for key, text in texts.items()}


def first_spelled_from(query: str, text: str, readings: Readings) -> int | None:
    """The first position from which `query` spells a run of consecutive characters of `text`.

    Each character may be typed as itself, a whole syllable, its initial (zh/ch/sh too), or,
    for the last one typed, any prefix of a syllable. None when the query spells no run.
    """
    for start in range(len(text)):
        if _spells_from(query, text, readings, start):
            return start
    return None


def _spells_from(query: str, text: str, readings: Readings, start: int) -> bool:
    offsets = {0}  # how much of the query is spelled before the next character
    for position in range(start, len(text)):
        reached: set[int] = set()
        for offset in offsets:
            reached |= _advance(query, offset, text[position], readings[position])
        if len(query) in reached:
            return True
        offsets = reached
        if not offsets:
            return False
    return False


def _advance(query: str, offset: int, char: str, readings: tuple[str, ...]) -> set[int]:
    rest = query[offset:]
    reached = {offset + 1} if rest[0] == char else set()
    for reading in readings:
        if rest.startswith(reading):
            reached.add(offset + len(reading))
        elif reading.startswith(rest):
            reached.add(len(query))  # the query ends inside this syllable
        if rest[0] == reading[0]:
            reached.add(offset + 1)
        reached.update(
            offset + 2
            for pair in _DOUBLE_INITIALS
            if reading.startswith(pair) and rest.startswith(pair)
        )
    return reached
