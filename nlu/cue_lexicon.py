"""The category cue words of nlu/cues.toml, readable without spaCy: the jieba dictionary takes the
ask words (nlu/segment.py), the matcher all of them (nlu/cues.py)."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlu.guide import ASKS

LEXICON_PATH = Path(__file__).with_name("cues.toml")


@dataclass(frozen=True)
class Lexicon:
    parties: Mapping[str, tuple[str, ...]]
    asks: Mapping[str, tuple[str, ...]]
    addressee: tuple[str, ...]
    grievance: tuple[str, ...]
    position: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> "Lexicon":
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            parties = {label: tuple(words) for label, words in raw["party"].items()}
            asks = {label: tuple(words) for label, words in raw["ask"].items()}
            frame = raw["frame"]
            lexicon = cls(parties, asks, tuple(frame["addressee"]), tuple(frame["grievance"]), tuple(frame["position"]))
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"线索词表 {path} 无法读取：{exc}") from exc
        unknown = (set(parties) - {"person", "company", "government"}) | (set(asks) - set(ASKS))
        if unknown:
            raise ValueError(f"线索词表 {path} 中有未知的类别：{', '.join(sorted(unknown))}")
        return lexicon


@cache
def positions() -> frozenset[str]:
    """Where a party is (「楼下」, 「隔壁」), the `[frame] position` words of the shipped lexicon."""
    return frozenset(Lexicon.load().position)


@cache
def ask_words() -> tuple[str, ...]:
    """Every ask word of the shipped lexicon."""
    return tuple(word for words in Lexicon.load().asks.values() for word in words)
