"""NLU benchmark: topic macro-F1 by 5-fold CV beside the char-TF-IDF baseline, latency, throughput,
and category quality on real messages. Reads ../shared/data (never shipped); skips without it.

    .venv/bin/python bench/nlu.py [--data DIR] [--skip topic|category|speed] [--speed-only] [--textcat]

--textcat also trains the spaCy textcat member (config `[nlu] spacy_textcat`) in every fold and
prints its blend weights and the training time it costs, to decide whether it earns its place.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlu.analyzer import Analyzer  # noqa: E402
from nlu.classifier import SEED_MIN_TEMPERATURE  # noqa: E402
from nlu.evaluation import classification_metrics, evaluate  # noqa: E402
from nlu.gazetteer import Gazetteer, GridEntry, PlaceEntry  # noqa: E402
from nlu.model import NluModel  # noqa: E402
from nlu.seed import seed_training  # noqa: E402
from nlu.seed.scenarios import SLOTS  # noqa: E402
from nlu.segment import make_tokenizer  # noqa: E402
from nlu.training import prepare, train  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_csv(path: Path, label: str) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["text"].strip() and row[label].strip()]
    return [row["text"] for row in rows], [row[label] for row in rows]


def baseline_fold(texts, labels, train_idx, test_idx) -> float:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    x_train = vectorizer.fit_transform([texts[i] for i in train_idx])
    model = LinearSVC().fit(x_train, [labels[i] for i in train_idx])
    predicted = model.predict(vectorizer.transform([texts[i] for i in test_idx]))
    return f1_score([labels[i] for i in test_idx], predicted, average="macro")


def line(name: str, values: list[float], extra: str = "") -> str:
    return f"  {name:<34} macro-F1 {statistics.mean(values):.4f} ± {statistics.pstdev(values):.4f}{extra}"


def topic_cv(data: Path, folds: int, tokenizer, with_textcat: bool = False) -> tuple[object, list[str]]:
    texts, labels = read_csv(data / "messages_dev.csv", "label")
    print(f"主题（topic）：{data / 'messages_dev.csv'}，{len(texts)} 条，{folds} 折分层交叉验证（仅 text 列）")
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    base, ours, accuracy, members = [], [], [], []
    model = None
    for k, (train_idx, test_idx) in enumerate(splitter.split(texts, labels), start=1):
        start = time.perf_counter()
        base.append(baseline_fold(texts, labels, train_idx, test_idx))
        base_time = time.perf_counter() - start
        start = time.perf_counter()
        model = train([(texts[i], None, labels[i]) for i in train_idx], tokenizer=tokenizer, with_textcat=with_textcat)
        fit_time = time.perf_counter() - start
        metrics = evaluate(model, [(texts[i], None, labels[i]) for i in test_idx], tokenizer, latency_sample=0)
        ours.append(metrics["topic"]["macro_f1"])
        accuracy.append(metrics["topic"]["accuracy"])
        members.append(model.topic.info)
        print(f"  第 {k} 折：基线 {base[-1]:.4f}（{base_time:.0f} 秒） 本项目 {ours[-1]:.4f}（训练 {fit_time:.0f} 秒，"
              f"spaCy textcat 权重 {model.topic.textcat_weight}）", flush=True)
    print(line("基线 char 1-3 TF-IDF + LinearSVC", base))
    print(line("本项目（SVM+NB-SVM 集成，校准）", ours, f"  accuracy {statistics.mean(accuracy):.4f}"))
    print(f"  提升：{statistics.mean(ours) - statistics.mean(base):+.4f}（比值 {statistics.mean(ours) / statistics.mean(base):.3f}）")
    blends = [m.get("blend_macro_f1", {}) for m in members]
    if blends and blends[0]:
        print("  spaCy textcat 混合权重的折外 macro-F1：" + "，".join(
            f"{w}: {statistics.mean(b[w] for b in blends):.4f}" for w in blends[0]))
    return model, texts


def bench_gazetteer() -> Gazetteer:
    """A fictional district the size of a street office, from the seed corpus's invented names."""
    names = [*SLOTS["estate"], *SLOTS["building"], *SLOTS["place"], *SLOTS["school"], *SLOTS["market"]]
    grids = [GridEntry(f"B-G{i:02d}", f"第{i}网格", f"社区{i % 6}", f"街道{i % 2}") for i in range(24)]
    places = [PlaceEntry(name, grids[i % len(grids)].code, "小区") for i, name in enumerate(names)]
    places += [PlaceEntry(road, grids[(i * 3 + k) % len(grids)].code, "道路", road=road, number_from=k * 100 + 1,
                          number_to=k * 100 + 100) for i, road in enumerate(SLOTS["road"]) for k in range(3)]
    return Gazetteer(places, grids)


