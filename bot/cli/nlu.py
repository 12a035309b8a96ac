"""NLU commands: `classify` texts or transcripts to JSONL, and `nlu eval|models|activate|retrain`."""

import asyncio
import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.cli.common import console, err_console, fail, friendly_errors, open_app, run_async
from bot.cli.nlu_report import CORRECTION_SECTIONS, corrected_metrics, print_metrics, print_retrain
from bot.cli.output import FORMAT_OPTION, Column, Format, Listing, job_progress, print_listing

if TYPE_CHECKING:
    from nlu.analyzer import Analyzer
    from nlu.registry import ModelRegistry

# Each command imports the model stack (scikit-learn, spaCy, matplotlib), the database and cn2an
# (for transcripts) itself, so that every other `minsheng` command starts without paying for them.

nlu_app = typer.Typer(help="中文理解模型：评估、版本、重新训练", no_args_is_help=True)
PROGRESS_FROM = 50
CLASSIFY_BATCH = 1000


def register(app: typer.Typer) -> None:
    app.command("classify", help="对文本或通话记录分类并抽取地点等信息，每条输入输出一行 JSON")(classify)
    app.add_typer(nlu_app, name="nlu")


@friendly_errors
def classify(
    ctx: typer.Context,
    source: str = typer.Argument("-", help="输入文件（每行一条文本，或 JSONL 的 text 字段）；- 表示标准输入"),
) -> None:
    """The database is read first and closed, so that the analysis runs in a process without threads
    and `analyze_many` can fork a worker per core for long inputs (a batch of CLASSIFY_BATCH at a time,
    written as soon as it is done)."""
    records = list(_read_inputs(source))
    models_dir, grids, places, owners = asyncio.run(_directory(ctx))
    analyzer = _load_analyzer(models_dir, grids, places)
    with _progress(len(records)) as advance:
        for start in range(0, len(records), CLASSIFY_BATCH):
            batch = records[start : start + CLASSIFY_BATCH]
            complaints = [_complaint_text(record.get("text", "")) for record in batch]
            analyses = analyzer.analyze_many([text for text, _ in complaints])
            for record, (text, transcript), analysis in zip(batch, complaints, analyses, strict=True):
                result = analysis.to_json()
                result["department"] = owners.get(result["topic"]) if result["topic"] else None
                if transcript:
                    result["caller_text"] = text
                if "id" in record:
                    result = {"id": record["id"], **result}
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            advance(len(batch))


async def _directory(ctx: typer.Context) -> tuple[Path, list, list, dict[str, str]]:
    """What classification needs from the database: the grid registry and who owns each topic."""
    from storage.directory_repository import read_registry

    async with open_app(ctx) as app:
        registry = await read_registry(app.sessions)
        return app.settings.models_dir, registry.grids, registry.places, {
            topic: d.name for d in registry.departments for topic in d.topics}


@nlu_app.command("eval", help="在带标注的文件（CSV 或 JSONL，含 text 及 topic/category）上评估当前模型，"
                             "并单列工作人员和群众更正过类别的诉求")
