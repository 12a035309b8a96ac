"""`minsheng warning scan`: run the early-warning scan (滚动排查) now or as of a day, as the scheduler
does every [warning] scan_minutes, and list what it found. Safe to repeat: a flag is kept once."""

from datetime import date, datetime, time

import typer

from bot.cli.common import console, fail, open_app, run_async
from bot.cli.output import FORMAT_OPTION, Column, Format, Listing, print_listing


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="滚动排查、预警", no_args_is_help=True)
    group.command("scan", help="立即排查本周与上周（或 --date 所在周与前一周），保存并列出预警")(scan_now)
    app.add_typer(group, name="warning")


@run_async
async def scan_now(
    ctx: typer.Context,
    day: str = typer.Option("", "--date", help="按这一天所在的周排查（默认今天），如 2026-11-27"),
    form: Format | None = FORMAT_OPTION,
) -> None:
    from bot.warning_scan import scan, warning_policy
    from handlers.warning import KIND_LABELS, describe, week_start

    async with open_app(ctx) as app:
        tz = app.policies.calendar.tz
        try:
            as_of = datetime.combine(date.fromisoformat(day), time(23, 59), tz) if day else app.policies.clock.now()
        except ValueError:
            raise fail("日期格式应为 2026-11-27。", 2) from None
        try:
            policy = warning_policy(app.settings.section("warning"))
        except ValueError as exc:
            raise fail(f"配置文件有误：{exc}", 2) from None
        found = await scan(app, policy, as_of)
        async with app.uow() as uow:
            labels = {g.code: g.label for g in await uow.directory.grids()}
    this_week = week_start(as_of.astimezone(tz).date())
    listing = Listing("排查预警", (Column("week", "周次"), Column("kind", "类型"), Column("reason", "预警原因")),
                      empty="本周与上周没有预警")
    for flag in found:
        label = labels.get(flag.grid or "", flag.grid or "位置未确定")
        reason = describe(flag, label, this_week, policy.history_weeks)
        listing.add(flag.week.isoformat(), KIND_LABELS[flag.kind], reason)
    print_listing(console, listing, form)