class OtherLoad:
    """CPU time other processes used while the block ran, in cores (from /proc/stat; None elsewhere).

    The 1-minute load average also counts this benchmark's own training, so it says little about
    whether someone else was competing for the two cores during a measurement."""

    def __enter__(self) -> "OtherLoad":
        self.cores = None
        self._start = (_busy_ticks(), _own_seconds(), time.perf_counter())
        return self

    def __exit__(self, *exc) -> None:
        busy, own, wall = self._start
        if busy is not None and (now := _busy_ticks()) is not None:
            elapsed = time.perf_counter() - wall
            self.cores = max(0.0, ((now - busy) / os.sysconf("SC_CLK_TCK") - (_own_seconds() - own)) / elapsed)

    def __str__(self) -> str:
        return "其他进程占用未知" if self.cores is None else f"其他进程同时占用 {self.cores:.1f} 核"


def _busy_ticks() -> int | None:
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return sum(fields[:8]) - fields[3] - fields[4]  # everything but idle and iowait


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def speed(model: NluModel, texts: list[str], tokenizer, runs: int = 3) -> None:
    """Both classifiers as in production: the topic model at hand plus a seed-trained category model."""
    examples, groups = seed_training()
    seed = [(text, category, None) for text, category, _ in examples]
    model = NluModel(train(seed, tokenizer=tokenizer, groups=groups).category, model.topic)
    analyzer = Analyzer(model, bench_gazetteer())
    for text in texts[:50]:
        analyzer.analyze(text)
    print(f"速度：{len(texts)} 条（本机 {os.cpu_count()} 核，测量前 1 分钟负载 {os.getloadavg()[0]:.2f}，含本脚本的训练）")
    timings = []
    with OtherLoad() as load:
        for text in texts:
            start = time.perf_counter()
            analyzer.analyze(text)
            timings.append((time.perf_counter() - start) * 1000)
    print(f"  单条延迟（类别 + 主题分类 + 抽取）：p50 {np.percentile(timings, 50):.2f} ms，"
          f"p99 {np.percentile(timings, 99):.2f} ms（{load}）")
    for workers, name in ((1, "1 个进程"), (2, "2 个进程"), (None, "analyze_many 默认，每核一个进程")):
        rates, loads = [], []
        for _ in range(runs):
            with OtherLoad() as load:
                start = time.perf_counter()
                analyzer.analyze_many(texts, workers=workers)
                rates.append(len(texts) / (time.perf_counter() - start))
            loads.append(load.cores)
        others = "未知" if None in loads else "–".join(f"{c:.1f}" for c in (min(loads), max(loads)))
        print(f"  批量吞吐（{name}）：中位数 {statistics.median(rates):.0f} 条/秒，{runs} 次 "
              f"{min(rates):.0f}–{max(rates):.0f}（其他进程同时占用 {others} 核）", flush=True)


