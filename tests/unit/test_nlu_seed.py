"""The shipped seed corpus is what the generator makes, covers every cell, teaches the guide's
deciding cue through pairs that differ only in the other side or the ask, and buries it among
asides that every category shares; the written letters cover every cell too and join the training."""

import json
import random
import statistics
from collections import Counter

from nlu.seed import CORPUS_PATH, LETTERS_PATH, load_seed, seed_templates, seed_training
from nlu.seed.asides import ASIDES, with_asides
from nlu.seed.contrasts import ASK_CONTRASTS, PARTY_CONTRASTS
from nlu.seed.generate import NOTE, generate
from nlu.seed.scenarios import SCENARIOS

CATEGORIES = {"dispute", "service", "petition"}


def test_shipped_corpus_is_the_generators_output():
    lines = CORPUS_PATH.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"note": NOTE}
    assert [json.loads(line) for line in lines[1:]] == generate()


def test_every_topic_and_category_is_covered_evenly():
    rows = load_seed()
    cells = Counter((topic, category) for _, category, topic in rows)
    assert len(rows) >= 1500
    assert set(cells) == set(SCENARIOS)
    assert len(set(cells.values())) == 1
    assert {category for _, category, _ in rows} == CATEGORIES


def test_pairs_give_each_side_its_own_category():
    for topic, template, parties in PARTY_CONTRASTS:
        assert "{party}" in template and set(parties) == {"dispute", "petition"}, template
        assert (topic, "dispute") in SCENARIOS
    for topic, asks in ASK_CONTRASTS:
        assert set(asks) == {"service", "petition"} and (topic, "service") in SCENARIOS


def test_pair_messages_name_the_side_that_decides_them():
    rows = [row for row in generate(per_cell=40) if "/party" in row["template"]]
    assert {row["category"] for row in rows} == {"dispute", "petition"}
    assert all("{party}" not in row["text"] for row in rows)


def test_asides_go_between_sentences_and_the_ask_stays_last():
    rng = random.Random(0)
    text = "您好！楼上邻居天天半夜跺脚。说了好几次也不听。请社区帮忙调解一下。"
    for _ in range(20):
        lengthened = with_asides(text, rng)
        added = len(lengthened) - len(text)
        assert lengthened.endswith("请社区帮忙调解一下。") and added > 0
        for sentence in ("您好！", "楼上邻居天天半夜跺脚。", "说了好几次也不听。"):
            assert sentence in lengthened


def test_every_category_gets_asides_alike():
    rows = generate(per_cell=30)
    share = {category: statistics.mean(any(a[:6] in row["text"] for a in ASIDES if "{" not in a[:6]) for row in rows
                                       if row["category"] == category) for category in CATEGORIES}
    assert all(value == 1.0 for value in share.values()), share


def test_letters_cover_every_cell_in_their_own_words():
    note = json.loads(LETTERS_PATH.read_text(encoding="utf-8").splitlines()[0])
    assert "fictional" in note["note"] and "no real message" in note["note"]
    letters = load_seed(LETTERS_PATH)
    assert set(Counter((topic, category) for _, category, topic in letters)) == set(SCENARIOS)
    assert len({text for text, _, _ in letters}) == len(letters)
    assert not any(word in text for text, _, _ in letters for word in ("矛盾纠纷", "便民服务", "信访"))


def test_a_fresh_install_trains_on_the_corpus_and_the_letters_each_letter_its_own_group():
    examples, groups = seed_training()
    corpus, letters = load_seed(), load_seed(LETTERS_PATH)
    assert examples == corpus + letters and groups[:len(corpus)] == seed_templates()
    assert len(set(groups[len(corpus):])) == len(letters) and not set(groups[len(corpus):]) & set(groups[:len(corpus)])
