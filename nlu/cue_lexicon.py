"""The category cue words (nlu/cues.toml), apart from the matcher: the jieba dictionary needs the
words without loading spaCy."""

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from nlu.guide import ASKS

LEXICON_PATH = Path(__file__).with_name("cues.toml")


@dataclass(frozen=True)
class Lexicon:
    parties: Mapping[str, tuple[str, ...]]
    asks: Mapping[str, tuple[str, ...]]
    addressee: tuple[str, ...]
    grievance: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> "Lexicon":
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            parties = {label: tuple(words) for label, words in raw["party"].items()}
            asks = {label: tuple(words) for label, words in raw["ask"].items()}
            frame = raw["frame"]
            lexicon = cls(parties, asks, tuple(frame["addressee"]), tuple(frame["grievance"]))
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"线索词表 {path} 无法读取：{exc}") from exc
        unknown = (set(parties) - {"person", "company", "government"}) | (set(asks) - set(ASKS))
        if unknown:
            raise ValueError(f"线索词表 {path} 中有未知的类别：{', '.join(sorted(unknown))}")
        return lexicon

    def words(self) -> list[str]:
        """Every word of the lexicon, for the jieba dictionary."""
        groups: Iterable[Iterable[str]] = (*self.parties.values(), *self.asks.values(), self.addressee, self.grievance)
        return sorted({word for group in groups for word in group})
