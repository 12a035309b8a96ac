"""Two model versions side by side on the same labelled cases, neither of which learned from them:
their figures, and which cases changed answer between them — what an administrator looks at
before promoting one over the other, and what the gate's single number hides."""

from collections.abc import Sequence
from dataclasses import dataclass

from nlu.evaluation import classification_metrics, predictions
from nlu.model import TASKS
from nlu.registry import ModelRegistry, text_key
from nlu.segment import make_tokenizer
from nlu.training import prepare


@dataclass(frozen=True)
class Labelled:
    key: str  # the case number
    text: str
    category: str | None
    topic: str | None

    def label(self, task: str) -> str | None:
        return getattr(self, task)


@dataclass(frozen=True)
class Changed:
    key: str
    truth: str
    first: str  # the first version's answer
    second: str


@dataclass(frozen=True)
class TaskComparison:
    task: str
    n: int  # labelled cases neither version learned from
    first: dict | None  # nlu.evaluation figures, None when a version lacks the classifier or n is 0
    second: dict | None
    changed: list[Changed]  # every case the two answer differently (a page shows a sample)


def compare(registry: ModelRegistry, first: str, second: str, cases: Sequence[Labelled]) -> list[TaskComparison]:
    """Loads both versions: CPU- and disk-bound, callers run it in a thread."""
    models = [registry.load(first), registry.load(second)]
    seen = [registry.trained_on(first), registry.trained_on(second)]
    tokenizer = make_tokenizer()
    found = []
    for task in TASKS:
        rows = [c for c in cases if c.label(task) and
                all(text_key(c.text) not in learned.get(task, frozenset()) for learned in seen)]
        classifiers = [model.classifier(task) for model in models]
        if not rows or any(clf is None for clf in classifiers):
            found.append(TaskComparison(task, len(rows), None, None, []))
            continue
        cut, token_lists = prepare([r.text for r in rows], tokenizer)
        truth = [r.label(task) or "" for r in rows]
        answers = [predictions(clf, cut, token_lists) for clf in classifiers if clf is not None]
        changed = [Changed(r.key, t, a, b) for r, t, a, b in zip(rows, truth, *answers, strict=True) if a != b]
        found.append(TaskComparison(task, len(rows), classification_metrics(truth, answers[0]),
                                    classification_metrics(truth, answers[1]), changed))
    return found
