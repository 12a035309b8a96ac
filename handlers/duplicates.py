"""并单: is a newly filed case the same problem as an open case nearby?

The text is compared by the characters residents share when they describe one problem (the
estate, the road, the thing that broke): the set of character bigrams of each text, minus a few
bigrams every letter to the government uses (尊敬的领导、希望有关部门…), compared by Jaccard
similarity. Each case carries a MinHash signature of that set (the lowest 16 bits of each of
`SIGNATURE_SIZE` minima under fixed random hash functions): the share of positions where two signatures agree estimates
the Jaccard similarity, so checking a new case is one vectorised comparison against the stored
signatures of the open cases nearby, and the texts themselves are read only for the few found.

A candidate must be open, filed in the last `days` days, and in the same grid or a neighbouring
one (same community, or a polygon sharing a corner). When both cases have a topic and the
topics differ, the bar is higher (`other_topic_threshold`): residents word one leak alike, and the
classifier may still read two reports of it differently. bench/duplicates.py measures the choice.
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from handlers.directory import Grid

SIGNATURE_SIZE = 128
SIGNATURE_BYTES = SIGNATURE_SIZE * 2
_PRIME = (1 << 61) - 1
_MAX = np.uint64(0xFFFFFFFF)
_KEPT = "<u2"  # 16 bits of each minimum: two texts agree by accident once in 65,536, half the bytes of 32


def _constants(name: str) -> np.ndarray:
    """The hash functions' constants, from SHA-256 rather than a random generator whose stream a
    NumPy release may change: signatures stored in the database must stay comparable for good."""
    digests = (hashlib.sha256(f"minsheng-minhash-{name}-{i}".encode()).digest() for i in range(SIGNATURE_SIZE))
    return np.array([int.from_bytes(d[:8], "little") % (_PRIME - 1) + 1 for d in digests], dtype=np.uint64)


_A, _B = _constants("a"), _constants("b")
_KEEP = re.compile(r"[\u4e00-\u9fff0-9a-z]+")
# Bigrams of the phrases letters to the government share whatever they are about: salutations,
# requests, thanks and the words for "problem", "resident" and "department". Written by hand, not
# learned, so that two letters do not look alike for being polite in the same way.
GENERIC = frozenset(
    "尊敬 敬的 的领 领导 您好 你好 好我 我是 我们 们是 你们 他们 希望 望有 有关 关部 部门 门能 尽快 快解 解决 决一 "
    "请问 问一 一下 谢谢 感谢 反映 映一 一个 个问 问题 题的 的问 相关 政府 居民 群众 百姓 老百 市民 现在 已经 "
    "一直 没有 严重 影响 情况 这个 这样 因为 所以 但是 而且 如果 什么 为什 为何 怎么 的是 了一 是一 在我".split()
)
MIN_SHINGLES = 2


def shingles(text: str) -> set[str]:
    """The character bigrams of the text's words (Chinese characters, digits and Latin letters;
    punctuation and spaces split), without the generic ones."""
    found: set[str] = set()
    for run in _KEEP.findall(text.lower()):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found - GENERIC


def signature(text: str) -> bytes | None:
    """The MinHash signature stored with a case; None when the text has too little to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    values = np.array([_stable_hash(g) for g in grams], dtype=np.uint64)
    hashed = (values[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME) & _MAX
    return (hashed.min(axis=0) & np.uint64(0xFFFF)).astype(_KEPT).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts from their signatures."""
    return float((np.frombuffer(a, dtype=_KEPT) == np.frombuffer(b, dtype=_KEPT)).mean())


@dataclass(frozen=True)
class DuplicatePolicy:
    """[duplicates] in config.toml."""

    days: int = 30
    threshold: float = 0.3
    other_topic_threshold: float = 0.5
    limit: int = 3

    @classmethod
    def from_section(cls, section: Mapping[str, object]) -> "DuplicatePolicy":
        """[duplicates] of config.toml; a wrong value is a ValueError saying which, in Chinese."""
        unknown = set(section) - {"days", "threshold", "other_topic_threshold", "limit"}
        if unknown:
            raise ValueError(f"[duplicates] 不认识的设置：{'、'.join(sorted(unknown))}")
        policy = cls(**section)  # type: ignore[arg-type]
        for name in ("days", "limit"):
            value = getattr(policy, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"[duplicates] {name} 应为正整数，而不是 {value!r}")
        for name in ("threshold", "other_topic_threshold"):
            value = getattr(policy, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"[duplicates] {name} 应为 0 到 1 之间的相似度，而不是 {value!r}")
        return policy

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)

    def bar(self, topic: str | None, other: str | None) -> float:
        """The similarity two cases need: higher when both have a topic and the topics differ."""
        return self.other_topic_threshold if topic and other and topic != other else self.threshold


@dataclass(frozen=True)
class Pool:
    """The open cases a new case is compared with, as arrays: the candidate query fills it."""

    numbers: Sequence[str]
    topics: np.ndarray  # object array of topic names, None where a case has none
    signatures: np.ndarray  # (len(numbers), SIGNATURE_SIZE) uint16

    @classmethod
    def of(cls, cases: Sequence[tuple[str, str | None, bytes]]) -> "Pool":
        """A pool from (number, topic, signature) rows."""
        topics = np.empty(len(cases), dtype=object)
        topics[:] = [topic for _, topic, _ in cases]
        return cls([number for number, _, _ in cases], topics, signature_matrix([sig for _, _, sig in cases]))


@dataclass(frozen=True)
class Match:
    number: str
    similarity: float


def signature_matrix(signatures: Sequence[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(signatures), dtype=_KEPT).reshape(len(signatures), SIGNATURE_SIZE)


def best_matches(
    sig: bytes | None,
    topic: str | None,
    pool: Pool,
    policy: DuplicatePolicy,
    exclude: str = "",
    limit: int | None = None,
) -> list[Match]:
    """The cases of the pool above their bar, most similar first (at most `limit`, by default the
    policy's), in one vectorised pass however large the pool."""
    if sig is None or not len(pool.numbers):
        return []
    scores = (pool.signatures == np.frombuffer(sig, dtype=_KEPT)).mean(axis=1)
    if topic:
        differs = (pool.topics != topic) & (pool.topics != None)  # noqa: E711 - elementwise on an object array
        bar = np.where(differs, policy.other_topic_threshold, policy.threshold)
    else:
        bar = np.full(len(scores), policy.threshold)
    above = np.nonzero(scores >= bar)[0]
    ranked = above[np.argsort(-scores[above], kind="stable")]
    found = [Match(pool.numbers[i], round(float(scores[i]), 2)) for i in ranked if pool.numbers[i] != exclude]
    return found[: policy.limit if limit is None else limit]


def neighbourhood(code: str | None, grids: Mapping[str, Grid]) -> list[str]:
    """The grid itself and its neighbours: grids of the same community, and grids whose polygons
    share a corner with it (a road between two communities). Empty for an unknown grid."""
    grid = grids.get(code or "")
    if grid is None:
        return []
    mine = _points(grid)
    return sorted(
        g.code for g in grids.values()
        if g.code == grid.code or g.community_code == grid.community_code or (mine and mine & _points(g))
    )


def _points(grid: Grid) -> set[tuple[float, float]]:
    return {(round(x, 6), round(y, 6)) for ring in grid.polygon for x, y in ring}


def _stable_hash(gram: str) -> int:
    """A hash that is the same in every process (Python's str hash is salted per process)."""
    return int.from_bytes(gram.encode("utf-8").ljust(8, b"\0")[:8], "little") % _PRIME
