"""Model versions on disk: every trained model kept with its metrics, training-set fingerprint,
creation time and notes; an `ACTIVE` file names the one in use (activate = roll back or forward).

    models_dir/versions/0003-20261127T101500Z/{category.pickle, topic.pickle, *-textcat/, metrics.json, meta.json,
                                               trained_on.json, evaluations.json}
    models_dir/ACTIVE

`trained_on.json` keeps a short hash of every text each classifier learned from, so that a later
evaluation can leave those texts out: a figure shown for a version is always measured on data it
was not trained on. `evaluations.json` collects such figures measured after the version was made
(a retrain evaluates the active version on its new held-out cases).
"""

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model stack (scikit-learn, spaCy) loads only when a model is saved or loaded
    from nlu.model import NluModel


class ModelMissing(RuntimeError):
    """No usable model: train one (ensure_model / minsheng nlu retrain)."""


SEED_NOTE = "种子语料初始模型"
TASK_FILES = ("category", "topic")  # the same names as nlu.model.TASKS, without loading the model stack
# A classifier is saved as `<task>.pickle`; versions saved before 7 Dec hold `<task>.joblib`, which
# joblib's pure-Python unpickler reads in about 0.4 s against 0.1 s for pickle's (both classifiers).
CLASSIFIER_SUFFIXES = (".pickle", ".joblib")


