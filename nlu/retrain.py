"""Retraining that never loses a capability.

Each classifier (category, topic) is trained where the new cases can teach it and carried over
from the active version where they cannot; the gate then compares task by task, on held-out cases
neither model saw, and refuses a candidate that lacks a classifier the active model has or is worse
on one. Every version is kept either way, with how each classifier came to be.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jieba
from sklearn.model_selection import train_test_split

from nlu.classifier import MIN_TEMPERATURE, SEED_MIN_TEMPERATURE
from nlu.evaluation import single_message_latency, task_metrics
from nlu.model import TASKS, NluModel
from nlu.progress import Report, part, silent
from nlu.registry import SEED_NOTE, ModelRegistry, fingerprint, text_key
from nlu.segment import make_tokenizer
from nlu.training import Example, train

# A classifier is retrained only from at least MIN_EXAMPLES labelled cases with at least two labels
# of MIN_PER_CLASS cases each; otherwise the active one is carried over. Below that, a fifth held
# out is six cases or one or two of a label, too few for the gate to tell better from worse, and a
# one-vs-rest model with calibration folds of one or two cases per label is not worth a working one.
MIN_EXAMPLES = 30
MIN_PER_CLASS = 5
# The gate lets a candidate through when it is at most one point of macro-F1 below the active model
# on a task. A street office's held-out part is tens to a few hundred cases: one case changing sides
# moves a three-label macro-F1 by about that much, so a smaller difference is noise, not a loss.
TOLERANCE = 0.01
# Fewer held-out cases than this, both classifiers unseen, tell better from worse by chance: a macro-F1
# on 14 cases moves by seven points a case. The candidate is kept, not put to work over a classifier
# that works (an archive of 70 templated cases once scored 1.0 against the seed's 0.77 and replaced it).
MIN_COMPARED = 30
# A label a person corrected (a dispatcher's reclassification, a resident's correction at intake)
# counts this many times in training: it marks exactly where the model was wrong. Three copies
# (kept in one calibration group, so they never check themselves) pull the boundary without letting
# a few dozen corrections outweigh the archive.
CORRECTION_WEIGHT = 3
TASK_NAMES = {"category": "类别", "topic": "主题"}


@dataclass(frozen=True)
class TaskResult:
    """One classifier of a retrain: where it came from and how it compares with the active one."""

    task: str
    source: str  # "trained", "carried" (from the active version) or "absent"
    origin: str | None  # the version that trained a carried classifier
    train_examples: int
    corrected: int
    new: dict | None  # the candidate's figures on held-out cases it never saw
    active: dict | None  # the active classifier on the cases both never saw (the gate's comparison)
    new_compared: dict | None  # the candidate on those same cases
    missing_labels: tuple[str, ...]  # labels the active classifier knows and the new one never saw
    verdict: str | None  # why this task refuses the candidate, if it does


@dataclass(frozen=True)
class RetrainResult:
    version: str
    promoted: bool
    previous: str | None
    new_score: float
    active_score: float | None
    new_metrics: dict
    active_metrics: dict | None
    reason: str
    tasks: dict[str, TaskResult]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Row:
    text: str
    category: str | None
    topic: str | None
    group: str
    corrected: frozenset[str]
    key: str | None  # the case number, where the example is a case

    def label(self, task: str) -> str | None:
        return getattr(self, task)


def retrain(examples: Sequence[Example], registry: ModelRegistry, *, force: bool = False, seed: int = 0,
            held_out: float = 0.2, with_textcat: bool = False, notes: str = "", groups: Sequence[str] | None = None,
            corrected: Sequence[frozenset[str]] | None = None, seed_corpus: bool = False, carry_over: bool = True,
            keys: Sequence[str] | None = None, report: Report = silent) -> RetrainResult:
    """`groups` (one per example) keep near-duplicates together when calibrating (see train);
    `corrected` (one per example) names the labels a person corrected; `keys` (one per example, the
    case numbers) let the figures name the held-out cases a classifier got wrong; `seed_corpus` marks figures
    measured on the shipped templates, which are never shown as the model's quality; without
    `carry_over` the candidate holds only what these cases train, and the gate judges what it lacks."""
    rows = [_Row(e[0], e[1], e[2], groups[i] if groups is not None else f"#{i}",
                 frozenset(corrected[i]) if corrected is not None else frozenset(),
                 keys[i] if keys is not None else None)
            for i, e in enumerate(examples) if e[0] and (e[1] or e[2])]
    if len(rows) < 10:
        raise ValueError(f"可用于训练的已办结案件太少（{len(rows)} 条，至少需要 10 条）")
    train_rows, held = split(rows, held_out, seed)
    previous = registry.active_version()
    active = registry.load(previous) if previous is not None else None
    active_seen = registry.trained_on(previous) if previous is not None else {}
    active_sources = registry.info(previous).meta.get("tasks", {}) if previous is not None else {}
    plan = {task: _plan(task, [r.label(task) for r in rows if r.label(task)],
                        active.classifier(task) if active and carry_over else None) for task in TASKS}
    if all(source != "trained" for source in plan.values()):
        raise ValueError(_nothing_to_train(rows))
    tokenizer = make_tokenizer()
    training_share = 0.85 if active is not None else 0.92
    fitted = _fit(train_rows, plan, seed, with_textcat, tokenizer, keep_groups=groups is not None,
                  category_min_temperature=SEED_MIN_TEMPERATURE if seed_corpus else MIN_TEMPERATURE,
                  class_offsets=not seed_corpus, report=part(report, 0.0, training_share, "训练新模型 · "))
    model = NluModel(**{task: fitted.classifier(task) if plan[task] == "trained"
                        else active.classifier(task) if plan[task] == "carried" and active else None
                        for task in TASKS})
    report("评估新模型与当前模型", training_share)
    seen = {task: (frozenset(text_key(r.text) for r in train_rows if r.label(task)) if plan[task] == "trained"
                   else active_seen.get(task, frozenset())) for task in TASKS}
    tasks = {task: _judge(task, plan[task], model, active, held, seen[task], active_seen.get(task, frozenset()),
                          train_rows, previous, active_sources.get(task), tokenizer) for task in TASKS}
    refusals = [t.verdict for t in tasks.values() if t.verdict]
    promoted = force or active is None or not refusals
    reason = _reason(tasks, previous, refusals, force)
    warnings = _warnings(tasks, active)
    new_metrics = {"n": len(held), **{t.task: t.new for t in tasks.values() if t.new},
                   "latency_ms": single_message_latency(model, [r.text for r in held[:300]], tokenizer)}
    active_metrics = ({"n": len(held), **{t.task: t.active for t in tasks.values() if t.active}}
                      if active is not None else None)
    compared = [t for t in tasks.values() if t.active and t.new_compared]
    new_score = _mean([t.new_compared["macro_f1"] for t in compared] if compared else
                      [t.new["macro_f1"] for t in tasks.values() if t.new])
    active_score = _mean([t.active["macro_f1"] for t in compared]) if active is not None else None
    metrics = {"held_out": new_metrics, "evaluated_on": "seed" if seed_corpus else "real",
               "tasks": {task: _task_record(t) for task, t in tasks.items()},
               "active_on_same_held_out": active_metrics, "compared_with": previous, "gate": refusals,
               "warnings": list(warnings), "train_examples": len(train_rows), "held_out_examples": len(held)}
    sources = {task: {"source": t.source, **({"from": t.origin} if t.origin else {})} for task, t in tasks.items()}
    version = registry.save(model, metrics, fingerprint((r.text, r.category, r.topic) for r in rows), len(rows),
                            notes=" ".join(p for p in (notes, reason) if p), tasks=sources,
                            trained_on={task: keys for task, keys in seen.items() if model.classifier(task)})
    if previous is not None and not seed_corpus and active_metrics and any(t.active for t in tasks.values()):
        registry.record_evaluation(previous, {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                                              "by_retrain": version, **{k: v for k, v in active_metrics.items()}})
    if promoted:
        registry.activate(version)
    report("完成", 1.0)
    return RetrainResult(version, promoted, previous, new_score, active_score, new_metrics, active_metrics, reason,
                         tasks, warnings)


def enough(labels: Sequence[str]) -> bool:
    """Enough labelled cases to train a classifier that may replace a working one (see MIN_EXAMPLES)."""
    return len(labels) >= MIN_EXAMPLES and sum(n >= MIN_PER_CLASS for n in Counter(labels).values()) >= 2


def _plan(task: str, labels: list[str], active_clf: object | None) -> str:
    """Train where the cases can teach the task; carry the active classifier over where they cannot;
    with no classifier to lose, learn from whatever has two labels."""
    if enough(labels):
        return "trained"
    if active_clf is not None:
        return "carried"
    return "trained" if len(set(labels)) >= 2 else "absent"


def _fit(rows: list[_Row], plan: dict[str, str], seed: int, with_textcat: bool, tokenizer: jieba.Tokenizer, *,
         keep_groups: bool, category_min_temperature: float, class_offsets: bool, report: Report) -> NluModel:
    """Train the planned tasks only; a corrected label is repeated CORRECTION_WEIGHT times in its group."""
    examples: list[Example] = []
    groups: list[str] = []
    for row in rows:
        labels = {task: row.label(task) if plan[task] == "trained" else None for task in TASKS}
        examples.append((row.text, labels["category"], labels["topic"]))
        groups.append(row.group)
        extra = {task: label if task in row.corrected else None for task, label in labels.items()}
        if any(extra.values()):
            examples.extend([(row.text, extra["category"], extra["topic"])] * (CORRECTION_WEIGHT - 1))
            groups.extend([row.group] * (CORRECTION_WEIGHT - 1))
    repeated = len(examples) > len(rows)
    return train(examples, seed=seed, with_textcat=with_textcat, tokenizer=tokenizer,
                 groups=groups if keep_groups or repeated else None,
                 category_min_temperature=category_min_temperature, class_offsets=class_offsets, report=report)


def _judge(task: str, source: str, model: NluModel, active: NluModel | None, held: list[_Row],
           seen: frozenset[str], active_seen: frozenset[str], train_rows: list[_Row], previous: str | None,
           active_source: dict | None, tokenizer: jieba.Tokenizer) -> TaskResult:
    """Figures on held-out cases each classifier never saw, and the gate's verdict for this task."""
    name = TASK_NAMES[task]
    new_clf = model.classifier(task)
    active_clf = active.classifier(task) if active is not None else None
    labelled = [r for r in held if r.label(task)]

    def measure(clf, cases: list[_Row]) -> dict | None:  # type: ignore[no-untyped-def]
        keys = [r.key for r in cases if r.key]
        return task_metrics(clf, [r.text for r in cases], [r.label(task) for r in cases], tokenizer,
                            keys if len(keys) == len(cases) else None) if clf else None

    unseen = [r for r in labelled if text_key(r.text) not in seen]
    both = [r for r in unseen if text_key(r.text) not in active_seen]
    new = measure(new_clf, unseen)
    active_figures = measure(active_clf, both)
    new_compared = new if len(both) == len(unseen) else measure(new_clf, both)
    verdict = None
    if active_clf is not None and new_clf is None:
        verdict = f"新模型没有{name}分类器（当前模型有）"
    elif source == "trained" and active_figures and new_compared and len(both) < MIN_COMPARED:
        verdict = (f"两个模型都没见过的留出{name}案件只有 {len(both)} 条，至少 {MIN_COMPARED} 条才能判断新模型是否更好"
                   f"（请导入更多已办结案件后再训练，或核对新版本后手动启用）")
    elif source == "trained" and active_figures and new_compared and \
            new_compared["macro_f1"] < active_figures["macro_f1"] - TOLERANCE:
        verdict = (f"新模型的{name}分类器不如当前模型（留出的 {len(both)} 条上 macro-F1 "
                   f"{new_compared['macro_f1']:.4f} < {active_figures['macro_f1']:.4f}）")
    trained_labels = {r.label(task) for r in train_rows if r.label(task)}
    missing = tuple(sorted(set(active_clf.classes) - trained_labels)) if (
        source == "trained" and active_clf is not None) else ()
    origin = None
    if source == "carried":
        origin = (active_source or {}).get("from") or previous
    return TaskResult(task, source, origin, sum(1 for r in train_rows if r.label(task)) if source == "trained" else 0,
                      sum(1 for r in train_rows if task in r.corrected and r.label(task)) if source == "trained" else 0,
                      new, active_figures, new_compared, missing, verdict)


