"""The features of cross-validation folds from one reading of the texts.

Calibration fits a classifier on each fold's training rows and scores the others (nlu/classifier.py).
Fitting TextFeatures on every fold read each text again for every fold: its char n-grams, its words
and its cues, which was about half of a seed training. Here each block's raw counts are taken once,
over all texts; a fold keeps the columns its training rows use often enough (the block's min_df)
and weighs them as the block's TfidfVectorizer would, so its matrices are the ones TextFeatures
fitted on the fold's training rows gives (tests/unit/test_fold_features.py).
"""

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

from nlu.features import TextFeatures


class FoldFeatures:
    def __init__(self, features: TextFeatures, texts: Sequence[str], tokens: Sequence[list[str]]) -> None:
        self._features = features
        self._counts = [_counter(vectorizer).fit_transform(documents).tocsr()
                        for vectorizer, documents, _ in features.tfidf_inputs(texts, tokens)]
        fixed = features.fixed_blocks(texts, tokens)
        self._fixed = sp.hstack(fixed, format="csr") if fixed else None

    def split(self, train: np.ndarray, held: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The training rows' features as fitted on them, and the held-out rows' as transformed."""
        self._features.prepare_fit(len(train))
        fitted, scored = [], []
        for counts, (vectorizer, _, weight) in zip(self._counts, self._features.tfidf_inputs([], []), strict=True):
            seen = counts[train]
            kept = np.flatnonzero(np.bincount(seen.indices, minlength=counts.shape[1]) >= vectorizer.min_df)
            tfidf = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                     smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
            fitted.append(tfidf.fit_transform(seen[:, kept]) * weight)
            scored.append(tfidf.transform(counts[held][:, kept]) * weight)
        if self._fixed is not None:
            fitted.append(self._fixed[train])
            scored.append(self._fixed[held])
        return sp.hstack(fitted, format="csr"), sp.hstack(scored, format="csr")


def _counter(vectorizer: TfidfVectorizer) -> CountVectorizer:
    """The block's own analyzer and options, every term kept: which ones stay depends on the fold."""
    options = vectorizer.get_params()
    return CountVectorizer(**{name: options[name] for name in CountVectorizer().get_params()} | {"min_df": 1})
