"""The FastAPI application: resident chat, staff login, operator console, static files, background loops.

Background loops (outbox delivery, Telegram polling) run in the app's lifespan, so whatever
serves the app also runs them, and stops them cleanly on shutdown.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from bot import open311
from bot.bootstrap import App
from bot.limits import Limits, LoginThrottle, SenderGate
from bot.ports import Dialogue
from bot.web import auth, console, resident, staff
from bot.web.deps import History, WebDeps
from bot.web.headers import SecurityHeaders
from bot.web.hub import LiveHub
from bot.web.settings import WebSettings
from bot.web.suggestions import TranscriptAnalyzer
from bot.web.templating import STATIC

Loop = Callable[[asyncio.Event], Awaitable[None]]


def web_deps(
    app: App, dialogue: Dialogue, history: History, hub: LiveHub, analyzer: TranscriptAnalyzer | None = None
) -> WebDeps:
    limits = Limits.from_section(app.settings.section("limits"))
    return WebDeps(app, dialogue, history, hub, SenderGate(limits), WebSettings.from_settings(app.settings),
                   LoginThrottle(limits.login_attempts_per_minute), analyzer)


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
    web.add_middleware(SecurityHeaders)
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    for routes in (resident.router(), auth.router(), console.router(), open311.router(), staff.router(), *routers):
        web.include_router(routes)
    web.add_exception_handler(auth.LoginRequired, auth.on_login_required)
    web.add_exception_handler(auth.Forbidden, auth.on_login_required)
    web.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    return web


async def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")
