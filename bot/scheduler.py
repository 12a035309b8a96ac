"""The deployment's one scheduler: APScheduler jobs kept in the app's own database.

Every worker may run `run_scheduler`; only the lease holder (bot/leases.py) schedules, and a
standby takes over when the holder dies. A planning pass (`sync_jobs`) turns each case's timed
rules (handlers/supervision.py) into one stored date job per rule; a fired job (`timed_job`) sends
its command through the bus, and the command itself ignores a job that no longer applies. The
early-warning scan (bot/warning_scan.py) runs every [warning] scan_minutes beside it, and the
retention job (bot/privacy_purge.py) every [privacy] purge_hours.

APScheduler runs on its own thread (BackgroundScheduler) because its job store does blocking SQL:
on the event loop, a blocking SQLite write would wait for a write lock held by an async transaction
on that very loop. Jobs hand their work back to the app's loop.
"""

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from bot.bootstrap import App, build_app
from bot.leases import open_lease, pause
from bot.privacy_purge import purge
from bot.settings import Settings, load_settings
from bot.warning_scan import scan, warning_policy
from handlers.case import Case
from handlers.errors import DomainError
from handlers.status import AT_DEPARTMENT, Status
from handlers.supervision import KINDS, SupervisionPolicy, TimedJob, timed_command, timed_jobs
from handlers.warning import WarningPolicy
from storage.db import make_sync_engine as jobstore_engine  # the job table lives in the app's database
from storage.supervision_queries import case_files, last_event_id

log = logging.getLogger(__name__)
JOBS_TABLE = "apscheduler_jobs"
# Each pass looks this many events back, so a transaction that committed after a later one
# (its event ids are lower) is still seen.
SYNC_OVERLAP_EVENTS = 200
# A full planning pass now and then repairs whatever an incremental one missed.
FULL_SYNC_EVERY = timedelta(hours=1)
T = TypeVar("T")


@dataclass(frozen=True)
class SchedulerSettings:
    policy: SupervisionPolicy = SupervisionPolicy()
    sync_seconds: float = 30
    standby_seconds: float = 5
    job_timeout_seconds: float = 300
    warning: WarningPolicy = WarningPolicy()

    @classmethod
    def from_settings(cls, settings: Settings) -> "SchedulerSettings":
        section = settings.section("supervision")
        policy = SupervisionPolicy(
            remind_at=float(section.get("remind_at", 0.75)),
            return_visit_days=float(section.get("return_visit_days", 3)),
        )
        return cls(
            policy=policy,
            sync_seconds=float(section.get("sync_seconds", 30)),
            standby_seconds=float(section.get("standby_seconds", 5)),
            warning=warning_policy(settings.section("warning")),
        )


@dataclass
class _Leader:
    """What the jobs of the leading scheduler in this process work with (APScheduler keeps only
    references to module-level functions and their plain arguments)."""

    app: App
    loop: asyncio.AbstractEventLoop
    scheduler: BackgroundScheduler
    settings: SchedulerSettings
    watermark: int = 0  # the highest case event id the last pass had seen
    last_full: datetime | None = None
    running: int = 0
    closed: bool = False
    idle: threading.Condition = field(default_factory=threading.Condition)

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the app's event loop and wait for it from the scheduler's thread."""
        future = asyncio.run_coroutine_threadsafe(work, self.loop)
        return future.result(self.settings.job_timeout_seconds)

    def drain(self) -> None:
        """Refuse new job runs and wait for those under way (they need the store still open).

        APScheduler's own shutdown(wait=True) would deadlock: it holds the job-store lock while
        waiting for a job that is itself waiting for that lock."""
        with self.idle:
            self.closed = True
            self.idle.wait_for(lambda: self.running == 0, self.settings.job_timeout_seconds)


_leader: _Leader | None = None


@contextmanager
def _job_run() -> Iterator[_Leader | None]:
    """The leader a job runs for, or None once that leader is shutting down."""
    leader = _leader
    if leader is None:
        yield None
        return
    with leader.idle:
        if leader.closed:
            leader = None
        else:
            leader.running += 1
    try:
        yield leader
    finally:
        if leader is not None:
            with leader.idle:
                leader.running -= 1
                leader.idle.notify_all()


def timed_job(kind: str, number: str, due: str) -> None:
    """A stored date job fired: send its command; a case that moved on makes it a no-op."""
    with _job_run() as leader:
        if leader is not None:
            leader.call(_handle(leader.app, timed_command(kind, number, datetime.fromisoformat(due))))


def sync_jobs() -> None:
    """Plan date jobs for cases changed since the last pass (every open case now and then)."""
    with _job_run() as leader:
        if leader is not None:
            _sync(leader)


def warning_job() -> None:
    """滚动排查: judge this and last week's counts; a flag found again is the same flag."""
    with _job_run() as leader:
        if leader is not None:
            found = leader.call(scan(leader.app, leader.settings.warning))
            log.info("滚动排查完成：本周与上周共 %d 条预警", len(found))


