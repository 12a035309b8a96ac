"""The early-warning scan on SQLite and PostgreSQL: a surge against a grid's own history is flagged once
however often the scan runs, repeated disputes and 不满意 reopenings are flagged, and the scheduler
runs the scan by itself."""

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.bootstrap import App, build_app
from bot.cli.main import app as cli
from bot.scheduler import SchedulerSettings, run_scheduler
from bot.settings import Settings
from bot.warning_scan import scan, warning_policy
from handlers import commands as c
from handlers.warning import REOPENED, REPEAT_PARTY, SURGE, WarningPolicy
from storage.warning_models import WarningFlagRow
from storage.warning_queries import week_bounds, weekly_counts
from tests.integration.processes import drop_jobs_table, until
from tests.support import FakeClock, seed_registry

POLICY = WarningPolicy()
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday; the week began on Monday 23 November
HISTORY = [2, 1] * 6  # disputes a week in 一网格 over the twelve weeks before, oldest first


@pytest.fixture
async def district(app: App, clock: FakeClock) -> App:
    await seed_registry(app.sessions)
    return app


async def file(app: App, clock: FakeClock, when: datetime, who: str, grid: str = "T01-C01-G01",
               topic: str = "城乡建设", address: str | None = None) -> str:
    clock.current = when
    case = await app.bus.handle(c.FileCase(
        actor="resident", text="楼上装修噪音扰民", channel="web", user_ref=who, category="dispute", topic=topic,
        category_confidence=0.9, topic_confidence=0.9, grid_code=grid, address=address,
    ))
    return case.number


async def a_history_then_a_surge(app: App, clock: FakeClock, surge: int = 7) -> list[str]:
    numbers = []
    for weeks_back, count in enumerate(reversed(HISTORY), start=1):
        for i in range(count):
            numbers.append(await file(app, clock, NOW - timedelta(weeks=weeks_back, hours=i), f"web:h{weeks_back}-{i}"))
    for i in range(surge):
        numbers.append(await file(app, clock, NOW - timedelta(hours=i), f"web:s{i}"))
    clock.current = NOW
    return numbers


async def stored(app: App) -> list[WarningFlagRow]:
    async with app.sessions() as session:
        return list((await session.execute(select(WarningFlagRow).order_by(WarningFlagRow.id))).scalars())


async def test_a_surge_is_one_flag_however_often_the_scan_runs(district: App, clock: FakeClock) -> None:
    await a_history_then_a_surge(district, clock)
    first = await scan(district, POLICY)
    assert [(f.kind, f.grid, f.count, f.threshold) for f in first] == [(SURGE, "T01-C01-G01", 7, 7)]
    await scan(district, POLICY)
    await file(district, clock, NOW + timedelta(hours=1), "web:late")
    clock.advance(hours=1)
    await scan(district, POLICY)
    [row] = await stored(district)
    assert (row.kind, row.count, row.community_code, row.street_code) == (SURGE, 8, "T01-C01", "T01")
    assert row.week.isoformat() == "2026-11-23" and row.acknowledged_at is None


async def test_a_quiet_grid_and_an_ordinary_week_raise_nothing(district: App, clock: FakeClock) -> None:
    await a_history_then_a_surge(district, clock, surge=2)
    await file(district, clock, NOW, "web:q1", grid="T01-C01-G02")
    await file(district, clock, NOW, "web:q2", grid="T01-C01-G02")
    assert await scan(district, POLICY) == [] and await stored(district) == []


async def test_repeated_disputes_and_unsatisfied_reopenings(district: App, clock: FakeClock) -> None:
    numbers = [await file(district, clock, NOW - timedelta(days=d), "web:same", address="幸福路25号")
               for d in (20, 9, 1)]
    clock.current = NOW
    for command in (c.AcceptCase("w", numbers[-1]), c.ResolveCase("w", numbers[-1], "已调解"),
                    c.RateCase("resident", numbers[-1], 1)):
        await district.bus.handle(command)
    found = {f.kind: f for f in await scan(district, POLICY)}
    assert found[REPEAT_PARTY].cases == tuple(numbers) and found[REOPENED].cases == (numbers[-1],)
    assert {row.kind for row in await stored(district)} == {REPEAT_PARTY, "repeat_address", REOPENED}


async def test_the_scheduler_runs_the_scan(
    district: App, db_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    drop_jobs_table(db_url)
    for number in await a_history_then_a_surge(district, clock):  # withdrawn, they still count, and
        await district.bus.handle(c.CancelCase("resident", number, "已自行解决"))  # no 督办 job fires meanwhile
    # Not much shorter: a job falling due while APScheduler shuts down makes its thread raise.
    settings = SchedulerSettings(sync_seconds=1, standby_seconds=0.2, warning=replace(POLICY, scan_minutes=0.04))
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(district, stop, settings))
    try:
        async def flagged() -> bool:
            return len(await stored(district)) == 1

        def scans() -> int:
            return sum(r.getMessage().startswith("滚动排查完成") for r in caplog.records)

        async def scanned_again() -> bool:  # (the scan that flagged may not have logged yet)
            return scans() > max(before, 1)

        await until(flagged)
        before = scans()
        await until(scanned_again)  # the scan runs again (every 2.4 s) and finds the same flag
        assert len(await stored(district)) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def test_minsheng_warning_scan_lists_what_it_keeps(settings: Settings) -> None:
    async def history() -> None:
        clock = FakeClock(NOW)
        app = build_app(settings, clock=clock)
        await seed_registry(app.sessions)
        await a_history_then_a_surge(app, clock)
        await app.close()

    asyncio.run(history())
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(cli, ["warning", "scan", "--date", "2026-11-27", "--format", "tsv"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            "周次\t类型\t预警原因",
            "2026-11-23\t数量异常上升\t试验街道试验社区一网格 本周矛盾纠纷·城乡建设 7 件，近 12 周加权平均 1.4 件，达到预警线 7 件",
        ]
    assert runner.invoke(cli, ["warning", "scan", "--date", "27/11"]).exit_code == 2


async def test_weeks_are_local_weeks(district: App, clock: FakeClock) -> None:
    """Monday 00:30 in Shanghai is Sunday 16:30 UTC: it counts in Monday's week, and the week's
    bounds are compared as UTC on SQLite too (which stores no offset)."""
    tz = district.policies.calendar.tz
    await file(district, clock, datetime(2026, 11, 23, 0, 30, tzinfo=tz), "web:a")
    await file(district, clock, datetime(2026, 11, 22, 23, 30, tzinfo=tz), "web:b")
    start, end = week_bounds(date(2026, 11, 23), tz)
    async with district.sessions() as session:
        counts = await weekly_counts(session, start, end, tz)
    assert {week.isoformat(): n for (_, week), n in counts.items()} == {"2026-11-23": 1}


def test_warning_settings_refuse_unknown_keys() -> None:
    assert warning_policy({"min_count": 4}).min_count == 4
    with pytest.raises(ValueError, match="min_cout"):
        warning_policy({"min_cout": 4})
