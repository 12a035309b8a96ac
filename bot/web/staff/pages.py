"""Rendering for the department pages: their own templates first, the channel edge's after, and the
few values every page shows (who is signed in, which pages they may open, local times)."""

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from bot.wording import OUTBOX_LABELS, local, masked_phone
from bot.web.accounts import StaffSession
from bot.web.staff.access import DISPATCH_ROLES, QUEUE_ROLES, SUPERVISE_ROLES
from bot.web.templating import TEMPLATES
from handlers.directory import LEVEL_LABELS
from handlers.status import EVENT_LABELS, STATUS_LABELS

HERE = Path(__file__).parent
STATIC_FILES = {"staff.css": "text/css"}
BASE = "/console/work"


@cache
def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(TEMPLATES)]),
        autoescape=True,
        undefined=StrictUndefined,
    )
    env.globals.update(local=local, mask_phone=masked_phone, event_labels=EVENT_LABELS, status_labels=STATUS_LABELS,
                       outbox_labels=OUTBOX_LABELS, level_labels=LEVEL_LABELS, base=BASE)
    return env


def render(request: Request, name: str, session: StaffSession, status_code: int = 200, **context: Any) -> HTMLResponse:
    role = session.staff.role
    nav = [(f"{BASE}/queue", "待办队列", role in QUEUE_ROLES), (f"{BASE}/dispatch", "统一分拨", role in DISPATCH_ROLES),
           (f"{BASE}/supervise", "督办", role in SUPERVISE_ROLES), (f"{BASE}/dashboard", "统计分析", role in SUPERVISE_ROLES)]
    html = environment().get_template(name).render(
        request=request, session=session, nav=[(href, label) for href, label, ok in nav if ok], **context
    )
    return HTMLResponse(html, status_code=status_code)


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
    return f"{BASE}/queue"
