"""The analyzer end to end on a tiny model: answers for any input, low confidence on no content."""

import dataclasses
import json

import numpy as np
import pytest

from nlu.analyzer import Analyzer
from nlu.classifier import fit_classifier
from nlu.cues import FEATURES as CUE_FEATURES
from nlu.features import TextFeatures, category_features, count_grams
from nlu.form import FEATURES as FORM_FEATURES
from nlu.model import NluModel, prepare
from nlu.registry import ModelMissing
from nlu.segment import make_tokenizer
from tests.fixtures.nlu import gazetteer, tiny_analyzer, tiny_examples

TOPICS = {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生", "政法", "民政"}


def test_classifies_a_plain_complaint_with_alternatives():
    analysis = tiny_analyzer().analyze("物业公司突然涨物业费，没开业主大会，不交就停我们的门禁卡")
    assert analysis.category == "dispute" and analysis.topic == "城乡建设"
    assert set(dict(analysis.topic_alternatives)) | {analysis.topic} == TOPICS
    probs = [analysis.topic_confidence, *dict(analysis.topic_alternatives).values()]
    assert sum(probs) == pytest.approx(1.0, abs=1e-4) and probs == sorted(probs, reverse=True)


def test_places_entities_and_emergency_in_one_analysis():
    text = "青禾路128号楼下着火了！我电话13812345678"
    analysis = tiny_analyzer().analyze(text)
    assert analysis.grid_candidates[0].grid_code == "T1-C1-G2"
    assert {e.type for e in analysis.entities} >= {"place", "phone"}
    assert analysis.emergency is not None and analysis.emergency.number == "119"


def test_to_json_shape():
    record = tiny_analyzer().analyze("书香门第的路灯坏了一个月了，麻烦修一下").to_json()
    assert {"category", "category_confidence", "topic", "topic_confidence", "department", "grid", "grid_candidates",
            "entities", "emergency"} <= set(record)
    assert record["grid"]["grid_code"] == "T1-C1-G2"
    json.dumps(record, ensure_ascii=False)


def test_the_analysis_shows_the_words_behind_the_category():
    """Operators and residents see why: the other side and the ask, as spans of the message."""
    text = "楼上邻居装修把我家天花板弄漏水了，找他协商赔偿他不肯"
    record = tiny_analyzer().analyze(text).to_json()
    cues = {(c["kind"], c["label"], c["text"]) for c in record["cues"]}
    assert ("party", "person", "楼上邻居") in cues and ("ask", "mediation", "赔偿") in cues
    assert all(text[c["start"] : c["end"]] == c["text"] for c in record["cues"])


@pytest.mark.parametrize("text", ["", "   \n\t", "😀😡🙏", "hello, my street light is broken", "？？？", "你好"])
def test_no_content_gives_an_answer_with_low_confidence(text):
    analysis = tiny_analyzer().analyze(text)
    assert analysis.category in {"dispute", "service", "petition"} and analysis.topic in TOPICS
    assert analysis.category_confidence < 0.5 and analysis.topic_confidence < 0.3


@pytest.mark.parametrize("text", [
    "我們小區的物業亂收費，電梯壞了也不修",  # Traditional characters
    "my 小区 wy 物业 乱收费 wifi也没有 😡😡",  # mixed
    "噪音" * 10_000,  # 20,000 characters
    "\x00\ufffd\u202e控制字符",
])
def test_bad_input_never_crashes(text):
    analysis = tiny_analyzer().analyze(text)
    assert 0.0 <= analysis.category_confidence <= 1.0 and 0.0 <= analysis.topic_confidence <= 1.0


def test_traditional_text_is_read_like_simplified():
    a = tiny_analyzer()
    assert a.analyze("我們小區的物業亂收費").topic == a.analyze("我们小区的物业乱收费").topic


def test_analyze_many_matches_analyze_in_order():
    texts = [t for t, _, _ in tiny_examples()[:5]] + [""]
    one_by_one = [tiny_analyzer().analyze(t) for t in texts]
    assert tiny_analyzer().analyze_many(texts) == one_by_one


def test_analyze_many_in_worker_processes_keeps_order():
    texts = [t for t, _, _ in tiny_examples()[:40]] + ["", "幸福里三号楼着火了"]
    one_by_one = [tiny_analyzer().analyze(t) for t in texts]
    assert tiny_analyzer().analyze_many(texts, workers=3) == one_by_one


@pytest.mark.parametrize("make_features", [TextFeatures, category_features], ids=["topic", "category"])
def test_fast_single_message_features_equal_scikit_learn(make_features):
    """The one-message path gives the batch matrix's row, tail, cue and shape blocks included."""
    texts = [t for t, _, _ in tiny_examples()]
    tokenizer = make_tokenizer()
    prepared = [prepare(t, tokenizer) for t in texts]
    features = make_features()
    features.fit_transform([p[0] for p in prepared[:200]], [p[1] for p in prepared[:200]])
    matrix = features.transform([p[0] for p in prepared[200:]], [p[1] for p in prepared[200:]]).toarray()
    cues = matrix[:, -len(CUE_FEATURES) - len(FORM_FEATURES):-len(FORM_FEATURES)]
    assert (cues.any() and matrix[:, -len(FORM_FEATURES):].any()) or make_features is TextFeatures
    for row, (text, words) in zip(matrix, prepared[200:], strict=True):
        indices, values = features.one(count_grams(text, words), words)
        fast = np.zeros_like(row)
        fast[indices] = values
        np.testing.assert_allclose(fast, row, atol=1e-6)


def test_fast_features_equal_scikit_learn_beyond_the_basic_plane():
    """Emoji and rare characters (code points above U+FFFF) get n-gram codes of their own."""
    texts = ["物业不管😡😡", "𠮷野家门口漏水😡", "ＡＢＣ小区 物业  乱收费", "𠮷野家门口漏水", "😡物业😡不管😡", "abc abc"]
    tokenizer = make_tokenizer()
    prepared = [prepare(t, tokenizer) for t in texts]
    features = TextFeatures()
    matrix = features.fit_transform([p[0] for p in prepared], [p[1] for p in prepared]).toarray()
    assert any("😡" in gram for gram in features.chars.vocabulary_)
    for row, (text, words) in zip(matrix, prepared, strict=True):
        indices, values = features.one(count_grams(text, words), words)
        fast = np.zeros_like(row)
        fast[indices] = values
        np.testing.assert_allclose(fast, row, atol=1e-6)


def test_saved_features_rebuild_their_lookup_tables(tmp_path):
    model = tiny_analyzer().model
    model.save(tmp_path / "m")
    loaded = NluModel.load(tmp_path / "m")
    assert "_char_codes" not in loaded.topic.features.__getstate__()
    text, words = prepare("小区路灯坏了", make_tokenizer())
    np.testing.assert_allclose(loaded.topic.features.one(count_grams(text, words), words)[1],
                               model.topic.features.one(count_grams(text, words), words)[1])


def test_model_round_trips_through_disk(tmp_path):
    model = tiny_analyzer().model
    model.save(tmp_path / "m")
    loaded = NluModel.load(tmp_path / "m")
    text = "请问社保卡丢了怎么补办"
    words = prepare(text, make_tokenizer())
    for task in ("category", "topic"):
        np.testing.assert_allclose(loaded.predict_one(*words)[task], model.predict_one(*words)[task], atol=1e-6)


def test_a_blended_spacy_textcat_round_trips_through_disk(tmp_path):
    """A district that turns the textcat on saves it beside the linear model and blends it after
    loading. Trained on a few seed texts without calibration folds, and blended at half weight so
    the prediction depends on it."""
    tokenizer = make_tokenizer()
    examples = [(text, topic) for text, _, topic in tiny_examples()[::8] if topic]
    texts, words = zip(*(prepare(text, tokenizer) for text, _ in examples), strict=True)
    topic = fit_classifier(texts, words, [topic for _, topic in examples], folds=1, with_textcat=True)
    model = NluModel(category=None, topic=dataclasses.replace(topic, textcat_weight=0.5))
    model.save(tmp_path / "m")
    loaded = NluModel.load(tmp_path / "m")
    assert loaded.topic.textcat is not None and loaded.topic.textcat_weight == 0.5
    text, tokens = prepare("请问社保卡丢了怎么补办", tokenizer)
    blended = loaded.predict_one(text, tokens)["topic"]
    np.testing.assert_allclose(blended, model.predict_one(text, tokens)["topic"], atol=1e-6)
    loaded.topic.textcat_weight = 0.0
    assert not np.allclose(loaded.predict_one(text, tokens)["topic"], blended, atol=1e-3)


def test_load_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelMissing, match="没有可用的 NLU 模型"):
        Analyzer.load(tmp_path, gazetteer())
