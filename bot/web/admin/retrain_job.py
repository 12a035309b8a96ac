"""A retrain started from the models page: it runs in a thread while the page polls its progress,
one at a time in this worker and, through the retrain lease (bot.retraining.one_at_a_time), in the
deployment, so a retrain in another worker or `minsheng nlu retrain` refuses this one politely."""

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime

from bot.bootstrap import App
from bot.retraining import cases_summary, one_at_a_time, run_retrain, task_lines, training_cases
from nlu.registry import ModelRegistry
from storage.audit_log import AuditEntry, record

log = logging.getLogger(__name__)
AREA = "models"  # the audit log's area for everything done on the models page
LOG_LINES = 200  # a retrain's stages are a few dozen lines; more would only be a runaway


@dataclass
class RetrainRun:
    """What the page shows of a retrain: who started it, how far it is, its log, and how it ended."""

    started_by: str
    started_at: datetime
    stage: str = "读取已归档诉求"
    share: float = 0.0
    log: list[str] = field(default_factory=list)
    finished: bool = False
    promoted: bool | None = None  # None: it ended without a version (too few cases, an error)
    outcome: str = ""  # the gate's decision and reason in Chinese, or why there was no decision
    version: str | None = None
    warnings: list[str] = field(default_factory=list)  # what the gate let through but an administrator should know

    def progress(self, what: str, done: float) -> None:
        """nlu.progress.Report, called from the training thread: each new stage is one log line."""
        self.share = done
        if what != self.stage:
            self.stage = what
            if len(self.log) < LOG_LINES:
                self.log.append(what)

    def as_json(self) -> dict:
        return {"running": not self.finished, "stage": self.stage, "percent": round(self.share * 100),
                "log": list(self.log), "outcome": self.outcome, "promoted": self.promoted, "started_by": self.started_by}


class Retrainer:
    """The worker's one retrain: the latest run (kept after it ends, so the page can say how it ended)."""

    def __init__(self) -> None:
        self.run: RetrainRun | None = None
        self._task: asyncio.Task[None] | None = None  # held so the running task is not garbage-collected

    @property
    def running(self) -> bool:
        return self.run is not None and not self.run.finished

    async def start(self, app: App, actor: str) -> bool:
        """Starts a retrain in the background; False (and nothing started) while one runs anywhere."""
        if self.running:
            return False
        hold = AsyncExitStack()
        if not await hold.enter_async_context(one_at_a_time(app.settings.database_url)):
            await hold.aclose()
            return False
        now = app.policies.clock.now()
        try:
            await record(app.sessions, AuditEntry(now, actor, AREA, "retrain_started"))
        except BaseException:
            await hold.aclose()
            raise
        self.run = RetrainRun(actor, now)
        self._task = asyncio.create_task(self._retrain(app, self.run, hold))
        return True

    async def _retrain(self, app: App, run: RetrainRun, hold: AsyncExitStack) -> None:
        """The run ends (for the page) only once the lease is free and the log says how it ended."""
        try:
            async with hold:
                await self._attempt(app, run)
            action = {True: "retrain_promoted", False: "retrain_refused", None: "retrain_failed"}[run.promoted]
            await record(app.sessions, AuditEntry(app.policies.clock.now(), run.started_by, AREA, action,
                                                  run.version, run.outcome))
        finally:
            run.finished = True

    async def _attempt(self, app: App, run: RetrainRun) -> None:
        try:
            await self._train(app, run)
        except ValueError as exc:  # too few labelled cases: said in Chinese by nlu.retrain
            run.outcome = str(exc)
        except Exception:  # noqa: BLE001 - the page must say it ended, whatever went wrong
            log.exception("retrain started by %s failed", run.started_by)
            run.outcome = "重新训练出错，未生成新版本，当前模型保持不变；详情见服务日志。"

    async def _train(self, app: App, run: RetrainRun) -> None:
        cases = await training_cases(app.sessions)
        run.log.append(cases_summary(cases))
        registry = ModelRegistry(app.settings.models_dir)
        result = await asyncio.to_thread(run_retrain, cases, registry, with_textcat=app.settings.spacy_textcat,
                                         report=run.progress)
        run.log.extend(task_lines(result))
        run.log.extend(f"注意：{warning}" for warning in result.warnings)
        run.warnings = list(result.warnings)
        run.version, run.promoted = result.version, result.promoted
        run.outcome = result.reason
