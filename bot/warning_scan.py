"""The early-warning scan (滚动排查): read this and last week's counts and their history, judge them
(handlers/warning.py), keep the flags. The scheduler runs it every [warning] scan_minutes; a scan
that finds the same thing again updates its flag, so running it often or twice is harmless."""

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from bot.bootstrap import App
from handlers.warning import WEEK, Flag, WarningPolicy, repeats, reopenings, surges, week_start
from storage.warning_queries import (
    disputes_filed,
    first_case_day,
    rating_reopenings,
    save_flags,
    week_bounds,
    weekly_counts,
)


def warning_policy(section: Mapping[str, Any]) -> WarningPolicy:
    """[warning] from config.toml; unknown keys are refused so a typo does not pass silently."""
    known = {f.name: f.type for f in fields(WarningPolicy)}
    unknown = sorted(set(section) - set(known))
    if unknown:
        raise ValueError(f"[warning] 没有设置项 {'、'.join(unknown)}")
    defaults = WarningPolicy()
    return WarningPolicy(**{name: type(getattr(defaults, name))(section[name]) for name in known if name in section})


async def scan(app: App, policy: WarningPolicy, now: datetime | None = None) -> list[Flag]:
    """Judge the week holding `now` and the week before it (whose last hours a scan may have missed)
    and store what is found; returns the flags."""
    tz = app.policies.calendar.tz
    now = now or app.policies.clock.now()
    this_week = week_start(now.astimezone(tz).date())
    weeks = [this_week - WEEK, this_week]
    history_from, _ = week_bounds(weeks[0] - WEEK * policy.history_weeks, tz)
    repeat_from, _ = week_bounds(weeks[0] - timedelta(days=policy.repeat_days), tz)
    scan_from, until = week_bounds(weeks[0], tz)[0], week_bounds(this_week, tz)[1]
    async with app.sessions() as session:
        first = await first_case_day(session, tz)
        if first is None:
            return []
        counts = await weekly_counts(session, history_from, until, tz)
        disputes = await disputes_filed(session, repeat_from, until, tz)
        reopened = await rating_reopenings(session, scan_from, until, tz)
    found = [
        flag for week in weeks
        for flag in [*surges(counts, week, week_start(first), policy), *repeats(disputes, week, policy),
                     *reopenings(reopened, week)]
    ]
    async with app.uow() as uow:
        areas = {g.code: (g.community_code, g.street_code) for g in await uow.directory.grids()}
    async with app.sessions() as session:
        await save_flags(session, found, areas, now)
        await session.commit()
    return found

