"""The FastAPI application: resident chat, staff login, operator console, static files, background loops.

Background loops (outbox delivery, Telegram polling) run in the app's lifespan, so whatever
serves the app also runs them, and stops them cleanly on shutdown. Unknown addresses and refusals
answer as the page around them would: JSON for the Open311 API, the chat's frame for residents,
the staff member's own menu for staff.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot import open311
from bot.bootstrap import App
from bot.limits import Limits, LoginThrottle, SenderGate
from bot.open311.records import Open311Settings
from bot.ports import Dialogue
from bot.web import admin, auth, console, resident, staff
from bot.web.accounts import CONSOLE_ROLES, StaffSession
from bot.web.admission import Admission, AdmissionLimits, ResidentIds, web_secret
from bot.web.deps import History, WebDeps
from bot.web.headers import SecurityHeaders
from bot.web.hub import LiveHub
from bot.web.settings import WebSettings
from bot.web.staff import pages as staff_pages
from bot.web.suggestions import TranscriptAnalyzer
from bot.web.templating import STATIC
from handlers.errors import CaseNotFound

Loop = Callable[[asyncio.Event], Awaitable[None]]
JSON_PATHS = ("/open311",)  # machine clients: their errors stay JSON
MISSING = "您要打开的页面不存在，可能是地址有误，或页面已被移除。"


def web_deps(
    app: App, dialogue: Dialogue, history: History, hub: LiveHub, analyzer: TranscriptAnalyzer | None = None
) -> WebDeps:
    """The web edge's dependencies. Logins are throttled, and resident ids issued and admitted, on the
    app's clock, the one staff sessions expire by, so a test that moves that clock moves them all.
    The Open311 settings are read on each request (keys live in the environment); checking them here
    first makes a mistyped [open311] stop the start instead of failing every request."""
    Open311Settings.from_settings(app.settings.section("open311"), os.environ)
    section = app.settings.section("limits")
    limits = Limits.from_section(section)
    clock = lambda: app.policies.clock.now().timestamp()  # noqa: E731 - one clock for logins and resident ids
    logins = LoginThrottle(limits.login_attempts_per_minute, clock=clock)
    admission = Admission(ResidentIds(web_secret(app.settings), clock), AdmissionLimits.from_section(section), clock)
    return WebDeps(app, dialogue, history, hub, SenderGate(limits), WebSettings.from_settings(app.settings),
                   logins, admission, analyzer)


def create_web_app(deps: WebDeps, routers: Sequence[APIRouter] = (), background: Sequence[Loop] = ()) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(loop(stop)) for loop in background]
        try:
            yield
        finally:
            await deps.hub.close_all()
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    web = FastAPI(title="民声", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    web.state.deps = deps
    deps.pages.environment.globals["console_nav"] = staff_pages.console_nav  # the console's menu links the workbench
    web.add_middleware(SecurityHeaders)
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    for routes in (resident.router(), auth.router(), console.router(), open311.router(), staff.router(), admin.router(),
                   *routers):
        web.include_router(routes)
    web.add_exception_handler(auth.LoginRequired, auth.on_login_required)
    web.add_exception_handler(auth.Forbidden, refused)
    web.add_exception_handler(HTTPException, not_found)
    web.add_exception_handler(CaseNotFound, case_not_found)
    web.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    return web


async def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")


async def refused(request: Request, exc: Exception) -> Response:
    """A signed-in member is told what they lack and sent to their own home; anyone else to the login."""
    session = await auth.signed_in(request)
    if session is None or not isinstance(exc, auth.Forbidden):
        return await auth.on_login_required(request, exc)
    return _staff_page(request, session, "无法访问", exc.reason, 403)


async def not_found(request: Request, exc: Exception) -> Response:
    """404 (or 405, an action's address opened as a page) as a page in Chinese: staff paths link to the
    workbench, the rest to the resident chat. Other errors, and any under the JSON API, stay FastAPI's JSON."""
    path = request.url.path
    if not isinstance(exc, HTTPException) or exc.status_code not in (404, 405) or _json(path):
        return await http_exception_handler(request, exc)
    response = await _missing_page(request, exc.status_code)
    response.headers.update(exc.headers or {})
    return response


async def case_not_found(request: Request, exc: Exception) -> Response:
    """A case number nobody filed, on any page or action that takes one: a 404 that names the number,
    so a mistyped or stale link never reaches the visitor as a server error."""
    reason = exc.message if isinstance(exc, CaseNotFound) else MISSING
    return await _missing_page(request, 404, "诉求不存在", reason)


async def _missing_page(request: Request, status_code: int, title: str = "页面不存在",
                        reason: str = MISSING) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    if not _under(request.url.path, auth.HOME):
        return deps.pages.render(request, "missing.html", status_code=status_code, reason=reason)
    session = await auth.signed_in(request)
    if session is None:
        return deps.pages.render(request, "refused.html", status_code=status_code, title=title,
                                 reason=reason, home=staff_pages.BASE, home_label="返回工作台")
    return _staff_page(request, session, title, reason, status_code)


def _staff_page(request: Request, session: StaffSession, title: str, reason: str, status_code: int) -> HTMLResponse:
    """Department pages, and members without the call console, get the workbench's frame; the rest the console's."""
    if _under(request.url.path, staff_pages.BASE) or session.staff.role not in CONSOLE_ROLES:
        return staff_pages.refusal(request, session, title, reason, status_code)
    deps: WebDeps = request.app.state.deps
    return deps.pages.render(request, "refused.html", status_code=status_code, session=session, title=title,
                             reason=reason, home=auth.HOME, home_label="返回受理来电")


def _json(path: str) -> bool:
    return any(_under(path, prefix) for prefix in JSON_PATHS)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")