@run_async
async def eval_command(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="CSV 或 JSONL 文件；省略时只评估数据库中更正过类别的诉求"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出指标"),
    out: Path = typer.Option(Path("."), "--out", help="混淆矩阵 PNG 的保存目录"),
) -> None:
    from bot.retraining import TASK_NAMES
    from nlu.evaluation import evaluate
    from nlu.registry import ModelRegistry
    from nlu.report import confusion_png
    from storage.queries import labelled_cases

    examples = read_labelled(file) if file is not None else []
    if file is not None and not examples:
        raise fail(f"{file} 中没有带 text 和 topic/category 标注的记录")
    async with open_app(ctx) as app:
        async with app.sessions() as session:
            cases = await labelled_cases(session)
        models_dir = app.settings.models_dir
    registry = ModelRegistry(models_dir)
    version = _required(registry)
    model, seen = registry.load(version), registry.trained_on(version)
    corrected = await asyncio.to_thread(corrected_metrics, model, cases, seen)
    if file is None and not any(found["category"] for found in corrected.values()):
        raise fail("数据库中还没有可用于评估的更正过类别的诉求（未被当前模型训练过的）；请指定带标注的文件")
    examples, left_out = unseen_labels(examples, seen)
    metrics = await asyncio.to_thread(evaluate, model, examples) if examples else {}
    metrics["model_version"] = version
    metrics["left_out_as_trained"] = left_out
    pictures = {task: str(confusion_png(metrics[task]["confusion"], out / f"nlu-eval-{task}.png", task))
                for task in ("category", "topic") if task in metrics}
    metrics["confusion_png"] = pictures
    metrics["corrected"] = corrected
    if as_json:
        sys.stdout.write(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
        return
    print_metrics(console, metrics)
    for task, count in left_out.items():
        console.print(f"另有 {count} 条{TASK_NAMES[task]}标注的记录已用于训练当前模型，未计入{TASK_NAMES[task]}指标")
    for who, title in CORRECTION_SECTIONS.items():
        if who not in corrected:
            continue
        found = corrected[who]
        if found["category"] is None:
            console.print(f"\n[bold]{title}[/]：{found['skipped']} 条都已用于训练当前模型 {version}，无法如实评估")
            continue
        skipped = f"，另有 {found['skipped']} 条已用于训练、未计入" if found["skipped"] else ""
        console.print(f"\n[bold]{title}[/]（当前模型 {version}{skipped}）")
        print_metrics(console, {"category": found["category"]})


def unseen_labels(examples: list[tuple[str, str | None, str | None]], seen: dict[str, frozenset[str]]
                  ) -> tuple[list[tuple[str, str | None, str | None]], dict[str, int]]:
    """Each label kept only where that task's classifier never learned from the text, so a figure
    printed for the model is never measured on its own training data; how many were left out, per task."""
    from nlu.registry import text_key

    kept, left_out = [], {"category": 0, "topic": 0}
    for text, category, topic in examples:
        key = text_key(text)
        labels = {"category": category, "topic": topic}
        for task, label in labels.items():
            if label and key in seen.get(task, frozenset()):
                labels[task] = None
                left_out[task] += 1
        if labels["category"] or labels["topic"]:
            kept.append((text, labels["category"], labels["topic"]))
    return kept, {task: n for task, n in left_out.items() if n}


@nlu_app.command("models", help="列出全部模型版本及其指标")
@run_async
async def models(ctx: typer.Context, form: Format | None = FORMAT_OPTION) -> None:
    from bot.retraining import figure, source
    from nlu.registry import ModelRegistry

    async with open_app(ctx) as app:
        registry = ModelRegistry(app.settings.models_dir)
    versions = registry.list_versions()
    if not versions:
        console.print(f"模型目录 {registry.root} 中还没有模型。")
        return
    columns = (Column("active", "启用"), Column("version", "版本"), Column("created", "创建时间"),
               Column("examples", "样本数"), Column("category_macro_f1", "类别 macro-F1"),
               Column("category_source", "类别分类器"), Column("topic_macro_f1", "主题 macro-F1"),
               Column("topic_source", "主题分类器"), Column("fingerprint", "训练集指纹"), Column("notes", "说明"))
    listing = Listing("NLU 模型版本（指标均在模型未训练过的真实诉求上测得）", columns)
    for v in versions:
        listing.add("★" if v.active else "", v.name, v.created, str(v.examples), figure(v, "category"),
                    source(v, "category"), figure(v, "topic"), source(v, "topic"), v.fingerprint[:12], v.notes)
    print_listing(console, listing, form)


@nlu_app.command("activate", help="启用指定的模型版本（回滚或前滚）")
@run_async
async def activate(ctx: typer.Context, version: str = typer.Argument(..., help="版本名，见 minsheng nlu models")) -> None:
    from nlu.registry import ModelMissing, ModelRegistry

    async with open_app(ctx) as app:
        registry = ModelRegistry(app.settings.models_dir)
    try:
        registry.activate(version)
    except ModelMissing as exc:
        raise fail(str(exc)) from None
    console.print(f"[green]✓[/] 已启用模型版本 {version}")


@nlu_app.command("retrain", help="用已归档诉求和工作人员、群众更正过的分类重新训练，逐项不差于当前模型才启用")
@run_async
async def retrain(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="无论评估结果如何都启用新模型"),
    seed: int = typer.Option(0, "--seed", help="随机种子（数据划分）"),
    fresh: bool = typer.Option(False, "--fresh", help="只用本次数据训练，不沿用当前模型的分类器"
                                                      "（缺少的分类器会让比较不通过，除非 --force）"),
) -> None:
    from bot.retraining import cases_summary, one_at_a_time, run_retrain
    from nlu.registry import ModelRegistry
    from storage.queries import labelled_cases

    async with open_app(ctx) as app:
        async with app.sessions() as session:
            cases = await labelled_cases(session)
        registry = ModelRegistry(app.settings.models_dir)
    console.print(cases_summary(cases))
    async with one_at_a_time(app.settings.database_url) as ours:
        if not ours:
            raise fail("另一次重新训练正在进行（可能是在管理员页面上启动的），请等它结束后再试")
        try:
            with job_progress(err_console, "重新训练") as report:
                result = await asyncio.to_thread(
                    run_retrain, cases, registry, force=force, seed=seed, fresh=fresh,
                    with_textcat=app.settings.spacy_textcat, report=report)
        except ValueError as exc:
            raise fail(str(exc)) from None
    print_retrain(result)


