"""What the administrators' models pages need to be tried in seconds: a seed model trained on a
slice of the seed corpus (the full one takes half a minute) and an archive of closed cases that a
retrain learns from and that the gate is sure to let through."""

import json
from pathlib import Path

from bot.bootstrap import App
from handlers.lifecycle import import_cases
from nlu.registry import SEED_NOTE, ModelRegistry, text_key
from nlu.retrain import retrain
from nlu.seed import load_seed
from storage.importers.case_archive import read_archive
from tests.model_cache import stored_folder

SEED_SLICE = slice(None, None, 10)
ARCHIVED = 80  # enough for both classifiers (MIN_EXAMPLES, two labels of MIN_PER_CLASS each)


def seed_model(folder: Path) -> Path:
    """A registry in `folder` whose one version is a seed model, evaluated only on its templates;
    trained once per change to nlu/ and copied after that (tests/model_cache.py)."""
    return stored_folder("seed-slice", folder, lambda into: retrain(
        load_seed()[SEED_SLICE], ModelRegistry(into), force=True, notes=SEED_NOTE, seed_corpus=True))


async def archive_seen_cases(app: App, folder: Path) -> list[str]:
    """Closed cases whose texts the seed model learned from: no held-out case is new to it, so the gate
    has nothing to compare and promotes the candidate (saying so) — a retrain that surely ends promoted."""
    registry = ModelRegistry(app.settings.models_dir)
    seen = registry.trained_on(registry.require_active())
    learned = [e for e in load_seed()[SEED_SLICE] if all(text_key(e[0]) in keys for keys in seen.values())]
    return await _archive(app, folder / "seen.jsonl", learned[:ARCHIVED])


async def archive_unseen_cases(app: App, folder: Path, count: int = 40) -> list[str]:
    """Closed cases from another slice of the seed corpus, which no version has learned from yet."""
    return await _archive(app, folder / "unseen.jsonl", load_seed()[5::10][:count])


async def _archive(app: App, path: Path, examples: list[tuple[str, str | None, str | None]]) -> list[str]:
    rows = [{"text": text, "category": category, "topic": topic} for text, category, topic in examples]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    archive = read_archive(path, closed=True, actor="admin")
    assert not archive.problems, archive.problems
    return await import_cases(archive.rows, app.uow(), app.policies)