def retention_job() -> None:
    """个人信息保存期限: erase what finished cases past their period still hold; a case erased is not due again."""
    with _job_run() as leader:
        if leader is not None:
            budget = leader.settings.job_timeout_seconds * 0.8
            report = leader.call(purge(leader.app, leader.app.settings.privacy, budget_seconds=budget))
            log.info("个人信息清理完成：删除 %d 件诉求的个人信息%s", report.count, "，其余下次继续" if report.remaining else "")


def _sync(leader: _Leader) -> None:
    now = datetime.now(UTC)
    if leader.last_full is None or now - leader.last_full > FULL_SYNC_EVERY:
        leader.last_full = now
        mark, cases = leader.call(_load(leader.app, statuses=[*AT_DEPARTMENT, Status.RESOLVED]))
        existing: dict[str, Job] | None = {job.id: job for job in leader.scheduler.get_jobs("default")}
    else:
        since = max(leader.watermark - SYNC_OVERLAP_EVENTS, 0)
        mark, cases = leader.call(_load(leader.app, changed_after_event=since))
        existing = None
    planned: set[str] = set()
    for case in cases:
        if leader.closed:
            return
        planned.update(plan(leader.scheduler, case, leader.settings.policy, existing))
    if existing is not None:
        for job_id in set(existing) - planned:
            _remove(leader.scheduler, job_id)
    leader.watermark = mark


def plan(
    scheduler: BackgroundScheduler, case: Case, policy: SupervisionPolicy, existing: dict[str, Job] | None = None
) -> list[str]:
    """Make the stored jobs match what the case needs now; returns the ids it keeps."""
    wanted = {job.id: job for job in timed_jobs(case, policy)}
    for kind in KINDS:
        job_id = f"{kind}:{case.number}"
        current = existing.get(job_id) if existing is not None else scheduler.get_job(job_id)
        job = wanted.get(job_id)
        if job is None:
            if current is not None:
                _remove(scheduler, job_id)
        elif current is None or not _same(current, job):
            scheduler.add_job(
                timed_job, "date", run_date=job.at, args=_args(job), id=job_id, name=job_id, replace_existing=True
            )
    return list(wanted)


async def run_scheduler(app: App, stop: asyncio.Event, settings: SchedulerSettings | None = None) -> None:
    """Stand by until this process holds the lease, then schedule until `stop` or the lease is lost."""
    settings = settings or SchedulerSettings.from_settings(app.settings)
    lease = open_lease(app.settings.database_url)
    try:
        while not stop.is_set():
            if await lease.acquire():
                log.info("本进程已接管定时任务调度")
                await _lead(app, stop, settings, lease.held)
                log.info("本进程已停止定时任务调度")
            else:
                await pause(stop, settings.standby_seconds)
    finally:
        await lease.release()


def build_scheduler(engine: Engine) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE),
            "memory": MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=UTC,
    )


async def _lead(
    app: App, stop: asyncio.Event, settings: SchedulerSettings, held: Callable[[], Awaitable[bool]]
) -> None:
    global _leader
    engine = jobstore_engine(app.settings.database_url)
    scheduler = build_scheduler(engine)
    leader = _leader = _Leader(app, asyncio.get_running_loop(), scheduler, settings)
    scheduler.add_job(
        sync_jobs, "interval", seconds=settings.sync_seconds, id="sync", jobstore="memory",
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        warning_job, "interval", minutes=settings.warning.scan_minutes, id="warning", jobstore="memory",
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        retention_job, "interval", hours=app.settings.privacy.purge_hours, id="retention", jobstore="memory",
        next_run_time=datetime.now(UTC),
    )
    await asyncio.to_thread(scheduler.start)
    try:
        while not stop.is_set() and await held():
            await pause(stop, min(settings.standby_seconds, 2))
    finally:
        await asyncio.to_thread(scheduler.shutdown, False)
        await asyncio.to_thread(leader.drain)
        _leader = None
        # The scheduler's thread may have touched the store once more while shutting down.
        engine.dispose()


async def _handle(app: App, command: Any) -> None:
    try:
        await app.bus.handle(command)
    except DomainError as exc:
        log.warning("定时任务 %s（%s）未执行：%s", type(command).__name__, command.number, exc.message)


async def _load(app: App, **filters: Any) -> tuple[int, list[Case]]:
    """The newest event id, then the case files: whatever lands in between is seen next pass."""
    async with app.sessions() as session:
        mark = await last_event_id(session)
        return mark, await case_files(session, **filters)


def _args(job: TimedJob) -> tuple[str, str, str]:
    return (job.kind, job.number, job.due.isoformat())


def _same(current: Job, job: TimedJob) -> bool:
    moment = current.next_run_time
    return tuple(current.args) == _args(job) and moment is not None and abs(moment - job.at) < timedelta(seconds=1)


def _remove(scheduler: BackgroundScheduler, job_id: str) -> None:
    try:
        scheduler.remove_job(job_id, "default")
    except JobLookupError:
        pass  # fired (and removed itself) in the meantime


def main() -> None:
    """`python -m bot.scheduler`: a process that only schedules (stand-by until it holds the lease)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def serve() -> None:
        app = build_app(load_settings())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await run_scheduler(app, stop)
        finally:
            await app.close()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
