"""Decision offsets fitted out of fold: small classes get predicted, balanced classifiers stay as they are."""

import numpy as np
from sklearn.metrics import f1_score

from nlu.classifier import fit_offsets, macro_f1


def scores_for(y: np.ndarray, shift: np.ndarray, seed: int = 0) -> np.ndarray:
    """Noisy one-hot scores, each class's column moved by `shift` (a classifier biased against it)."""
    rng = np.random.default_rng(seed)
    return np.eye(3)[y] + rng.normal(0.0, 0.45, (len(y), 3)) + shift


def test_macro_f1_is_scikit_learns_over_the_classes_present() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        y, predicted = rng.integers(0, 4, 40), rng.integers(0, 5, 40)
        expected = f1_score(y, predicted, labels=sorted(set(y)), average="macro", zero_division=0)
        assert macro_f1(y, predicted, 5) == expected


def test_an_under_predicted_small_class_is_lifted() -> None:
    y = np.array([0] * 300 + [1] * 30 + [2] * 30)
    scores = scores_for(y, np.array([0.0, -1.2, -1.2]))
    offsets = fit_offsets(scores, y)
    assert offsets[1] - offsets[0] > 0.3 and offsets[2] - offsets[0] > 0.3
    assert macro_f1(y, (scores + offsets).argmax(1), 3) > macro_f1(y, scores.argmax(1), 3) + 0.1
    held_out = np.array([0] * 300 + [1] * 30 + [2] * 30)
    fresh = scores_for(held_out, np.array([0.0, -1.2, -1.2]), seed=7)
    assert macro_f1(held_out, (fresh + offsets).argmax(1), 3) > macro_f1(held_out, fresh.argmax(1), 3)


def test_a_balanced_classifier_keeps_its_scores() -> None:
    y = np.repeat([0, 1, 2], 100)
    assert not fit_offsets(scores_for(y, np.zeros(3)), y).any()
