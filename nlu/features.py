"""Sparse text features: jieba words, character 1–3-grams, the opening of the message again, and
for the category its ending again, its guide cues (nlu/cues.py) and its shape (nlu/form.py).

Measured on the topic benchmark (bench/nlu.py): words + char n-grams beat either alone, min_df=2
on char n-grams removes noise, and a separate block for the first 80 characters (where residents
say what the matter is) adds about half a point of macro-F1. `count_grams` + `one` is the same
computation for a single message without scikit-learn's per-call overhead (the 2 ms budget):
`count_grams` codes and counts a message's n-grams once, with a code that does not depend on any
vocabulary, and each classifier's `one` only looks those codes up in its own table.

The category differs: on real messages (bench/nlu.py) its deciding words are the ask, which
residents put last, and the other side; a block for the last TAIL_CHARS characters and the cue
vector added about five and ten points of macro-F1 to char n-grams alone.
"""

import re
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.cues import FEATURES as CUE_FEATURES, shared_reader, vector as cue_vector
from nlu.form import shape

_WHITE_SPACES = re.compile(r"\s\s+")
HEAD_CHARS = 80
TAIL_CHARS = 150
CUE_WEIGHT = 0.5
FORM_WEIGHT = 0.3  # chosen on real folds (nlu/README.md): 1.0 lost what 0.3 gained


def _given(tokens: list[str]) -> list[str]:
    return tokens


class TextFeatures:
    """TF-IDF blocks fitted on training texts; `transform` takes texts and their jieba tokens."""

    def __init__(self, head_chars: int = HEAD_CHARS, head_weight: float = 0.5, *, with_tail: bool = False,
                 cue_weight: float = 0.0, form_weight: float = 0.0) -> None:
        self.head_chars = head_chars
        self.head_weight = head_weight
        self.words = TfidfVectorizer(analyzer=_given, sublinear_tf=True, dtype=np.float32)
        self.chars = _char_vectorizer(3)
        self.head = _char_vectorizer(2)
        self.tail = _char_vectorizer(2) if with_tail else None
        self.cue_weight = cue_weight
        self.form_weight = form_weight

    def fit_transform(self, texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
        self.prepare_fit(len(texts))
        matrix = self._stack(texts, tokens, fit=True)
        self._index()
        return matrix

    def transform(self, texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
        return self._stack(texts, tokens, fit=False)

    def prepare_fit(self, documents: int) -> None:
        """Char n-grams seen in one training message only are noise, unless there are very few messages."""
        for vectorizer in self._char_blocks():
            vectorizer.min_df = 2 if documents >= 50 else 1

    def tfidf_inputs(self, texts: Sequence[str],
                     tokens: Sequence[list[str]]) -> list[tuple[TfidfVectorizer, Sequence, float]]:
        """Each TF-IDF block's vectorizer, the documents it reads and its weight, in column order."""
        inputs = [(self.words, tokens, 1.0), (self.chars, texts, 1.0),
                  (self.head, [t[: self.head_chars] for t in texts], self.head_weight)]
        if self.tail is not None:
            inputs.append((self.tail, [t[-TAIL_CHARS:] for t in texts], self.head_weight))
        return inputs

    def fixed_blocks(self, texts: Sequence[str], tokens: Sequence[list[str]]) -> list[sp.csr_matrix]:
        """The blocks after the TF-IDF ones, which nothing is fitted for: the cues and the shape."""
        return [*self._cue_block(tokens), *self._form_block(texts)]

    def _stack(self, texts: Sequence[str], tokens: Sequence[list[str]], *, fit: bool) -> sp.csr_matrix:
        blocks = [(vectorizer.fit_transform(documents) if fit else vectorizer.transform(documents)) * weight
                  for vectorizer, documents, weight in self.tfidf_inputs(texts, tokens)]
        return sp.hstack([*blocks, *self.fixed_blocks(texts, tokens)], format="csr")

    def one(self, grams: "Grams", tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Nonzero (indices, values) of `transform` for one message, from its prepared grams and words."""
        words, doc, head, tail, form = grams
        parts = [_tfidf_words(words, *self._blocks[0]),
                 self._char_codes[0].tfidf(doc, *self._blocks[1][1:]),
                 self._char_codes[1].tfidf(head, *self._blocks[2][1:])]
        if self.tail is not None:
            parts.append(self._char_codes[2].tfidf(tail, *self._blocks[3][1:]))
        if self.cue_weight:
            present = np.flatnonzero(cue_vector(shared_reader().labels(tokens)))
            parts.append((present + self._cue_offset, np.full(len(present), self.cue_weight, np.float32)))
        if self.form_weight:
            present = np.flatnonzero(form)
            parts.append((present + self._form_offset, np.full(len(present), self.form_weight, np.float32)))
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _char_blocks(self) -> list[TfidfVectorizer]:
        return [self.chars, self.head, *([self.tail] if self.tail is not None else [])]

    def _cue_block(self, tokens: Sequence[list[str]]) -> list[sp.csr_matrix]:
        if not self.cue_weight:
            return []
        reader = shared_reader()
        values = np.array([cue_vector(reader.labels(words)) for words in tokens]).reshape(len(tokens), -1)
        return [sp.csr_matrix(values * self.cue_weight, dtype=np.float32)]

    def _form_block(self, texts: Sequence[str]) -> list[sp.csr_matrix]:
        if not self.form_weight:
            return []
        values = np.array([shape(text) for text in texts]).reshape(len(texts), -1)
        return [sp.csr_matrix(values * self.form_weight, dtype=np.float32)]

    def _index(self) -> None:
        blocks, offset = [], 0
        for vectorizer, _, weight in self.tfidf_inputs([], []):
            blocks.append((vectorizer.vocabulary_, vectorizer.idf_.astype(np.float64), offset, weight))
            offset += len(vectorizer.vocabulary_)
        self._blocks = blocks
        self._cue_offset = offset
        self._form_offset = offset + (len(CUE_FEATURES) if self.cue_weight else 0)
        self._char_codes = tuple(CharCodes(v.vocabulary_) for v in self._char_blocks())

    def __getstate__(self) -> dict:
        """Saved without the lookup tables: they are derived from the vocabularies, rebuilt on load,
        so a saved model keeps working when the fast path changes."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_blocks", "_char_codes", "_cue_offset", "_form_offset")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"tail": None, "cue_weight": 0.0, "form_weight": 0.0, **state})  # saved before these existed
        if hasattr(self.chars, "vocabulary_"):
            self._index()


