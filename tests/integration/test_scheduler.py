"""The scheduler: date jobs planned from case state, stored in the app's database, surviving a
restart and firing once (SQLite and PostgreSQL)."""

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.bootstrap import App
from bot.leases import FileLease
from bot.scheduler import JOBS_TABLE, SchedulerSettings, jobstore_engine, run_scheduler
from handlers import commands as c
from handlers.case import Case
from handlers.status import Status
from tests.integration.processes import drop_jobs_table, fast_config, start_scheduler, stop, until
from tests.support import FakeClock, seed_registry

FAST = SchedulerSettings(sync_seconds=0.2, standby_seconds=0.2)
TOOK_THE_LEAD = "本进程已接管定时任务调度".encode()  # what bot.scheduler logs on taking the lease


@pytest.fixture
async def district(app: App, db_url: str, clock: FakeClock) -> App:
    """The registry, a clock at real time (the scheduler fires by the wall clock), no old jobs."""
    drop_jobs_table(db_url)
    clock.current = datetime.now(UTC)
    await seed_registry(app.sessions)
    return app


def stored_jobs(db_url: str) -> dict[str, float]:
    engine = jobstore_engine(db_url)
    try:
        with engine.connect() as conn:
            exists = engine.dialect.has_table(conn, JOBS_TABLE)
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all() if exists else []
    finally:
        engine.dispose()
    return {job_id: when for job_id, when in rows}


async def stored(app: App, number: str) -> Case:
    async with app.uow() as uow:
        return await uow.cases.get(number)


def filing() -> c.FileCase:
    return c.FileCase(
        actor="resident", text="小区门口垃圾堆了一周没人清", channel="telegram", user_ref="tg:42",
        category="dispute", topic="城乡建设", category_confidence=0.9, topic_confidence=0.9,
        grid_code="T01-C01-G01",
    )


async def test_stored_jobs_follow_the_case(district: App, db_url: str) -> None:
    number = (await district.bus.handle(filing())).number
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(district, stop, FAST))

    async def jobs_are(expected: dict[str, datetime]) -> bool:
        jobs = await asyncio.to_thread(stored_jobs, db_url)
        return jobs.keys() == expected.keys() and all(
            abs(jobs[k] - when.timestamp()) < 1 for k, when in expected.items() if when is not None
        )

    try:
        case = await stored(district, number)
        await until(lambda: jobs_are({f"remind:{number}": None, f"overdue:{number}": case.sign_deadline}))
        case = await district.bus.handle(c.AcceptCase("w", number))
        await until(lambda: jobs_are({f"remind:{number}": None, f"overdue:{number}": case.resolve_deadline}))
        await district.bus.handle(c.ResolveCase("w", number, "已清运"))
        visit = district.policies.clock.now() + timedelta(days=3)
        await until(lambda: jobs_are({f"return_visit:{number}": visit}))
        await district.bus.handle(c.RateCase("r", number, 5))
        await until(lambda: jobs_are({}))
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_a_due_job_fires_and_a_second_scheduler_stands_by(district: App, db_url: str, clock: FakeClock) -> None:
    """Overdue while nobody watched: the leader escalates once; the standby never runs it again."""
    clock.current = datetime.now(UTC) - timedelta(days=10)
    number = (await district.bus.handle(filing())).number
    clock.current = datetime.now(UTC)
    stop = asyncio.Event()
    leader = asyncio.create_task(run_scheduler(district, stop, FAST))
    standby = asyncio.create_task(run_scheduler(district, stop, FAST))
    try:
        await until(lambda: _status_is(district, number, Status.ESCALATED))
        await asyncio.sleep(1)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(leader, standby), 20)
    case = await stored(district, number)
    assert [e.kind for e in case.events].count("overdue") == 1 and case.department == "C-T01-C01"


async def _status_is(app: App, number: str, status: Status) -> bool:
    return (await stored(app, number)).status is status


async def test_a_sqlite_lock_file_admits_one_scheduler(tmp_path: Path) -> None:
    first, second = FileLease(tmp_path / "x.lock"), FileLease(tmp_path / "x.lock")
    assert await first.acquire() and not await second.acquire()
    await first.release()
    assert await second.acquire()
    await second.release()


async def test_a_stored_job_survives_a_restart_and_fires_once(
    district: App, db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    config = fast_config(tmp_path)
    number = (await district.bus.handle(filing())).number
    await district.bus.handle(c.AcceptCase("w", number))
    first = start_scheduler(db_url, config)
    try:
        await until(lambda: _leading(db_url))
        clock.current = datetime.now(UTC) - timedelta(days=3) + timedelta(seconds=4)
        # Written with a clock three days back: the running leader finds it by event id, not by time.
        await district.bus.handle(c.ResolveCase("w", number, "已清运"))  # 回访 times out 4 s from now
        await until(lambda: _has_job(db_url, f"return_visit:{number}"))
    finally:
        stop(first, signal.SIGKILL)
    assert (await stored(district, number)).status is Status.RESOLVED, "fired before the restart"
    await until(lambda: _past(clock.current + timedelta(days=3)))

    second = start_scheduler(db_url, config)
    try:
        await until(lambda: _status_is(district, number, Status.CLOSED))
        await until(lambda: _has_no_jobs(db_url))
    finally:
        assert stop(second) == 0
    third = start_scheduler(db_url, config)
    try:  # it takes the lead and makes its planning passes; nothing is left to fire
        await until(lambda: _took_the_lead(config.parent / "processes.log", times=3))
        await asyncio.sleep(1)
    finally:
        assert stop(third) == 0
    case = await stored(district, number)
    assert [e.kind for e in case.events].count("closed") == 1 and "未评价" in case.events[-1].note


async def _took_the_lead(log: Path, times: int) -> bool:
    """The scheduler processes sharing this log have taken the lead `times` times between them (a
    process stopped before it got that far would not show that a restart fires nothing twice)."""
    return log.exists() and log.read_bytes().count(TOOK_THE_LEAD) >= times


async def _leading(db_url: str) -> bool:
    """A leader has started its job store (the table exists) and made its first planning pass."""
    return await asyncio.to_thread(_table_exists, db_url)


def _table_exists(db_url: str) -> bool:
    engine = jobstore_engine(db_url)
    try:
        with engine.connect() as conn:
            return engine.dialect.has_table(conn, JOBS_TABLE)
    finally:
        engine.dispose()


async def _has_job(db_url: str, job_id: str) -> bool:
    return job_id in await asyncio.to_thread(stored_jobs, db_url)


async def _has_no_jobs(db_url: str) -> bool:
    return not await asyncio.to_thread(stored_jobs, db_url)


async def _past(moment: datetime) -> bool:
    return datetime.now(UTC) > moment + timedelta(milliseconds=200)
