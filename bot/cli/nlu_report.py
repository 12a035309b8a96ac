"""How `minsheng nlu` reports: per-task figures and what a retrain did with each classifier (the
words come from bot.retraining, which the administrators' page shares)."""

from typing import TYPE_CHECKING

from rich.table import Table

from bot.cli.common import console

if TYPE_CHECKING:
    from nlu.model import NluModel
    from nlu.retrain import RetrainResult
    from storage.queries import LabelledCase


CORRECTION_SECTIONS = {"staff": "工作人员更正的诉求", "resident": "群众在登记时更正的诉求"}


def corrected_metrics(model: "NluModel", cases: list["LabelledCase"], seen: dict[str, frozenset[str]]) -> dict:
    """Category figures on the cases whose category a person corrected, by who corrected it; cases
    the model learned from (a retrain uses corrections) are left out, so the figure stays honest."""
    from nlu.evaluation import task_metrics
    from nlu.registry import text_key
    from nlu.segment import make_tokenizer

    clf = model.classifier("category")
    if clf is None:
        return {}
    learned = seen.get("category", frozenset())
    tokenizer, found = make_tokenizer(), {}
    for who in CORRECTION_SECTIONS:
        rows = [c for c in cases if c.corrected.get("category") == who]
        unseen = [c for c in rows if text_key(c.text) not in learned]
        figures = task_metrics(clf, [c.text for c in unseen], [c.category for c in unseen], tokenizer)
        if figures is not None:
            found[who] = {"category": figures, "skipped": len(rows) - len(unseen)}
        elif rows:
            found[who] = {"category": None, "skipped": len(rows)}
    return found


def print_retrain(result: "RetrainResult") -> None:
    """What became of each classifier, the gate's verdict in words, then the new figures."""
    from bot.retraining import forced, task_lines

    for line in task_lines(result):
        console.print(line)
    for warning in result.warnings:
        console.print(f"[yellow]注意：[/]{warning}")
    if forced(result):
        console.print(f"[bold yellow]警告：[/]已按 --force 启用一个未通过比较的模型，可用 "
                      f"`minsheng nlu activate {result.previous}` 回滚")
    mark = "[green]✓[/]" if result.promoted else "[yellow]![/]"
    console.print(f"{mark} 新版本 {result.version}：{result.reason}")
    print_metrics(console, dict(result.new_metrics))


def print_metrics(out, metrics: dict) -> None:
    """Accuracy, macro-F1, per-class table and confusion matrix per task, then latency."""
    names = {"category": "类别", "topic": "主题"}
    for task in ("category", "topic"):
        if task not in metrics:
            continue
        m = metrics[task]
        out.print(f"[bold]{names[task]}[/]（{m['n']} 条）：accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}")
        table = Table(show_header=True)
        for column in ("标签", "精确率", "召回率", "F1", "样本数"):
            table.add_column(column)
        for label, row in m["per_class"].items():
            table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                          str(row["support"]))
        out.print(table)
        labels, matrix = m["confusion"]["labels"], m["confusion"]["matrix"]
        confusion = Table(title="混淆矩阵（行：真实，列：预测）")
        confusion.add_column("")
        for label in labels:
            confusion.add_column(label[:4])
        for label, row in zip(labels, matrix, strict=True):
            confusion.add_row(label, *(str(v) for v in row))
        out.print(confusion)
        if metrics.get("confusion_png", {}).get(task):
            out.print(f"混淆矩阵图片：{metrics['confusion_png'][task]}")
    latency = metrics.get("latency_ms")
    if latency:
        out.print(f"单条延迟：p50 {latency['p50']:.2f} ms，p99 {latency['p99']:.2f} ms")
