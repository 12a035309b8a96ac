"""Supervision figures: the scheduler's planning pass (reading case files, storing date jobs) and
the dashboard's aggregation, over a few thousand open cases.

Run: python bench/supervision.py [--cases 2000] [--db sqlite,postgresql]
"""

import argparse
import asyncio
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, scratch_database  # noqa: E402
from bot.bootstrap import App, build_app  # noqa: E402
from bot.scheduler import SchedulerSettings, build_scheduler, jobstore_engine, plan  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.web.staff.dashboard import gather  # noqa: E402
from handlers.commands import AcceptCase, FileCase, ResolveCase  # noqa: E402
from handlers.status import AT_DEPARTMENT, Status  # noqa: E402
from handlers.supervision import timed_jobs  # noqa: E402
from storage.importers.registry import import_district  # noqa: E402
from storage.supervision_queries import case_files  # noqa: E402

CATEGORIES = ["dispute", "service", "petition"]


async def setup(url: str, count: int) -> App:
    os.environ["MINSHENG_DATABASE_URL"] = url
    app = build_app(load_settings(ROOT / "config.toml"))
    files = app.settings.district_files
    async with app.sessions() as session:
        await import_district(session, files["grids"], files["places"], files["departments"])
    async with app.uow() as uow:
        grids = [g.code for g in await uow.directory.grids()]
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            case = await app.bus.handle(FileCase(
                actor="bench", text="小区路灯坏了", channel="web", user_ref=f"web:{i}", category=CATEGORIES[i % 3],
                topic="城乡建设", category_confidence=0.9, topic_confidence=0.9, grid_code=grids[i % len(grids)],
            ))
            if i % 2 and case.status is Status.DISPATCHED:
                await app.bus.handle(AcceptCase("bench", case.number))
            if i % 6 == 1 and case.status is Status.DISPATCHED:
                await app.bus.handle(ResolveCase("bench", case.number, "已修复"))

    await asyncio.gather(*(worker() for _ in range(8)))
    return app


async def run(kind: str, count: int) -> None:
    async with scratch_database(kind) as url:
        if url is None:
            return
        app = await setup(url, count)
        try:
            policy = SchedulerSettings.from_settings(app.settings).policy
            start = time.perf_counter()
            async with app.sessions() as session:
                cases = await case_files(session, statuses=[*AT_DEPARTMENT, Status.RESOLVED])
            loaded = time.perf_counter() - start
            jobs = [job for case in cases for job in timed_jobs(case, policy)]
            planned = time.perf_counter() - start
            print(f"[{kind}] 读取 {len(cases)} 件在办诉求的完整档案 {loaded * 1000:.0f} ms，"
                  f"算出 {len(jobs)} 个定时任务共 {planned * 1000:.0f} ms")

            engine = jobstore_engine(url)
            scheduler = build_scheduler(engine)
            scheduler.start(paused=True)
            start = time.perf_counter()
            for case in cases:
                await asyncio.to_thread(plan, scheduler, case, policy)
            first = time.perf_counter() - start
            start = time.perf_counter()
            existing = {job.id: job for job in scheduler.get_jobs("default")}
            for case in cases:
                plan(scheduler, case, policy, existing)
            again = time.perf_counter() - start
            scheduler.shutdown(wait=False)
            engine.dispose()
            print(f"[{kind}] 首次写入任务库 {len(jobs) / first:.0f} 个/秒；无变化的全量核对 {again * 1000:.0f} ms")

            today = app.policies.clock.now().astimezone(app.policies.calendar.tz).date()
            start = time.perf_counter()
            board = await gather(app, today - timedelta(days=89), today)
            print(f"[{kind}] 统计分析（{board.total} 件，90 天）{(time.perf_counter() - start) * 1000:.0f} ms")
        finally:
            await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    for kind in args.db.split(","):
        asyncio.run(run(kind.strip(), args.cases))


if __name__ == "__main__":
    main()
