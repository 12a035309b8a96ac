"""Retraining from the archive as `minsheng nlu retrain` and the administrators' models page both run
it: the labelled cases, one retrain at a time per deployment, and what a retrain and a version are
said to be in Chinese. Nothing here prints or renders; each side shows these words its own way."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.leases import open_lease
from nlu.progress import Report, silent
from nlu.registry import ModelRegistry
from storage.queries import LabelledCase, labelled_cases

if TYPE_CHECKING:
    from nlu.registry import VersionInfo
    from nlu.retrain import RetrainResult

LEASE = "retrain"
NO_REAL_EVALUATION = "尚无真实数据评估"
TASK_NAMES = {"category": "类别", "topic": "主题"}


async def training_cases(sessions: async_sessionmaker[AsyncSession]) -> list[LabelledCase]:
    async with sessions() as session:
        return await labelled_cases(session)


def cases_summary(cases: list[LabelledCase]) -> str:
    """What the retrain learns from, said before it starts: archived cases and who corrected how many."""
    closed = sum(1 for c in cases if c.closed)
    fixed = {who: sum(1 for c in cases if who in c.corrected.values()) for who in ("staff", "resident")}
    still_open = sum(1 for c in cases if not c.closed)
    corrections = (f"；其中分类经更正的：工作人员 {fixed['staff']} 条、群众 {fixed['resident']} 条"
                   f"{f'（含未办结 {still_open} 条，只用其更正的标注）' if still_open else ''}，训练时加权"
                   if any(fixed.values()) else "")
    return f"已归档且有标注的诉求：{closed} 条{corrections}"


def run_retrain(cases: list[LabelledCase], registry: ModelRegistry, *, with_textcat: bool, force: bool = False,
                seed: int = 0, fresh: bool = False, report: Report = silent) -> "RetrainResult":
    """nlu.retrain on the cases, each held-out figure able to name the case numbers it got wrong.
    CPU-bound: callers run it in a thread. Raises ValueError (in Chinese) when there is too little."""
    from nlu.retrain import retrain

    return retrain([c.example for c in cases], registry, force=force, seed=seed,
                   corrected=[frozenset(c.corrected) for c in cases], carry_over=not fresh,
                   keys=[c.number for c in cases], with_textcat=with_textcat, report=report)


@asynccontextmanager
async def one_at_a_time(database_url: str) -> AsyncIterator[bool]:
    """True while this process holds the deployment's retrain lease, False when another retrain (in
    another worker, or `minsheng nlu retrain`) runs: two would both save, and both compare against
    the same active version. An in-memory database serves one process, which needs no lease."""
    try:
        lease = open_lease(database_url, LEASE)
    except ValueError:
        yield True
        return
    try:
        yield await lease.acquire()
    finally:
        await lease.release()


def task_lines(result: "RetrainResult") -> list[str]:
    """One sentence per classifier: trained from how many cases, or carried over, and its figures."""
    lines = []
    for task in result.tasks.values():
        name = TASK_NAMES[task.task]
        if task.source == "trained":
            extra = f"，其中更正过的 {task.corrected} 条加权" if task.corrected else ""
            said = f"用 {task.train_examples} 条重新训练{extra}"
        elif task.source == "carried":
            said = f"沿用 {task.origin} 的分类器（新数据中{name}标注不足）"
        else:
            said = "无（数据中没有这项标注）"
        figures = f"；留出 {task.new['n']} 条上 macro-F1 {task.new['macro_f1']:.4f}" if task.new else ""
        versus = ""
        if task.active and task.new_compared and task.source == "trained":
            versus = (f"（当前模型 {task.active['macro_f1']:.4f}）" if task.active["n"] == task.new["n"] else
                      f"（两者都没训练过的 {task.active['n']} 条上：新 {task.new_compared['macro_f1']:.4f}，"
                      f"当前 {task.active['macro_f1']:.4f}）")
        lines.append(f"{name}分类器：{said}{figures}{versus}")
    return lines


def forced(result: "RetrainResult") -> bool:
    """A candidate that failed the comparison and was enabled anyway (--force): worth a loud warning."""
    return result.promoted and result.previous is not None and result.reason.startswith("强制启用")


def figure(version: "VersionInfo", task: str) -> str:
    """The macro-F1 shown for a version: only ever measured on real cases it was not trained on."""
    if task not in version.classifiers:
        return "—"
    found = version.real_figures(task)
    return f"{found['macro_f1']:.4f}（{found['n']} 条）" if found else NO_REAL_EVALUATION


def source(version: "VersionInfo", task: str, name: Callable[[str], str] = str) -> str:
    """How a version got its `task` classifier; `name` words the version it was carried from."""
    found = version.task_source(task)
    if found["source"] == "carried":
        return f"沿用 {name(found['from']) if found.get('from') else '上一版本'}"
    if found["source"] == "absent" or task not in version.classifiers:
        return "无"
    return "种子语料训练" if version.seed_only else "本版训练"
