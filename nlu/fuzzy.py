"""Misspelt place names: homophones (pypinyin) and near spellings (rapidfuzz).

Homophones are looked for wherever a character sounds like the first one of some name; near
spellings only in windows ending where a place-like word ends (小区, 苑, 路, 村 …) and starting or
ending like some name. Both look at the opening of the text only (where residents say where).

Speed (bench/nlu.py): a text is turned into a "sound string" with one character per syllable by
one `str.translate`, so homophone look-ups are string slices instead of per-character pinyin
calls; all near-spelling windows of a text are scored against all names in one rapidfuzz call.
"""

import re
import threading
from collections import defaultdict

import numpy as np
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

from nlu.place_words import PLACE_ENDS

HOMOPHONE_FACTOR = 0.85
FUZZY_CUTOFF = 85.0
SOUND_CHARS = 600
FUZZY_CHARS = 1500
_FIRST_SOUND_CODE = 0xF0000  # supplementary private use area: one code point per distinct syllable


def syllable(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


class _SoundTable(dict):
    """`str.translate` table: character → the code point standing for its syllable, filled on first sight."""

    def __init__(self) -> None:
        super().__init__()
        self._codes: dict[str, str] = {}
        self._lock = threading.Lock()

    def __missing__(self, codepoint: int) -> str:
        sound = syllable(chr(codepoint))
        with self._lock:
            code = self._codes.setdefault(sound, chr(_FIRST_SOUND_CODE + len(self._codes)))
            self[codepoint] = code
        return code


_SOUNDS = _SoundTable()


def sounds(text: str) -> str:
    """One character per character of `text`, equal where the two characters sound the same."""
    return text.translate(_SOUNDS)


class PlaceMatcher:
    """Finds names (keys of `names`) spelt with homophones or one wrong/missing character."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = sorted(n for n in names if len(n) >= 2)
        self.by_sound: dict[str, list[str]] = defaultdict(list)
        for name in self.names:
            self.by_sound[sounds(name)].append(name)
        self.lengths = sorted({len(n) for n in self.names})
        self._lengths_after: dict[str, list[int]] = defaultdict(list)  # first two sounds → name lengths
        for sound in self.by_sound:
            self._lengths_after[sound[:2]].append(len(sound))
        for lengths in self._lengths_after.values():
            lengths.sort()
        first_sounds = "".join(sorted({sound[0] for sound in self.by_sound}))
        self._first_sound = re.compile(f"[{re.escape(first_sounds)}]") if first_sounds else None
        self.firsts = {n[0] for n in self.names}
        self.lasts = {n[-1] for n in self.names}
        self._window_lengths = [length for length in self.lengths if _can_misspell(length, self.lengths)]

    def find(self, text: str) -> list[tuple[str, float, tuple[int, int]]]:
        """(name, factor, span) for each misspelt mention; exact mentions are left to the caller."""
        if not self.names:
            return []
        found = self._homophones(text[:SOUND_CHARS])
        self._near_spellings(text, found)
        return [(name, factor, span) for span, (name, factor) in found.items()]

    def _homophones(self, opening: str) -> dict[tuple[int, int], tuple[str, float]]:
        found: dict[tuple[int, int], tuple[str, float]] = {}
        heard = sounds(opening)
        for match in self._first_sound.finditer(heard) if self._first_sound else ():
            start = match.start()
            for length in self._lengths_after.get(heard[start : start + 2], ()):
                end = start + length
                if end > len(opening):
                    break
                for name in self.by_sound.get(heard[start:end], ()):
                    if name != opening[start:end]:
                        found[(start, end)] = (name, HOMOPHONE_FACTOR)
        return found

    def _near_spellings(self, text: str, found: dict[tuple[int, int], tuple[str, float]]) -> None:
        ends = {end for marker in PLACE_ENDS.finditer(text, 0, FUZZY_CHARS) for end in marker.span() if end}
        windows = set()
        for end in ends:
            if text[end - 1] in self.lasts:
                windows.update((end - length, end) for length in self._window_lengths if length <= end)
            else:
                windows.update((end - length, end) for length in self._window_lengths
                               if length <= end and text[end - length] in self.firsts)
        spans = [span for span in sorted(windows) if span not in found and text[span[0] : span[1]].strip()]
        if not spans:
            return
        pieces = [text[start:end] for start, end in spans]
        scores = process.cdist(pieces, self.names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, dtype=np.float64)
        best = scores.argmax(axis=1)  # the first name of the highest score, as rapidfuzz's extractOne
        top = scores[np.arange(len(spans)), best]
        for row in np.flatnonzero(top >= FUZZY_CUTOFF):
            name = self.names[best[row]]
            if name != pieces[row]:
                found[spans[row]] = (name, 0.6 + 0.25 * (float(top[row]) - FUZZY_CUTOFF) / (100 - FUZZY_CUTOFF))


def _can_misspell(window: int, lengths: list[int]) -> bool:
    """Whether a window this long can score FUZZY_CUTOFF against a name it is not equal to: at best
    the shorter is a subsequence of the longer (2·shorter / (sum of lengths)), and an equal-length
    pair differs in at least one character (ratio (2n − 2) / 2n)."""
    best = max((2 * min(window, n) if n != window else 2 * n - 2) / (window + n) for n in lengths)
    return 100 * best >= FUZZY_CUTOFF - 1e-9
