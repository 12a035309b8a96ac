"""Held-out quality of a model: accuracy, macro-F1, per-class P/R/F1, confusion matrix, latency."""

import time
from collections.abc import Sequence

import jieba
import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from nlu.classifier import TextClassifier
from nlu.model import TASKS, NluModel
from nlu.segment import make_tokenizer
from nlu.training import Example, prepare

MISCLASSIFIED_SAMPLE = 20  # cases kept per classifier and evaluation, enough to see a pattern


def evaluate(model: NluModel, examples: Sequence[Example], tokenizer: jieba.Tokenizer | None = None,
             latency_sample: int = 300) -> dict:
    """Metrics per task on the examples carrying that task's label; latency is per single message."""
    tokenizer = tokenizer or make_tokenizer()
    texts, token_lists = prepare([text for text, _, _ in examples], tokenizer)
    metrics: dict = {"n": len(examples)}
    for column, task in enumerate(TASKS, start=1):
        clf = model.classifier(task)
        rows = [i for i, example in enumerate(examples) if example[column]]
        if clf is None or not rows:
            continue
        metrics[task] = prepared_metrics(clf, [texts[i] for i in rows], [token_lists[i] for i in rows],
                                         [examples[i][column] for i in rows])
    metrics["latency_ms"] = single_message_latency(model, [text for text, _, _ in examples[:latency_sample]],
                                                   tokenizer)
    return metrics


def task_metrics(clf: TextClassifier, texts: Sequence[str], labels: Sequence[str],
                 tokenizer: jieba.Tokenizer, keys: Sequence[str] | None = None) -> dict | None:
    """One classifier on labelled texts (None when there are none): the retrain gate's figures. With
    `keys` (case numbers, one per text) the figures name a sample of the cases it got wrong, so an
    administrator can open them; the texts themselves stay in the case files, not beside the model."""
    if not texts:
        return None
    cut, token_lists = prepare(texts, tokenizer)
    predicted = predictions(clf, cut, token_lists)
    metrics = classification_metrics(labels, predicted)
    if keys is not None:
        metrics["misclassified"] = [{"key": key, "truth": truth, "predicted": guess}
                                    for key, truth, guess in zip(keys, labels, predicted, strict=True)
                                    if truth != guess][:MISCLASSIFIED_SAMPLE]
    return metrics


def prepared_metrics(clf: TextClassifier, texts: Sequence[str], token_lists: Sequence[list[str]],
                     labels: Sequence[str]) -> dict:
    return classification_metrics(labels, predictions(clf, texts, token_lists))


def predictions(clf: TextClassifier, texts: Sequence[str], token_lists: Sequence[list[str]]) -> list[str]:
    probs = clf.probabilities(list(texts), list(token_lists))
    return [clf.classes[k] for k in probs.argmax(axis=1)]


def classification_metrics(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels,
                                                                     zero_division=0)
    return {
        "n": len(truth),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)),
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)},
        "confusion": {"labels": labels, "matrix": confusion_matrix(truth, predicted, labels=labels).tolist()},
    }


def single_message_latency(model: NluModel, texts: Sequence[str], tokenizer: jieba.Tokenizer) -> dict:
    """p50/p99 milliseconds of normalize + tokenize + both classifiers, one message at a time."""
    timings = []
    for text in texts:
        start = time.perf_counter()
        cut, token_lists = prepare([text], tokenizer)
        model.predict_one(cut[0], token_lists[0])
        timings.append((time.perf_counter() - start) * 1000)
    if not timings:
        return {"p50": 0.0, "p99": 0.0}
    return {"p50": float(np.percentile(timings, 50)), "p99": float(np.percentile(timings, 99))}
