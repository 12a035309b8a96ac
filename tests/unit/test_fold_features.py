"""A calibration fold's features, taken from counts read once, are the ones TextFeatures fitted on the
fold's training rows gives: same columns, same values (nlu/fold_features.py)."""

import numpy as np
import pytest

from nlu.features import TextFeatures, category_features
from nlu.fold_features import FoldFeatures
from nlu.model import prepare
from nlu.seed import load_seed
from nlu.segment import make_tokenizer


@pytest.fixture(scope="module")
def prepared() -> tuple[list[str], list[list[str]]]:
    tokenizer = make_tokenizer()
    cut = [prepare(text, tokenizer) for text, _, _ in load_seed()[::20]]
    return [text for text, _ in cut], [words for _, words in cut]


@pytest.mark.parametrize("make", [TextFeatures, category_features])
@pytest.mark.parametrize("size", [30, 100])  # under 50 training messages char n-grams seen once stay
def test_a_folds_features_are_those_fitted_on_its_training_rows(
    prepared: tuple[list[str], list[list[str]]], make: type, size: int
) -> None:
    texts, tokens = prepared
    rows = np.random.default_rng(size).permutation(len(texts))
    train, held = np.sort(rows[:size]), np.sort(rows[size:size + 40])
    fitted = make()
    expected_train = fitted.fit_transform([texts[i] for i in train], [tokens[i] for i in train])
    expected_held = fitted.transform([texts[i] for i in held], [tokens[i] for i in held])

    got_train, got_held = FoldFeatures(make(), texts, tokens).split(train, held)

    for got, expected in ((got_train, expected_train), (got_held, expected_held)):
        assert got.shape == expected.shape
        assert abs(got - expected).max() < 1e-6