def category_cv(data: Path, folds: int, tokenizer) -> None:
    """The seed model a fresh install ships, on every real message, beside a char-n-gram baseline
    trained on the same seed corpus; then the retrain path: k-fold, the training folds as closed
    cases with categories, scored on the held-out fold."""
    texts, labels = read_csv(data / "categories_dev.csv", "category")
    examples, groups = seed_training()
    seed = [(text, category, None) for text, category, _ in examples]
    print(f"类别（category）：{data / 'categories_dev.csv'}，{len(texts)} 条真实留言；种子语料 {len(seed)} 条（含手写留言）")
    seed_model = train(seed, tokenizer=tokenizer, groups=groups, category_min_temperature=SEED_MIN_TEMPERATURE)
    held = [(text, label, None) for text, label in zip(texts, labels, strict=True)]
    print(category_line("种子模型（全新安装）", evaluate(seed_model, held, tokenizer, latency_sample=0)["category"],
                        calibration(seed_model, texts, labels, tokenizer)))
    baseline = baseline_model([t for t, _, _ in seed], [c for _, c, _ in seed])
    print(category_line("基线 char 1-3 TF-IDF + LinearSVC（同一种子语料）",
                        classification_metrics(labels, list(baseline.predict(texts)))))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    runs, base_runs = [], []
    for train_idx, test_idx in splitter.split(texts, labels):
        fold = [held[i] for i in train_idx]
        runs.append(evaluate(train(fold, tokenizer=tokenizer), [held[i] for i in test_idx], tokenizer,
                             latency_sample=0)["category"])
        base = baseline_model([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        base_runs.append(classification_metrics([labels[i] for i in test_idx],
                                                list(base.predict([texts[i] for i in test_idx]))))
    print(f"  重新训练路径：{folds} 折，训练折作为已办结案件（带类别）训练，在留出折上评估")
    print(category_line("本项目", mean_metrics(runs)))
    print(category_line("基线 char 1-3 TF-IDF + LinearSVC", mean_metrics(base_runs)))


def baseline_model(texts: list[str], labels: list[str]):
    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                         LinearSVC()).fit(texts, labels)


def calibration(model: NluModel, texts: list[str], labels: list[str], tokenizer, bins: int = 10) -> str:
    """Expected calibration error of the reported confidence (10 equal-width bins) and how many
    answers were wrong while reporting more than 0.95."""
    cut, words = prepare(texts, tokenizer)
    probs = model.category.probabilities(cut, words)
    confidence = probs.max(axis=1)
    right = np.array([model.category.classes[k] for k in probs.argmax(axis=1)]) == np.array(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = sum(abs(right[m].mean() - confidence[m].mean()) * m.mean()
              for lo, hi in zip(edges[:-1], edges[1:], strict=True)
              if (m := (confidence > lo) & (confidence <= hi)).any())
    wrong_sure = int(((confidence > 0.95) & ~right).sum())
    return f"  ECE {ece:.3f}，置信度 > 0.95 却答错 {wrong_sure} 条（{wrong_sure / len(texts):.1%}）"


def mean_metrics(runs: list[dict]) -> dict:
    classes = ("dispute", "service", "petition")
    return {"accuracy": statistics.mean(r["accuracy"] for r in runs),
            "macro_f1": statistics.mean(r["macro_f1"] for r in runs),
            "per_class": {c: {"f1": statistics.mean(r["per_class"].get(c, {}).get("f1", 0.0) for r in runs),
                              "recall": statistics.mean(r["per_class"].get(c, {}).get("recall", 0.0) for r in runs)}
                          for c in classes}}


def category_line(name: str, metrics: dict, extra: str = "") -> str:
    per_class = metrics["per_class"]
    return (f"  {name:<24} accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  F1 " +
            " ".join(f"{c} {per_class.get(c, {}).get('f1', 0.0):.2f}" for c in ("dispute", "service", "petition")) +
            extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip", choices=("topic", "category", "speed"), action="append", default=[])
    parser.add_argument("--speed-only", action="store_true",
                        help="只测速度：用 4/5 的留言训练一个主题模型（约一折的大小），不做交叉验证")
    parser.add_argument("--textcat", action="store_true", help="同时训练 spaCy textcat 成员，报告其混合权重与训练耗时")
    args = parser.parse_args()
    if args.speed_only:
        args.skip = ["topic", "category"]
    if not (args.data / "messages_dev.csv").exists():
        print(f"跳过：找不到评测数据 {args.data}（需要 ../shared/data/messages_dev.csv）")
        return 0
    tokenizer = make_tokenizer()
    if "topic" not in args.skip:
        model, texts = topic_cv(args.data, args.folds, tokenizer, args.textcat)
    elif "speed" not in args.skip:
        texts, labels = read_csv(args.data / "messages_dev.csv", "label")
        model = train([(t, None, label) for i, (t, label) in enumerate(zip(texts, labels, strict=True)) if i % 5],
                      tokenizer=tokenizer)  # four fifths, the size of one CV fold's model
    if "speed" not in args.skip:
        speed(model, texts, tokenizer)
    if "category" not in args.skip:
        category_cv(args.data, args.folds, tokenizer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
