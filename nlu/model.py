"""The trained NLU model: a category and a topic classifier, saved as one folder of artifacts.

Either classifier may be missing (an archive labelled by topic only trains no category model).
"""

import pickle
from dataclasses import dataclass
from pathlib import Path

import jieba
import joblib
import numpy as np
import spacy

from nlu.classifier import TextClassifier
from nlu.features import count_grams
from nlu.normalize import normalize
from nlu.registry import CLASSIFIER_SUFFIXES, classifier_file
from nlu.segment import tokens

MAX_CHARS = 1000  # longer messages are classified on their first 1,000 characters: topic macro-F1 0.893 at 1,000 against 0.891 at 1,500, a fifth less time per message on average
WORD_CHARS = 300  # jieba words from the first 300 of them: same macro-F1 on the benchmark (0.891 at 300, 600 and 1,500), far less jieba
TASKS = ("category", "topic")


def prepare(text: str, tokenizer: jieba.Tokenizer) -> tuple[str, list[str]]:
    """What the classifiers see of a message: normalized text cut to MAX_CHARS, and its jieba words."""
    return prepare_normalized(normalize((text or "")[:MAX_CHARS]), tokenizer)


def prepare_normalized(canon: str, tokenizer: jieba.Tokenizer) -> tuple[str, list[str]]:
    """`prepare` for a text the caller has normalized already (the analyzer normalizes once)."""
    cut = canon[:MAX_CHARS]
    return cut, tokens(tokenizer, cut[:WORD_CHARS])


@dataclass
class NluModel:
    category: TextClassifier | None
    topic: TextClassifier | None

    def classifier(self, task: str) -> TextClassifier | None:
        return getattr(self, task)

    def predict_one(self, text: str, tokens: list[str]) -> dict[str, np.ndarray | None]:
        """Probabilities per task for one message (already cut to MAX_CHARS and tokenized)."""
        grams = count_grams(text, tokens)
        return {task: clf.probabilities_one(grams, tokens) if (clf := self.classifier(task)) else None
                for task in TASKS}

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for task in TASKS:
            clf = self.classifier(task)
            if clf is None:
                continue
            if clf.textcat is not None:
                clf.textcat.to_disk(folder / f"{task}-textcat")
            with (folder / f"{task}{CLASSIFIER_SUFFIXES[0]}").open("wb") as handle:
                pickle.dump(TextClassifier(clf.features, clf.scorer, clf.temperature, None, clf.textcat_weight,
                                           clf.info), handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, folder: Path) -> "NluModel":
        loaded = {}
        for task in TASKS:
            clf = _read(path) if (path := classifier_file(folder, task)) else None
            if clf is not None and (folder / f"{task}-textcat").exists():
                clf.textcat = spacy.load(folder / f"{task}-textcat")
            loaded[task] = clf
        return cls(**loaded)


def _read(path: Path) -> TextClassifier:
    if path.suffix == ".joblib":  # a version saved before 7 Dec
        return joblib.load(path)
    with path.open("rb") as handle:
        return pickle.load(handle)
