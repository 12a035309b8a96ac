"""A linear SVM and an NB-SVM on the same features, summed into one weight matrix.

NB-SVM (Wang & Manning 2012) scales each feature by its naive-Bayes log-count ratio before the
SVM; its decision is still linear in the features, so the pair costs one sparse product at run
time. On the topic benchmark the sum beats either member by about half a point of macro-F1.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC


@dataclass
class LinearScorer:
    classes: list[str]
    weights: np.ndarray  # (n_features, n_classes): rows gather fast for one sparse message
    intercept: np.ndarray  # (n_classes,)

    def scores(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.weights) + self.intercept

    def score_one(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Scores of one message given its nonzero feature indices and values (see TextFeatures.one)."""
        return values @ self.weights[indices] + self.intercept


def fit_scorer(features: sp.csr_matrix, labels: list[str], c: float = 1.0, seed: int = 0) -> LinearScorer:
    """SVM + NB-SVM, both one-vs-rest with balanced class weights (the benchmark scores macro-F1)."""
    y = np.asarray(labels)
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError("训练数据至少需要两个类别")
    # liblinear reads float64 rows with sorted columns: converted once here, not once per member fit
    features = sp.csr_matrix(features, dtype=np.float64)
    features.sort_indices()
    svm = LinearSVC(C=c, class_weight="balanced", random_state=seed).fit(features, y)
    svm_coef = svm.coef_ if len(classes) > 2 else np.vstack([-svm.coef_, svm.coef_])
    svm_bias = svm.intercept_ if len(classes) > 2 else np.array([-svm.intercept_[0], svm.intercept_[0]])
    present = features.copy()
    present.data[:] = 1.0
    coef = np.zeros((len(classes), features.shape[1]))
    intercept = np.zeros(len(classes))
    for i, label in enumerate(classes):
        positive = y == label
        ratio = _log_count_ratio(present, positive)
        member = LinearSVC(C=c, class_weight="balanced", random_state=seed)
        member.fit(_scale_columns(features, ratio), positive)
        coef[i] = svm_coef[i] + member.coef_[0] * ratio
        intercept[i] = svm_bias[i] + member.intercept_[0]
    return LinearScorer(classes, np.ascontiguousarray(coef.T, dtype=np.float32), intercept)


def _scale_columns(features: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """`features.multiply(scale)` without its detour through COO, which sorted every row again."""
    return sp.csr_matrix((features.data * scale[features.indices], features.indices, features.indptr),
                         shape=features.shape)


def _log_count_ratio(present: sp.csr_matrix, positive: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    p = alpha + np.asarray(present[positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[~positive].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))
