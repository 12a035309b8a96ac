"""Staff login and the guards every staff page uses: a session cookie, a role, a CSRF token.

Anonymous GETs are sent to the login page; anything else without a valid session is refused.
"""

import hmac
import math
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection

from bot.web.accounts import (
    CONSOLE_ROLES,
    AccountDisabled,
    StaffSession,
    authenticate,
    close_session,
    find_session,
    on_duty,
    open_session,
)
from bot.web.deps import WebDeps

STAFF_COOKIE = "ms_staff"
LOGIN_COOKIE = "ms_login"
HOME = "/console"


class LoginRequired(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Forbidden(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def signed_in(request: HTTPConnection) -> StaffSession | None:
    """The visitor's staff session, if any: the guards need it, the error pages to pick the way home,
    and the resident chat to recognise a grid worker (on its page and its WebSocket alike)."""
    deps: WebDeps = request.app.state.deps
    token = request.cookies.get(STAFF_COOKIE, "")
    found = await find_session(deps.app.sessions, token, deps.app.policies.clock.now()) if token else None
    return on_duty(found, deps.app.policies.routing.dispatcher) if found else None


async def staff_session(request: Request) -> StaffSession:
    found = await signed_in(request)
    if found is None:
        raise LoginRequired(request.url.path)
    if found.staff.role not in CONSOLE_ROLES:
        raise Forbidden("您的账号没有使用坐席工作台的权限。")
    return found


async def checked_form(request: Request, session: Annotated[StaffSession, Depends(staff_session)]) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    offered = form.get("csrf_token")
    if not isinstance(offered, str) or not hmac.compare_digest(offered.encode(), session.csrf_token.encode()):
        raise Forbidden("页面已过期或来源不明，请刷新页面后重试。")
    return form


Staff = Annotated[StaffSession, Depends(staff_session)]
CheckedForm = Annotated[FormData, Depends(checked_form)]


def router() -> APIRouter:
    routes = APIRouter(prefix=HOME)
    routes.add_api_route("/login", login_page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/login", login, methods=["POST"], response_class=HTMLResponse)
    routes.add_api_route("/logout", logout, methods=["POST"])
    return routes


def _safe_next(target: str | None) -> str:
    """A page under the console asked for before signing in, or "" (then the member's own start page)."""
    if target and target.startswith(HOME) and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def _login_form(request: Request, next_url: str, error: str = "", status_code: int = 200) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    token = secrets.token_urlsafe(24)
    response = deps.pages.render(
        request, "login.html", status_code=status_code, csrf_token=token, next_url=_safe_next(next_url), error=error
    )
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=deps.web.cookie_secure(request.url.scheme), path=HOME)
    return response


async def login_page(request: Request, next: str = "") -> HTMLResponse:  # noqa: A002 - query name
    return _login_form(request, next)


async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "",  # noqa: A002 - form field name
) -> Response:
    deps: WebDeps = request.app.state.deps
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
        return _login_form(request, next, "页面已过期，请重新输入。", 403)
    address, name = (request.client.host if request.client else "?"), username.strip()
    wait = math.ceil(deps.logins.wait(address, name))
    if wait > 0:
        response = _login_form(request, next, f"登录尝试过多，请在 {_after(wait)}后再试。", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        staff = await authenticate(deps.app.sessions, username, password)
    except AccountDisabled:
        return _login_form(request, next, "该账号已停用，请联系系统管理员。", 403)
    if staff is None:
        deps.logins.failed(address, name)
        return _login_form(request, next, "用户名或密码不正确。", 401)
    deps.logins.succeeded(address, name)
    token, session = await open_session(
        deps.app.sessions, staff, deps.app.policies.clock.now(), deps.web.staff_session_hours
    )
    from bot.web.staff.pages import BASE as WORK_HOME, landing  # the staff pages import this module

    working = on_duty(session, deps.app.policies.routing.dispatcher)
    target = _safe_next(next) or landing(working)
    if staff.role not in CONSOLE_ROLES and not target.startswith(WORK_HOME):
        target = landing(working)  # a clerk or dispatcher has no console: their queue or the 分拨 list
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(STAFF_COOKIE, token, max_age=int(deps.web.staff_session_hours * 3600), httponly=True,
                        samesite="strict", secure=deps.web.cookie_secure(request.url.scheme), path="/")
    response.delete_cookie(LOGIN_COOKIE, path=HOME)
    return response


def _after(seconds: int) -> str:
    """A wait as a clerk would say it: seconds up to a minute, then whole minutes rounded up."""
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


async def logout(request: Request, session: Staff, form: CheckedForm) -> Response:
    deps: WebDeps = request.app.state.deps
    await close_session(deps.app.sessions, session.token_digest)
    response = RedirectResponse(f"{HOME}/login", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


async def on_login_required(request: Request, exc: Exception) -> Response:
    """Anonymous GETs go to the login page; anything else anonymous is refused with a link to it.

    A signed-in member's refusal is the app's own page (bot/web/app.py), which links to their home instead.
    """
    deps: WebDeps = request.app.state.deps
    if request.method == "GET" and isinstance(exc, LoginRequired):
        return RedirectResponse(f"{HOME}/login?next={quote(exc.path)}", status_code=303)
    reason = exc.reason if isinstance(exc, Forbidden) else "请先登录。"
    status = 403 if isinstance(exc, Forbidden) else 401
    return deps.pages.render(request, "refused.html", status_code=status, reason=reason,
                             home=f"{HOME}/login?next={quote(request.url.path)}", home_label="前往登录")
