"""账号管理 (issue 15, part 2): administrators list and create staff accounts, change a role, department
or grids, disable and enable an account and reset a password. Every change goes through
bot.account_admin, so the page and `minsheng staff` keep the same rules and the same audit entries."""

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot import account_admin
from bot.account_admin import AREA, Account, AccountMissing, Assignment, assignment_of
from bot.bootstrap import App
from bot.web.accounts import MIN_PASSWORD, ROLES, AccountError, AccountExists, StaffSession
from bot.web.admin.models import templates
from bot.web.staff import pages
from bot.web.staff.access import ADMIN, AnyStaff, CheckedForm, require
from bot.web.staff.queues import directory, labels_of
from handlers.directory import LEVELS, Department, by_community
from storage.audit_log import AuditEntry, recent

BASE = "/console/admin/accounts"
WHAT = "管理账号"
DONE = {
    "created": "账号已创建。请把用户名和初始密码当面或电话告知本人。",
    "assigned": "角色、部门和网格已更新，本人下次打开页面时生效。",
    "unchanged": "角色、部门和网格与原来相同，未作更改。",
    "disabled": "账号已停用，并已在所有设备上退出登录。",
    "enabled": "账号已启用，可以重新登录。",
    "password": "密码已重设，该账号在其他设备上的登录已失效；请把新密码当面或电话告知本人。",
}
ACTION_LABELS = {"created": "新建账号", "replaced": "重设账号（命令行）", "role_changed": "调整角色、部门或网格",
                 "disabled": "停用账号", "enabled": "启用账号", "password_reset": "重设密码"}
GRID_SEPARATORS = re.compile(r"[\s,，、;；]+")


async def page(request: Request, session: AnyStaff, done: str = "") -> HTMLResponse:
    return await _listing(request, session, message=DONE.get(done, ""))


async def create(request: Request, session: AnyStaff, form: CheckedForm) -> Response:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    username = _text(form, "username")
    try:
        await account_admin.create_account(app.sessions, session.staff.username, username, _password(form),
                                           _assignment(form), app.policies.clock.now())
    except AccountExists as exc:
        error = f"{exc}请换一个用户名；如是同一人，请在上面的账号列表中打开该账号，重设密码或启用。"
        return await _listing(request, session, error=error, field=exc.field, values=form, status_code=409)
    except AccountError as exc:
        return await _listing(request, session, error=str(exc), field=exc.field, values=form, status_code=422)
    return RedirectResponse(f"{_address(username.strip())}?done=created", status_code=303)


async def account_page(request: Request, username: str, session: AnyStaff, done: str = "") -> HTMLResponse:
    return await _account(request, session, username, message=DONE.get(done, ""))


async def assign(request: Request, username: str, session: AnyStaff, form: CheckedForm) -> Response:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    try:
        changed = await account_admin.change_assignment(app.sessions, session.staff.username, username,
                                                        _assignment(form), app.policies.clock.now())
    except AccountMissing:
        raise HTTPException(status_code=404) from None
    except AccountError as exc:
        return await _account(request, session, username, error=str(exc), field=exc.field, values=form)
    return _done(username, "assigned" if changed else "unchanged")


async def set_active(request: Request, username: str, session: AnyStaff, form: CheckedForm) -> Response:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    active = _text(form, "active") == "1"
    if not active and _text(form, "confirm") != "1" and username != session.staff.username:  # a slip of the mouse
        return await _account(request, session, username, error=f"停用前请勾选“确认停用 {username}”。", field="confirm")
    try:
        await account_admin.set_active(app.sessions, session.staff.username, username, active,
                                       app.policies.clock.now())
    except AccountMissing:
        raise HTTPException(status_code=404) from None
    except AccountError as exc:
        return await _account(request, session, username, error=str(exc))
    return _done(username, "enabled" if active else "disabled")


async def reset_password(request: Request, username: str, session: AnyStaff, form: CheckedForm) -> Response:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    try:
        await account_admin.reset_password(app.sessions, session.staff.username, username, _password(form),
                                           app.policies.clock.now(), keep=session.token_digest)
    except AccountMissing:
        raise HTTPException(status_code=404) from None
    except AccountError as exc:
        return await _account(request, session, username, error=str(exc), field=exc.field)
    return _done(username, "password")


