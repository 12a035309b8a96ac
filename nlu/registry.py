"""Model versions on disk: every trained model kept with its metrics, training-set fingerprint,
creation time and notes; an `ACTIVE` file names the one in use (activate = roll back or forward).

    models_dir/versions/0003-20261127T101500Z/{category.joblib, topic.joblib, *-textcat/, metrics.json, meta.json}
    models_dir/ACTIVE
"""

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model stack (scikit-learn, spaCy) loads only when a model is saved or loaded
    from nlu.model import NluModel


class ModelMissing(RuntimeError):
    """No usable model: train one (ensure_model / minsheng nlu retrain)."""


@dataclass(frozen=True)
class VersionInfo:
    name: str
    created: str
    fingerprint: str
    examples: int
    metrics: dict
    notes: str
    active: bool


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
                                     folder.name == active))
        return found

    def save(self, model: "NluModel", metrics: dict, fingerprint: str, examples: int, notes: str = "") -> str:
        """Store a new version (not activated) and return its name."""
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
                "notes": notes}
        (partial / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
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


def fingerprint(examples: Iterable[tuple[str, str | None, str | None]]) -> str:
    """sha256 of the sorted (text, category, topic) lines: the same training set gives the same print."""
    lines = sorted(f"{text}\t{category or ''}\t{topic or ''}" for text, category, topic in examples)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def list_versions(models_dir: Path) -> list[VersionInfo]:
    return ModelRegistry(models_dir).list_versions()


def active_version(models_dir: Path) -> str | None:
    return ModelRegistry(models_dir).active_version()


def activate(models_dir: Path, version: str) -> None:
    ModelRegistry(models_dir).activate(version)