def _reason(tasks: dict[str, TaskResult], previous: str | None, refusals: list[str], force: bool) -> str:
    carried = "".join(f"；{TASK_NAMES[t.task]}分类器沿用 {t.origin}（新数据中{TASK_NAMES[t.task]}标注不足）"
                      for t in tasks.values() if t.source == "carried")
    if previous is None:
        return f"尚无启用的模型，直接启用{carried}"
    if refusals and force:
        return f"强制启用：{'；'.join(refusals)}{carried}"
    if refusals:
        return f"{'；'.join(refusals)}，保留当前模型{carried}"
    compared = "；".join(f"{TASK_NAMES[t.task]} {t.new_compared['macro_f1']:.4f} vs {t.active['macro_f1']:.4f}"
                         for t in tasks.values() if t.source == "trained" and t.active and t.new_compared)
    return f"新模型各项不差于当前模型{f'（{compared}）' if compared else ''}，已启用{carried}"


def _warnings(tasks: dict[str, TaskResult], active: NluModel | None) -> tuple[str, ...]:
    """What an administrator should know even when the gate lets the candidate through."""
    found = []
    for t in tasks.values():
        name = TASK_NAMES[t.task]
        if t.missing_labels:
            found.append(f"新的{name}分类器没有见过这些标签：{'、'.join(t.missing_labels)}（当前模型认识），"
                         f"这类诉求会被归到其他{name}")
        if t.source == "trained" and t.new and active is not None and active.classifier(t.task) and not t.active:
            found.append(f"留出的{name}标注案件都已被当前模型训练过，这一项无法比较，新分类器未经比较即采用")
    return tuple(found)


