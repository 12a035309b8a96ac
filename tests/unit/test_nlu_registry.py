"""Model registry and retraining: promote when not worse, refuse when worse, force, roll back; a
version saved in the earlier format still loads."""

import json

import pytest

from nlu.registry import ModelMissing, ModelRegistry, fingerprint
from nlu.retrain import retrain, split

TOPIC_WORDS = {"环境保护": ("噪音", "油烟", "排污", "粉尘"), "交通运输": ("公交", "红绿灯", "出租车", "路面"),
               "教育文体": ("学校", "老师", "学费", "幼儿园")}


def examples(n_per_topic: int, noise: float = 0.0, seed: int = 0) -> list[tuple[str, None, str]]:
    """Synthetic topic-labelled texts; `noise` of them get a wrong label (a worse training set)."""
    import random

    rng = random.Random(seed)
    topics = sorted(TOPIC_WORDS)
    rows = []
    for topic in topics:
        for i in range(n_per_topic):
            words = rng.sample(TOPIC_WORDS[topic], 2)
            label = rng.choice(topics) if rng.random() < noise else topic
            rows.append((f"第{i}号反映：{words[0]}问题，还有{words[1]}，请处理", None, label))
    return rows


def quick(data, registry, **kw):
    return retrain(data, registry, with_textcat=False, **kw)


def test_first_model_is_promoted_and_kept_with_metrics(tmp_path):
    registry = ModelRegistry(tmp_path)
    result = quick(examples(20), registry)
    assert result.promoted and registry.active_version() == result.version
    (info,) = registry.list_versions()
    assert info.active and info.fingerprint == fingerprint(examples(20)) and info.examples == 60
    metrics = json.loads((tmp_path / "versions" / result.version / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["held_out"]["topic"]["macro_f1"] > 0.9 and "latency_ms" in metrics["held_out"]


def test_worse_model_is_refused_then_forced_then_rolled_back(tmp_path):
    registry = ModelRegistry(tmp_path)
    good = quick(examples(60), registry)
    bad_data = examples(60, noise=0.9, seed=1)
    refused = quick(bad_data, registry, seed=1)
    assert not refused.promoted and refused.active_score > refused.new_score
    assert registry.active_version() == good.version
    assert "新模型的主题分类器不如当前模型" in refused.reason and "保留当前模型" in refused.reason
    forced = quick(bad_data, registry, seed=1, force=True)
    assert forced.promoted and registry.active_version() == forced.version
    registry.activate(good.version)
    assert registry.active_version() == good.version
    assert [v.name for v in registry.list_versions()] == [good.version, refused.version, forced.version]


def test_equal_model_is_promoted(tmp_path):
    registry = ModelRegistry(tmp_path)
    quick(examples(60), registry)
    again = quick(examples(60), registry)
    assert again.promoted and again.new_score == again.active_score


def test_a_candidate_compared_on_too_few_cases_is_kept_but_not_put_to_work(tmp_path):
    """Twelve held-out cases cannot tell a better model from a lucky one, however well it scores."""
    registry = ModelRegistry(tmp_path)
    first = quick(examples(60), registry)
    few = quick(examples(20, seed=2), registry, seed=2)
    assert few.tasks["topic"].new_compared["n"] == 12 and few.new_score >= few.active_score  # type: ignore[index]
    assert not few.promoted and registry.active_version() == first.version
    assert "留出主题案件只有 12 条，至少 30 条才能判断新模型是否更好" in few.reason
    assert few.version in [v.name for v in registry.list_versions()]  # kept, for an administrator to promote


def test_a_version_saved_with_joblib_before_7_dec_still_loads_and_lists_its_classifiers(tmp_path):
    import joblib

    registry = ModelRegistry(tmp_path)
    version = quick(examples(20), registry).version
    folder = tmp_path / "versions" / version
    saved = registry.load(version)
    assert [p.name for p in folder.glob("topic.*")] == ["topic.pickle"]
    (folder / "topic.pickle").unlink()
    joblib.dump(saved.topic, folder / "topic.joblib")
    reloaded = registry.load(version)
    assert reloaded.topic.classes == saved.topic.classes and reloaded.category is None
    assert registry.info(version).classifiers == ("topic",)


def test_activate_unknown_version_is_refused(tmp_path):
    registry = ModelRegistry(tmp_path)
    quick(examples(10), registry)
    with pytest.raises(ModelMissing, match="没有模型版本"):
        registry.activate("9999-nope")


def test_cases_with_only_one_label_train_their_own_task(tmp_path):
    rows = examples(15) + [(f"小区物业不退押金第{i}次", "dispute", None) for i in range(15)] + \
        [(f"请问社保卡怎么补办第{i}次", "service", None) for i in range(15)]
    result = quick(rows, ModelRegistry(tmp_path))
    assert {"category", "topic"} <= set(result.new_metrics)


def test_split_is_stratified_and_too_little_data_is_refused(tmp_path):
    train_part, held = split(examples(20), 0.2, 0)
    assert sorted({t for _, _, t in held}) == sorted(TOPIC_WORDS) and len(held) == 12
    with pytest.raises(ValueError, match="太少"):
        quick(examples(2), ModelRegistry(tmp_path))


def test_fingerprint_ignores_order():
    rows = examples(5)
    assert fingerprint(rows) == fingerprint(list(reversed(rows))) != fingerprint(rows[1:])