@dataclass(frozen=True)
class VersionInfo:
    name: str
    created: str
    fingerprint: str
    examples: int
    metrics: dict
    notes: str
    active: bool
    meta: dict = field(default_factory=dict)
    evaluations: tuple[dict, ...] = ()
    classifiers: tuple[str, ...] = TASK_FILES

    @property
    def seed_only(self) -> bool:
        """Evaluated only on the seed corpus's own templates, which says nothing about real messages."""
        return self.metrics.get("evaluated_on") == "seed" or (
            "evaluated_on" not in self.metrics and self.notes.startswith(SEED_NOTE))

    def task_source(self, task: str) -> dict:
        """How this version got its classifier for `task`: trained, carried (and from which version) or absent."""
        return self.meta.get("tasks", {}).get(task) or (
            {"source": "trained"} if task in self.classifiers else {"source": "absent"})

    def real_figures(self, task: str) -> dict | None:
        """Metrics of this version's `task` classifier on real cases it never saw, or None: its own
        held-out part when trained on real cases, else the latest later evaluation."""
        found = self.real_evaluation(task)
        return found[0] if found else None

    def real_evaluation(self, task: str) -> tuple[dict, dict | None] | None:
        """real_figures and where they were measured: None for the version's own held-out part, else
        the later evaluation ({"at", "by_retrain"}), so a page can say which retrain measured them."""
        if task not in self.classifiers:
            return None
        own = self.metrics.get("held_out", {}).get(task)
        if own and not self.seed_only:
            return own, None
        for evaluation in reversed(self.evaluations):
            if evaluation.get(task):
                return evaluation[task], evaluation
        return None


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / "versions"

    def active_version(self) -> str | None:
        pointer = self.root / "ACTIVE"
        if not pointer.exists():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        return name if name and (self.versions_dir / name / "meta.json").exists() else None

    def require_active(self) -> str:
        version = self.active_version()
        if version is None:
            raise ModelMissing(f"模型目录 {self.root} 中没有可用的 NLU 模型，请先运行 `minsheng db upgrade` "
                               "（会用种子语料训练初始模型）或 `minsheng nlu retrain`")
        return version

    def list_versions(self) -> list[VersionInfo]:
        if not self.versions_dir.exists():
            return []
        active = self.active_version()
        found = []
        for folder in sorted(self.versions_dir.iterdir()):
            meta_path = folder / "meta.json"
            if not meta_path.exists():
                continue
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            metrics_path = folder / "metrics.json"
            metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}
            found.append(VersionInfo(folder.name, meta.get("created", ""), meta.get("fingerprint", ""),
                                     int(meta.get("examples", 0)), metrics, meta.get("notes", ""),
                                     folder.name == active, meta, tuple(self.evaluations(folder.name)),
                                     tuple(t for t in TASK_FILES if classifier_file(folder, t))))
        return found

    def info(self, version: str) -> VersionInfo:
        for found in self.list_versions():
            if found.name == version:
                return found
        raise ModelMissing(f"没有模型版本 {version}")

    def trained_on(self, version: str) -> dict[str, frozenset[str]]:
        """Text hashes (see text_key) each classifier of `version` learned from; {} when not recorded."""
        path = self.versions_dir / version / "trained_on.json"
        if not path.exists():
            return {}
        return {task: frozenset(keys) for task, keys in json.loads(path.read_text(encoding="utf-8")).items()}

    def evaluations(self, version: str) -> list[dict]:
        path = self.versions_dir / version / "evaluations.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    def record_evaluation(self, version: str, evaluation: dict) -> None:
        """Keep a later figure for `version` (measured on cases it never saw), newest last."""
        folder = self.versions_dir / version
        found = [*self.evaluations(version), evaluation]
        temporary = folder / "evaluations.json.tmp"
        temporary.write_text(json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(temporary, folder / "evaluations.json")

    def save(self, model: "NluModel", metrics: dict, fingerprint: str, examples: int, notes: str = "", *,
             tasks: dict | None = None, trained_on: dict[str, Iterable[str]] | None = None) -> str:
        """Store a new version (not activated) and return its name; `tasks` says how each classifier
        came to be (meta.json), `trained_on` which texts each learned from."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        number = 1 + max((int(p.name.split("-")[0]) for p in self.versions_dir.iterdir()
                          if p.name.split("-")[0].isdigit()), default=0)
        name = f"{number:04d}-{now:%Y%m%dT%H%M%SZ}"
        folder = self.versions_dir / name
        partial = self.versions_dir / f".{name}.partial"
        model.save(partial)
        (partial / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
        meta = {"created": now.isoformat(timespec="seconds"), "fingerprint": fingerprint, "examples": examples,
                "notes": notes, **({"tasks": tasks} if tasks else {})}
        (partial / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        if trained_on is not None:
            keys = {task: sorted(set(found)) for task, found in trained_on.items()}
            (partial / "trained_on.json").write_text(json.dumps(keys), encoding="utf-8")
        partial.rename(folder)
        return name

    def activate(self, version: str) -> None:
        if not (self.versions_dir / version / "meta.json").exists():
            known = "，".join(v.name for v in self.list_versions()) or "（无）"
            raise ModelMissing(f"没有模型版本 {version}；现有版本：{known}")
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / "ACTIVE.tmp"
        temporary.write_text(version + "\n", encoding="utf-8")
        os.replace(temporary, self.root / "ACTIVE")

    def load(self, version: str | None = None) -> "NluModel":
        from nlu.model import NluModel

        return NluModel.load(self.versions_dir / (version or self.require_active()))


def classifier_file(folder: Path, task: str) -> Path | None:
    """The file holding a version's `task` classifier, in whichever format it was saved; None if absent."""
    return next((path for suffix in CLASSIFIER_SUFFIXES if (path := folder / f"{task}{suffix}").exists()), None)


def fingerprint(examples: Iterable[tuple[str, str | None, str | None]]) -> str:
    """sha256 of the sorted (text, category, topic) lines: the same training set gives the same print."""
    lines = sorted(f"{text}\t{category or ''}\t{topic or ''}" for text, category, topic in examples)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def text_key(text: str) -> str:
    """A short hash of a training text, enough to tell whether a classifier has seen it."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def list_versions(models_dir: Path) -> list[VersionInfo]:
    return ModelRegistry(models_dir).list_versions()


def active_version(models_dir: Path) -> str | None:
    return ModelRegistry(models_dir).active_version()


def activate(models_dir: Path, version: str) -> None:
    ModelRegistry(models_dir).activate(version)
