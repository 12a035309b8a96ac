"""Sparse text features: jieba words, character 1–3-grams, and the opening of the message again.

Measured on the topic benchmark (bench/nlu.py): words + char n-grams beat either alone, min_df=2
on char n-grams removes noise, and a separate block for the first 80 characters (where residents
say what the matter is) adds about half a point of macro-F1. `count_grams` + `one` is the same
computation for a single message without scikit-learn's per-call overhead (the 2 ms budget).
"""

import re
from collections import Counter
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

_WHITE_SPACES = re.compile(r"\s\s+")
HEAD_CHARS = 80


def _given(tokens: list[str]) -> list[str]:
    return tokens


class TextFeatures:
    """TF-IDF blocks fitted on training texts; `transform` takes texts and their jieba tokens."""

    def __init__(self, head_chars: int = HEAD_CHARS, head_weight: float = 0.5) -> None:
        self.head_chars = head_chars
        self.head_weight = head_weight
        self.words = TfidfVectorizer(analyzer=_given, sublinear_tf=True, dtype=np.float32)
        self.chars = _char_vectorizer(3)
        self.head = _char_vectorizer(2)

    def fit_transform(self, texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
        self.chars.min_df = self.head.min_df = 2 if len(texts) >= 50 else 1
        matrix = sp.hstack([
            self.words.fit_transform(tokens),
            self.chars.fit_transform(texts),
            self.head.fit_transform([t[: self.head_chars] for t in texts]) * self.head_weight,
        ], format="csr")
        self._index()
        return matrix

    def transform(self, texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
        return sp.hstack([
            self.words.transform(tokens),
            self.chars.transform(texts),
            self.head.transform([t[: self.head_chars] for t in texts]) * self.head_weight,
        ], format="csr")

    def one(self, grams: "Grams") -> tuple[np.ndarray, np.ndarray]:
        """Nonzero (indices, values) of `transform` for one message, from its counted grams."""
        parts = [_tfidf(counts, *block) for block, counts in zip(self._blocks, grams, strict=True)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _index(self) -> None:
        blocks, offset = [], 0
        for vectorizer, weight in ((self.words, 1.0), (self.chars, 1.0), (self.head, self.head_weight)):
            blocks.append((vectorizer.vocabulary_, vectorizer.idf_.astype(np.float64), offset, weight))
            offset += len(vectorizer.vocabulary_)
        self._blocks = blocks


Grams = tuple[Counter, Counter, Counter]


def count_grams(text: str, tokens: list[str], head_chars: int = HEAD_CHARS) -> Grams:
    """Word, char 1–3-gram and head char 1–2-gram counts of one message, shared by both classifiers."""
    doc = _WHITE_SPACES.sub(" ", text.lower())
    head = _WHITE_SPACES.sub(" ", text[:head_chars].lower())
    return Counter(tokens), Counter(_ngrams(doc, 3)), Counter(_ngrams(head, 2))


def _char_vectorizer(max_n: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, max_n), min_df=2, sublinear_tf=True, dtype=np.float32)


def _ngrams(doc: str, max_n: int) -> list[str]:
    length = len(doc)
    return [doc[i : i + n] for n in range(1, min(max_n, length) + 1) for i in range(length - n + 1)]


def _tfidf(counts: Counter, vocab: dict, idf: np.ndarray, offset: int, weight: float) -> tuple[np.ndarray, np.ndarray]:
    found = np.fromiter(map(vocab.get, counts, repeat(-1, len(counts))), np.intp, len(counts))
    tf = np.fromiter(counts.values(), np.float64, len(counts))
    known = found >= 0
    found, tf = found[known], tf[known]
    weighted = (1.0 + np.log(tf)) * idf[found]
    norm = np.sqrt(weighted @ weighted)
    return found + offset, (weighted * (weight / norm) if norm else weighted).astype(np.float32)
