"""The category's shape block: length and question form, which TF-IDF normalisation hides."""

import numpy as np

from nlu.features import FORM_WEIGHT, TextFeatures, category_features, count_grams
from nlu.form import FEATURES, shape
from nlu.model import prepare
from nlu.segment import make_tokenizer


def features_of(text: str) -> dict[str, bool]:
    return dict(zip(FEATURES, shape(text).astype(bool), strict=True))


def test_a_short_question_and_a_long_letter_differ_in_shape():
    question = features_of("请问公租房怎么申请？")
    letter = features_of("尊敬的领导：您好！" + "我们小区的开发商一直拖着不办房产证。" * 12 + "恳请督促开发商尽快办证。")
    assert question["question"] and question["ends_with_question"] and not question["length>40"]
    assert letter["length>160"] and letter["sentences>8"] and not letter["question"]


def test_question_words_at_the_end_count_in_either_punctuation_width():
    assert features_of("这个文件在本省执行吗")["ends_with_question"]
    assert features_of("什么时候发放?")["ends_with_question"] and features_of("什么时候发放？")["question"]
    assert not features_of("路灯坏了，请修一下。")["ends_with_question"]


def test_the_category_reads_the_shape_and_the_topic_does_not():
    tokenizer = make_tokenizer()
    texts = ["请问公租房怎么申请？", "楼上邻居家漏水不肯赔，请帮忙调解。" * 6]
    prepared = [prepare(text, tokenizer) for text in texts]
    category = category_features()
    matrix = category.fit_transform([p[0] for p in prepared], [p[1] for p in prepared]).toarray()
    for row, (text, _) in zip(matrix, prepared, strict=True):
        np.testing.assert_allclose(row[-len(FEATURES):], shape(text) * FORM_WEIGHT, atol=1e-6)
    topic = TextFeatures()
    assert topic.fit_transform([p[0] for p in prepared], [p[1] for p in prepared]).shape[1] == sum(
        len(v.vocabulary_) for v in (topic.words, topic.chars, topic.head))


def test_features_saved_before_the_shape_block_still_score_one_message():
    tokenizer = make_tokenizer()
    texts = ["小区路灯坏了", "物业乱收费不退钱", "请问社保怎么转移"]
    prepared = [prepare(text, tokenizer) for text in texts]
    features = TextFeatures(with_tail=True)
    features.fit_transform([p[0] for p in prepared], [p[1] for p in prepared])
    state = features.__getstate__()
    del state["form_weight"]
    old = TextFeatures.__new__(TextFeatures)
    old.__setstate__(state)
    text, words = prepared[0]
    np.testing.assert_allclose(old.one(count_grams(text, words), words)[1], features.one(count_grams(text, words), words)[1])
