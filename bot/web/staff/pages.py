"""Rendering for the department pages: their own templates first, the channel edge's after, and the
few values every page shows (who is signed in, which pages they may open, local times)."""

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from bot.wording import (
    OUTBOX_LABELS,
    actor_label,
    case_texts,
    channel_label,
    duration_label,
    local,
    masked_name,
    masked_phone,
    model_label,
)
from bot.web.accounts import CONSOLE_ROLES, StaffSession
from bot.web.auth import HOME as CONSOLE
from bot.web.staff.access import ADMIN, DISPATCH_ROLES, GRID_ROLES, QUEUE_ROLES, STAFF_ROLES, SUPERVISE_ROLES
from bot.web.templating import TEMPLATES, case_numbers
from handlers.directory import LEVEL_LABELS
from handlers.phones import mask_phones_in
from handlers.status import EVENT_LABELS, STATUS_LABELS

HERE = Path(__file__).parent
STATIC_FILES = {"staff.css": "text/css"}
BASE = "/console/work"
NAV = ((f"{BASE}/queue", "待办队列", QUEUE_ROLES), (f"{BASE}/dispatch", "统一分拨", DISPATCH_ROLES),
       (f"{BASE}/supervise", "督办", SUPERVISE_ROLES), (f"{BASE}/dashboard", "统计分析", SUPERVISE_ROLES),
       (f"{BASE}/grid", "本网格待办", GRID_ROLES), ("/", "巡查上报", GRID_ROLES),  # the web chat, as staff
       ("/console/admin/models", "模型管理", ADMIN), ("/console/admin/accounts", "账号管理", ADMIN),
       ("/console/admin/registry", "辖区名录", ADMIN), ("/console/admin/privacy", "个人信息", ADMIN),
       ("/console/admin/audit", "操作日志", ADMIN), (CONSOLE, "热线坐席", CONSOLE_ROLES))  # 热线坐席: the way back
WARNINGS = f"{BASE}/warnings"


def grid_said(code: str | None, grids: dict[str, str], unknown: str = "未确定") -> str:
    """A case's grid by name (codes → Grid.label, from queues.grid_labels); a code the registry lacks as it is."""
    return grids.get(code, code) if code else unknown


@cache
def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(TEMPLATES)]),
        autoescape=True,
        undefined=StrictUndefined,
    )
    env.filters.update(case_numbers=case_numbers, mask_phones=mask_phones_in)
    env.globals.update(local=local, mask_phone=masked_phone, mask_name=masked_name, event_labels=EVENT_LABELS,
                       status_labels=STATUS_LABELS, outbox_labels=OUTBOX_LABELS, level_labels=LEVEL_LABELS, base=BASE,
                       actor_label=actor_label, channel_label=channel_label, model_label=model_label,
                       duration_label=duration_label, case_texts=case_texts, grid_said=grid_said)
    return env


def render(request: Request, name: str, session: StaffSession, status_code: int = 200, *,
           templates: Environment | None = None, **context: Any) -> HTMLResponse:
    """`templates`: another package's pages in this frame (an overlay of environment() with its own loader)."""
    role = session.staff.role
    html = (templates or environment()).get_template(name).render(
        request=request, session=session, nav=_menu(request, role), **context
    )
    return HTMLResponse(html, status_code=status_code)


def _menu(request: Request, role: str) -> list[tuple[str, str]]:
    """The member's pages; 排查预警 with its open count for those who receive flags (access.warning_area)."""
    nav = [(href, label) for href, label, roles in NAV if role in roles]
    count = getattr(request.state, "open_warnings", None)
    if count is not None:
        at = len(nav) - (nav[-1][0] == CONSOLE)
        nav.insert(at, (WARNINGS, f"排查预警（{count}）" if count else "排查预警"))
    return nav


def refusal(request: Request, session: StaffSession, title: str, reason: str, status_code: int) -> HTMLResponse:
    """A refused or missing page inside the member's own menu, so the way on is their start page, not a login."""
    home = home_for(session)
    return render(request, "work_refused.html", session, status_code=status_code, title=title, reason=reason,
                  home=home, home_label=next(label for href, label, _ in NAV if href == home))


async def static_file(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404)
    return FileResponse(HERE / "static" / name, media_type=STATIC_FILES[name])


def home_for(session: StaffSession) -> str:
    """Where a staff member starts: clerks at their queue, dispatchers at 分拨, supervisors at 督办."""
    role = session.staff.role
    if role in SUPERVISE_ROLES:
        return f"{BASE}/supervise"
    if role in DISPATCH_ROLES:
        return f"{BASE}/dispatch"
    if role in GRID_ROLES:
        return f"{BASE}/grid"
    return f"{BASE}/queue"


def landing(session: StaffSession) -> str:
    """Where signing in leads when no page was asked for: operators to the call console they work
    from, everyone else (an admin too) to their start page on the workbench."""
    return CONSOLE if session.staff.role == "operator" else home_for(session)


def console_nav(session: StaffSession) -> list[tuple[str, str]]:
    """The call console's menu: the console, and 工作台 for members who also work on the workbench
    (its own menu links back with 热线坐席)."""
    nav = [(CONSOLE, "受理来电")]
    return [*nav, (home_for(session), "工作台")] if session.staff.role in STAFF_ROLES else nav