class CodedGrams(NamedTuple):
    """A document's distinct char n-gram codes (sorted) and how often each occurs."""

    codes: np.ndarray
    counts: np.ndarray


Grams = tuple[Counter, CodedGrams, CodedGrams, CodedGrams, np.ndarray]
_BASE = 0x110000  # one digit per Unicode code point: 3 * _BASE**3 + a trigram's code still fits in int64


def count_grams(text: str, tokens: list[str], head_chars: int = HEAD_CHARS) -> Grams:
    """Word counts, the coded n-grams of the three char blocks and the shape (nlu/form.py) of one
    message, shared by both classifiers (the char analyzer's lowercasing and whitespace folding, as
    scikit-learn does it)."""
    doc = _WHITE_SPACES.sub(" ", text.lower())
    head = _WHITE_SPACES.sub(" ", text[:head_chars].lower())
    tail = _WHITE_SPACES.sub(" ", text[-TAIL_CHARS:].lower())
    return Counter(tokens), code_grams(doc, 3), code_grams(head, 2), code_grams(tail, 2), shape(text)


def code_grams(doc: str, max_n: int) -> CodedGrams:
    """Every 1..max_n-gram of `doc` as `n * B**3 + digits in base B` (B = the number of code points)."""
    if not doc:
        return CodedGrams(np.empty(0, np.int64), np.empty(0, np.int64))
    points = np.frombuffer(doc.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    pieces = []
    for n in range(1, min(max_n, len(doc)) + 1):
        code = np.full(len(doc) - n + 1, n * _BASE**3, dtype=np.int64)
        for k in range(n):
            code += points[k : len(doc) - n + 1 + k] * _BASE ** (n - 1 - k)
        pieces.append(code)
    unique, counts = np.unique(np.concatenate(pieces), return_counts=True)
    return CodedGrams(unique, counts)


def _encode(gram: str) -> int:
    code = 0
    for char in gram:
        code = code * _BASE + ord(char)
    return len(gram) * _BASE**3 + code


class CharCodes:
    """A char vocabulary as sorted n-gram codes (see `code_grams`), so a message's n-grams are looked
    up with one numpy search instead of thousands of dict lookups (p99 latency)."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        grams = list(vocabulary)
        codes = np.fromiter(map(_encode, grams), np.int64, len(grams))
        order = np.argsort(codes)
        self.codes = codes[order]
        self.columns = np.fromiter(map(vocabulary.__getitem__, grams), np.intp, len(grams))[order]

    def tfidf(self, grams: CodedGrams, idf: np.ndarray, offset: int, weight: float) -> tuple[np.ndarray, np.ndarray]:
        if not len(grams.codes) or not len(self.codes):
            return np.empty(0, np.intp), np.empty(0, np.float32)
        position = np.minimum(np.searchsorted(self.codes, grams.codes), len(self.codes) - 1)
        known = self.codes[position] == grams.codes
        return _weigh(self.columns[position[known]], grams.counts[known].astype(np.float64), idf, offset, weight)


def _tfidf_words(counts: Counter, vocab: dict, idf: np.ndarray, offset: int, weight: float) -> tuple[np.ndarray, np.ndarray]:
    found = np.fromiter(map(vocab.get, counts, repeat(-1, len(counts))), np.intp, len(counts))
    tf = np.fromiter(counts.values(), np.float64, len(counts))
    known = found >= 0
    return _weigh(found[known], tf[known], idf, offset, weight)


def _weigh(columns: np.ndarray, tf: np.ndarray, idf: np.ndarray, offset: int, weight: float) -> tuple[np.ndarray, np.ndarray]:
    weighted = (1.0 + np.log(tf)) * idf[columns]
    norm = np.sqrt(weighted @ weighted)
    return columns + offset, (weighted * (weight / norm) if norm else weighted).astype(np.float32)


def category_features() -> TextFeatures:
    """The category's blocks: the topic's, the message's ending again, the guide cues and its shape."""
    return TextFeatures(with_tail=True, cue_weight=CUE_WEIGHT, form_weight=FORM_WEIGHT)


def _char_vectorizer(max_n: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, max_n), min_df=2, sublinear_tf=True, dtype=np.float32)