def read_labelled(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(text, category, topic) from CSV or JSONL; a `label` column counts as the topic."""
    raw = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json") or raw.lstrip().startswith("{"):
        rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    else:
        rows = list(csv.DictReader(io.StringIO("".join(l for l in raw.splitlines(True) if not l.startswith("#")))))
    examples = []
    for row in rows:
        text = (row.get("text") or "").strip()
        category = (row.get("category") or "").strip() or None
        topic = (row.get("topic") or row.get("label") or "").strip() or None
        if text and (category or topic):
            examples.append((text, category, topic))
    return examples


def _read_inputs(source: str) -> Iterator[dict]:
    handle = sys.stdin if source == "-" else open(source, encoding="utf-8-sig")  # noqa: SIM115
    try:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    record = {"text": line}
                yield record if isinstance(record, dict) else {"text": line}
            else:
                yield {"text": line}
    finally:
        if handle is not sys.stdin:
            handle.close()


def _complaint_text(text: str) -> tuple[str, bool]:
    """A pasted call transcript → the caller's words; anything else unchanged."""
    from nlu.transcripts import TranscriptError, parse_transcript

    try:
        transcript = parse_transcript(text)
    except TranscriptError:
        return text, False
    labelled = any(turn.speaker != "unknown" for turn in transcript.turns)
    return (transcript.caller_text, True) if labelled and transcript.caller_text else (text, False)


def _load_analyzer(models_dir: Path, grids: list, places: list) -> "Analyzer":
    from nlu.analyzer import Analyzer
    from nlu.gazetteer import Gazetteer
    from nlu.registry import ModelMissing

    try:
        return Analyzer.load(models_dir, Gazetteer.from_registry(grids, places))
    except ModelMissing as exc:
        raise fail(str(exc)) from None


def _required(registry: "ModelRegistry") -> str:
    from nlu.registry import ModelMissing

    try:
        return registry.require_active()
    except ModelMissing as exc:
        raise fail(str(exc)) from None


class _progress:
    """A rich progress bar on stderr for long inputs; silent for short ones. It redraws when advanced,
    not from a refresh thread: a process with a thread cannot fork analysis workers safely."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = Progress(TextColumn("分类中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=err_console, transient=True, auto_refresh=False) if total >= PROGRESS_FROM else None

    def __enter__(self) -> Callable[[int], None]:
        if self.bar is None:
            return lambda done: None
        bar = self.bar
        bar.start()
        task = bar.add_task("classify", total=self.total)

        def advance(done: int) -> None:
            bar.advance(task, done)
            bar.refresh()

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

