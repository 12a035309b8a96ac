"""Who the other side is and what is asked, read as explained spans by a spaCy PhraseMatcher.

CATEGORY_GUIDE.md decides a category by the party on the other side and by the request, not by
the subject; n-grams learn subjects from whatever they were trained on. The matcher runs over the
analyzer's own jieba words, each lexicon word a phrase of the words jieba cuts it into (see
nlu/segment.py for which of them jieba keeps whole), and finds party
words, ask words and the words of two frames: a public body as addressee (「请有关部门…」, the
usual opening of a message to the government, which says nothing about the other side) and a
public body as the other side of a grievance (「街道办一直不管」). The spans are shown to staff
and residents as the reason for a reading, and their presence is a small feature vector the
category classifier combines with its n-gram scores (nlu/classifier.py).
"""

from collections.abc import Iterable
from functools import cache

import jieba

import numpy as np
import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlu.cue_lexicon import Lexicon
from nlu.guide import ASKS, Cue
from nlu.segment import make_tokenizer, tokens

_GAP = 6  # words allowed between a public body and the grievance or the addressee word, within a clause
_POSITION_GAP = 4  # words from a position to the party it places: 「楼下 新 开 的 超市」
_PUNCT = "，。！？；：、,.!?;:（）()【】“”\"'…"
PARTY_FEATURES = ("person", "company", "government", "government_named", "government_addressed")
FEATURES = (*(f"party:{p}" for p in PARTY_FEATURES), *(f"ask:{a}" for a in ASKS))


class CueReader:
    """The matcher over one lexicon; `read` gives spans to show, `labels` the classifier's features."""

    def __init__(self, lexicon: Lexicon | None = None, tokenizer: jieba.Tokenizer | None = None) -> None:
        """Each lexicon word becomes a phrase of the words `tokenizer` cuts it into (the analyzer's
        own cut, so a message's words line up with the patterns)."""
        self.lexicon = lexicon or Lexicon.load()
        tokenizer = tokenizer or make_tokenizer()
        self.nlp = spacy.blank("zh")  # its vocabulary only: Docs are built from the analyzer's jieba words
        self.matcher = PhraseMatcher(self.nlp.vocab)
        for kind, table in (("party", self.lexicon.parties), ("ask", self.lexicon.asks),
                            ("frame", {"addressee": self.lexicon.addressee, "grievance": self.lexicon.grievance,
                                       "position": self.lexicon.position})):
            for label, words in table.items():
                self.matcher.add(f"{kind}:{label}", [Doc(self.nlp.vocab, words=tokens(tokenizer, word)) for word in words])
        self._punct = {self.nlp.vocab.strings.add(p) for p in _PUNCT}
        self._last: tuple[list[str], list[tuple[str, int, int]]] | None = None

    def read(self, text: str, words: list[str]) -> list[Cue]:
        """The cues in `words` (jieba's cut of `text`, whitespace dropped), with offsets into `text`."""
        starts = _offsets(text, words)
        cues = [Cue(*name.split(":"), text[starts[start] : starts[end - 1] + len(words[end - 1])], starts[start],
                    starts[end - 1] + len(words[end - 1])) for name, start, end in self._found(words)]
        return sorted(cues, key=lambda c: (c.start, c.kind))

    def labels(self, words: list[str]) -> set[str]:
        """The FEATURES `words` show ("party:company", "ask:repair"…), for the classifier."""
        return {name for name, _, _ in self._found(words)}

    def _found(self, words: list[str]) -> list[tuple[str, int, int]]:
        """(feature name, first word, end word) of every match but those inside a longer one of its kind.

        The analyzer asks twice about the same word list (the category's features, then the spans it
        shows), so the last answer is kept for that very list (compared by identity, never mutated)."""
        last = self._last
        if last is not None and last[0] is words:
            return last[1]
        found = self._match(words)
        self._last = (words, found)
        return found

    def _match(self, words: list[str]) -> list[tuple[str, int, int]]:
        if not words:
            return []
        doc = Doc(self.nlp.vocab, words=words, spaces=[False] * len(words))
        strings = self.nlp.vocab.strings
        found = [(strings[key], start, end) for key, start, end in self.matcher(doc)]
        frames = {kind: {start for name, start, _ in found if name == f"frame:{kind}"} for kind in ("addressee", "grievance")}
        shops = {start for name, start, _ in found if name == "party:company"}
        where = {(start, end) for name, start, end in found if name == "frame:position"
                 and any(j in shops for j in self._clause(doc, end - 1, 1)[:_POSITION_GAP])}
        return _longest([(f"party:{self._government(doc, start, end, frames)}" if name == "party:government" else name,
                          start, end) for name, start, end in found
                         if not name.startswith("frame:") and not (name == "party:person" and (start, end) in where)])

    def _government(self, doc: Doc, start: int, end: int, frames: dict[str, set[int]]) -> str:
        """A public body is the other side when a grievance word follows it within the clause, the
        addressee when an addressee word comes just before it, and only named otherwise."""
        if any(j in frames["grievance"] for j in self._clause(doc, end - 1, 1)):
            return "government"
        if any(j in frames["addressee"] for j in self._clause(doc, start, -1)):
            return "government_addressed"
        return "government_named"

    def _clause(self, doc: Doc, at: int, step: int) -> list[int]:
        """Up to _GAP + 1 word positions after (step 1) or before (-1) `at`, stopping at punctuation."""
        positions = []
        j = at + step
        while 0 <= j < len(doc) and len(positions) <= _GAP and doc[j].orth not in self._punct:
            positions.append(j)
            j += step
        return positions


@cache
def shared_reader() -> CueReader:
    """One reader per process (the matcher takes a moment to build; it is only read afterwards)."""
    return CueReader()


def vector(found: set[str]) -> np.ndarray:
    """Which FEATURES a message shows (0/1 each), the classifier's cue block."""
    return np.fromiter((name in found for name in FEATURES), np.float64, len(FEATURES))


def main_party(cues: Iterable[Cue]) -> Cue | None:
    """The other side a message names most often (a public body only as the target of a grievance);
    on a tie the first named."""
    parties = [c for c in cues if c.kind == "party" and c.label in ("person", "company", "government")]
    if not parties:
        return None
    counts = {label: sum(c.label == label for c in parties) for label in {c.label for c in parties}}
    return max(parties, key=lambda c: (counts[c.label], -c.start))


def main_ask(cues: Iterable[Cue], overriding: Iterable[str] = ()) -> Cue | None:
    """What a message asks for: an ask that decides the category by itself (see GuideRules) first,
    otherwise the last one named (residents end with what they want done)."""
    asks = [c for c in cues if c.kind == "ask"]
    strong = [c for c in asks if c.label in set(overriding)]
    return (strong or asks)[-1] if asks else None


def _longest(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Within one kind, a match inside a longer one is dropped (「拖欠」 inside 「拖欠工资」)."""
    kept = []
    for name, start, end in sorted(found, key=lambda f: (f[1] - f[2], f[1])):
        kind = name.split(":")[0]
        if not any(k.split(":")[0] == kind and s <= start and end <= e for k, s, e in kept):
            kept.append((name, start, end))
    return sorted(kept, key=lambda f: (f[1], f[2]))


def _offsets(text: str, words: list[str]) -> list[int]:
    """Where each word starts in `text` (the words are its non-space pieces, in order)."""
    starts, position = [], 0
    for word in words:
        found = text.find(word, position)
        position = found if found >= 0 else position
        starts.append(position)
        position += len(word) if found >= 0 else 0
    return starts
