"""Retraining: split stratified, train a new model, evaluate it and the active one on the same
held-out part, promote only if not worse (or forced). Every version is kept either way.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.model_selection import train_test_split

from nlu.evaluation import evaluate
from nlu.model import TASKS
from nlu.progress import Report, part, silent
from nlu.registry import ModelRegistry, fingerprint
from nlu.segment import make_tokenizer
from nlu.training import Example, train


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


def retrain(examples: Sequence[Example], registry: ModelRegistry, *, force: bool = False, seed: int = 0,
            held_out: float = 0.2, with_textcat: bool = False, notes: str = "", groups: Sequence[str] | None = None,
            report: Report = silent) -> RetrainResult:
    """`groups` (one per example) keep near-duplicates together when calibrating (see train)."""
    keep = [i for i, e in enumerate(examples) if e[0] and (e[1] or e[2])]
    examples = [examples[i] for i in keep]
    if len(examples) < 10:
        raise ValueError(f"可用于训练的已办结案件太少（{len(examples)} 条，至少需要 10 条）")
    group_of = {id(e): groups[i] for i, e in zip(keep, examples, strict=True)} if groups is not None else None
    train_part, held = split(examples, held_out, seed)
    tokenizer = make_tokenizer()
    previous = registry.active_version()
    training_share = 0.85 if previous is not None else 0.92
    model = train(train_part, seed=seed, with_textcat=with_textcat, tokenizer=tokenizer,
                  groups=[group_of[id(e)] for e in train_part] if group_of is not None else None,
                  report=part(report, 0.0, training_share, "训练新模型 · "))
    report("评估新模型", training_share)
    new_metrics = evaluate(model, held, tokenizer)
    active_metrics = None
    if previous is not None:
        report("评估当前模型", 0.93)
        active_metrics = evaluate(registry.load(previous), held, tokenizer)
    new_score = score(new_metrics, held)
    active_score = score(active_metrics, held) if active_metrics is not None else None
    promoted = force or active_score is None or new_score >= active_score
    if force and active_score is not None and new_score < active_score:
        reason = "强制启用（新模型在留出集上不如当前模型）"
    elif active_score is None:
        reason = "尚无启用的模型，直接启用"
    elif promoted:
        reason = f"新模型不差于当前模型（{new_score:.4f} ≥ {active_score:.4f}），已启用"
    else:
        reason = f"新模型不如当前模型（{new_score:.4f} < {active_score:.4f}），保留当前模型"
    metrics = {"held_out": new_metrics, "active_on_same_held_out": active_metrics, "compared_with": previous,
               "train_examples": len(train_part), "held_out_examples": len(held)}
    version = registry.save(model, metrics, fingerprint(examples), len(examples),
                            notes=" ".join(part for part in (notes, reason) if part))
    if promoted:
        registry.activate(version)
    report("完成", 1.0)
    return RetrainResult(version, promoted, previous, new_score, active_score, new_metrics, active_metrics, reason)


def split(examples: list[Example], held_out: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Stratified by topic (else category) when every stratum has at least two examples."""
    keys = [topic or category or "" for _, category, topic in examples]
    counts = Counter(keys)
    stratify = keys if min(counts.values()) >= 2 and len(counts) * 2 <= len(examples) * held_out else None
    train_part, held = train_test_split(examples, test_size=held_out, random_state=seed, stratify=stratify)
    return list(train_part), list(held)


def score(metrics: dict | None, held: Sequence[Example]) -> float:
    """Mean macro-F1 over the tasks the held-out part is labelled for (a missing classifier scores 0)."""
    tasks = [task for column, task in enumerate(TASKS, start=1) if any(e[column] for e in held)]
    if not tasks or metrics is None:
        return 0.0
    return sum(metrics.get(task, {}).get("macro_f1", 0.0) for task in tasks) / len(tasks)


def ensure_model(models_dir: Path, *, with_textcat: bool = False, report: Report = silent) -> str:
    """The active version; on a fresh install, first trains one from the shipped seed corpus."""
    from nlu.seed import load_seed, seed_templates

    registry = ModelRegistry(Path(models_dir))
    active = registry.active_version()
    if active is not None:
        return active
    return retrain(load_seed(), registry, force=True, notes="种子语料初始模型", groups=seed_templates(),
                   with_textcat=with_textcat, report=report).version
