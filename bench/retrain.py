"""The administrators' retraining path, end to end, on real messages of the kind it will see.

Splits ../shared/data/messages_dev.csv (stratified 80/20), imports the 80% as closed cases with
`minsheng cases import --closed` (text and topic only, as an archive usually is), runs `minsheng nlu
retrain` on a fresh install (whose active model is the seed one), then `minsheng nlu eval --json` on
the unseen 20%, and prints the figures. The archive has no category, so the category classifier
must be carried over: its figures on ../shared/data/categories_dev.csv are printed before and after
and must be the same. Everything runs in a scratch folder and database; nothing is copied into the
project.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "messages_dev.csv"
CATEGORIES = ROOT.parent / "shared" / "data" / "categories_dev.csv"
MINSHENG = str(Path(sys.executable).with_name("minsheng"))


def main() -> None:
    if not DATA.exists():
        print(f"找不到 {DATA}，跳过。")
        return
    with DATA.open(encoding="utf-8") as handle:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(handle) if r["text"].strip()]
    train, held = train_test_split(rows, test_size=0.2, random_state=0, stratify=[label for _, label in rows])
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        config = scratch / "config.toml"
        text = (ROOT / "config.toml").read_text(encoding="utf-8")
        text = text.replace('models_dir = "var/models"', f'models_dir = "{scratch / "models"}"')
        config.write_text(text.replace('"sample_district/', f'"{ROOT / "sample_district"}/'), encoding="utf-8")
        env = {**os.environ, "MINSHENG_DATABASE_URL": f"sqlite:///{scratch / 'bench.db'}", "MINSHENG_CONFIG": str(config)}
        _write(scratch / "archive.csv", train)
        _write(scratch / "unseen.csv", held)

        def run(*args: str) -> str:
            start = time.perf_counter()
            result = subprocess.run([MINSHENG, *args], env=env, cwd=ROOT, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"minsheng {' '.join(args)} 失败：{result.stderr}")
            print(f"  minsheng {' '.join(args[:2])}：{time.perf_counter() - start:.1f} 秒")
            return result.stdout

        run("db", "upgrade")
        seed_metrics = json.loads(run("nlu", "eval", str(scratch / "unseen.csv"), "--json", "--out", folder))
        seed_category = _category(run, folder)
        run("cases", "import", str(scratch / "archive.csv"), "--closed")
        said = run("nlu", "retrain").strip().splitlines()
        print("\n".join(f"  {line}" for line in said if line.startswith(("类别分类器", "主题分类器", "✓", "!", "注意"))))
        metrics = json.loads(run("nlu", "eval", str(scratch / "unseen.csv"), "--json", "--out", folder))
        category = _category(run, folder)
        print(run("nlu", "models").strip())
    if seed_category is not None and category is not None:
        print(f"类别（{CATEGORIES.name}，{category['n']} 条）：再训练前 macro-F1 {seed_category['macro_f1']:.4f}，"
              f"之后 {category['macro_f1']:.4f}（只有主题的档案不应改变类别分类器）")
    topic, seed = metrics["topic"], seed_metrics["topic"]
    print(f"种子模型（新安装）在未见过的 {topic['n']} 条上：主题 macro-F1 {seed['macro_f1']:.4f}")
    print(
        f"导入 {len(train)} 条已归档诉求再训练后：主题 macro-F1 {topic['macro_f1']:.4f}，"
        f"accuracy {topic['accuracy']:.4f}，单条延迟 p50 {metrics['latency_ms']['p50']:.2f} ms"
    )


def _category(run, folder: str) -> dict | None:  # type: ignore[no-untyped-def]
    """The active model's category figures on the double-labelled real messages, if present."""
    if not CATEGORIES.exists():
        return None
    return json.loads(run("nlu", "eval", str(CATEGORIES), "--json", "--out", folder)).get("category")


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
