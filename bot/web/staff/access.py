"""Who may open the department pages: any signed-in staff member, then a role check per page.

Built on the channel edge's sessions (bot/web/accounts.py) and its cookie and refusal pages
(bot/web/auth.py), which admit only the operator console's roles; department clerks work here.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bot.bootstrap import App
from bot.web.accounts import StaffSession, close_session
from bot.web.auth import STAFF_COOKIE, Forbidden, LoginRequired, signed_in
from bot.web.deps import WebDeps
from handlers.case import Case
from handlers.status import AT_DISPATCHER, FINAL, Status
from storage.warning_queries import Area, open_count

# Hotline operators may dispatch too: they file on callers' behalf and know where a case belongs.
CLERK, DISPATCHER, SUPERVISOR = frozenset({"clerk"}), frozenset({"dispatcher", "operator"}), frozenset({"supervisor"})
ADMIN = frozenset({"admin"})
QUEUE_ROLES = CLERK | SUPERVISOR | ADMIN
DISPATCH_ROLES = DISPATCHER | SUPERVISOR | ADMIN
SUPERVISE_ROLES = SUPERVISOR | ADMIN
STAFF_ROLES = CLERK | DISPATCHER | SUPERVISOR | ADMIN
GRID_ROLES = frozenset({"grid_worker"})  # they report from the field (web chat) and see their grids' cases
AREA_LEVELS = ("community", "street")  # offices that early-warning flags are pushed to


async def any_staff(request: Request) -> StaffSession:
    """The signed-in member as they work (a dispatch-centre clerk is a dispatcher, see accounts.on_duty)."""
    found = await signed_in(request)
    if found is None:
        raise LoginRequired(request.url.path)
    await _count_open_warnings(request, found)
    return found


async def checked_form(request: Request, session: Annotated[StaffSession, Depends(any_staff)]) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    offered = form.get("csrf_token")
    if not isinstance(offered, str) or not hmac.compare_digest(offered.encode(), session.csrf_token.encode()):
        raise Forbidden("页面已过期或来源不明，请刷新页面后重试。")
    return form


AnyStaff = Annotated[StaffSession, Depends(any_staff)]
CheckedForm = Annotated[FormData, Depends(checked_form)]


def require(session: StaffSession, roles: frozenset[str], what: str) -> None:
    if session.staff.role not in roles:
        raise Forbidden(f"您的账号（{session.staff.role_label}）没有{what}的权限。")


def may_handle(session: StaffSession, case: Case) -> bool:
    """Clerks act on their own department's cases; supervisors and administrators on any."""
    role = session.staff.role
    return role in SUPERVISE_ROLES or (role in CLERK and session.staff.department == case.department)


def on_patrol(session: StaffSession, case: Case) -> bool:
    """A grid worker's case: one in a grid they patrol, which they may read and add a 现场记录 to."""
    return session.staff.role in GRID_ROLES and case.grid_code in session.staff.grids


def may_view(session: StaffSession, case: Case) -> bool:
    """A clerk sees the files of cases their department holds or once held (the same rule as
    storage.case_search for what a clerk's search finds); a grid worker those of their grids."""
    if session.staff.role in GRID_ROLES:
        return on_patrol(session, case)
    if session.staff.role not in CLERK:
        return True
    mine = session.staff.department
    return case.department == mine or any(e.changes.get("department") == mine for e in case.events)


def may_reveal(session: StaffSession, case: Case) -> bool:
    """Whose work on this case needs the resident's whole phone or name (查看完整号码, logged each time):
    the clerks of the department holding it, the grid workers of its grid, and dispatchers while it
    waits to be dispatched, and only until it is finished. Supervisors, administrators and everyone
    else read it masked, as every export does."""
    if case.status in FINAL or case.status is Status.MERGED:
        return False
    role = session.staff.role
    if role in CLERK:
        return bool(session.staff.department) and case.department == session.staff.department
    if role in GRID_ROLES:
        return on_patrol(session, case)
    return role in DISPATCHER and case.status in AT_DISPATCHER


def search_scope(session: StaffSession) -> str | None:
    """The department a member's search is limited to: a clerk's own ("" for a clerk without one,
    which finds nothing); None, every case, for the roles that already open any case file."""
    return (session.staff.department or "") if session.staff.role in CLERK else None


async def warning_area(app: App, session: StaffSession) -> tuple[bool, Area | None]:
    """Whose early-warning flags a member sees: (may see any, limited to this area or None for all).
    Supervisors see every flag; the clerks of a community or street office see their own area's,
    which is how a flag reaches them (there is no staff push channel: it waits on their pages and is
    counted in their menu); nobody else sees any."""
    staff = session.staff
    if staff.role in SUPERVISE_ROLES:
        return True, None
    if staff.role not in CLERK or not staff.department:
        return False, None
    async with app.uow() as uow:
        department = next((d for d in await uow.directory.departments() if d.code == staff.department), None)
    if department is None or department.level not in AREA_LEVELS:
        return False, None
    return True, Area(department.level, department.area)


async def _count_open_warnings(request: Request, session: StaffSession) -> None:
    """For the menu (pages.render shows 排查预警 with the count to those who may see flags)."""
    app: App = request.app.state.deps.app
    allowed, area = await warning_area(app, session)
    if allowed:
        async with app.sessions() as db:
            request.state.open_warnings = await open_count(db, area)


async def logout(request: Request, session: AnyStaff, form: CheckedForm) -> Response:
    deps: WebDeps = request.app.state.deps
    await close_session(deps.app.sessions, session.token_digest)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response