def describe(entry: AuditEntry) -> str:
    """An audit entry's details as the page says them (never a password: none is logged)."""
    details = entry.details
    if entry.action == "role_changed":
        return f"{_said(details.get('from', {}))} → {_said(details.get('to', {}))}"
    if entry.action in ("created", "replaced"):
        return _said(details)
    return "—"


def router() -> APIRouter:
    routes = APIRouter(prefix=BASE, tags=["系统管理"])
    routes.add_api_route("", page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("", create, methods=["POST"])
    routes.add_api_route("/{username}", account_page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_route("/{username}/assignment", assign, methods=["POST"])
    routes.add_api_route("/{username}/active", set_active, methods=["POST"])
    routes.add_api_route("/{username}/password", reset_password, methods=["POST"])
    return routes


async def _listing(request: Request, session: StaffSession, *, message: str = "", error: str = "", field: str = "",
                   values: Mapping[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    rows = await account_admin.accounts(app.sessions, app.policies.clock.now())
    return await _render(request, session, "accounts.html", status_code, rows=rows, message=message, error=error,
                         field=field, values=_shown(values), audit=await recent(app.sessions, AREA))


async def _account(request: Request, session: StaffSession, username: str, *, message: str = "", error: str = "",
                   field: str = "", values: Mapping[str, Any] | None = None) -> HTMLResponse:
    require(session, ADMIN, WHAT)
    app: App = request.app.state.deps.app
    rows = await account_admin.accounts(app.sessions, app.policies.clock.now())
    account = next((row for row in rows if row.username == username), None)
    if account is None:
        raise HTTPException(status_code=404)
    shown = _shown(values) if values is not None else _values_of(account)
    return await _render(request, session, "account.html", 422 if error else 200, account=account, message=message,
                         error=error, field=field, values=shown, own=username == session.staff.username)


async def _render(request: Request, session: StaffSession, name: str, status_code: int,
                  **context: Any) -> HTMLResponse:
    app: App = request.app.state.deps.app
    index = await directory(app)  # one read for the departments, the grids' names and the grid picker
    return pages.render(request, name, session, status_code=status_code, templates=templates(), roles=ROLES,
                        departments=_by_level(index.departments), department_of=index.departments,
                        grid_names=labels_of(index), communities=by_community(index.grids.values()),
                        min_password=MIN_PASSWORD, accounts_base=BASE, action_labels=ACTION_LABELS,
                        describe=describe, address=_address, **context)


def _assignment(form: FormData) -> Assignment:
    return assignment_of(_text(form, "role"), _text(form, "department"), _grids(form))


def _grids(form: FormData | Mapping[str, Any]) -> list[str]:
    """The grids ticked, or typed as codes as `minsheng staff` takes them, in the order given."""
    posted = form.getlist("grids") if isinstance(form, FormData) else [form.get("grids", "")]
    return [code for value in posted if isinstance(value, str) for code in GRID_SEPARATORS.split(value.strip()) if code]


def _password(form: FormData) -> str:
    value = form.get("password")
    return value if isinstance(value, str) else ""


def _text(form: FormData | Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _shown(values: Mapping[str, Any] | None) -> dict[str, str]:
    """What a refused form showed, back in its fields (never the password)."""
    return {**{name: _text(values or {}, name) for name in ("username", "role", "department")},
            "grids": "、".join(_grids(values or {}))}


def _values_of(account: Account) -> dict[str, str]:
    assignment = account.assignment
    return {"username": account.username, "role": assignment.role, "department": assignment.department or "",
            "grids": "、".join(assignment.grids)}


def _by_level(departments: dict[str, Department]) -> list[Department]:
    """Grid workers' queues first, district bureaus last, as the registry's levels go."""
    return sorted(departments.values(), key=lambda d: (LEVELS.index(d.level) if d.level in LEVELS else 9, d.code))


def _said(details: Mapping[str, Any]) -> str:
    role = details.get("role", "")
    said = ROLES.get(role, role)
    if details.get("department"):
        said += f"，部门 {details['department']}"
    if details.get("grids"):
        said += f"，网格 {'、'.join(details['grids'])}"
    return said


def _address(username: str) -> str:
    return f"{BASE}/{quote(username, safe='')}"


def _done(username: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"{_address(username)}?done={done}", status_code=303)