def _task_record(t: TaskResult) -> dict:
    return {"source": t.source, "from": t.origin, "train_examples": t.train_examples, "corrected": t.corrected,
            "held_out_examples": t.new["n"] if t.new else 0, "missing_labels": list(t.missing_labels)}


def _nothing_to_train(rows: list[_Row]) -> str:
    counts = "，".join(f"{TASK_NAMES[task]} {sum(1 for r in rows if r.label(task))} 条" for task in TASKS)
    return (f"新数据不足以训练任何分类器（{counts}；每项至少需要 {MIN_EXAMPLES} 条、且至少两种标注各 "
            f"{MIN_PER_CLASS} 条），当前模型保持不变")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def split(examples: Sequence, held_out: float, seed: int) -> tuple[list, list]:
    """Stratified by topic (else category) when every stratum has at least two examples."""
    keys = [(e.topic or e.category if isinstance(e, _Row) else e[2] or e[1]) or "" for e in examples]
    counts = Counter(keys)
    stratify = keys if min(counts.values()) >= 2 and len(counts) * 2 <= len(examples) * held_out else None
    train_part, held = train_test_split(list(examples), test_size=held_out, random_state=seed, stratify=stratify)
    return list(train_part), list(held)


def ensure_model(models_dir: Path, *, with_textcat: bool = False, report: Report = silent) -> str:
    """The active version; on a fresh install, first trains one from the shipped seed corpus."""
    from nlu.seed import seed_training

    registry = ModelRegistry(Path(models_dir))
    active = registry.active_version()
    if active is not None:
        return active
    examples, groups = seed_training()
    return retrain(examples, registry, force=True, notes=SEED_NOTE, groups=groups,
                   with_textcat=with_textcat, seed_corpus=True, report=report).version
