"""Misspelt place names: homophones (pypinyin) and near spellings (rapidfuzz).

Homophones are looked for wherever a character sounds like the first one of some name; near
spellings only in windows ending where a place-like word ends (小区, 苑, 路, 村 …) and starting or
ending like some name. Both look at the opening of the text only (where residents say where).
"""

import re
from collections import defaultdict
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

_MARKERS = re.compile(r"小区|花园|家园|公寓|新村|大厦|广场|社区|街道|网格|中学|小学|幼儿园|医院|市场|号楼|"
                      r"[苑园里庭城村居湾府邸院场路街巷道弄楼栋]")
HOMOPHONE_FACTOR = 0.85
FUZZY_CUTOFF = 85.0
SOUND_CHARS = 600
FUZZY_CHARS = 1500


@lru_cache(maxsize=20000)
def syllable(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


class PlaceMatcher:
    """Finds names (keys of `names`) spelt with homophones or one wrong/missing character."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = sorted(n for n in names if len(n) >= 2)
        self.by_sound: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for name in self.names:
            self.by_sound[tuple(syllable(c) for c in name)].append(name)
        self.lengths = sorted({len(n) for n in self.names})
        self.first_sounds = {sound[0] for sound in self.by_sound}
        self.firsts = {n[0] for n in self.names}
        self.lasts = {n[-1] for n in self.names}

    def find(self, text: str) -> list[tuple[str, float, tuple[int, int]]]:
        """(name, factor, span) for each misspelt mention; exact mentions are left to the caller."""
        if not self.names:
            return []
        found: dict[tuple[int, int], tuple[str, float]] = {}
        opening = text[:SOUND_CHARS]
        sounds = [syllable(char) for char in opening]
        for start, sound in enumerate(sounds):
            if sound in self.first_sounds:
                for length in self.lengths:
                    window = opening[start : start + length]
                    for name in self.by_sound.get(tuple(sounds[start : start + length]), []):
                        if name != window:
                            found[(start, start + length)] = (name, HOMOPHONE_FACTOR)
        windows = set()
        for marker in _MARKERS.finditer(text, 0, FUZZY_CHARS):
            for end in (marker.start(), marker.end()):
                windows.update((end - length, end) for length in self.lengths
                               if end - length >= 0 and (text[end - length] in self.firsts or text[end - 1] in self.lasts))
        for start, end in sorted(windows):
            self._match(text[start:end], (start, end), found)
        return [(name, factor, span) for span, (name, factor) in found.items()]

    def _match(self, window: str, span: tuple[int, int], found: dict) -> None:
        if span in found or not window.strip():
            return
        best = process.extractOne(window, self.names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is not None and best[0] != window:
            factor = 0.6 + 0.25 * (best[1] - FUZZY_CUTOFF) / (100 - FUZZY_CUTOFF)
            if factor > found.get(span, ("", 0.0))[1]:
                found[span] = (best[0], factor)
