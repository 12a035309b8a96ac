"""The shipped seed corpus is what the generator makes, covers every cell, and teaches the guide's
deciding cue through pairs that differ only in the other side or the ask."""

import json
from collections import Counter

from nlu.seed import CORPUS_PATH, load_seed
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
