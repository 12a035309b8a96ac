"""Early-warning pages: the flags a member receives (with 确认 for supervisors), the dashboard's grid
map, and the weekly 排查 report per street (HTML and CSV)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from bot.bootstrap import App
from bot.warning_scan import warning_policy
from bot.web.auth import Forbidden
from bot.web.staff.access import SUPERVISE_ROLES, AnyStaff, CheckedForm, require, warning_area
from bot.web.staff.csv_export import csv_response
from bot.web.staff.grid_map import grid_map
from bot.web.staff.pages import BASE, WARNINGS, render
from handlers.case import CATEGORY_LABELS
from handlers.directory import Grid
from handlers.warning import KIND_LABELS, WEEK, Flag, describe, week_start
from storage.supervision_queries import volume_by_grid
from storage.warning_models import WarningFlagRow
from storage.warning_queries import Area, acknowledge, flags, week_bounds, weekly_counts

NOTE_LIMIT = 500
SHOWN_WEEKS = 8  # acknowledged flags stay listed this long
BACK_TO = (WARNINGS, f"{BASE}/supervise", f"{BASE}/dashboard")


@dataclass(frozen=True)
class FlagView:
    id: int
    kind: str
    kind_label: str
    week: date
    grid: str | None
    grid_label: str
    reason: str
    cases: list[str]
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str | None


async def flag_views(app: App, rows: list[WarningFlagRow]) -> list[FlagView]:
    """Flag rows with their reason in words, worded against the current week."""
    grids = await _grids(app)
    this_week = _this_week(app)
    history = warning_policy(app.settings.section("warning")).history_weeks
    views = []
    for row in rows:
        grid = grids.get(row.grid_code or "")
        label = grid.label if grid else (row.grid_code or "位置未确定")
        flag = Flag(row.kind, row.week, row.grid_code, row.subject, row.count, row.category, row.topic,
                    row.baseline, row.threshold, tuple(row.cases))
        views.append(FlagView(row.id, row.kind, KIND_LABELS.get(row.kind, row.kind), row.week, row.grid_code, label,
                              describe(flag, label, this_week, history), list(row.cases), row.acknowledged_at,
                              row.acknowledged_by, row.note))
    return views


async def open_flags(app: App, area: Area | None) -> list[FlagView]:
    """Worded after the flags' session has ended: wording reads the grids in a session of its own, which
    on SQLite would wait for this one's lock (BEGIN IMMEDIATE) whenever the grid cache is cold."""
    async with app.sessions() as session:
        rows = await flags(session, area=area, open_only=True)
    return await flag_views(app, rows)


async def page(request: Request, session: AnyStaff) -> HTMLResponse:
    app: App = request.app.state.deps.app
    area = await _area_or_refuse(app, session)
    async with app.sessions() as db:
        recent = await flags(db, area=area, weeks_from=_this_week(app) - WEEK * SHOWN_WEEKS)
    views = await flag_views(app, recent)
    return render(request, "warnings.html", session, open=[v for v in views if v.acknowledged_at is None],
                  done=[v for v in views if v.acknowledged_at is not None], back=WARNINGS,
                  can_acknowledge=session.staff.role in SUPERVISE_ROLES, note_limit=NOTE_LIMIT)


async def acknowledge_flag(request: Request, flag_id: int, session: AnyStaff, form: CheckedForm) -> Response:
    """确认: a supervisor notes what will be done; the flag leaves the open lists and menus."""
    require(session, SUPERVISE_ROLES, "确认预警")
    app: App = request.app.state.deps.app
    note = str(form.get("note") or "").strip()
    if not note or len(note) > NOTE_LIMIT:
        raise Forbidden(f"确认预警须填写处理意见（不超过 {NOTE_LIMIT} 字）。")
    async with app.sessions() as db:
        done = await acknowledge(db, flag_id, session.staff.actor, note, app.policies.clock.now())
        await db.commit()
    back = urlsplit(str(form.get("back") or "")).path
    target = back if back in BACK_TO else WARNINGS
    return RedirectResponse(f"{target}?{'acknowledged' if done else 'unchanged'}={flag_id}#warnings", status_code=303)


