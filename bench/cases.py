"""Case-core figures: filing throughput (cases/s) and queue-listing latency with 100,000 cases.

Run: python bench/cases.py [--cases 1000] [--background 100000] [--db sqlite,postgresql]
"""

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bench.common import ROOT, percentiles, scratch_database  # noqa: E402
from bot.bootstrap import App, build_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.commands import FileCase  # noqa: E402
from handlers.status import AT_DEPARTMENT, Status  # noqa: E402
from storage.importers.registry import import_district  # noqa: E402
from storage.models import CaseRow  # noqa: E402

TEXTS = ["楼上漏水渗到我家天花板", "小区路灯坏了好几天", "工地夜间施工噪音太大", "咨询孩子入学需要什么材料"]
CATEGORIES = ["dispute", "service", "petition"]


async def setup(url: str) -> tuple[App, list[str], list[str]]:
    os.environ["MINSHENG_DATABASE_URL"] = url
    app = build_app(load_settings(ROOT / "config.toml"))
    files = app.settings.district_files
    async with app.sessions() as session:
        await import_district(session, files["grids"], files["places"], files["departments"])
    async with app.uow() as uow:
        grids = [g.code for g in await uow.directory.grids()]
        departments = [d.code for d in await uow.directory.departments()]
    return app, grids, departments


def filing(i: int, grids: list[str]) -> FileCase:
    return FileCase(
        actor="bench", text=TEXTS[i % len(TEXTS)], channel="web", user_ref=f"web:{i}",
        category=CATEGORIES[i % 3], topic="城乡建设", category_confidence=0.9, topic_confidence=0.9,
        grid_code=grids[i % len(grids)],
    )


async def filing_throughput(app: App, grids: list[str], count: int, concurrency: int) -> float:
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            await app.bus.handle(filing(i, grids))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


async def fill_background(app: App, departments: list[str], total: int) -> None:
    """Bulk rows for the queue benchmark; their content is irrelevant, their spread is realistic."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    statuses = [s.value for s in Status]
    batch = []
    async with app.sessions() as session:
        for i in range(total):
            created = now - timedelta(minutes=rng.randint(0, 500_000))
            batch.append({
                "number": f"BG-{i:07d}", "text": TEXTS[i % 4], "channel": "web", "user_ref": f"web:{i}",
                "anonymous": False, "classification_confirmed": False, "status": rng.choice(statuses),
                "department": rng.choice(departments), "return_count": 0, "escalation_count": 0,
                "reopen_count": 0, "created_at": created, "updated_at": created, "version": 1,
                "resolve_deadline": created + timedelta(days=15), "category": rng.choice(CATEGORIES),
            })
            if len(batch) == 5000:
                await session.execute(insert(CaseRow), batch)
                batch.clear()
        if batch:
            await session.execute(insert(CaseRow), batch)
        await session.commit()


async def queue_latency(app: App, departments: list[str], rounds: int = 200) -> list[float]:
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        async with app.uow() as uow:
            await uow.cases.find(statuses=sorted(AT_DEPARTMENT), department=departments[i % len(departments)], limit=100)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def run(kind: str, cases: int, background: int) -> None:
    async with scratch_database(kind) as url:
        if url is None:
            return
        app, grids, departments = await setup(url)
        try:
            sequential = await filing_throughput(app, grids, cases, 1)
            concurrent = await filing_throughput(app, grids, cases, 8)
            print(f"[{kind}] 立案吞吐：串行 {sequential:.0f} 件/秒，8 并发 {concurrent:.0f} 件/秒（各 {cases} 件）")
            await fill_background(app, departments, background)
            samples = queue_latency(app, departments)
            print(f"[{kind}] 部门队列查询（库内 {background + 2 * cases:,} 件，取前 100 件）：{percentiles(await samples)}")
        finally:
            await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--background", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    for kind in args.db.split(","):
        asyncio.run(run(kind.strip(), args.cases, args.background))


if __name__ == "__main__":
    main()
