"""The shipped seed corpus: fictional labelled messages so a fresh install classifies sensibly."""

import json
from pathlib import Path

CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")


def load_seed(path: Path = CORPUS_PATH) -> list[tuple[str, str | None, str | None]]:
    """(text, category, topic) rows; the first line is a note, not a message."""
    return [(r["text"], r.get("category"), r.get("topic")) for r in _records(path)]


def seed_templates(path: Path = CORPUS_PATH) -> list[str]:
    """The scenario each seed message was generated from, row for row with `load_seed`: calibration
    holds out whole scenarios, or it would learn that template data is always easy."""
    return [r["template"] for r in _records(path)]


def _records(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [record for line in handle if (record := json.loads(line)).get("text")]
