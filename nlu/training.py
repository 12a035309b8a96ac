"""Training from labelled examples (text, category | None, topic | None): each task on its own subset."""

from collections.abc import Sequence

import jieba

from nlu.classifier import MIN_TEMPERATURE, fit_classifier
from nlu.features import TextFeatures, category_features
from nlu.model import NluModel, prepare as prepare_one
from nlu.progress import Report, part, silent
from nlu.segment import make_tokenizer

Example = tuple[str, str | None, str | None]
TASK_LABELS = {"category": "类别模型", "topic": "主题模型"}


def prepare(texts: Sequence[str], tokenizer: jieba.Tokenizer) -> tuple[list[str], list[list[str]]]:
    """Texts cut and normalized for the classifiers, and their jieba words (see model.prepare)."""
    prepared = [prepare_one(text, tokenizer) for text in texts]
    return [text for text, _ in prepared], [words for _, words in prepared]


def train(examples: Sequence[Example], *, seed: int = 0, with_textcat: bool = False,
          tokenizer: jieba.Tokenizer | None = None, groups: Sequence[str] | None = None,
          category_min_temperature: float = MIN_TEMPERATURE, class_offsets: bool = True,
          report: Report = silent) -> NluModel:
    """Train whichever of the two classifiers has at least two labels among the examples;
    `groups` (one per example) are held out together when calibrating, and a category model
    trained on generated text reports its confidence no surer than `category_min_temperature`
    allows (see SEED_MIN_TEMPERATURE), and fits no class offsets when `class_offsets` is off (see
    fit_classifier). Each task's share of the
    progress is its cost: one-vs-rest fits grow with examples × classes."""
    tokenizer = tokenizer or make_tokenizer()
    report("分词", 0.0)
    texts, token_lists = prepare([text for text, _, _ in examples], tokenizer)
    tasks = {}
    for task, column in (("category", 1), ("topic", 2)):
        rows = [i for i, example in enumerate(examples) if example[column]]
        labels = [examples[i][column] for i in rows]
        tasks[task] = (rows, labels) if len(set(labels)) >= 2 else None
    costs = {task: len(found[0]) * len(set(found[1])) for task, found in tasks.items() if found}
    trained, done = {}, 0.0
    for task, found in tasks.items():
        if found is None:
            trained[task] = None
            continue
        rows, labels = found
        share = costs[task] / sum(costs.values())
        trained[task] = fit_classifier([texts[i] for i in rows], [token_lists[i] for i in rows], labels,
                                       seed=seed, with_textcat=with_textcat,
                                       groups=[groups[i] for i in rows] if groups is not None else None,
                                       make_features=category_features if task == "category" else TextFeatures,
                                       min_temperature=category_min_temperature if task == "category" else MIN_TEMPERATURE,
                                       class_offsets=class_offsets,
                                       report=part(report, done, done + share, f"{TASK_LABELS[task]}："))
        done += share
    if not any(trained.values()):
        raise ValueError("训练数据不足：类别和主题都至少需要两种不同的标注")
    return NluModel(**trained)
