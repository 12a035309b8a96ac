"""Early-warning figures: a year of SYNTHETIC cases (generated here, not real data) with injected
surges, the scan run once a week as the scheduler would, and how many surges it caught, how many
flags it raised where nothing was injected (false flags per week), and how long one scan takes for
the sample district's 36 grids and for 2,000 generated grids.

Each grid × category × topic cell has its own usual weekly rate (Gamma-distributed, most cells
quiet) with a mild seasonal swing; weekly counts are Poisson. A surge adds three times the cell's
usual week plus four cases to one week of one cell, after the history the method needs.

Run: python bench/warning.py [--grids 36,2000] [--weeks 52] [--db sqlite,postgresql] [--seed 14]
"""

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, scratch_database  # noqa: E402
from bot.bootstrap import App, build_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.warning_scan import scan, warning_policy  # noqa: E402
from handlers.warning import SURGE, WEEK, WarningPolicy, week_start  # noqa: E402
from storage.db import to_utc  # noqa: E402
from storage.importers.registry import import_district  # noqa: E402
from storage.models import CaseRow, GridRow  # noqa: E402
from storage.warning_models import WarningFlagRow  # noqa: E402

TOPICS = {"dispute": ("邻里纠纷", "物业管理", "婚姻家庭"), "service": ("城乡建设", "环境保护"),
          "petition": ("劳动和社会保障",)}
CELLS = [(category, topic) for category, topics in TOPICS.items() for topic in topics]
FIRST_MONDAY = date(2025, 12, 1)
SURGES_PER_GRID = 1 / 3  # injected surges per grid over the year
BATCH = 5000


@dataclass(frozen=True)
class Surge:
    grid: str
    category: str
    topic: str
    week: date
    extra: int


async def grids_for(app: App, count: int) -> list[str]:
    """The sample district's grids, or `count` generated ones (20 streets of 10 communities of 10)."""
    if count == 36:
        files = app.settings.district_files
        async with app.sessions() as session:
            await import_district(session, files["grids"], files["places"], files["departments"])
    else:
        rows = [
            {"code": f"B{i // 100:02}-C{i // 10 % 10}-G{i % 10}", "name": f"第{i % 10 + 1}网格",
             "community_code": f"B{i // 100:02}-C{i // 10 % 10}", "community": f"生成社区{i // 10}",
             "street_code": f"B{i // 100:02}", "street": f"生成街道{i // 100}", "polygon": [], "worker": ""}
            for i in range(count)
        ]
        async with app.sessions() as session:
            await session.execute(insert(GridRow), rows)
            await session.commit()
    async with app.uow() as uow:
        return [g.code for g in await uow.directory.grids()]


Counts = dict[tuple[str, str, str, int], int]


def generate(
    grids: list[str], weeks: int, policy: WarningPolicy, rng: np.random.Generator
) -> tuple[Counts, list[Surge]]:
    """Weekly counts per (grid, category, topic, week index), surges included, and the surges."""
    rates = rng.gamma(shape=0.8, scale=0.6, size=(len(grids), len(CELLS)))
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    counts = rng.poisson(rates[:, :, None] * season[None, None, :])
    surges: list[Surge] = []
    chosen: set[tuple[int, int, int]] = set()
    start = policy.history_weeks + 2
    while len(chosen) < max(1, round(len(grids) * SURGES_PER_GRID)):
        g, cell, week = int(rng.integers(len(grids))), int(rng.integers(len(CELLS))), int(rng.integers(start, weeks))
        if (g, cell, week) in chosen:
            continue
        chosen.add((g, cell, week))
        extra = math.ceil(3 * rates[g, cell]) + 4
        counts[g, cell, week] += extra
        surges.append(Surge(grids[g], *CELLS[cell], FIRST_MONDAY + WEEK * week, extra))
    table = {(grids[g], *CELLS[c], w): int(n) for (g, c, w), n in np.ndenumerate(counts) if n}
    return table, surges


async def load(app: App, counts: Counts) -> int:
    tz = app.policies.calendar.tz
    rows, made = [], 0
    for (grid, category, topic, week), n in counts.items():
        monday = datetime.combine(FIRST_MONDAY + WEEK * week, datetime.min.time(), tz)
        for i in range(n):
            at = to_utc(monday + timedelta(minutes=(made * 37 + i * 211) % (7 * 24 * 60)))  # as the app stores times
            rows.append({"number": f"BENCH-{made:07}", "text": "生成的诉求", "channel": "web", "user_ref": f"web:b{made}",
                         "category": category, "topic": topic, "grid_code": grid, "status": "closed",
                         "created_at": at, "updated_at": at})
            made += 1
        if len(rows) >= BATCH:
            await _insert(app, rows)
            rows = []
    await _insert(app, rows)
    return made


async def _insert(app: App, rows: list[dict[str, object]]) -> None:
    if rows:
        async with app.sessions() as session:
            await session.execute(insert(CaseRow), rows)
            await session.commit()


async def run(kind: str, grid_count: int, weeks: int, seed: int) -> None:
    async with scratch_database(kind) as url:
        if url is None:
            return
        os.environ["MINSHENG_DATABASE_URL"] = url
        app = build_app(load_settings(ROOT / "config.toml"))
        try:
            policy = warning_policy(app.settings.section("warning"))
            grids = await grids_for(app, grid_count)
            counts, surges = generate(grids, weeks, policy, np.random.default_rng(seed))
            start = time.perf_counter()
            made = await load(app, counts)
            print(f"[{kind}] {len(grids)} 个网格，{weeks} 周共 {made} 件生成诉求，注入 {len(surges)} 次激增"
                  f"（写入 {time.perf_counter() - start:.1f} s）")
            timings = []
            tz = app.policies.calendar.tz
            for week in range(weeks):
                sunday_night = datetime.combine(FIRST_MONDAY + WEEK * week + timedelta(days=6),
                                                datetime.min.time(), tz) + timedelta(hours=22)
                start = time.perf_counter()
                await scan(app, policy, sunday_night)
                timings.append(time.perf_counter() - start)
            await report(app, surges, weeks, policy, timings)
        finally:
            await app.close()


async def report(app: App, surges: list[Surge], weeks: int, policy: WarningPolicy, timings: list[float]) -> None:
    async with app.sessions() as session:
        flags = (await session.execute(select(WarningFlagRow).where(WarningFlagRow.kind == SURGE))).scalars().all()
    found = {(f.grid_code, f.category, f.topic, f.week) for f in flags}
    injected = {(s.grid, s.category, s.topic, s.week) for s in surges}
    caught = injected & found
    false = found - injected
    judged = weeks - policy.min_history_weeks
    missed = Counter(s.extra for s in surges if (s.grid, s.category, s.topic, s.week) not in found)
    sizes = Counter(s.extra for s in surges)
    print(f"  激增检出 {len(caught)}/{len(injected)}（{len(caught) / len(injected):.0%}）；"
          f"误报 {len(false)} 条，每周 {len(false) / judged:.2f} 条（{judged} 个判定周）")
    if missed:
        shown = "，".join(f"加 {extra} 件的 {missed[extra]}/{sizes[extra]} 次" for extra in sorted(missed))
        print(f"  漏报：{shown}")
    print(f"  一次扫描用时：中位 {statistics.median(timings) * 1000:.0f} ms，最长 {max(timings) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grids", default="36,2000")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    for kind in args.db.split(","):
        for count in args.grids.split(","):
            asyncio.run(run(kind.strip(), int(count), args.weeks, args.seed))


if __name__ == "__main__":
    main()
