"""操作日志 (issue 15, part 3), administrators only: every entry of the audit log (models, accounts, the
district registry, residents' personal information), filtered by who, area, action, period and case,
and downloaded as CSV (UTF-8 with BOM so Excel reads the Chinese; no cell can start a formula)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.account_admin import AREA as ACCOUNTS
from bot.bootstrap import App
from bot.web.admin import accounts, models, privacy, registry
from bot.web.admin.models import templates
from bot.web.admin.retrain_job import AREA as MODELS
from bot.web.staff import pages
from bot.web.staff.access import ADMIN, AnyStaff, require
from bot.web.staff.csv_export import csv_response
from bot.wording import actor_label, local, model_label
from handlers.erasure import AREA as PRIVACY
from storage.audit_log import AuditEntry
from storage.audit_queries import AuditFilter, actors, search
from storage.importers.registry import AREA as REGISTRY

BASE = "/console/admin/audit"
WHAT = "查看操作日志"
SHOWN = 500
EXPORTED = 100_000
HEADER = ["时间", "操作人", "模块", "操作", "对象", "原因", "内容"]


@dataclass(frozen=True)
class Area:
    label: str
    actions: dict[str, str]
    describe: Callable[[AuditEntry], str]


# Each area's page knows its own words; an area that is not listed shows its codes as they are.
AREAS = {
    MODELS: Area("模型管理", models.ACTION_LABELS, models.describe),
    ACCOUNTS: Area("账号管理", accounts.ACTION_LABELS, accounts.describe),
    REGISTRY: Area("辖区名录", registry.ACTION_LABELS, registry.describe),
    PRIVACY: Area("个人信息", privacy.ACTION_LABELS, privacy.describe),
}


@dataclass(frozen=True)
class Row:
    """One entry in the words of the page and the CSV."""

    at: str
    actor: str
    area: str
    action: str
    subject: str
    reason: str
    said: str


def router() -> APIRouter:
    routes = APIRouter(prefix=BASE.removesuffix("/audit"), tags=["系统管理"])
    routes.add_api_route("/audit", page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/audit.csv", export, methods=["GET"])
    return routes


async def page(request: Request, session: AnyStaff, actor: str = "", area: str = "", action: str = "",
               since: str = "", until: str = "", case: str = "") -> HTMLResponse:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    asked = {"actor": actor, "area": area, "action": action, "since": since, "until": until, "case": case.strip()}
    try:
        wanted = _filter(app, asked)
        error = ""
    except ValueError as exc:
        wanted, error = AuditFilter(), str(exc)
    async with app.sessions() as db:
        entries, total = await search(db, wanted, SHOWN)
        names = await actors(db)
    return pages.render(
        request, "audit.html", session, status_code=422 if error else 200, templates=templates(), error=error,
        rows=[row(e) for e in entries], total=total, shown=SHOWN, asked=asked, actors=names, areas=AREAS,
        actions=_action_choices(), export=f"{BASE}.csv?{urlencode(asked)}", audit_base=BASE,
    )


async def export(request: Request, session: AnyStaff, actor: str = "", area: str = "", action: str = "",
                 since: str = "", until: str = "", case: str = "") -> Response:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    try:
        wanted = _filter(app, {"actor": actor, "area": area, "action": action, "since": since, "until": until,
                               "case": case.strip()})
    except ValueError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain; charset=utf-8")
    async with app.sessions() as db:
        entries, _ = await search(db, wanted, EXPORTED)
    body = [[r.at, r.actor, r.area, r.action, r.subject, r.reason, r.said] for r in map(row, entries)]
    today = app.policies.clock.now().astimezone(app.policies.calendar.tz).date().isoformat()
    return csv_response([HEADER, *body], f"minsheng-audit-{today}.csv")


def row(entry: AuditEntry) -> Row:
    area = AREAS.get(entry.area)
    subject = model_label(entry.subject) if entry.area == MODELS and entry.subject else entry.subject or ""
    return Row(local(entry.at), actor_label(entry.actor), area.label if area else entry.area,
               area.actions.get(entry.action, entry.action) if area else entry.action, subject, entry.reason or "",
               area.describe(entry) if area else "")


def _filter(app: App, asked: dict[str, str]) -> AuditFilter:
    """The query as a filter; dates are local days, `until` included."""
    tz = app.policies.calendar.tz
    since, until = _day(asked["since"]), _day(asked["until"])
    if since and until and until < since:
        raise ValueError("结束日期不能早于开始日期。")
    return AuditFilter(
        actor=asked["actor"], area=asked["area"], action=asked["action"], case=asked["case"].upper(),
        since=datetime.combine(since, time(), tz) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), tz) if until else None,
    )


def _day(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"日期“{value}”格式不对，应为 2026-12-06 这样的年-月-日。") from None


def _action_choices() -> list[tuple[str, str]]:
    """(code, 模块：操作) for the 操作 choice, area by area."""
    return [(code, f"{area.label}：{label}") for area in AREAS.values() for code, label in area.actions.items()]