async def dashboard_map(
    app: App, start: datetime, end: datetime, category: str | None
) -> tuple[Markup, list[FlagView]]:
    """The grid map for the period and category, and the flags of the weeks it covers."""
    grids = await _grids(app)
    async with app.sessions() as db:
        counts = dict(await volume_by_grid(db, start, end, category))
        found = await flags(db, weeks_from=week_start(start.date()), weeks_to=(end - timedelta(days=1)).date())
    views = await flag_views(app, found)
    flagged = {v.grid for v in views if v.grid and v.acknowledged_at is None}
    what = CATEGORY_LABELS.get(category or "", "全部类别")
    title = f"网格诉求分布（{what}，{start.date().isoformat()} 至 {(end - timedelta(days=1)).date().isoformat()}）"
    return grid_map(list(grids.values()), {k: v for k, v in counts.items() if k}, flagged, title), views


@dataclass(frozen=True)
class ReportRow:
    grid: Grid
    by_category: dict[str, int]
    total: int
    last_week: int
    flags: list[FlagView]


async def report(request: Request, session: AnyStaff, street: str = "", week: str = "") -> HTMLResponse:
    app: App = request.app.state.deps.app
    streets, chosen, monday, rows = await _report(app, session, street, week)
    return render(request, "report.html", session, streets=streets, street=chosen, week=monday, rows=rows,
                  categories=CATEGORY_LABELS, query=f"street={chosen}&week={monday.isoformat()}")


async def report_csv(request: Request, session: AnyStaff, street: str = "", week: str = "") -> Response:
    app: App = request.app.state.deps.app
    _, chosen, monday, rows = await _report(app, session, street, week)
    header = ["网格代码", "网格", *CATEGORY_LABELS.values(), "本周合计", "上周合计", "预警"]
    body = [[r.grid.code, r.grid.label, *(r.by_category.get(c, 0) for c in CATEGORY_LABELS), r.total, r.last_week,
             "；".join(f.reason for f in r.flags)] for r in rows]
    return csv_response([header, *body], f"minsheng-paicha-{chosen}-{monday.isoformat()}.csv")


async def _report(
    app: App, session: AnyStaff, street: str, week: str
) -> tuple[dict[str, str], str, date, list[ReportRow]]:
    """(streets the member may choose, the street shown, its week's Monday, one row per grid)."""
    area = await _area_or_refuse(app, session)
    grids = await _grids(app)
    mine = [g for g in grids.values() if area is None or area.code in (g.community_code, g.street_code)]
    streets = {g.street_code: g.street for g in sorted(mine, key=lambda g: g.street_code)}
    chosen = street if street in streets else next(iter(streets), "")
    try:
        monday = week_start(date.fromisoformat(week)) if week else _this_week(app)
    except ValueError:
        monday = _this_week(app)
    tz = app.policies.calendar.tz
    start, end = week_bounds(monday - WEEK, tz)[0], week_bounds(monday, tz)[1]
    async with app.sessions() as db:
        counts = await weekly_counts(db, start, end, tz)
        found = await flag_views(app, await flags(db, area=area, weeks_from=monday, weeks_to=monday))
    this: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[str, int] = defaultdict(int)
    for (cell, when), n in counts.items():
        if when == monday:
            this[cell.grid][cell.category] += n
        else:
            last[cell.grid] += n
    rows = [
        ReportRow(g, dict(this[g.code]), sum(this[g.code].values()), last[g.code],
                  [f for f in found if f.grid == g.code])
        for g in mine if g.street_code == chosen
    ]
    return streets, chosen, monday, rows


async def _area_or_refuse(app: App, session: AnyStaff) -> Area | None:
    allowed, area = await warning_area(app, session)
    if not allowed:
        raise Forbidden(f"您的账号（{session.staff.role_label}）不接收排查预警：预警推送给督办人员和社区、街道。")
    return area


async def _grids(app: App) -> dict[str, Grid]:
    async with app.uow() as uow:
        return {g.code: g for g in await uow.directory.grids()}


def _this_week(app: App) -> date:
    return week_start(app.policies.clock.now().astimezone(app.policies.calendar.tz).date())
