"""The leadership dashboard: volume by category and topic over time, grids by volume, timeliness
and handling time by department, satisfaction, classifier accuracy, patrol reports (巡查上报) apart
from residents' by grid and by worker; charts and CSV from one source."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from bot.bootstrap import App
from bot.web.staff.access import SUPERVISE_ROLES, AnyStaff, require
from bot.web.staff.charts import line_chart, stacked_bars
from bot.web.staff.csv_export import csv_response
from bot.web.staff.pages import BASE, render
from bot.web.staff.queues import departments_by_code
from bot.web.staff.warnings import NOTE_LIMIT, dashboard_map
from bot.wording import actor_label, model_label
from handlers.case import CATEGORY_LABELS, SOURCE_LABELS
from handlers.directory import Grid
from handlers.statistics import (
    AccuracyStats,
    DepartmentStats,
    PatrolCount,
    SatisfactionPoint,
    bucket,
    classifier_accuracy,
    department_stats,
    granularity,
    patrol_counts,
    satisfaction_trend,
    source_counts,
)
from storage.duplicate_queries import shared_problems
from storage.supervision_queries import case_files, volume_by_day, volume_by_grid

DEFAULT_DAYS = 90
MAX_DAYS = 366
TABLES = ("volume", "topics", "grids", "departments", "satisfaction", "accuracy", "patrol")
UNKNOWN = "未分类"
MIN_PERIODS = 4  # an axis of fewer periods than this says too little about a trend
CURRENT = {"day": "今天", "week": "本周", "month": "本月"}


@dataclass
class Dashboard:
    since: date
    until: date  # inclusive
    unit: str
    periods: list[date]  # from the first with any case (at least MIN_PERIODS) to the one holding `until`
    current: date | None  # the period holding today, when it is on the axis
    volume: dict[str, list[int]]  # category label -> cases per period
    topics: list[tuple[str, str, int]]
    grids: list[tuple[str, str, int]]
    departments: list[tuple[str, DepartmentStats]]
    satisfaction: list[SatisfactionPoint]
    accuracy: list[AccuracyStats]
    sources: dict[str, int]  # source label (群众反映, 巡查) -> cases filed
    patrol: list[tuple[str, str, PatrolCount]]  # ("网格" or "网格员", its name, the reports)

    @property
    def total(self) -> int:
        return sum(sum(values) for values in self.volume.values())

    def axis_label(self, period: date) -> str:
        """A period as the page shows it: the current one as 本周 (今天, 本月), the rest by date."""
        return CURRENT[self.unit] if period == self.current else _period_label(period, self.unit)


async def gather(app: App, since: date, until: date) -> Dashboard:
    tz = app.policies.calendar.tz
    start, end = datetime.combine(since, time(), tz), datetime.combine(until + timedelta(days=1), time(), tz)
    unit = granularity(since, until)
    async with app.sessions() as session:
        days = await volume_by_day(session, start, end, tz)
        grids = await volume_by_grid(session, start, end)
        files = await case_files(session, created_from=start, created_to=end)
    async with app.uow() as uow:
        grid_rows = {g.code: g for g in await uow.directory.grids()}
    names = {code: d.name for code, d in (await departments_by_code(app)).items()}
    periods = sorted({bucket(since + timedelta(days=i), unit) for i in range((until - since).days + 1)})
    column = {period: i for i, period in enumerate(periods)}
    volume: dict[str, list[int]] = {label: [0] * len(periods) for label in [*CATEGORY_LABELS.values(), UNKNOWN]}
    topics: dict[tuple[str, str], int] = defaultdict(int)
    for day, category, topic, count in days:
        label = CATEGORY_LABELS.get(category or "", UNKNOWN)
        if bucket(day, unit) in column:
            volume[label][column[bucket(day, unit)]] += count
        topics[(label, topic or UNKNOWN)] += count
    if not any(volume[UNKNOWN]):
        del volume[UNKNOWN]
    satisfaction = satisfaction_trend(files, unit, tz)
    by_grid, by_worker = patrol_counts(files)
    first = _first_shown(periods, volume, {p.period for p in satisfaction})
    today = bucket(app.policies.clock.now().astimezone(tz).date(), unit)
    return Dashboard(
        since, until, unit, periods[first:], today if today in periods[first:] else None,
        {label: values[first:] for label, values in volume.items()},
        sorted(((cat, topic, n) for (cat, topic), n in topics.items()), key=lambda row: -row[2]),
        [(code or "—", _grid_label(grid_rows, code), n) for code, n in grids],
        [(names.get(s.department, s.department), s) for s in department_stats(files)],
        satisfaction,
        classifier_accuracy(files),
        {SOURCE_LABELS.get(code, code): n for code, n in source_counts(files).items()},
        [*(("网格", _grid_label(grid_rows, c.key or None), c) for c in by_grid),
         *(("网格员", actor_label(c.key), c) for c in by_worker)],
    )


def period_range(app: App, since: str, until: str) -> tuple[date, date]:
    """The local dates asked for (the last 90 days by default); ValueError says what is wrong."""
    today = app.policies.clock.now().astimezone(app.policies.calendar.tz).date()
    try:
        end = date.fromisoformat(until) if until else today
        start = date.fromisoformat(since) if since else end - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise ValueError("日期格式应为 2026-11-27。") from None
    if start > end or (end - start).days >= MAX_DAYS:
        raise ValueError(f"统计区间须在 1 到 {MAX_DAYS} 天之间，且开始日期不晚于结束日期。")
    return start, end


async def page(
    request: Request, session: AnyStaff, since: str = "", until: str = "", category: str = ""
) -> HTMLResponse:
    require(session, SUPERVISE_ROLES, "查看统计分析")
    app: App = request.app.state.deps.app
    try:
        since_day, until_day = period_range(app, since, until)
        error = ""
    except ValueError as exc:
        since_day, until_day = period_range(app, "", "")
        error = str(exc)
    board = await gather(app, since_day, until_day)
    category = category if category in CATEGORY_LABELS else ""
    tz = app.policies.calendar.tz
    start, end = datetime.combine(since_day, time(), tz), datetime.combine(until_day + timedelta(days=1), time(), tz)
    grid_map, flags = await dashboard_map(app, start, end, category or None)
    async with app.sessions() as db:
        shared = await shared_problems(db, start, end)
    labels = [board.axis_label(p) for p in board.periods]
    points = {p.period: p for p in board.satisfaction}
    charts = {
        "volume": stacked_bars(labels, list(board.volume.items()), "诉求量（按类别）"),
        "satisfaction": line_chart(labels, [points[p].mean if p in points else None for p in board.periods],
                                   "群众满意度（平均分，满分 5 分）", top=5),
        "map": grid_map,
    }
    return render(request, "dashboard.html", session, status_code=422 if error else 200, error=error,
                  board=board, charts=charts, tables=TABLES, flags=flags, category=category,
                  categories=CATEGORY_LABELS, back=f"{BASE}/dashboard", can_acknowledge=True,
                  note_limit=NOTE_LIMIT, shared=shared,
                  query=f"since={board.since.isoformat()}&until={board.until.isoformat()}")


async def export(request: Request, table: str, session: AnyStaff, since: str = "", until: str = "") -> Response:
    require(session, SUPERVISE_ROLES, "导出统计数据")
    app: App = request.app.state.deps.app
    try:
        if table not in TABLES:
            raise ValueError(f"没有统计表 {table}，可选：{'、'.join(TABLES)}。")
        board = await gather(app, *period_range(app, since, until))
    except ValueError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain; charset=utf-8")
    name = f"minsheng-{table}-{board.since.isoformat()}-{board.until.isoformat()}.csv"
    return csv_response(_rows(board, table), name)


def _rows(board: Dashboard, table: str) -> list[list[object]]:
    if table == "volume":
        return [["时段", "类别", "诉求量"]] + [
            [_period_label(p, board.unit), label, values[i]]
            for i, p in enumerate(board.periods) for label, values in board.volume.items()
        ]
    if table == "topics":
        return [["类别", "主题", "诉求量"]] + [[cat, topic, n] for cat, topic, n in board.topics]
    if table == "grids":
        return [["网格代码", "网格", "诉求量"]] + [list(row) for row in board.grids]
    if table == "departments":
        return [["部门", "派办次数", "超期次数", "超期率", "办结件数", "平均办理时长（小时）"]] + [
            [name, s.assigned, s.overdue, f"{s.overdue_rate:.1%}", s.resolved,
             f"{s.mean_hours:.1f}" if s.mean_hours is not None else ""] for name, s in board.departments
        ]
    if table == "satisfaction":
        return [["时段", "评价件数", "平均分", "满意（3 分及以上）", "未评价归档"]] + [
            [_period_label(p.period, board.unit), p.rated, f"{p.mean:.2f}" if p.mean is not None else "",
             p.satisfied, p.unrated] for p in board.satisfaction
        ]
    if table == "patrol":
        return [["统计对象", "名称", "巡查上报", "已现场化解", "需要上报"]] + [
            [kind, name, c.reports, c.settled, c.reported_up] for kind, name, c in board.patrol
        ]
    return [["模型版本", "已归档件数", "类别正确", "主题正确", "准确率"]] + [
        [model_label(a.version), a.closed, a.category_correct, a.topic_correct, f"{a.accuracy:.1%}"] for a in board.accuracy
    ]


def _period_label(period: date, unit: str) -> str:
    if unit == "month":
        return period.strftime("%Y-%m")
    return period.strftime("%m-%d") + ("起" if unit == "week" else "")


def _first_shown(periods: list[date], volume: dict[str, list[int]], rated: set[date]) -> int:
    """Where the axis starts: the first period with a case filed or rated, or MIN_PERIODS before the
    end, whichever is earlier, so four cases in the last fortnight do not sit on a 14-week axis."""
    filed = [i for i, period in enumerate(periods) if period in rated or any(v[i] for v in volume.values())]
    return max(0, min([*filed[:1], len(periods) - MIN_PERIODS]))


def _grid_label(grids: dict[str, Grid], code: str | None) -> str:
    grid = grids.get(code or "")
    return grid.label if grid else ("位置未确定" if code is None else code)
