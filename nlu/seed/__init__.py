"""The shipped seed corpus: fictional labelled messages so a fresh install classifies sensibly."""

import json
from pathlib import Path

CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")


def load_seed(path: Path = CORPUS_PATH) -> list[tuple[str, str | None, str | None]]:
    """(text, category, topic) rows; the first line is a note, not a message."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("text"):
                rows.append((record["text"], record.get("category"), record.get("topic")))
    return rows
