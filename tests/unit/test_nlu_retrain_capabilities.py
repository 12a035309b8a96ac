"""A retrain never loses a capability: carried-over classifiers, the task-by-task gate, honest
figures and corrected labels, on real training over small slices of the seed corpus."""

import json
import shutil
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from nlu.model import prepare
from nlu.registry import ModelRegistry
from nlu.retrain import CORRECTION_WEIGHT, retrain, split
from nlu.seed import load_seed
from nlu.segment import make_tokenizer
from tests.fakes.model_archive import seed_model

STREET_LIGHT = "小区门口的路灯坏了一个星期了，晚上很黑"


@lru_cache(maxsize=1)
def seed_slice() -> tuple:
    """Every tenth seed message (all categories and topics, ~320 texts): the "shipped" model."""
    return tuple(load_seed()[::10])


def archive(start: int, *, category: bool = True, topic: bool = True) -> list:
    """Other seed messages as if they were a district's closed cases, labels kept as asked."""
    return [(t, c if category else None, p if topic else None) for t, c, p in load_seed()[start::10]]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_model(tmp_path_factory.mktemp("seeded") / "models")


@pytest.fixture
def registry(seeded: Path, tmp_path: Path) -> ModelRegistry:
    shutil.copytree(seeded, tmp_path / "models")
    return ModelRegistry(tmp_path / "models")


def category_of(registry: ModelRegistry, text: str) -> str:
    clf = registry.load().classifier("category")
    assert clf is not None
    cut, words = prepare(text, make_tokenizer())
    return clf.classes[int(np.argmax(clf.probabilities([cut], [words])[0]))]


def test_topic_only_cases_carry_the_category_classifier_over(registry: ModelRegistry) -> None:
    seed_version = registry.require_active()
    result = retrain(archive(3, category=False), registry)
    assert result.promoted and registry.require_active() == result.version
    assert result.tasks["category"].source == "carried" and result.tasks["category"].origin == seed_version
    assert result.tasks["topic"].source == "trained"
    assert category_of(registry, STREET_LIGHT) == "service"
    meta = json.loads((registry.versions_dir / result.version / "meta.json").read_text(encoding="utf-8"))
    assert meta["tasks"] == {"category": {"source": "carried", "from": seed_version},
                             "topic": {"source": "trained"}}
    assert "类别分类器沿用" in result.reason
    again = retrain(archive(5, category=False), registry, seed=1)  # carried again: still from the seed version
    assert again.tasks["category"].origin == seed_version and registry.load().category is not None


def test_a_few_category_labels_do_not_replace_a_working_classifier(registry: ModelRegistry) -> None:
    rows = archive(3, category=False) + [(t, c, None) for t, c, _ in archive(7)[:20]]
    result = retrain(rows, registry)
    assert result.tasks["category"].source == "carried"


def test_the_gate_refuses_a_candidate_without_a_classifier_the_active_model_has(registry: ModelRegistry) -> None:
    active = registry.require_active()
    refused = retrain(archive(3, category=False), registry, carry_over=False)
    assert not refused.promoted and registry.require_active() == active
    assert "新模型没有类别分类器（当前模型有）" in refused.reason and refused.reason.count("保留当前模型") == 1
    assert refused.tasks["category"].verdict and refused.tasks["topic"].verdict is None
    forced = retrain(archive(3, category=False), registry, carry_over=False, force=True)
    assert forced.promoted and forced.reason.startswith("强制启用")
    assert registry.load().category is None


def test_the_gate_refuses_a_task_that_got_worse(registry: ModelRegistry) -> None:
    rows = archive(3)
    training, _ = split(rows, 0.2, 0)  # the split retrain makes: wrong categories in its training part only
    wrong = {t for t, _, _ in training}
    labels = sorted({c for _, c, _ in rows})
    shuffled = [(t, labels[(labels.index(c) + 1) % len(labels)] if t in wrong else c, p) for t, c, p in rows]
    refused = retrain(shuffled, registry)
    assert not refused.promoted and refused.tasks["category"].verdict
    assert "类别分类器不如当前模型" in refused.reason and refused.tasks["topic"].verdict is None


def test_seed_figures_are_never_shown_and_real_ones_are_recorded(registry: ModelRegistry) -> None:
    (seed,) = registry.list_versions()
    assert seed.seed_only and seed.real_figures("category") is None and seed.real_figures("topic") is None
    result = retrain(archive(3), registry)
    seed, new = registry.list_versions()
    assert seed.real_figures("category")["n"] == result.tasks["category"].active["n"] > 0
    assert seed.evaluations[0]["by_retrain"] == new.name
    assert not new.seed_only and new.real_figures("topic") == result.tasks["topic"].new


def test_texts_the_active_model_learned_from_are_left_out_of_its_figures(registry: ModelRegistry) -> None:
    seen_before = list(seed_slice())[:40]
    result = retrain(archive(3) + seen_before, registry)
    held = result.tasks["category"]
    assert held.active["n"] <= held.new["n"]  # the active model is judged only on what it never saw
    assert result.new_metrics["category"]["n"] == held.new["n"]


def test_corrected_labels_weigh_more(registry: ModelRegistry) -> None:
    rows = archive(3)
    corrected = [frozenset({"category"}) if i % 4 == 0 else frozenset() for i in range(len(rows))]
    result = retrain(rows, registry, corrected=corrected)
    task = result.tasks["category"]
    assert 0 < task.corrected < task.train_examples and CORRECTION_WEIGHT > 1
    record = json.loads((registry.versions_dir / result.version / "metrics.json").read_text(encoding="utf-8"))
    assert record["tasks"]["category"]["corrected"] == task.corrected


def test_labels_the_new_cases_never_show_are_named(registry: ModelRegistry) -> None:
    result = retrain([row for row in archive(3, category=False) if row[2] != "政法"], registry)
    assert any("政法" in warning for warning in result.warnings)
    assert all("政法" not in (task.verdict or "") for task in result.tasks.values())  # named, no reason to refuse
